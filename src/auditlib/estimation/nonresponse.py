"""Field non-response: response rates and the weighting-class adjustment of the weights.

A sampled household not verified (``status`` ``not_found`` 未找到, ``moved`` 已迁出, ``refused``
拒绝配合 or ``pending``) is a non-respondent. :func:`adjust_for_nonresponse` assumes that within a
*weighting class* the respondents are a random subsample of the sampled households (missing at
random within classes) and gives respondent *i* of class *c* the weight
:math:`w_i \\sum_{j\\in c} w_j / \\sum_{j\\in c,\\,\\mathrm{resp.}} w_j` (*w*: design weights),
so a class's respondents carry its design-weighted count.

Classes are township × selection reason (``selection_reason``; from ``stratum``/``ssu_stratum``
when absent), temporary assistance split into recipients and non-recipients so that no class
mixes the two, and 特困 recipients apart (kinds ``tekun:<kind>``) so that every class lies in
one programme's population (the Dibao estimands then stay between their bounds). Kinds:
``recipient`` (random, risk_oversample, temporary-assistance recipients), ``non_recipient``
(non_recipient, temporary-assistance non-recipients), ``certainty`` (certainty_relative,
certainty_risk), ``new_approval``. A class is *thin* with fewer than ``minimum_respondents``
respondents (:data:`MINIMUM_RESPONDENTS`); collapsing is deterministic:

1. within the township, thin classes join the township's class of the same kind with the most
   respondents (ties: the reason first in :data:`SELECTION_REASONS`, then the label);
2. across townships, classes still thin are pooled per kind into ``county:<kind>``; a single
   thin class, or a pool still thin, joins the kind's class with the most respondents;
3. a kind without any respondent in the county joins the class with the most respondents,
   preferring the same programme (特困 or not), the same recipient status and a class that is
   not a certainty class.

A class keeps fewer than the minimum (but at least one) respondents only when its whole kind
has fewer in the county. Certainty strata (single-stage strata sampled completely, π = 1) stay
certainty strata: their respondents are taken as a simple random subsample of their class, so
each (stratum prefix, class) becomes a stratum ``C:<class>`` of population N (the class's
sampled households) with weights N / respondents, and a class that responded in full keeps
π = 1 (no variance). Other strata keep their labels and counts, the respondents being the
sample. A second-stage group (village × second-stage stratum) left with one respondent joins
the village's group with the most respondents (label ``a+b``, counts added), or is taken as
certain when the village has no other group. See ``docs/estimation.md`` ("Non-response").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from auditlib.errors import DesignError
from auditlib.estimation.analysis_table import SINGLE_STAGE_PREFIXES, respondents
from auditlib.estimation.response import SELECTION_REASONS, response_rates, selection_reasons

__all__ = ["MINIMUM_RESPONDENTS", "NonresponseAdjustment", "adjust_for_nonresponse"]

#: A weighting class with fewer respondents than this is collapsed.
MINIMUM_RESPONDENTS = 5
_KIND = dict(
    random="recipient",
    risk_oversample="recipient",
    non_recipient="non_recipient",
    certainty_relative="certainty",
    certainty_risk="certainty",
    new_approval="new_approval",
)
_RECIPIENT_OF_REASON = {reason: kind != "non_recipient" for reason, kind in _KIND.items()}
_TWO_STAGE = ("random", "risk_oversample", "temporary_assistance", "non_recipient")


@dataclass(frozen=True)
class NonresponseAdjustment:
    """The weighting-class non-response adjustment of one analysis table.

    Attributes
    ----------
    analysis : pandas.DataFrame
        The respondents only, with the adjusted ``weight`` and the columns ``design_weight``,
        ``nonresponse_factor`` and ``weighting_class``; certainty strata split by class (see
        the module docstring). Feed it to the estimands as any analysis table.
    classes : pandas.DataFrame
        One row per initial class (township × selection reason): ``class``,
        ``township_code``, ``selection_reason``, ``recipient``, ``kind``, ``certainty``,
        ``sampled``, ``respondents``, ``weighted_sampled``, ``weighted_respondents`` (design
        weights), ``collapsed_into`` (the final class), ``collapse_step`` (0 kept, 1 within
        the township, 2 across townships, 3 across kinds), ``class_respondents`` and
        ``factor`` of the final class.
    response_rates : pandas.DataFrame
        Columns :data:`~auditlib.estimation.analysis_table.RESPONSE_RATE_COLUMNS`; one row for
        the county (``level`` ``county``), one per township and one per selection reason.
    minimum_respondents : int
    notes : tuple of str
        Design changes the adjustment had to make (lonely groups, villages lost).
    """

    analysis: pd.DataFrame
    classes: pd.DataFrame
    response_rates: pd.DataFrame
    minimum_respondents: int = MINIMUM_RESPONDENTS
    notes: tuple[str, ...] = ()

    @property
    def response_rate(self) -> float:
        """County share of sampled households verified (unweighted)."""
        return _county(self.response_rates, "response_rate")

    @property
    def weighted_response_rate(self) -> float:
        """County design-weighted share of sampled households verified."""
        return _county(self.response_rates, "weighted_response_rate")

    @property
    def complete(self) -> bool:
        """True when every sampled household responded."""
        return bool((self.classes["respondents"] == self.classes["sampled"]).all())

    def to_frame(self) -> pd.DataFrame:
        """The response rates (county, townships, selection reasons), one row each."""
        return self.response_rates.copy()


def _county(rates: pd.DataFrame, column: str) -> float:
    return float(rates.loc[rates["level"] == "county", column].iloc[0])


def _certain_rows(table: pd.DataFrame) -> np.ndarray:
    """Rows of single-stage strata sampled completely (π = 1)."""
    stratum = table["stratum"].astype(str)
    counts = stratum.map(stratum.value_counts()).to_numpy(dtype=float)
    single = stratum.str.startswith(SINGLE_STAGE_PREFIXES).to_numpy(bool)
    return single & (table["psu_population"].to_numpy(dtype=float) <= counts)


def adjust_for_nonresponse(
    analysis: pd.DataFrame, *, minimum_respondents: int = MINIMUM_RESPONDENTS
) -> NonresponseAdjustment:
    """Weighting-class non-response adjustment (rules in the module docstring).

    Parameters
    ----------
    analysis : pandas.DataFrame
        From :func:`auditlib.estimation.analysis_table.build_analysis_table`: ``status`` or
        ``respondent`` (absent: everyone responded), ``township_code``, ``recipient``,
        ``weight``, the design columns and, preferably, ``selection_reason``.
    minimum_respondents : int
        Fewest respondents a class keeps without being collapsed (at least 1).

    Raises
    ------
    DesignError
        If ``minimum_respondents`` is not an integer ≥ 1 or no household responded.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"household_id": ["a", "b", "c"], "township_code": "1",
    ...     "selection_reason": "random", "recipient": True, "weight": [10.0, 10.0, 20.0],
    ...     "status": ["verified", "refused", "verified"], "stratum": "T:1",
    ...     "psu": ["v1", "v1", "v2"], "ssu_stratum": "random", "psu_population": 5,
    ...     "ssu_population": [10, 10, 8]})
    >>> adjusted = adjust_for_nonresponse(table, minimum_respondents=1).analysis
    >>> [round(value, 4) for value in adjusted["weight"]]  # 40 / 30 × (10, 20)
    [13.3333, 26.6667]
    """
    if isinstance(minimum_respondents, bool) or not isinstance(minimum_respondents, int):
        raise DesignError(f"minimum_respondents must be an integer, got {minimum_respondents!r}")
    if minimum_respondents < 1:
        raise DesignError(f"minimum_respondents must be >= 1, got {minimum_respondents!r}")
    respondent = respondents(analysis)
    if not respondent.any():
        raise DesignError(
            "no sampled household was verified (every status is a non-response); the estimates "
            "need at least one verified household"
        )
    recipient = analysis["recipient"].astype(bool).to_numpy()
    reason = selection_reasons(analysis)
    township = analysis["township_code"].astype(str).to_numpy(dtype=object)
    weight = analysis["weight"].to_numpy(dtype=float)
    certain = _certain_rows(analysis)
    tekun = recipient & (
        analysis["programme"].astype("string").fillna("").to_numpy(str) == "tekun"
        if "programme" in analysis
        else np.zeros(len(analysis), dtype=bool)
    )
    cell, kind = _cells(township, reason, recipient, tekun)
    cells = (
        pd.DataFrame(
            {
                "class": cell,
                "township_code": township,
                "selection_reason": reason,
                "recipient": recipient,
                "kind": kind,
                "certainty": certain,
                "sampled": 1,
                "respondents": respondent.astype(int),
                "weighted_sampled": weight,
                "weighted_respondents": np.where(respondent, weight, 0.0),
            }
        )
        .groupby("class", sort=True)
        .agg({**dict.fromkeys(_FIRST, "first"), "certainty": "any", **dict.fromkeys(_SUM, "sum")})
    )
    final, step = _collapse(cells, minimum_respondents)
    row_class = np.array([final[label] for label in cell], dtype=object)
    code, labels = pd.factorize(row_class, sort=True)
    factor = np.bincount(code, weights=weight) / np.bincount(
        code, weights=np.where(respondent, weight, 0.0)
    )
    answered = pd.Series(respondent.astype(int)).groupby(row_class).sum()
    cells["collapsed_into"] = [final[label] for label in cells.index]
    cells["collapse_step"] = [step[label] for label in cells.index]
    cells["class_respondents"] = cells["collapsed_into"].map(answered).astype(int)
    cells["factor"] = cells["collapsed_into"].map(dict(zip(labels, factor, strict=True)))
    adjusted = analysis.loc[respondent].copy()
    adjusted["design_weight"] = weight[respondent]
    adjusted["nonresponse_factor"] = factor[code[respondent]]
    adjusted["weighting_class"] = row_class[respondent]
    adjusted["weight"] = weight[respondent] * factor[code[respondent]]
    _split_certainty(adjusted, analysis, row_class, certain, respondent)
    notes = _lonely_groups(adjusted, analysis, respondent)
    return NonresponseAdjustment(
        analysis=adjusted.reset_index(drop=True),
        classes=cells.reset_index(),
        response_rates=response_rates(analysis),
        minimum_respondents=minimum_respondents,
        notes=tuple(notes),
    )


_FIRST = ("township_code", "selection_reason", "recipient", "kind")
_SUM = ("sampled", "respondents", "weighted_sampled", "weighted_respondents")


def _cells(
    township: np.ndarray, reason: np.ndarray, recipient: np.ndarray, tekun: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Initial class label and kind of every row (特困 recipients: kind ``tekun:<kind>``)."""
    labels, kinds = [], []
    for town, why, is_recipient, is_tekun in zip(township, reason, recipient, tekun, strict=True):
        if is_tekun:
            labels.append(f"{town}:{why}:tekun")
            kinds.append(f"tekun:{_KIND.get(why, 'recipient')}")
            continue
        status = "recipient" if is_recipient else "non_recipient"
        usual = _RECIPIENT_OF_REASON.get(why) == is_recipient
        labels.append(f"{town}:{why}" if usual else f"{town}:{why}:{status}")
        kinds.append(_KIND[why] if usual else status if why in _TWO_STAGE else str(why))
    return np.array(labels, dtype=object), np.array(kinds, dtype=object)


def _collapse(cells: pd.DataFrame, minimum: int) -> tuple[dict[str, str], dict[str, int]]:
    """Final class of every initial class and the last collapsing step that moved it."""
    final = {label: label for label in cells.index}
    step = dict.fromkeys(cells.index, 0)
    rank = {reason: index for index, reason in enumerate(SELECTION_REASONS)}

    def members(target: str) -> list[str]:
        return [label for label, into in final.items() if into == target]

    def count(target: str) -> int:
        return int(cells.loc[members(target), "respondents"].sum())

    def merge(source: str, target: str, level: int) -> None:
        for label in members(source):
            final[label], step[label] = target, level

    def largest(candidates: list[str], reason_first: bool = False) -> str:
        def key(label: str) -> tuple[int, int, str]:
            reason = str(cells.at[label, "selection_reason"]) if reason_first else ""
            return (-count(label), rank.get(reason, len(rank)), label)

        return min(candidates, key=key)

    for _, group in cells.groupby(["township_code", "kind"], sort=True):  # 1. township
        thin = [label for label in group.index if count(label) < minimum]
        if thin and len(group) > 1:
            target = largest(list(group.index), reason_first=True)
            for label in thin:
                if label != target:
                    merge(label, target, 1)
    for kind in sorted(set(cells["kind"])):  # 2. across townships
        classes = sorted({final[label] for label in cells.index[cells["kind"] == kind]})
        thin = [label for label in classes if count(label) < minimum]
        others = [label for label in classes if label not in thin]
        if len(thin) > 1:
            for label in thin:
                merge(label, f"county:{kind}", 2)
            thin = [f"county:{kind}"]
        if thin and count(thin[0]) < minimum and others:
            merge(thin[0], largest(others), 2)
    for kind in sorted(set(cells["kind"])):  # 3. a kind without respondents
        own = cells.index[cells["kind"] == kind]
        if int(cells.loc[own, "respondents"].sum()) == 0:
            status = bool(cells.loc[own, "recipient"].iloc[0])
            programme = str(kind).startswith("tekun:")
            nearest = {
                target: (
                    str(cells.loc[members(target), "kind"].iloc[0]).startswith("tekun:")
                    != programme,
                    bool(cells.loc[members(target), "recipient"].iloc[0]) != status,
                    bool(cells.loc[members(target), "certainty"].any()),
                    -count(target),
                    target,
                )
                for target in set(final.values())
                if count(target) > 0
            }
            merge(final[own[0]], min(nearest, key=nearest.__getitem__), 3)
    return final, step


def _split_certainty(
    adjusted: pd.DataFrame,
    analysis: pd.DataFrame,
    row_class: np.ndarray,
    certain: np.ndarray,
    respondent: np.ndarray,
) -> None:
    """Certainty strata split by weighting class (population: the class's sampled rows)."""
    stratum = analysis["stratum"].astype(str).to_numpy(dtype=object)
    key = np.array([f"{s[:2]}{c}" for s, c in zip(stratum, row_class, strict=True)], dtype=object)
    population = pd.Series(key[certain]).value_counts()
    kept = certain[respondent]
    strata = np.array(adjusted["stratum"].astype(str).to_numpy(dtype=object))
    strata[kept] = key[respondent][kept]
    counts = adjusted["psu_population"].to_numpy(dtype=float).copy()
    counts[kept] = population.reindex(strata[kept]).to_numpy(dtype=float)
    adjusted["stratum"] = pd.array(strata, dtype="string")
    adjusted["psu_population"] = counts


def _lonely_groups(
    adjusted: pd.DataFrame, analysis: pd.DataFrame, respondent: np.ndarray
) -> list[str]:
    """Second-stage groups left with one respondent: merged within the village, or certain."""
    notes: list[str] = []
    two_stage = ~analysis["stratum"].astype(str).str.startswith(SINGLE_STAGE_PREFIXES).to_numpy()
    psu = analysis["psu"].astype(str).to_numpy(dtype=object)
    group = pd.Series(list(zip(psu, analysis["ssu_stratum"].astype(str), strict=True)))
    sampled = group[two_stage].value_counts()
    answered = group[two_stage & respondent].value_counts()
    lost = sorted(set(psu[two_stage]) - {village for village, _ in answered.index})
    if lost:
        notes.append(f"villages without any respondent (their stratum has fewer PSUs): {lost}")
    population = dict(zip(group, analysis["ssu_population"].to_numpy(dtype=float), strict=True))
    lonely = {
        label
        for label, count in answered.items()
        if count == 1 and sampled[label] >= 2 and population[label] > 1
    }
    ssu_stratum = np.array(adjusted["ssu_stratum"].astype(str).to_numpy(dtype=object))
    ssu_population = adjusted["ssu_population"].to_numpy(dtype=float).copy()
    own = group[respondent].to_numpy()
    for village in sorted({village for village, _ in lonely}):
        groups = sorted(label for label in answered.index if label[0] == village)
        if len(groups) == 1:
            ssu_population[np.array([label == groups[0] for label in own], dtype=bool)] = 1.0
            notes.append(f"village {village}: one respondent in its only group, taken as certain")
            continue
        target = min(groups, key=lambda label: (-int(answered[label]), label))
        merged = [target, *sorted(label for label in lonely if label in groups and label != target)]
        rows = np.array([label in merged for label in own], dtype=bool)
        ssu_stratum[rows] = "+".join(label[1] for label in merged)
        ssu_population[rows] = sum(population[label] for label in merged)
        notes.append(f"village {village}: groups {[m[1] for m in merged]} merged (one respondent)")
    adjusted["ssu_stratum"] = pd.array(ssu_stratum, dtype="string")
    adjusted["ssu_population"] = ssu_population
    return notes
