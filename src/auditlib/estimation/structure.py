"""The structure of a sample design: strata, PSUs, SSUs, weights and population counts.

:class:`DesignStructure` holds what R ``survey::svydesign`` captures and computes the
linearisation covariance (:mod:`auditlib.estimation.linearisation`): two-stage without
replacement when both population counts are known; one stage without replacement when ``ssu``
is not given and ``psu_population`` is; otherwise (or with ``ultimate_cluster=True``) the
with-replacement ultimate-cluster formula. Certainty strata (π = 1) contribute no first-stage
variance. :class:`auditlib.estimation.design.SurveyDesign` is the public class.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Self

import numpy as np
import numpy.typing as npt
import pandas as pd

from auditlib.errors import DesignError, Problem
from auditlib.estimation.degrees import (
    group_degrees_of_freedom,
    satterthwaite_degrees_of_freedom,
    stratum_variances,
)
from auditlib.estimation.labels import SecondStageLabels, population_counts
from auditlib.estimation.linearisation import Stage, build_stage, stage_covariance

__all__ = ["DF_METHODS", "LONELY_PSU_OPTIONS", "DesignStructure"]

#: Handling of a stratum with a single sampled PSU (R ``options(survey.lonely.psu=)``).
LONELY_PSU_OPTIONS: tuple[str, ...] = ("fail", "adjust", "certainty")
#: Degrees of freedom: R's #PSU − #strata, or where the variance comes from
#: (:mod:`auditlib.estimation.degrees`).
DF_METHODS: tuple[str, ...] = ("design", "variance")

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


class DesignStructure:
    """Strata, PSUs, SSUs, weights and population counts of a sample, validated when built.

    The estimators of :mod:`auditlib.estimation.estimators` take any design of this class;
    :class:`auditlib.estimation.design.SurveyDesign` adds them as methods and documents the
    parameters.
    """

    def __init__(
        self,
        data: pd.DataFrame,
        *,
        strata: str | None = None,
        psu: str,
        ssu: str | None = None,
        weights: str | None = None,
        psu_population: str | None = None,
        ssu_population: str | None = None,
        ssu_strata: str | None = None,
        lonely_psu: str = "fail",
        ultimate_cluster: bool = False,
        df_method: str = "design",
        variance_groups: str | None = None,
    ) -> None:
        if not isinstance(data, pd.DataFrame):
            raise DesignError(f"data must be a pandas DataFrame, got {type(data).__name__}")
        if lonely_psu not in LONELY_PSU_OPTIONS:
            raise DesignError(
                f"lonely_psu must be one of {', '.join(LONELY_PSU_OPTIONS)}; got {lonely_psu!r}"
            )
        if df_method not in DF_METHODS:
            raise DesignError(
                f"df_method must be one of {', '.join(DF_METHODS)}; got {df_method!r}"
            )
        self.df_method = df_method
        self.variance_groups = variance_groups
        self.data = data
        self.strata = strata
        self.psu = psu
        self.ssu = ssu
        self.weights = weights
        self.psu_population = psu_population
        self.ssu_population = ssu_population
        self.ssu_strata = ssu_strata
        self.lonely_psu = lonely_psu
        self.ultimate_cluster = ultimate_cluster
        self._build()
        self.active: BoolArray = np.ones(len(data), dtype=bool)
        self._column_cache: dict[str, FloatArray] = {}

    # ------------------------------------------------------------------ construction
    def _column(self, name: str, role: str) -> npt.NDArray[Any]:
        if name not in self.data.columns:
            known = ", ".join(map(str, self.data.columns))
            raise DesignError(f"{role} column {name!r} is not in the data; columns are: {known}")
        column = self.data[name]
        if column.dtype == object or isinstance(column.dtype, np.dtype):
            values = column.to_numpy()
        else:
            values = column.to_numpy(dtype=object, na_value=None)
        missing = np.flatnonzero(pd.isna(values))
        if missing.size:
            problems = [
                Problem("design data", int(row) + 2, name, "<missing>", f"a {role} value")
                for row in missing[:20]
            ]
            raise DesignError(
                f"{role} column {name!r} has {missing.size} missing value(s) "
                f"(first at data row {int(missing[0]) + 2}); every sampled row needs one",
                problems,
            )
        return values

    def _numeric(self, name: str, role: str) -> FloatArray:
        column = self._column(name, role)
        try:
            values = np.asarray(column, dtype=np.float64)
        except (TypeError, ValueError) as error:
            raise DesignError(f"{role} column {name!r} must be numeric ({error})") from error
        if not np.all(np.isfinite(values)):
            row = int(np.flatnonzero(~np.isfinite(values))[0])
            raise DesignError(
                f"{role} column {name!r} must be finite; got {values[row]} at data row {row + 2}"
            )
        return values

    def _codes(self, name: str | None, role: str) -> tuple[IntArray, npt.NDArray[np.object_]]:
        if name is None:
            return np.zeros(len(self.data), dtype=np.int64), np.array(["(all)"], dtype=object)
        codes, labels = pd.factorize(self._column(name, role), sort=False)
        return codes.astype(np.int64), np.asarray(labels, dtype=object)

    def _build(self) -> None:
        rows = len(self.data)
        if rows == 0:
            raise DesignError("the design data has no rows; a design needs sampled units")
        if self.ssu is None and self.ssu_population is not None:
            raise DesignError(
                "ssu_population was given without ssu; name the second-stage unit column "
                "(e.g. ssu='household_id') or drop ssu_population"
            )
        if self.ssu is None and self.ssu_strata is not None:
            raise DesignError("ssu_strata was given without ssu; name the second-stage unit column")
        if (
            self.ssu is not None
            and self.psu_population is not None
            and self.ssu_population is None
            and not self.ultimate_cluster
        ):
            raise DesignError(
                "psu_population was given without ssu_population for a two-stage design: a "
                "first-stage finite-population correction alone silently drops the second-stage "
                "variance; give ssu_population too, or ultimate_cluster=True"
            )
        stratum_code, self._stratum_labels = self._codes(self.strata, "strata")
        psu_code, psu_labels = self._codes(self.psu, "psu")
        self._psu_labels = psu_labels
        psu_count = len(psu_labels)
        stratum_of_psu = np.full(psu_count, -1, dtype=np.int64)
        stratum_of_psu[psu_code] = stratum_code
        if not np.array_equal(stratum_of_psu[psu_code], stratum_code):
            bad = np.flatnonzero(stratum_of_psu[psu_code] != stratum_code)[0]
            label = psu_labels[psu_code[bad]]
            found = sorted(
                {str(self._stratum_labels[s]) for s in stratum_code[psu_code == psu_code[bad]]}
            )
            raise DesignError(
                f"PSU {label!r} (column {self.psu!r}) appears in more than one stratum "
                f"({', '.join(found)}); each PSU must lie in exactly one stratum"
            )
        stratum_count = len(self._stratum_labels)
        psu_sampled = np.bincount(stratum_of_psu, minlength=stratum_count).astype(np.float64)
        self._stratum_code = stratum_code
        self._psu_code = psu_code
        self._stratum_of_psu = stratum_of_psu

        psu_population = self._population(self.psu_population, stratum_code, psu_sampled, "PSU")
        two_stage = (
            self.ssu is not None and self.ssu_population is not None and not self.ultimate_cluster
        )
        one_stage_fpc = (
            self.ssu is None and psu_population is not None and not self.ultimate_cluster
        )
        self.variance_method = (
            "two-stage without replacement"
            if two_stage
            else "one-stage without replacement"
            if one_stage_fpc
            else "ultimate cluster with replacement"
        )

        # Second stage: units nested in PSUs, strata nested in PSUs.
        ssu_stage: Stage | None = None
        ssu_probability = np.ones(rows)
        if self.ssu is not None:
            ssu_stratum_code, ssu_stratum_labels = self._codes(self.ssu_strata, "ssu_strata")
            group_key = psu_code * len(ssu_stratum_labels) + ssu_stratum_code
            group_code, group_values = pd.factorize(group_key, sort=False)
            unit_raw, _ = pd.factorize(self._column(self.ssu, "ssu"), sort=False)
            unit_key = group_code.astype(np.int64) * (int(unit_raw.max()) + 1) + unit_raw
            unit_code, _ = pd.factorize(unit_key, sort=False)
            unit_code = unit_code.astype(np.int64)
            group_of_unit = np.zeros(int(unit_code.max()) + 1, dtype=np.int64)
            group_of_unit[unit_code] = group_code
            psu_of_unit = np.zeros_like(group_of_unit)
            psu_of_unit[unit_code] = psu_code
            group_count = len(group_values)
            ssu_sampled = np.bincount(group_of_unit, minlength=group_count).astype(np.float64)
            self._ssu_group_keys = np.asarray(group_values, dtype=np.int64)
            psu_of_group = np.zeros(group_count, dtype=np.int64)
            psu_of_group[group_code] = psu_code
            self._stratum_of_ssu_group = stratum_of_psu[psu_of_group]
            self._ssu_stratum_labels = ssu_stratum_labels
            ssu_population = self._population(
                self.ssu_population, group_code.astype(np.int64), ssu_sampled, "SSU"
            )
            if ssu_population is not None:
                ssu_probability = (ssu_sampled / ssu_population)[group_code]
            if two_stage:
                assert ssu_population is not None  # guaranteed by two_stage
                psu_probability = psu_sampled / psu_population  # type: ignore[operator]
                ssu_stage = build_stage(
                    unit_code,
                    group_of_unit,
                    ssu_sampled,
                    ssu_population,
                    unit_factor=psu_probability[stratum_of_psu[psu_of_unit]],
                    stage="second",
                    labels=SecondStageLabels(
                        self._ssu_group_keys, self._ssu_stratum_labels, self._psu_labels
                    ),
                    lonely_psu=self.lonely_psu,
                )

        # First stage.
        if self.ultimate_cluster or psu_population is None:
            first_population = np.full(stratum_count, np.inf)
        else:
            first_population = psu_population
        # Weights.
        if self.weights is not None:
            weight = self._numeric(self.weights, "weights")
            bad = np.flatnonzero(~(weight > 0))
            if bad.size:
                problems = [
                    Problem("design data", int(r) + 2, self.weights, str(weight[r]), "a weight > 0")
                    for r in bad[:20]
                ]
                raise DesignError(
                    f"weights column {self.weights!r} must be > 0; got {weight[bad[0]]} at data "
                    f"row {int(bad[0]) + 2} ({bad.size} row(s) in all)",
                    problems,
                )
        elif psu_population is not None and (self.ssu is None or self.ssu_population is not None):
            weight = (psu_population / psu_sampled)[stratum_code] / ssu_probability
        else:
            raise DesignError(
                "give weights=, or the population counts (psu_population, and ssu_population "
                "for a two-stage design) from which the weights are derived"
            )
        if psu_population is not None and not self.ultimate_cluster:
            certain = psu_sampled >= psu_population
        else:
            # With replacement: only a stratum whose every unit has weight 1 (π = 1 at every
            # stage) was taken completely; a stratum of certain PSUs with subsampled
            # households keeps its with-replacement variance.
            all_one = np.ones(stratum_count, dtype=bool)
            np.logical_and.at(all_one, stratum_code, np.isclose(weight, 1.0, rtol=0, atol=1e-12))
            certain = all_one
        first_population = np.where(certain, psu_sampled, first_population)
        self._certain_stratum = certain
        self._weight = weight
        self._psu_stage = build_stage(
            psu_code,
            stratum_of_psu,
            psu_sampled,
            first_population,
            unit_factor=np.ones(psu_count),
            stage="first",
            labels=[f"stratum {label!r}" for label in self._stratum_labels],
            lonely_psu=self.lonely_psu,
        )
        self._ssu_stage = ssu_stage

    def _population(
        self, name: str | None, group: IntArray, sampled: FloatArray, unit: str
    ) -> FloatArray | None:
        if name is None:
            return None
        if unit == "PSU":
            labels: Sequence[str] = [f"stratum {label!r}" for label in self._stratum_labels]
        else:
            labels = SecondStageLabels(
                self._ssu_group_keys, self._ssu_stratum_labels, self._psu_labels
            )
        values = self._numeric(name, f"{unit.lower()}_population")
        return population_counts(values, group, sampled, name=name, unit=unit, labels=labels)

    # ------------------------------------------------------------------ domains
    def subset(self, mask: npt.ArrayLike | pd.Series) -> Self:
        """Return the design restricted to a domain, keeping the full design.

        Rows outside the domain keep their place (R's ``subset``: their scores are zero), so
        every stratum and PSU still counts in the variance.

        Parameters
        ----------
        mask : array-like of bool, shape (n_rows,)
            True for rows in the domain.

        Raises
        ------
        DesignError
            If the mask has the wrong length or selects no row.
        """
        values = np.asarray(mask.to_numpy() if isinstance(mask, pd.Series) else mask)
        if values.shape != (len(self.data),):
            raise DesignError(
                f"subset mask must have one entry per design row ({len(self.data)}); "
                f"got shape {values.shape}"
            )
        if values.dtype != bool:
            raise DesignError(f"subset mask must be boolean; got dtype {values.dtype}")
        combined = self.active & values
        if not combined.any():
            raise DesignError("the domain is empty: the subset mask selects no sampled row")
        domain = object.__new__(type(self))
        domain.__dict__.update(self.__dict__)
        domain.active = combined
        return domain

    # ------------------------------------------------------------------ quantities
    @property
    def weight(self) -> FloatArray:
        """Sampling weights of the rows in the domain (0 outside it)."""
        return np.where(self.active, self._weight, 0.0)

    @property
    def certain_rows(self) -> BoolArray:
        """Rows taken with certainty (π = 1: a certainty stratum, weight 1)."""
        return np.asarray(self._certain_stratum[self._stratum_code] & (self._weight == 1.0))

    @property
    def n(self) -> int:
        """Number of sampled rows in the domain."""
        return int(self.active.sum())

    def degrees_of_freedom(self, scores: npt.ArrayLike | None = None) -> int:
        """Degrees of freedom of an estimate with influence values ``scores``.

        ``df_method="design"`` (or no ``scores``): #PSU − #strata among rows in the domain
        (R ``degf``). ``"variance"``: Satterthwaite over the ``variance_groups`` of strata
        (:mod:`auditlib.estimation.degrees`), rounded down.
        """
        psu_count = self._stratum_of_psu.size
        has_rows = np.bincount(self._psu_code[self.active], minlength=psu_count) > 0
        strata = np.bincount(self._stratum_of_psu[has_rows], minlength=len(self._stratum_labels))
        if self.df_method == "design" or scores is None:
            return int(has_rows.sum() - np.count_nonzero(strata))
        values = np.asarray(scores, dtype=np.float64).reshape(len(self.data))
        by_stratum = stratum_variances(
            self._psu_stage, self._ssu_stage, getattr(self, "_stratum_of_ssu_group", None), values
        )
        labels = self._codes(self.variance_groups, "variance_groups")[0]
        group = np.zeros(len(by_stratum), dtype=np.int64)
        group[self._stratum_code] = labels
        count = int(group.max()) + 1
        group_df = group_degrees_of_freedom(strata.astype(float), group, ~self._certain_stratum)
        size = np.bincount(labels, weights=self.weight, minlength=count).astype(float)
        variance = np.bincount(group, weights=by_stratum, minlength=count).astype(float)
        return int(satterthwaite_degrees_of_freedom(variance, group_df, size))

    def covariance(self, scores: npt.ArrayLike) -> FloatArray:
        """Linearisation covariance of the totals of ``scores`` (R ``svyrecvar``).

        Parameters
        ----------
        scores : array-like, shape (n_rows,) or (n_rows, k)
            Weighted influence values (already multiplied by the weights, zero outside the
            domain).

        Returns
        -------
        numpy.ndarray, shape (k, k)
        """
        matrix = np.asarray(scores, dtype=np.float64)
        if matrix.ndim == 1:
            matrix = matrix[:, None]
        result = stage_covariance(self._psu_stage, matrix)
        if self._ssu_stage is not None:
            result = result + stage_covariance(self._ssu_stage, matrix)
        return result

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({len(self.data)} rows, {self.n} in domain, "
            f"{len(self._stratum_labels)} strata, {len(self._psu_labels)} PSUs, "
            f"{self.variance_method}, lonely_psu={self.lonely_psu!r})"
        )
