"""The sections of a county report, each an :class:`~auditlib.report.html.Html` fragment.

Every function takes the :class:`~auditlib.pipeline.audit.AuditRun` and returns the section's
heading, plain-language text, tables and figures, in the run's language. Identities are masked
here (:func:`auditlib.data.idcard.mask_name`, :func:`auditlib.data.idcard.mask_id_number`): the
report and its notebook never hold a full name or ID number.
"""

from __future__ import annotations

from importlib import metadata

import pandas as pd

from auditlib.estimation.results import Estimate
from auditlib.pipeline.audit import AuditRun
from auditlib.report.design_text import design_sentences
from auditlib.report.figures import SvgFigure, interval_plot
from auditlib.report.html import (
    Column,
    Html,
    escape,
    format_count,
    format_percent,
    format_yuan,
    table_html,
)
from auditlib.report.sections_estimates import populations
from auditlib.report.sections_response import response_tables
from auditlib.report.text import error_type_label, priority_group_label, text
from auditlib.report.township_order import sort_by_township

__all__ = [
    "data_quality",
    "design",
    "error_types",
    "omission",
    "reproduce",
    "summary",
    "title",
]

MAX_PROBLEMS_SHOWN = 50


def _t(run: AuditRun, key: str, **values: object) -> str:
    return text(key, run.language, **{k: escape(v) for k, v in values.items()})


def _level(estimate: Estimate) -> str:
    return f"{estimate.level * 100:g}"


def title(run: AuditRun) -> Html:
    """Title, subtitle and (for simulated fieldwork) the demonstration notice."""
    info = run.data.info
    parts = [
        f"<h1>{_t(run, 'title', county=info.county)}</h1>",
        '<p class="subtitle">'
        + _t(
            run,
            "subtitle",
            province=info.province,
            county=info.county,
            county_code=info.county_code,
            start=info.audit_period_start,
            end=info.audit_period_end,
            reference=info.reference_date,
        )
        + "</p>",
    ]
    if run.interim:
        parts.append(f'<p class="note">{_t(run, "interim_report")}</p>')
    for note in run.notes:
        if note.startswith("data_changed:"):
            changed = note.removeprefix("data_changed:")  # _t escapes it
            parts.append(f'<p class="note">{_t(run, "data_changed", changes=changed)}</p>')
    if run.simulated:
        parts.append(f'<p class="note">{_t(run, "verification_simulated")}</p>')
    return Html("\n".join(parts))


def _card(run: AuditRun, key: str, estimate: Estimate, kind: str, note: str = "") -> str:
    fmt = format_yuan if kind == "yuan" else format_percent
    interval = _t(
        run,
        "interval",
        level=_level(estimate),
        lower=fmt(estimate.lower),
        upper=fmt(estimate.upper) + (f" {_t(run, 'yuan')}" if kind == "yuan" else ""),
    )
    flag = "" if estimate.reliable else f" · {_t(run, 'unreliable_mark')}"
    unit = f' <span class="unit">{_t(run, "yuan")}</span>' if kind == "yuan" else ""
    return (
        f'<div class="key-figure"><div class="label">{_t(run, key)}</div>'
        f'<div class="value">{escape(fmt(estimate.estimate))}{unit}</div>'
        f'<div class="interval">{interval}{flag}{note}</div></div>'
    )


def summary(run: AuditRun) -> Html:
    """Key estimates with intervals, in plain words."""
    result = run.estimates
    error, households = result.error_rate, result.ineligible_households
    figures = result.nonresponse_figures or {}  # response rate and 错保率 bounds, if < 100%
    note = _t(run, "response_bounds", **{k: format_percent(v) for k, v in figures.items()})
    cards = [
        _card(run, "error_rate", error, "percent", "<br>" + note if figures else ""),
        _card(run, "improper_amount", result.improper_amount, "yuan"),
    ]
    rate = result.improper_rate
    if rate is not None:
        cards.append(_card(run, "improper_rate", rate, "percent"))
    if result.omission_rate is not None:
        cards.append(_card(run, "omission_rate", result.omission_rate, "percent"))
    if result.tekun_error_rate is not None:
        cards.append(_card(run, "tekun_error_rate", result.tekun_error_rate, "percent"))
    paragraphs = []
    if error.estimate > 0:
        paragraphs.append(
            _t(
                run,
                "summary_error",
                rate=format_percent(error.estimate),
                level=_level(error),
                lower=format_percent(error.lower),
                upper=format_percent(error.upper),
                households=format_count(households.estimate),
                households_lower=format_count(max(households.lower, 0.0)),
                households_upper=format_count(households.upper),
            )
        )
    else:
        paragraphs.append(
            _t(
                run,
                "summary_zero",
                level=_level(error),
                upper=format_percent(error.upper_one_sided),
            )
        )
    money = result.improper_amount
    paragraphs.append(
        _t(
            run,
            "summary_money",
            amount=format_yuan(money.estimate),
            lower=format_yuan(max(money.lower, 0.0)),
            upper=format_yuan(money.upper),
            rate=format_percent(None if rate is None else rate.estimate),
            rate_lower=format_percent(None if rate is None else max(rate.lower, 0.0)),
            rate_upper=format_percent(None if rate is None else rate.upper),
        )
    )
    omission = result.omission_rate
    if omission is None:
        paragraphs.append(_t(run, "summary_no_omission"))
    else:
        paragraphs.append(
            _t(
                run,
                "summary_omission",
                rate=format_percent(omission.estimate),
                lower=format_percent(max(omission.lower, 0.0)),
                upper=format_percent(omission.upper),
            )
        )
    paragraphs.append(_t(run, "summary_unreliable"))
    body = "".join(f"<p>{paragraph}</p>" for paragraph in paragraphs) + populations(run)
    return Html(
        f'<h2>{_t(run, "summary")}</h2><div class="key-figures">{"".join(cards)}</div>{body}'
    )


def design(run: AuditRun) -> Html:
    """The plan, seed and the per-township table of the sample actually drawn."""
    table = run.analysis
    households = run.data.households
    recipient_frame = households[households["programme"].astype(str) == "dibao"]
    per_township = (
        households.groupby("township_code")
        .agg(township=("township", "first"), villages_total=("village_code", "nunique"))
        .join(recipient_frame.groupby("township_code").size().rename("recipients_total"))
        .reset_index()
    )
    sampled = table.assign(
        random=(table["selection_reason"].astype(str).isin(["random"])),
        certainty=table["recipient"].astype(bool)
        & ~table["selection_reason"].astype(str).isin(["random"]),
        non_recipient=~table["recipient"].astype(bool),
        village=table["village_code"].where(table["stratum"].astype(str).str.startswith("T:")),
    )
    counts = sampled.groupby(sampled["township_code"].astype(str)).agg(
        villages_sampled=("village", "nunique"),
        sampled_random=("random", "sum"),
        sampled_certainty=("certainty", "sum"),
        sampled_non_recipients=("non_recipient", "sum"),
    )
    per_township["township_code"] = per_township["township_code"].astype(str)
    merged = per_township.merge(counts, left_on="township_code", right_index=True, how="left")
    merged = sort_by_township(merged.fillna(0))
    columns = [
        Column("township", _t(run, "township")),
        Column("villages_total", _t(run, "villages_total"), "count"),
        Column("recipients_total", _t(run, "recipients_total"), "count"),
        Column("villages_sampled", _t(run, "villages_sampled"), "count"),
        Column("sampled_random", _t(run, "sampled_random"), "count"),
        Column("sampled_certainty", _t(run, "sampled_certainty"), "count"),
        Column("sampled_non_recipients", _t(run, "sampled_non_recipients"), "count"),
    ]
    reasons = table["selection_reason"].astype(str).value_counts().to_dict()
    sentences = design_sentences(
        run.sample.plan,
        {str(k): int(v) for k, v in reasons.items()},
        villages_drawn=int(sampled["village"].nunique()),
        seed=run.sample.seed,
        frame_hash=str(run.sample.frame_hash)[:12],
        language=run.language,
    )
    intro = "".join(sentences)
    body = table_html(merged, columns)
    body += response_tables(run)  # only when some households did not respond
    return Html(f"<h2>{_t(run, 'design')}</h2><p>{intro}</p>" + body)


def error_types(run: AuditRun) -> Html:
    """Ineligible households found, by official removal reason."""
    frame = run.estimates.by_type.copy()
    heading = f"<h2>{_t(run, 'error_types')}</h2><p>{_t(run, 'error_types_text')}</p>"
    if frame.empty:
        return Html(heading + f"<p>{_t(run, 'no_errors_found')}</p>")
    frame["label"] = [error_type_label(code, run.language) for code in frame["code"]]
    figure = _estimate_chart(run, frame, "error_types", "error_types_chart")
    columns = [
        Column("label", _t(run, "error_type")),
        Column("found", _t(run, "found_unweighted"), "count"),
        Column("estimate", _t(run, "share_of_recipients"), "percent"),
        Column("lower", _t(run, "lower"), "percent"),
        Column("upper", _t(run, "upper"), "percent"),
    ]
    return Html(
        heading + f'<figure class="figure">{figure.svg}</figure>' + table_html(frame, columns)
    )


def _estimate_chart(
    run: AuditRun, frame: pd.DataFrame, name: str, title: str, axis: str = "rate_percent"
) -> SvgFigure:
    """Weighted estimates (percent) with their intervals, largest first; never sample counts."""
    ordered = frame.sort_values("estimate", ascending=False, kind="stable")
    return interval_plot(
        ordered["label"].tolist(),
        (ordered["estimate"].astype(float) * 100).tolist(),
        (ordered["lower"].astype(float) * 100).tolist(),
        (ordered["upper"].astype(float) * 100).tolist(),
        ordered["reliable"].astype(bool).tolist(),
        title=text(title, run.language, level=f"{run.estimates.error_rate.level * 100:g}"),
        axis_label=text(axis, run.language),
        reliable_label=text("reliable", run.language),
        unreliable_label=text("unreliable", run.language),
        name=name,
    )


def omission(run: AuditRun) -> Html:
    """Omission rate and the share found eligible in each priority group."""
    heading = f"<h2>{_t(run, 'omission')}</h2><p>{_t(run, 'omission_text')}</p>"
    frame = run.estimates.omission_by_group.copy()
    if run.estimates.omission_rate is None or frame.empty:
        return Html(heading + f"<p>{_t(run, 'summary_no_omission')}</p>")
    frame["label"] = [priority_group_label(code, run.language) for code in frame["code"]]
    figure = _estimate_chart(
        run, frame, "omission_groups", "omission_groups_chart", "share_percent"
    )
    columns = [
        Column("label", _t(run, "priority_group")),
        Column("sampled", _t(run, "sampled"), "count"),
        Column("eligible_found", _t(run, "eligible_found"), "count"),
        Column("estimate", _t(run, "share_eligible"), "percent"),
        Column("lower", _t(run, "lower"), "percent"),
        Column("upper", _t(run, "upper"), "percent"),
    ]
    return Html(
        heading + f'<figure class="figure">{figure.svg}</figure>' + table_html(frame, columns)
    )


def data_quality(run: AuditRun) -> Html:
    """The validation problems found while loading (appendix)."""
    problems = run.data.problems
    heading = f"<h2>{_t(run, 'quality')}</h2>"
    if problems is None or problems.empty:
        return Html(heading + f"<p>{_t(run, 'quality_none')}</p>")
    severity = problems["severity"].astype(str)
    shown = problems.head(MAX_PROBLEMS_SHOWN)
    intro = _t(
        run,
        "quality_text",
        count=len(problems),
        errors=int((severity == "error").sum()),
        warnings=int((severity == "warning").sum()),
        shown=len(shown),
    )
    columns = [
        Column("severity", _t(run, "severity")),
        Column("file", _t(run, "file")),
        Column("row", _t(run, "row")),
        Column("column", _t(run, "column")),
        Column("value", _t(run, "value")),
        Column("expected", _t(run, "expected")),
    ]
    return Html(heading + f"<p>{intro}</p>" + table_html(shown, columns))


def reproduce(run: AuditRun) -> Html:
    """How to reproduce the report."""
    source = run.params.source
    name = f"params/{source.name}" if source is not None else "params/<county>.yaml"
    body = _t(
        run,
        "reproduce_text",
        version=metadata.version("auditlib"),
        params_file=name,
        seed=run.params.seed,
        method=run.params.estimation.ci_method,
        county_code=run.data.info.county_code,
        options=_command_options(run),
    )
    return Html(f"<h2>{_t(run, 'reproduce')}</h2><p>{body}</p>")


def _command_options(run: AuditRun) -> str:
    options = ""
    source = run.verification_source
    if source in ("simulate", "data"):
        options += f" --verification {source}"
    elif source:
        options += " --verification <worksheets>"
    if run.language != run.params.report.language:
        options += f" --language {run.language}"
    return options
