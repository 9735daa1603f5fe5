"""The provincial report (``report.html``, self-contained) and the provincial statistics form.

Sections: the provincial estimates with their intervals and whom they speak for; the league
table of counties (错保率 with intervals, P(错保率 > target), rank intervals) and its chart; a
funnel plot; the counties a targeted inspection (靶向督查) would pick and why (Dibao coverage
against an economic indicator given as a table, and the exceedance probability); the
provincial statistics form (the county forms summed, also written as ``statistics_form.xlsx``).
Chinese by default, English with ``language="en"``. No date or time in the body: the same
inputs give the same bytes. The statistics are in :mod:`auditlib.estimation.province_compare`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from auditlib.data.atomic import atomic_write_text
from auditlib.errors import DataError, Problem, ReportError
from auditlib.estimation.province_compare import (
    exceedance_probability,
    funnel_limits,
    rank_intervals,
    targeted_selection,
)
from auditlib.report.figures import (
    _ACCENT,
    _RELIABLE_COLOUR,
    _new_figure,
    _style,
    interval_plot,
    svg_from_figure,
)
from auditlib.report.fonts import CSS_FONT_STACK
from auditlib.report.html import Column, escape, format_percent, format_yuan, table_html
from auditlib.report.manifest import read_manifest
from auditlib.report.province_cross_county import cross_county_table
from auditlib.report.province_form import read_county_form, sum_forms, write_province_form
from auditlib.report.province_inputs import BatchCounties
from auditlib.report.province_outputs import (
    ExtraWriter,
    ProvinceParams,
    ProvinceRun,
    write_province,
)
from auditlib.report.province_text import NAMES, TEXT
from auditlib.report.render import html_to_pdf

__all__ = ["read_indicator", "report_writer", "verify_province"]

HTML_FILE = "report.html"
PDF_FILE = "report.pdf"
FORM_FILE = "statistics_form.xlsx"
_CSS = (
    f"body{{font-family:{CSS_FONT_STACK};max-width:60em;margin:2em auto;color:#222}}"
    "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.2em .5em}"
    "td.number,th.number{text-align:right}caption{font-weight:bold;text-align:left}"
)


def read_indicator(path: Path) -> pd.DataFrame:
    """Read the economic indicator table (columns ``county_code``, ``indicator`` and
    optionally ``coverage`` or ``households`` — resident households, for the coverage).

    Raises
    ------
    DataError
        When the file cannot be read or lacks a required column.
    """
    try:
        table = pd.read_csv(path, dtype={"county_code": str})
    except (OSError, ValueError, UnicodeDecodeError) as error:
        raise DataError(f"{path} cannot be read as CSV: {error}") from None
    missing = [c for c in ("county_code", "indicator") if c not in table.columns]
    if missing:
        raise DataError(
            f"{path} lacks column(s) {', '.join(missing)}",
            [
                Problem(str(path), 1, c, "<missing>", "a column of the indicator table")
                for c in missing
            ],
        )
    return table


def _county_table(
    content: Mapping[str, Any], params: ProvinceParams, indicator: pd.DataFrame | None
) -> pd.DataFrame:
    rows = []
    for county in content["counties"]:
        error = county["details"].get("error_rate") or {}
        rows.append(
            {
                "county_code": county["county_code"],
                "county": county["county"],
                "estimate": error.get("estimate"),
                "lower": error.get("lower"),
                "upper": error.get("upper"),
                "se": error.get("standard_error"),
                "df": error.get("degrees_of_freedom"),
                "effective_n": error.get("effective_n"),
                "reliable": bool(error.get("reliable")),
                "dibao_households": county["populations"].get("dibao_households"),
            }
        )
    table = pd.DataFrame(rows).dropna(subset=["estimate"]).reset_index(drop=True)
    numbers = table[["estimate", "se", "df"]].astype(float).to_numpy()
    ranks = rank_intervals(numbers[:, 0], numbers[:, 1], numbers[:, 2])
    table = pd.concat([table, ranks], axis=1)
    if params.target is not None:
        table["exceedance"] = exceedance_probability(
            numbers[:, 0], numbers[:, 1], numbers[:, 2], params.target
        )
    if indicator is not None:
        table = table.merge(indicator, on="county_code", how="left")
        if "coverage" not in table.columns and "households" in table.columns:
            table["coverage"] = table["dibao_households"] / pd.to_numeric(table["households"])
    return table.sort_values("rank").reset_index(drop=True)


def _funnel(table: pd.DataFrame, rate: float, text: Mapping[str, str]) -> str:
    size = table["effective_n"].astype(float).to_numpy()
    with _style():
        figure, axes = _new_figure(6.4, 3.6)
        grid = np.linspace(max(size.min() * 0.8, 5.0), size.max() * 1.2, 100)
        for level, style in ((0.95, "--"), (0.998, ":")):
            low, high = funnel_limits(rate, grid, (level,))[level]
            axes.plot(grid, high * 100, style, color="#888888", lw=1, label=f"{level:.1%}")
            axes.plot(grid, low * 100, style, color="#888888", lw=1)
        axes.axhline(rate * 100, color=_ACCENT, lw=1, label=text["province_label"])
        axes.plot(size, table["estimate"].astype(float) * 100, "o", color=_RELIABLE_COLOUR)
        for x, y, label in zip(size, table["estimate"].astype(float), table["county"], strict=True):
            axes.annotate(
                str(label), (x, y * 100), fontsize=7, xytext=(3, 3), textcoords="offset points"
            )
        axes.set_xlabel(text["effective_n"])
        axes.set_ylabel(text["axis"])
        axes.legend(fontsize=8, frameon=False)
        figure.tight_layout()
        points = [
            [str(c), float(e)] for c, e in zip(table["county"], table["estimate"], strict=True)
        ]
        return svg_from_figure(figure, {"figure": "funnel", "rows": points}).svg


def _reason_text(row: Any, text: Mapping[str, str]) -> str:
    parts = []
    for code in str(row["reason"]).split(";"):
        if code in ("coverage_high", "coverage_low"):
            parts.append(text[code].format(z=f"{row['residual_z']:.1f}"))
        elif code == "exceeds_target":
            parts.append(text[code].format(p=f"{row['exceedance']:.2f}"))
    return "；".join(parts)


def render_report(
    content: Mapping[str, Any],
    params: ProvinceParams,
    indicator: pd.DataFrame | None,
    forms: str,
    cross_county: str = "",
) -> str:
    """The provincial report as one self-contained HTML document (``forms``, ``cross_county``:
    the HTML of the summed statistics form and of the cross-county findings)."""
    language = params.language
    text, names = TEXT[language], NAMES[language]
    body = [f"<h1>{escape(content['province'])} {escape(text['heading'])}</h1>"]
    audited = len(content["counties"])
    speaks = (
        text["speaks_three_stage"]
        if content["design"] == "three-stage"
        else text["speaks_stratified"].format(n=audited)
    )
    body.append(f"<p>{escape(speaks)}</p>")
    if content["not_audited"]:
        listing = "、".join(f"{name}（{code}）" for code, name in content["not_audited"].items())
        body.append(f"<p>{escape(text['not_audited'] + listing)}</p>")
    if content["skipped_folders"]:
        listing = "; ".join(f"{k}: {v}" for k, v in content["skipped_folders"].items())
        body.append(f"<p>{escape(text['skipped'] + listing)}</p>")
    rows = []
    for name, label in names.items():
        detail = content["details"].get(name)
        if detail is None:
            continue
        money = name in ("improper_amount", "overpayment", "underpayment")
        show = format_yuan if money else format_percent
        rows.append(
            {
                "estimand": label,
                **{k: show(detail[k]) for k in ("estimate", "lower", "upper", "upper_one_sided")},
                "df": detail["degrees_of_freedom"],
                "reliable": text["reliable_yes" if detail["reliable"] else "reliable_no"],
            }
        )
    columns = [
        Column("estimand", text["estimand"]),
        *[Column(k, text[k]) for k in ("estimate", "lower", "upper", "upper_one_sided")],
        Column("df", text["df"], "count"),
        Column("reliable", text["reliable"]),
    ]
    body.append(f"<h2>{escape(text['estimates'])}</h2>" + table_html(pd.DataFrame(rows), columns))
    table = _county_table(content, params, indicator)
    table["rank_interval"] = [
        f"{a}–{b}" for a, b in zip(table["rank_lower"], table["rank_upper"], strict=True)
    ]
    league = [
        Column("rank", text["rank"], "count"),
        Column("county", text["county"]),
        Column("estimate", text["estimate"], "percent"),
        Column("lower", text["lower"], "percent"),
        Column("upper", text["upper"], "percent"),
        Column("rank_interval", text["rank_interval"]),
    ]
    if params.target is not None:
        league.append(
            Column("exceedance", text["exceed"].format(t=format_percent(params.target)), "number2")
        )
    body.append(f"<h2>{escape(text['league'])}</h2>" + table_html(table, league))
    rate = float((content["details"].get("error_rate") or {}).get("estimate") or 0.0)
    chart = interval_plot(
        list(table["county"]),
        list(table["estimate"] * 100),
        list(table["lower"] * 100),
        list(table["upper"] * 100),
        list(table["reliable"]),
        title=text["league_chart"],
        axis_label=text["axis"],
        reliable_label=text["reliable_label"],
        unreliable_label=text["unreliable_label"],
        reference=rate * 100,
        reference_label=text["province_label"],
        name="province_league",
    )
    body.append(chart.svg)
    body.append(f"<h2>{escape(text['funnel'])}</h2>" + _funnel(table, rate, text))
    body.append(f"<h2>{escape(text['targeted'])}</h2>")
    if indicator is None:
        body.append(f"<p>{escape(text['no_indicator'])}</p>")
    picks = targeted_selection(table)
    picks = picks[picks["picked"]]
    if picks.empty:
        body.append(f"<p>{escape(text['targeted_none'])}</p>")
    else:
        picks = picks.assign(why=[_reason_text(row, text) for _, row in picks.iterrows()])
        chosen = [Column("county", text["county"]), Column("estimate", text["estimate"], "percent")]
        if "coverage" in picks.columns:
            chosen += [
                Column("coverage", text["coverage"], "percent"),
                Column("expected_coverage", text["expected"], "percent"),
            ]
        body.append(table_html(picks, [*chosen, Column("why", text["reason"])]))
    body.append(cross_county)
    body.append(f"<h2>{escape(text['form'])}</h2>{forms}")
    body.append(f"<h2>{escape(text['method'])}</h2><p>{escape(text['method_text'])}</p>")
    title = escape(f"{content['province']} {text['heading']}")
    return (
        f'<!DOCTYPE html>\n<html lang="{language}"><head><meta charset="utf-8">'
        f"<title>{title}</title><style>{_CSS}</style></head><body>\n"
        + "\n".join(body)
        + "\n</body></html>\n"
    )


def _forms(folders: Mapping[str, Path], work: Path, province: str) -> str:
    """Write the summed form into ``work`` (when every county has one); its HTML table."""
    rows, periods = [], set()
    for _code, folder in sorted(folders.items()):
        path = folder / FORM_FILE
        if not path.is_file():
            return ""
        row, period = read_county_form(path)
        rows.append(row)
        periods.add(period)
    if not rows:
        return ""
    total = sum_forms(rows, province)
    write_province_form(
        [*rows, total], work / FORM_FILE, province=province, period="；".join(sorted(periods))
    )
    frame = pd.DataFrame(
        [
            {
                "area": r.area,
                "recipients": r.verified_recipients,
                "others": r.verified_non_recipients,
                "found": r.problems_found,
                "removed": r.removed_total,
                "new": r.newly_enrolled,
            }
            for r in [*rows, total]
        ]
    )
    columns = [
        Column("area", "县 / county"),
        Column("recipients", "核查低保户数", "count"),
        Column("others", "核查未纳入户数", "count"),
        Column("found", "自查发现问题线索", "count"),
        Column("removed", "应清退户数合计", "count"),
        Column("new", "应新纳入户数", "count"),
    ]
    return table_html(frame, columns)


def report_writer(
    params: ProvinceParams, indicator: Path | None, *, pdf: bool = True
) -> ExtraWriter:
    """A writer of ``report.html``, ``report.pdf`` (A4, bundled font; ``pdf=False``: none) and
    the summed ``statistics_form.xlsx`` (when every county folder holds its form) for
    :func:`auditlib.report.province_outputs.write_province`."""
    table = read_indicator(indicator) if indicator is not None else None

    def write(work: Path, content: dict[str, Any], batch: BatchCounties) -> list[str]:
        folders = {c.result.county_code: c.folder for c in batch.counties}
        forms = _forms(folders, work, content["province"])
        cross = cross_county_table(folders, params.language)
        document = render_report(content, params, table, forms, cross)
        atomic_write_text(work / HTML_FILE, document)
        names = [HTML_FILE, *([FORM_FILE] if (work / FORM_FILE).is_file() else [])]
        if pdf:
            html_to_pdf(document, work / PDF_FILE)
            names.append(PDF_FILE)
        return names

    return write


def verify_province(out: Path, *, batch_out: Path | None = None) -> ProvinceRun:
    """Compute the provincial outputs in ``out`` again from what its manifest records (the
    batch folder, parameters, indicator table, whether a PDF was made) and compare.

    Parameters
    ----------
    out : pathlib.Path
        A provincial output folder (``manifest.json`` of kind ``province``).
    batch_out : pathlib.Path, optional
        Your copy of the batch's output folder (default: the recorded one).

    Returns
    -------
    ProvinceRun
        ``differences`` empty when everything is identical.
    """
    manifest = read_manifest(out)
    if manifest.get("kind") != "province":
        raise ReportError(f"{out / 'manifest.json'} is not the manifest of a provincial run")
    inputs = manifest.get("inputs") or {}
    recorded = manifest.get("parameters") or {}
    params = ProvinceParams(
        target=recorded.get("target"),
        inclusion_probabilities=recorded.get("inclusion_probabilities"),
        counties=recorded.get("counties") or {},
        language=recorded.get("language") or "zh",
    )
    files = {role: inputs.get(role) for role in ("params", "indicator")}
    paths = {role: None if item is None else Path(item["file"]) for role, item in files.items()}
    return write_province(
        batch_out or Path(inputs.get("batch", "")),
        out,
        params,
        params_file=paths["params"],
        extra=report_writer(
            params, paths["indicator"], pdf=PDF_FILE in (manifest.get("outputs") or {})
        ),
        extra_inputs={"indicator": paths["indicator"]},
        verify=True,
    )
