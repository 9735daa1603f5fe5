"""The fairness charts: every group's ratios to the county inside the four-fifths band, and the
groups' precision and recall with their intervals.

Drawn like the other report figures (:mod:`auditlib.report.figures`: bundled font, deterministic
SVG). :func:`fairness_chart` has one row per row of the fairness table (groups, then
intersections below a rule), each label followed by the group's household count: the group's
flag rate ÷ the county's (circle) and, where the verified sample allows, its precision ÷ the
county's (triangle) and recall ÷ the county's (square). The band 0.8–1.25
(:data:`auditlib.risk.fairness.BAND`) is shaded; a ratio outside it is drawn in orange, and the
label of a row the table marks ``outside_band`` is orange with :data:`MARK` before it.
:func:`rates_chart` (only when some group has them) draws the weighted precision and recall with
their intervals, same rows.

The values drawn are read back from the drawn artists into the SVG's plotted-values record
(:func:`auditlib.report.figures.svg_from_figure`, figure ``"fairness_ratios"``), so a test can
compare the chart with the table.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from auditlib.report.figures import SvgFigure, _style, svg_from_figure
from auditlib.risk.fairness import BAND

__all__ = ["MARK", "RATIO_COLUMNS", "WORD_KEYS", "fairness_chart", "rates_chart"]

#: The table's ratio columns drawn, with their marker.
RATIO_COLUMNS: dict[str, str] = {
    "ratio_to_overall": "o",
    "precision_ratio": "^",
    "recall_ratio": "s",
}
#: Words :func:`fairness_chart` needs.
WORD_KEYS: tuple[str, ...] = (
    "title_ratio",
    "band",
    "outside",
    *RATIO_COLUMNS,
)
#: Put before the label of a group outside the band (with the label's colour).
MARK = "◆"
_COLOURS = {"precision": "#1f4e79", "recall": "#c0392b"}
_INSIDE, _OUTSIDE = "#1f4e79", "#d35400"
_BAND_COLOUR = "#dfe8f3"


def _wrapped(labels: Sequence[str], width: int = 38) -> tuple[list[str], float]:
    """Labels longer than ``width`` characters broken after their " × "; the height of a row."""
    wrapped = [label.replace(" × ", " ×\n") if len(label) > width else label for label in labels]
    return wrapped, 0.36 if any("\n" in label for label in wrapped) else 0.24


def _outside(values: np.ndarray) -> np.ndarray:
    return np.isfinite(values) & ((values < BAND[0]) | (values > BAND[1]))


def fairness_chart(
    table: pd.DataFrame,
    labels: Sequence[str],
    *,
    words: Mapping[str, str],
    first_intersection: int | None = None,
) -> SvgFigure:
    """Draw the ratios to the county of the rows of ``table``, top to bottom.

    Parameters
    ----------
    table : pandas.DataFrame
        Rows of :func:`auditlib.evaluation.fairness.fairness_table` (``households``,
        ``ratio_to_overall``, ``precision_ratio``, ``recall_ratio``, ``outside_band``,
        ``precision``, ``recall`` and their ``_lower`` / ``_upper``).
    labels : sequence of str
        Row labels with the household count, one per row of ``table``.
    words : mapping of str to str
        Titles and legend entries, keys :data:`WORD_KEYS`.
    first_intersection : int, optional
        Position of the first intersection row: a rule is drawn above it.

    Returns
    -------
    SvgFigure
        The chart; its plotted-values record holds ``band`` (the shaded span) and one row per
        group: ``label``, ``households``, ``label_outside`` and each ratio drawn (``None``
        where not drawn) with ``<ratio>_outside``.
    """
    from matplotlib.figure import Figure

    count = len(table)
    positions = np.arange(count)[::-1].astype(float)
    labels, row_height = _wrapped(labels)
    with _style():
        figure = Figure(figsize=(6.4, max(2.2, row_height * count + 1.5)), dpi=100)
        left = figure.add_subplot()
        span = left.axvspan(BAND[0], BAND[1], color=_BAND_COLOUR, zorder=0, label=words["band"])
        left.axvline(1.0, color="#808080", lw=0.8, zorder=1)
        top = 2.0
        for column, marker in RATIO_COLUMNS.items():
            ratio = table[column].to_numpy(dtype=float)
            finite = np.isfinite(ratio)
            if finite.any():
                top = max(top, float(ratio[finite].max()) * 1.08)
            outside = _outside(ratio)
            for rows, colour in ((finite & ~outside, _INSIDE), (outside, _OUTSIDE)):
                left.plot(
                    ratio[rows],
                    positions[rows],
                    marker,
                    ls="none",
                    color=colour,
                    markerfacecolor=colour if marker == "o" else "white",
                    markersize=5 if marker == "o" else 4.5,
                    gid=f"{column}|{colour}",
                    zorder=3,
                )
        if first_intersection is not None and 0 < first_intersection < count:
            left.axhline(positions[first_intersection] + 0.5, color="#9a9a9a", lw=0.6)
        left.set_xlim(-0.03 * top, top)  # a ratio of 0 is drawn whole
        left.set_ylim(-0.7, count - 0.3)
        marked = table["outside_band"].to_numpy(dtype=bool)
        shown = [
            f"{MARK} {label}" if flag else label for label, flag in zip(labels, marked, strict=True)
        ]
        left.set_yticks(positions, shown)
        for tick, flag in zip(left.get_yticklabels(), marked, strict=True):
            if flag:
                tick.set_color(_OUTSIDE)
        left.set_title(words["title_ratio"])
        left.grid(axis="x", color="#e0e0e0", lw=0.6)
        figure.legend(
            handles=_ratio_legend(words), loc="lower center", ncol=3, fontsize=7.5, frameon=False
        )
        figure.tight_layout(rect=(0, 0.55 / figure.get_figheight(), 1, 1))
        plotted = _plotted(left, span, table, positions)
        return svg_from_figure(figure, plotted)


def _ratio_legend(words: Mapping[str, str]) -> list[Any]:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles: list[Any] = [Patch(color=_BAND_COLOUR, label=words["band"])]
    for column, marker in RATIO_COLUMNS.items():
        face = _INSIDE if marker == "o" else "white"
        handles.append(
            Line2D(
                [],
                [],
                ls="none",
                marker=marker,
                color=_INSIDE,
                markerfacecolor=face,
                label=words[column],
            )
        )
    handles.append(Line2D([], [], ls="none", marker="D", color=_OUTSIDE, label=words["outside"]))
    return handles


def rates_chart(
    table: pd.DataFrame, labels: Sequence[str], *, words: Mapping[str, str]
) -> SvgFigure | None:
    """Weighted precision and recall with their intervals, one row per row of ``table``.

    Parameters
    ----------
    table : pandas.DataFrame
        Rows of :func:`auditlib.evaluation.fairness.fairness_table`.
    labels : sequence of str
        Row labels, one per row of ``table``.
    words : mapping of str to str
        ``title_rates``, ``precision`` and ``recall``.

    Returns
    -------
    SvgFigure or None
        ``None`` when no group has an estimate (too few verified households everywhere).
    """
    from matplotlib.figure import Figure

    if not np.isfinite(table[["precision", "recall"]].to_numpy(dtype=float)).any():
        return None
    count = len(table)
    positions = np.arange(count)[::-1].astype(float)
    labels, row_height = _wrapped(labels)
    with _style():
        figure = Figure(figsize=(6.4, max(2.2, row_height * count + 1.0)), dpi=100)
        axes = figure.add_subplot()
        for offset, measure in ((0.15, "precision"), (-0.15, "recall")):
            estimate = table[measure].to_numpy(dtype=float) * 100
            lower = table[f"{measure}_lower"].to_numpy(dtype=float) * 100
            upper = table[f"{measure}_upper"].to_numpy(dtype=float) * 100
            shown = np.isfinite(estimate)
            colour = _COLOURS[measure]
            axes.hlines(positions[shown] + offset, lower[shown], upper[shown], color=colour, lw=1.5)
            axes.plot(
                estimate[shown],
                positions[shown] + offset,
                "o",
                color=colour,
                markersize=4,
                label=words[measure],
            )
        axes.set_xlim(0, 100)
        axes.set_ylim(-0.7, count - 0.3)
        axes.set_yticks(positions, list(labels))
        axes.set_xlabel("%")
        axes.set_title(words["title_rates"])
        axes.grid(axis="x", color="#e0e0e0", lw=0.6)
        figure.legend(loc="lower center", ncol=2, fontsize=7.5, frameon=False)
        figure.tight_layout(rect=(0, 0.35 / figure.get_figheight(), 1, 1))
        return svg_from_figure(figure)


def _plotted(axes: Any, span: Any, table: pd.DataFrame, positions: np.ndarray) -> dict[str, Any]:
    """The plotted-values record, read back from what was drawn on ``axes``."""
    inverse = axes.transData.inverted()
    corners = inverse.transform(span.get_verts())[:, 0]
    row_at = {float(position): index for index, position in enumerate(positions)}
    rows: list[dict[str, Any]] = [
        {
            "label": tick.get_text(),
            "households": int(households),
            "label_outside": tick.get_color() == _OUTSIDE,
            **{column: None for column in RATIO_COLUMNS},
        }
        for households, tick in zip(table["households"], axes.get_yticklabels(), strict=True)
    ]
    for line in axes.get_lines():
        gid = line.get_gid() or ""
        column, _, colour = gid.partition("|")
        if column not in RATIO_COLUMNS:
            continue
        for x, y in zip(line.get_xdata(), line.get_ydata(), strict=True):
            row = rows[row_at[float(y)]]
            row[column] = float(x)
            row[f"{column}_outside"] = colour == _OUTSIDE
    band = [round(float(corners.min()), 9), round(float(corners.max()), 9)]
    return {"figure": "fairness_ratios", "band": band, "rows": rows}
