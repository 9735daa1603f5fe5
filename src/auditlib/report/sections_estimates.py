"""Report sections of the estimates beyond the headline: townships (direct beside model-based),
payments (improper, over- and underpayments) and the programme each figure speaks for."""

from __future__ import annotations

import pandas as pd

from auditlib.estimation.results import Estimate
from auditlib.pipeline.audit import AuditRun
from auditlib.report.figures import interval_plot
from auditlib.report.html import (
    Column,
    Html,
    format_count,
    format_percent,
    format_yuan,
    table_html,
)
from auditlib.report.text import text
from auditlib.report.township_order import sort_by_township

__all__ = ["payments", "populations", "townships"]


def _t(run: AuditRun, key: str, **values: object) -> str:
    return text(key, run.language, **values)


def _flag(run: AuditRun, reliable: bool) -> str:
    return _t(run, "reliable") if reliable else _t(run, "unreliable")


def populations(run: AuditRun) -> str:
    """One sentence naming the population of each headline figure (an HTML paragraph)."""
    households = run.data.households["programme"].astype(str)
    return (
        "<p>"
        + _t(
            run,
            "populations",
            dibao=format_count(int((households == "dibao").sum())),
            tekun=format_count(int((households == "tekun").sum())),
        )
        + "</p>"
    )


def townships(run: AuditRun) -> Html:
    """Per-township 错保率: the direct estimate and the model-based one, side by side."""
    frame = sort_by_township(run.estimates.townships.copy())
    model = run.estimates.township_model
    county = run.estimates.error_rate
    use_model = not model.empty
    if use_model:
        frame = frame.merge(
            model[["township_code", "estimate", "lower", "upper", "reliable"]].rename(
                columns=lambda name: name if name == "township_code" else f"model_{name}"
            ),
            on="township_code",
            how="left",
        )
        shown = frame[frame["model_estimate"].notna()]
        points = (shown["model_estimate"], shown["model_lower"], shown["model_upper"])
        reliable = shown["model_reliable"].astype(bool).tolist()
    else:
        shown = frame[frame["estimate"].notna()]
        points = (shown["estimate"], shown["lower"], shown["upper"])
        reliable = shown["reliable"].astype(bool).tolist()
    figure = interval_plot(
        shown["township"].tolist(),
        (points[0] * 100).tolist(),
        (points[1] * 100).tolist(),
        (points[2] * 100).tolist(),
        reliable,
        title=text("townships_model" if use_model else "townships", run.language),
        axis_label=text("rate_percent", run.language),
        reliable_label=text("reliable", run.language),
        unreliable_label=text("unreliable", run.language),
        reference=county.estimate * 100,
        reference_label=text("county_estimate", run.language),
        name="townships_model" if use_model else "townships",
    )
    frame["direct_interval"] = [
        f"{format_percent(lo)} – {format_percent(hi)}"
        for lo, hi in zip(frame["lower"], frame["upper"], strict=True)
    ]
    frame["direct_reliability"] = [_flag(run, bool(flag)) for flag in frame["reliable"]]
    columns = [
        Column("township", _t(run, "township")),
        Column("sampled", _t(run, "sampled"), "count"),
        Column("found", _t(run, "found_unweighted"), "count"),
        Column("estimate", _t(run, "direct_estimate"), "percent"),
        Column("direct_interval", _t(run, "direct_interval")),
        Column("direct_reliability", _t(run, "reliability")),
    ]
    if use_model:
        frame["model_interval"] = [
            f"{format_percent(lo)} – {format_percent(hi)}"
            for lo, hi in zip(frame["model_lower"], frame["model_upper"], strict=True)
        ]
        frame["model_reliability"] = [
            _flag(run, bool(flag)) for flag in frame["model_reliable"].fillna(False)
        ]
        columns += [
            Column("model_estimate", _t(run, "model_estimate"), "percent"),
            Column("model_interval", _t(run, "model_interval")),
            Column("model_reliability", _t(run, "reliability")),
        ]
    advice = _t(run, "townships_model_text" if use_model else "townships_text")
    return Html(
        f"<h2>{_t(run, 'townships')}</h2><p>{advice}</p>"
        f'<figure class="figure">{figure.svg}</figure>' + table_html(frame, columns)
    )


def _row(run: AuditRun, key: str, estimate: Estimate | None, kind: str) -> dict[str, str]:
    fmt = format_yuan if kind == "yuan" else format_percent
    if estimate is None:
        return {"measure": text(key, run.language), "estimate": "—", "lower": "", "upper": ""}
    return {
        "measure": text(key, run.language),
        "estimate": fmt(estimate.estimate),
        "lower": fmt(estimate.lower),
        "upper": fmt(estimate.upper),
        "reliability": _flag(run, estimate.reliable),
    }


def payments(run: AuditRun) -> Html:
    """Yuan paid to Dibao recipients: improper payments, over- and underpayments, and the
    特困 error rate beside the Dibao one."""
    result = run.estimates
    rows = [
        {
            "measure": text("paid_register", run.language),
            "estimate": format_yuan(result.paid),
            "lower": "",
            "upper": "",
            "reliability": "",
        },
        _row(run, "improper_amount", result.improper_amount, "yuan"),
        _row(run, "improper_rate", result.improper_rate, "percent"),
    ]
    for name in ("overpayment", "underpayment"):
        part = getattr(result, name)
        rows.append(_row(run, name, None if part is None else part.total, "yuan"))
        rows.append(_row(run, f"{name}_rate", None if part is None else part.rate, "percent"))
    rows.append(_row(run, "error_rate_dibao", result.error_rate, "percent"))
    rows.append(_row(run, "tekun_error_rate", result.tekun_error_rate, "percent"))
    columns = [
        Column("measure", _t(run, "measure")),
        Column("estimate", _t(run, "estimate")),
        Column("lower", _t(run, "lower")),
        Column("upper", _t(run, "upper")),
        Column("reliability", _t(run, "reliability")),
    ]
    return Html(
        f"<h2>{_t(run, 'payments')}</h2><p>{_t(run, 'payments_text')}</p>"
        + table_html(pd.DataFrame(rows).fillna(""), columns)
    )
