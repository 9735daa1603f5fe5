"""Population counts of a design checked against the sample, and the labels of strata its
messages name ("PSU 'x', second-stage stratum 'y'")."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from auditlib.errors import DesignError

__all__ = ["SecondStageLabels", "population_counts"]

FloatArray = npt.NDArray[np.float64]


class SecondStageLabels(Sequence[str]):
    """Lazy labels of second-stage strata, built only for the one a message names.

    Parameters
    ----------
    group_keys : int array
        Key of each second-stage stratum: ``psu_code * len(stratum_labels) + stratum_code``.
    stratum_labels, psu_labels : arrays
        Labels of the second-stage strata and of the PSUs.
    """

    def __init__(
        self,
        group_keys: npt.NDArray[np.int64],
        stratum_labels: npt.NDArray[np.object_],
        psu_labels: npt.NDArray[np.object_],
    ) -> None:
        self._keys = group_keys
        self._strata = stratum_labels
        self._psus = psu_labels

    def __len__(self) -> int:
        return len(self._keys)

    def __getitem__(self, index: int) -> str:  # type: ignore[override]
        key = int(self._keys[index])
        width = len(self._strata)
        return (
            f"PSU {self._psus[key // width]!r}, second-stage stratum {self._strata[key % width]!r}"
        )


def population_counts(
    values: FloatArray,
    group: npt.NDArray[np.int64],
    sampled: FloatArray,
    *,
    name: str,
    unit: str,
    labels: Sequence[str],
) -> FloatArray:
    """The population count of each group (stratum or PSU), from one value per row.

    Raises
    ------
    DesignError
        A count that varies within its group, or is below the number of units sampled there.
    """
    first = np.full(len(sampled), np.nan)
    first[group[::-1]] = values[::-1]
    if not np.array_equal(first[group], values):
        bad = int(np.flatnonzero(first[group] != values)[0])
        raise DesignError(
            f"{name!r} must be constant within each {'stratum' if unit == 'PSU' else 'PSU'}"
            f"; got {values[bad]} at data row {bad + 2} and {first[group[bad]]} elsewhere "
            "in the same group"
        )
    short = np.flatnonzero(first < sampled)
    if short.size:
        index = int(short[0])
        rows = np.flatnonzero(group == index)
        raise DesignError(
            f"population count {name!r} is smaller than the number of {unit}s sampled in "
            f"{labels[index]}: {first[index]:g} < {sampled[index]:g} (data row "
            f"{int(rows[0]) + 2}); the population count must be at least the sample count"
        )
    return first
