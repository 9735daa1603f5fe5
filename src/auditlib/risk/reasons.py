"""Case-worker-readable reasons for the households a risk assessment puts at the top.

For each household of the chosen tiers (default: ``"high"``) at most ``max_reasons`` (default
3) reasons, in this order:

1. the rules it hit, one reason per rule code (several records of one rule make one reason,
   "(2 more records)"), definitive rules first (weight ≥ 1, in catalogue order), then prompts,
   each with the record that triggered it;
2. forest features on which the household stands out from its peers: the feature's value,
   the peer median and the share of peers below it ("account shared by 11 recipient
   households; county median 1; above 99.9%"). Only values at or above ``min_percentile`` of
   the peer group are quoted, the most deviant (largest normalised score) first, and never a
   benefit the county's benefit formula explains (``benefit_above_gap`` ≤ 0: the benefit is
   not above the formula's amount for the declared income, e.g. a category A floor). A
   household with no rule hit and no feature beyond that threshold (the forest can isolate a
   combination of moderate values) gets its single most deviant feature, so that nobody is
   put forward without a reason.

Rules beyond the limit are named in the evidence of the last reason ("also hit: H05, P06"),
so no hit is hidden; the full list is the score table's ``rule_codes``.

The first reason is the *top reason*. Texts are Chinese by default (``language="en"`` for
English); names and numbers in the evidence are masked.

Examples
--------
>>> table = explain(assessment, language="en")  # doctest: +SKIP
>>> table.loc[0, "text"]  # doctest: +SKIP
'account shared by 11 recipient households; county median 1; above 99.9%'
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from auditlib.errors import ParamsError
from auditlib.risk.assessment import RiskAssessment
from auditlib.risk.features import feature_spec
from auditlib.risk.rules.catalogue import RULES, rule_spec

__all__ = ["REASON_COLUMNS", "explain", "feature_reason_text", "top_reasons"]

REASON_COLUMNS: tuple[str, ...] = (
    "household_id",
    "tier",
    "risk_percentile",
    "order",
    "kind",
    "code",
    "text",
    "evidence",
    "causes",
)

_PEER_ZH = {"township": "本乡镇", "county": "全县"}


def _format(template: str, value: float) -> str:
    if not math.isfinite(value):
        return "?"
    return template.format(value)


def _floor_percentile(percentile: float) -> str:
    """Percentile rounded down to 0.1 so the text never overstates it (99.96 → 99.9)."""
    return f"{math.floor(percentile * 10) / 10:.1f}"


def feature_reason_text(
    name: str, value: float, median: float, percentile: float, peer: str, language: str
) -> str:
    """One feature reason, e.g. ``account shared by 11 recipient households; county median
    1; above 99.9%``.

    Parameters
    ----------
    name : str
        Feature name (:data:`auditlib.risk.features.FEATURES`).
    value, median : float
        The household's value and its peer group's median.
    percentile : float
        Share (0-100) of peers with a strictly lower value.
    peer : {"township", "county"}
        Peer group.
    language : {"zh", "en"}
        Language of the text.
    """
    spec = feature_spec(name)
    shown = _format(spec.value_format, value)
    typical = _format(spec.value_format, median)
    above = _floor_percentile(percentile)
    if language == "zh":
        return (
            spec.label_zh.format(value=shown)
            + f"；{_PEER_ZH[peer]}中位数{typical}；高于{above}%的保障户"
        )
    return spec.label_en.format(value=shown) + f"; {peer} median {typical}; above {above}%"


def explain(
    assessment: RiskAssessment,
    *,
    language: str = "zh",
    tiers: tuple[str, ...] = ("high",),
    max_reasons: int = 3,
    min_percentile: float = 90.0,
) -> pd.DataFrame:
    """Reasons for every household of ``tiers`` (one row per reason).

    Parameters
    ----------
    assessment : RiskAssessment
        Output of :meth:`auditlib.risk.scorer.RiskScorer.assess`.
    language : {"zh", "en"}
        Language of ``text`` and ``evidence``.
    tiers : tuple of str
        Tiers explained (default the high tier, the one visited first).
    max_reasons : int
        Reasons per household (0-3), rules first; rules beyond it are named in the last
        reason's evidence.
    min_percentile : float
        Feature values below this peer percentile are not quoted as reasons.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`REASON_COLUMNS`: ``order`` 1 is the top reason; ``kind`` is ``"rule"``
        or ``"feature"``; ``code`` a rule code or feature name; ``causes`` the ";"-joined
        error or anomaly types the reason points to.
    """
    if language not in ("zh", "en"):
        raise ParamsError(f"language must be 'zh' or 'en', got {language!r}")
    if not 0 <= max_reasons <= 3:
        raise ParamsError(f"max_reasons must be in 0..3, got {max_reasons!r}")
    if not 0 <= min_percentile < 100:
        raise ParamsError(f"min_percentile must be in [0, 100), got {min_percentile!r}")
    scores = assessment.scores
    chosen = scores[scores["tier"].isin(tiers)][["household_id", "tier", "risk_percentile"]]
    rows = _rule_rows(assessment, chosen, language)
    rows += _feature_rows(assessment, chosen, language, max_reasons, min_percentile)
    table = pd.DataFrame(rows, columns=[c for c in REASON_COLUMNS if c != "order"] + ["_rank"])
    position = {household: index for index, household in enumerate(chosen["household_id"])}
    table["_household"] = table["household_id"].map(position)
    table = table.sort_values(["_household", "_rank"], kind="stable")
    table = _at_most(_one_per_rule(table, language), max_reasons, language)
    table["order"] = table.groupby("household_id").cumcount() + 1
    table = table[list(REASON_COLUMNS)].reset_index(drop=True)
    return table.astype({"order": "int64", "risk_percentile": float})


def _one_per_rule(table: pd.DataFrame, language: str) -> pd.DataFrame:
    """One row per household and rule code: the first record's evidence, and how many more."""
    rules = table["kind"] == "rule"
    key = table["household_id"].astype(str) + "|" + table["code"].astype(str)
    records = key.map(key[rules].value_counts()).fillna(1).astype(int)
    first = ~(rules & key.duplicated())
    table = table[first].copy()
    more = records[first] - 1
    note = more.map(
        lambda count: (
            ""
            if count <= 0
            else (f"（另有{count}条记录）" if language == "zh" else f" ({count} more records)")
        )
    )
    table["evidence"] = table["evidence"].astype(str) + note
    return table


def _at_most(table: pd.DataFrame, limit: int, language: str) -> pd.DataFrame:
    """The first ``limit`` reasons of each household; rules cut off named in the last one."""
    position = table.groupby("household_id", sort=False).cumcount()
    kept = table[position < limit].copy()
    cut = table[(position >= limit) & (table["kind"] == "rule")]
    if cut.empty or kept.empty:
        return kept
    names = cut.groupby("household_id", sort=False)["code"].agg(lambda codes: "、".join(codes))
    last = ~kept["household_id"].duplicated(keep="last")
    for index in kept.index[last & kept["household_id"].isin(names.index)]:
        codes = names[kept.at[index, "household_id"]]
        extra = (
            f"另命中规则：{codes}" if language == "zh" else f"also hit: {codes.replace('、', ', ')}"
        )
        evidence = str(kept.at[index, "evidence"])
        kept.at[index, "evidence"] = f"{evidence}（{extra}）" if evidence else extra
    return kept


def _rule_rows(
    assessment: RiskAssessment, chosen: pd.DataFrame, language: str
) -> list[dict[str, object]]:
    hits = assessment.rule_hits.hits
    hits = hits[hits["household_id"].isin(set(chosen["household_id"]))]
    info = chosen.set_index("household_id")
    catalogue = {rule.code: position for position, rule in enumerate(RULES)}
    rows: list[dict[str, object]] = []
    for hit in hits.itertuples(index=False):
        spec = rule_spec(str(hit.rule_code))
        # A hit through a name-only registry link weighs as a prompt, so it is listed as one.
        weak = str(getattr(hit, "strength", "full")) == "name_only"
        rank = (0 if spec.weight >= 1 and not weak else 100) + catalogue[spec.code]
        rows.append(
            {
                "household_id": hit.household_id,
                "tier": info.at[hit.household_id, "tier"],
                "risk_percentile": info.at[hit.household_id, "risk_percentile"],
                "kind": "rule",
                "code": spec.code,
                "text": spec.text_zh if language == "zh" else spec.text_en,
                "evidence": hit.evidence_zh if language == "zh" else hit.evidence_en,
                "causes": ";".join(spec.causes),
                "_rank": rank,
            }
        )
    return rows


def _feature_rows(
    assessment: RiskAssessment,
    chosen: pd.DataFrame,
    language: str,
    max_reasons: int,
    min_percentile: float,
) -> list[dict[str, object]]:
    if max_reasons == 0 or chosen.empty:
        return []
    ids = pd.Index(chosen["household_id"])
    names = list(assessment.feature_names)
    normalised = assessment.normalised.reindex(ids)[names].to_numpy(dtype=float)
    percentiles = assessment.peer_percentiles.reindex(ids)[names].to_numpy(dtype=float)
    values = assessment.features.reindex(ids)[names].to_numpy(dtype=float)
    medians = assessment.peer_medians.reindex(ids)[names].to_numpy(dtype=float)
    peers = assessment.peer.reindex(ids).to_numpy()
    info = chosen.set_index("household_id")
    rows: list[dict[str, object]] = []
    above = (normalised > 0) & np.isfinite(values)
    eligible = above & (percentiles >= min_percentile)
    with_rules = set(assessment.rule_hits.hits["household_id"].astype(str))
    # A benefit not above the formula's amount is explained by the formula (category floors).
    explained = np.zeros_like(above)
    if "benefit_above_gap" in names:
        explained[:, names.index("benefit_above_gap")] = ~(
            values[:, names.index("benefit_above_gap")] > 0
        )
    for row, household in enumerate(ids):
        candidates = np.flatnonzero(eligible[row] & ~explained[row])
        limit = max_reasons
        if candidates.size == 0 and str(household) not in with_rules:
            # No rule and no feature beyond the threshold: quote the single most deviant
            # feature so that no household is put forward without a reason.
            candidates, limit = np.flatnonzero(above[row] & ~explained[row]), 1
        ordered = candidates[np.argsort(-normalised[row, candidates], kind="stable")]
        distinct = [
            column
            for column in ordered
            if _format(feature_spec(names[column]).value_format, values[row, column])
            != _format(feature_spec(names[column]).value_format, medians[row, column])
        ]
        for rank, column in enumerate(distinct[:limit]):
            name = names[column]
            rows.append(
                {
                    "household_id": household,
                    "tier": info.at[household, "tier"],
                    "risk_percentile": info.at[household, "risk_percentile"],
                    "kind": "feature",
                    "code": name,
                    "text": feature_reason_text(
                        name,
                        values[row, column],
                        medians[row, column],
                        percentiles[row, column],
                        str(peers[row]),
                        language,
                    ),
                    "evidence": "",
                    "causes": ";".join(feature_spec(name).causes),
                    "_rank": 1000 + rank,
                }
            )
    return rows


def top_reasons(reasons: pd.DataFrame) -> pd.DataFrame:
    """The first reason of each household (``order == 1``), indexed by household id."""
    return reasons[reasons["order"] == 1].set_index("household_id")
