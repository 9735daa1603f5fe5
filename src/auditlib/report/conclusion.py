"""Page 1 of a county report: the conclusion.

In plain words: whether the county's Dibao 错保率 is within the tolerable rate the province set
(``report.tolerable_error_rate``), judged on the one-sided upper limit as an auditor concludes;
the counts and yuan behind it; the change since the previous round when its report is given
(``report.previous_round``, interval by :func:`auditlib.estimation.change.change_between_rounds`);
and what to do next (households to stop and recover, households still to visit, townships to
revisit).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from auditlib.estimation.change import RoundChange, change_between_rounds
from auditlib.estimation.results import Estimate
from auditlib.estimation.summary import figure_estimates
from auditlib.pipeline.audit import AuditRun
from auditlib.pipeline.earlier_round import CHANGE_ESTIMANDS
from auditlib.report.html import (
    Column,
    Html,
    escape,
    format_count,
    format_percent,
    format_yuan,
    table_html,
)
from auditlib.report.text import text

__all__ = ["conclusion", "round_changes", "verdict"]

#: Townships named under "next steps" when none is clearly above the yardstick.
TOWNSHIPS_NAMED = 2


def _t(run: AuditRun, key: str, **values: object) -> str:
    return text(key, run.language, **{k: escape(v) for k, v in values.items()})


def verdict(error: Estimate, tolerable: float | None) -> str:
    """``"within"``, ``"undecided"``, ``"above"`` or ``"none"`` (no tolerable rate set).

    *within*: the one-sided upper limit is at most the tolerable rate; *above*: even the
    interval's lower limit exceeds it; *undecided*: neither (an auditor cannot conclude
    "within").
    """
    if tolerable is None:
        return "none"
    if error.upper_one_sided <= tolerable:
        return "within"
    if error.lower > tolerable:
        return "above"
    return "undecided"


def round_changes(run: AuditRun) -> list[tuple[str, RoundChange | None, str]]:
    """Change of each figure since the previous round: ``(estimand, change or None, note)``.

    ``None`` (with a note) when the two intervals have different confidence levels.
    """
    earlier = run.earlier_round
    if earlier is None:
        return []
    current = figure_estimates(run.estimates)
    rows: list[tuple[str, RoundChange | None, str]] = []
    for name in CHANGE_ESTIMANDS:
        estimate = current.get(name)
        if estimate is None or name not in earlier.figures:
            continue
        level = earlier.levels[name]
        if abs(level - estimate.level) > 1e-9:
            note = _t(
                run,
                "change_level_differs",
                previous=f"{level * 100:g}%",
                current=f"{estimate.level * 100:g}%",
            )
            rows.append((name, None, note))
            continue
        triple = (estimate.estimate, estimate.lower, estimate.upper)
        rows.append((name, change_between_rounds(triple, earlier.figures[name], level=level), ""))
    return rows


def _change_text(run: AuditRun, name: str, value: float) -> str:
    if name == "improper_amount":
        return f"{value:+,.0f}"
    return _t(run, "points", value=f"{value * 100:+.1f}")


def _interval_text(run: AuditRun, name: str, change: RoundChange) -> str:
    return f"{_change_text(run, name, change.lower)} – {_change_text(run, name, change.upper)}"


def _change_section(run: AuditRun) -> str:
    earlier = run.earlier_round
    changes = round_changes(run)
    if earlier is None or not changes:
        return ""
    fmt = {
        name: format_yuan if name == "improper_amount" else format_percent for name, *_ in changes
    }
    level = f"{run.estimates.error_rate.level * 100:g}"
    figures = figure_estimates(run.estimates)
    records = []
    for name, change, note in changes:
        previous = earlier.figures[name][0]
        current = figures[name]
        row = {
            "label": _t(run, name),
            "previous": fmt[name](previous),
            "current": fmt[name](None if current is None else current.estimate),
            "change": "—" if change is None else _change_text(run, name, change.change),
            "interval": "—" if change is None else _interval_text(run, name, change),
            "statement": note if change is None else _t(run, f"change_{change.direction}"),
        }
        records.append(row)
    columns = [
        Column("label", _t(run, "change_estimand")),
        Column("previous", _t(run, "change_previous")),
        Column("current", _t(run, "change_current")),
        Column("change", _t(run, "change_value")),
        Column("interval", _t(run, "change_interval", level=level)),
        Column("statement", _t(run, "change_statement")),
    ]
    parts = [f"<h3>{_t(run, 'change_heading')}</h3>"]
    first = next((c for n, c, _ in changes if n == "error_rate" and c is not None), None)
    if first is not None:
        parts.append(
            "<p>"
            + _t(
                run,
                "change_summary",
                direction=_t(run, f"direction_{first.direction}"),
                change=_change_text(run, "error_rate", first.change),
                level=level,
                lower=_change_text(run, "error_rate", first.lower),
                upper=_change_text(run, "error_rate", first.upper),
            )
            + "</p>"
        )
    parts.append(table_html(pd.DataFrame(records), columns))
    note = _t(run, "change_text", file="/".join(earlier.file.parts[-3:-1]), seed=earlier.seed)
    if earlier.seed is not None and earlier.seed == run.params.seed:
        note += " " + _t(run, "change_same_seed")
    parts.append(f'<p class="note">{note}</p>')
    return "".join(parts)


@dataclass(frozen=True)
class _SampleCounts:
    """Unweighted counts of the sample behind page 1."""

    verified: int  # Dibao households verified
    found: int  # of them found ineligible
    paid_to_found: float  # yuan paid to those in the audit period
    not_verified: int  # sampled households (any) without a verification result

    @classmethod
    def of(cls, table: pd.DataFrame) -> _SampleCounts:
        dibao = table["dibao"].to_numpy(float) > 0
        respondent = table["respondent"].to_numpy(float) > 0
        found = dibao & (table["ineligible"].to_numpy(float) > 0)
        return cls(
            verified=int((dibao & respondent).sum()),
            found=int(found.sum()),
            paid_to_found=float(table.loc[found, "amount_paid"].astype(float).sum()),
            not_verified=int((~respondent).sum()),
        )


def _next_steps(run: AuditRun, counts: _SampleCounts) -> str:
    steps = []
    if counts.found:
        found, paid = format_count(counts.found), format_yuan(counts.paid_to_found)
        steps.append(_t(run, "next_ineligible", found=found, paid=paid))
    if counts.not_verified:
        steps.append(_t(run, "next_nonresponse", count=format_count(counts.not_verified)))
    steps.append(_townships_step(run))
    steps.append(_t(run, "next_risk"))
    items = "".join(f"<li>{step}</li>" for step in steps if step)
    return f"<h3>{_t(run, 'next_steps')}</h3><ul>{items}</ul>"


def _townships_step(run: AuditRun) -> str:
    model = run.estimates.township_model
    names = run.estimates.townships.set_index(run.estimates.townships["township_code"].astype(str))[
        "township"
    ]
    if model.empty:
        frame = run.estimates.townships.dropna(subset=["estimate"])
        frame = frame.assign(township_code=frame["township_code"].astype(str))
    else:
        frame = model.assign(township_code=model["township_code"].astype(str))
    if frame.empty:
        return ""
    tolerable = run.params.report.tolerable_error_rate
    county = run.estimates.error_rate.estimate
    value = tolerable if tolerable is not None else county
    yardstick = _t(
        run,
        "yardstick_tolerable" if tolerable is not None else "yardstick_county",
        value=format_percent(value),
    )
    above = frame[frame["lower"] > value].sort_values("estimate", ascending=False)
    key = "next_townships_above"
    if above.empty:
        above = frame.sort_values("estimate", ascending=False).head(TOWNSHIPS_NAMED)
        key = "next_townships_top"
    listed = "、".join(
        f"{names.get(code, code)} {format_percent(rate)}"
        for code, rate in zip(above["township_code"], above["estimate"], strict=True)
    )
    return _t(run, key, yardstick=yardstick, names=listed)


def conclusion(run: AuditRun) -> Html:
    """The conclusion section (page 1, after the title)."""
    error = run.estimates.error_rate
    tolerable = run.params.report.tolerable_error_rate
    state = verdict(error, tolerable)
    level = f"{error.level * 100:g}"
    sentence = _t(
        run,
        f"verdict_{state}",
        rate=format_percent(error.estimate),
        level=level,
        upper=format_percent(error.upper_one_sided),
        lower=format_percent(error.lower),
        tolerable=format_percent(tolerable),
    )
    sample = _SampleCounts.of(run.analysis)
    money = run.estimates.improper_amount
    counts = _t(
        run,
        "verdict_counts",
        verified=format_count(sample.verified),
        found=format_count(sample.found),
        households=format_count(run.estimates.ineligible_households.estimate),
        amount=format_yuan(money.estimate),
        level=level,
        amount_lower=format_yuan(max(money.lower, 0.0)),
        amount_upper=format_yuan(money.upper),
    )
    body = (
        f'<div class="conclusion verdict-{state}"><p>{sentence}</p><p>{counts}</p></div>'
        + _change_section(run)
        + _next_steps(run, sample)
    )
    return Html(f"<h2>{_t(run, 'conclusion')}</h2>{body}")
