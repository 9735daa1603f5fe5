"""The risk section of a county report (rules, scores, masked top households, fairness).

Identities are masked here with :func:`auditlib.data.idcard.mask_name` and
:func:`auditlib.data.idcard.mask_id_numbers`; the statement that a flag is a prompt for
verification, not a finding, opens the section.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from auditlib.data.idcard import mask_id_numbers, mask_names
from auditlib.report.fairness_section import fairness
from auditlib.report.figures import histogram
from auditlib.report.html import Column, Html, escape, table_html
from auditlib.report.risk_tables import rule_hit_counts
from auditlib.report.text import text

__all__ = ["risk"]


def _t(run: Any, key: str, **values: object) -> str:
    return text(key, run.language, **{k: escape(v) for k, v in values.items()})


def risk(run: Any) -> Html:
    """Rule hit counts, score distribution, masked top households with reasons, fairness."""
    language = run.language
    parts = [f"<h2>{_t(run, 'risk')}</h2>", f'<p class="caution">{_t(run, "risk_caution")}</p>']
    hits = rule_hit_counts(run.assessment, language)
    parts.append(f"<h3>{_t(run, 'rules_table')}</h3>")
    parts.append(
        table_html(
            hits, [Column("rule", _t(run, "rule")), Column("households", _t(run, "hits"), "count")]
        )
    )
    scores = run.assessment.scores
    figure = histogram(
        scores["forest_score"].to_numpy(dtype=float),
        bins=30,
        title=text("score_distribution", language),
        axis_label=text("forest_score", language),
        count_label=text("count", language),
    )
    parts.append(f'<figure class="figure">{figure.svg}</figure>')
    parts.append(_top_households(run))
    parts.append(fairness(run).html)
    return Html("\n".join(parts))


def _top_households(run: Any) -> str:
    count = run.params.report.top_households
    scores = run.assessment.scores
    top = scores[scores["tier"].astype(str) == "high"].head(count)
    facts = run.data.households.set_index(run.data.households["household_id"].astype(str))
    ids = top["household_id"].astype(str)
    reasons = run.reasons.copy()
    reasons["household_id"] = reasons["household_id"].astype(str)
    joined = reasons.groupby("household_id")["text"].agg(lambda values: "；".join(values.head(4)))
    frame = pd.DataFrame(
        {
            "household": ids.to_numpy(),
            "village": facts.loc[ids, "village"].astype(str).to_numpy(),
            "head": mask_names(facts.loc[ids, "head_name"]).to_numpy(),
            "id_number": mask_id_numbers(facts.loc[ids, "head_id_number"]).to_numpy(),
            "risk_percentile": top["risk_percentile"].to_numpy(dtype=float),
            "reasons": ids.map(joined).fillna("").to_numpy(),
        }
    )
    columns = [
        Column("household", _t(run, "household"), nowrap=True),
        Column("village", _t(run, "village"), nowrap=True),
        Column("head", _t(run, "head"), nowrap=True),
        Column("id_number", _t(run, "id_number"), nowrap=True),
        Column("risk_percentile", _t(run, "risk_percentile"), "number"),
        Column("reasons", _t(run, "reasons")),
    ]
    return f"<h3>{_t(run, 'top_households', count=len(frame))}</h3>" + table_html(frame, columns)
