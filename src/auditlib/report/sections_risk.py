"""The risk section of a county report (rules, scores, masked top households, fairness).

Identities are masked here with :func:`auditlib.data.idcard.mask_name` and
:func:`auditlib.data.idcard.mask_id_numbers`; the statement that a flag is a prompt for
verification, not a finding, opens the section.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from auditlib.data.idcard import mask_id_numbers, mask_names
from auditlib.report.cross_county_section import cross_county_section
from auditlib.report.fairness_section import fairness
from auditlib.report.html import Column, Html, escape, table_html
from auditlib.report.risk_tables import rule_hit_counts
from auditlib.report.score_figure import score_section
from auditlib.report.text import text
from auditlib.risk.learned import MIN_FINDINGS, MIN_VERIFIED

__all__ = ["ranking_note", "risk", "top_household_rows"]


def _t(run: Any, key: str, **values: object) -> str:
    return text(key, run.language, **{k: escape(v) for k, v in values.items()})


def risk(run: Any) -> Html:
    """Rule hit counts, cross-county findings, score histogram with its reading guide, masked
    top households with their reasons as lists, fairness."""
    language = run.language
    parts = [f"<h2>{_t(run, 'risk')}</h2>", f'<p class="caution">{_t(run, "risk_caution")}</p>']
    parts.append(ranking_note(run.risk_training, language))
    hits = rule_hit_counts(run.assessment, language)
    parts.append(f"<h3>{_t(run, 'rules_table')}</h3>")
    parts.append(
        table_html(
            hits, [Column("rule", _t(run, "rule")), Column("households", _t(run, "hits"), "count")]
        )
    )
    parts.append(cross_county_section(run))
    high_share = float(run.params.risk.tiers[0])
    parts.append(score_section(run.assessment.scores, language, high_share=high_share))
    parts.append(_top_households(run))
    parts.append(fairness(run).html)
    return Html("\n".join(parts))


def ranking_note(training: Mapping[str, float], language: str) -> str:
    """How the ranking used ``risk.previous_rounds``: a paragraph, empty without them.

    Parameters
    ----------
    training : mapping
        :attr:`auditlib.pipeline.risk_ranking.RankedCounty.training`.
    language : {"zh", "en"}
    """
    if not training:
        return ""
    counts = {key: f"{int(training[key]):,}" for key in ("rounds", "verified", "findings")}
    if training.get("learned", 0.0):
        share = f"{float(training['exploration_share']):.0%}"
        sentence = text("risk_learned", language, share=share, **counts)
    else:
        limits = {"min_verified": MIN_VERIFIED, "min_findings": MIN_FINDINGS}
        sentence = text("risk_not_learned", language, **counts, **limits)
    return f'<p class="note">{escape(sentence)}</p>'


def _top_households(run: Any) -> str:
    count = run.params.report.top_households
    frame = top_household_rows(run.assessment.scores, run.data.households, run.reasons, count)
    columns = [
        Column("household", _t(run, "household"), nowrap=True),
        Column("village", _t(run, "village"), nowrap=True),
        Column("head", _t(run, "head"), nowrap=True),
        Column("id_number", _t(run, "id_number"), nowrap=True),
        Column("risk_percentile", _t(run, "risk_percentile"), "number"),
        Column("reasons", _t(run, "reasons"), "list"),
    ]
    return f"<h3>{_t(run, 'top_households', count=len(frame))}</h3>" + table_html(frame, columns)


def top_household_rows(
    scores: pd.DataFrame, households: pd.DataFrame, reasons: pd.DataFrame, count: int
) -> pd.DataFrame:
    """The first ``count`` households of the high tier, masked, each with its list of reasons.

    Parameters
    ----------
    scores : pandas.DataFrame
        Score table, highest risk first (``household_id``, ``tier``, ``risk_percentile``).
    households : pandas.DataFrame
        The county's households (``household_id``, ``village``, ``head_name``,
        ``head_id_number``).
    reasons : pandas.DataFrame
        :func:`auditlib.risk.reasons.explain` (``household_id``, ``order``, ``text``).
    count : int
        Most households listed.

    Returns
    -------
    pandas.DataFrame
        Columns ``household, village, head, id_number, risk_percentile, reasons``: the head's
        name and ID number masked; ``reasons`` a list of the household's reason texts in their
        order (one item per reason, as :func:`~auditlib.risk.reasons.explain` made them).
    """
    top = scores[scores["tier"].astype(str) == "high"].head(count)
    facts = households.set_index(households["household_id"].astype(str))
    ids = top["household_id"].astype(str)
    ordered = reasons.assign(household_id=reasons["household_id"].astype(str))
    ordered = ordered.sort_values(["household_id", "order"], kind="stable")
    listed = ordered.groupby("household_id")["text"].agg(lambda values: [str(v) for v in values])
    return pd.DataFrame(
        {
            "household": ids.to_numpy(),
            "village": facts.loc[ids, "village"].astype(str).to_numpy(),
            "head": mask_names(facts.loc[ids, "head_name"]).to_numpy(),
            "id_number": mask_id_numbers(facts.loc[ids, "head_id_number"]).to_numpy(),
            "risk_percentile": top["risk_percentile"].to_numpy(dtype=float),
            "reasons": [listed.get(household, []) for household in ids],
        }
    )
