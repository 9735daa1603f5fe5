"""The risk section's score histogram: forest scores, the high-risk tier shown, and a guide.

Drawn like the other report figures (:mod:`auditlib.report.figures`: bundled font, deterministic
SVG). The bars are stacked: households of the high-risk tier in orange over the others. The tier
comes from the combined ranking (rule hits and the forest score, or a learned score), so it is
not a cut on this axis; the dashed line marks where the same number of households would start
if the forest score alone decided. The values drawn (bin edges, bar heights, the line) are
kept in the SVG's plotted-values record (figure ``"score_histogram"``).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from auditlib.report.figures import SvgFigure, _style, svg_from_figure
from auditlib.report.html import escape
from auditlib.report.text import text

__all__ = ["forest_cut", "score_histogram", "score_section"]

_OTHER, _HIGH, _LINE = "#1f4e79", "#e67e22", "#7a2e0e"


def forest_cut(scores: pd.DataFrame) -> float:
    """Forest score of the last household if the high tier's size were filled by forest score.

    ``nan`` when no household is in the high tier.
    """
    high = int((scores["tier"].astype(str) == "high").sum())
    if high == 0:
        return float("nan")
    ordered = np.sort(scores["forest_score"].to_numpy(dtype=float))[::-1]
    return float(ordered[high - 1])


def score_histogram(scores: pd.DataFrame, *, words: Mapping[str, str], bins: int = 30) -> SvgFigure:
    """Stacked histogram of ``forest_score``: high tier over the others, forest-only cut line.

    Parameters
    ----------
    scores : pandas.DataFrame
        Score table (``forest_score``, ``tier``).
    words : mapping of str to str
        ``title``, ``axis``, ``count``, ``high``, ``other``, ``cut``.
    bins : int, default=30
        Number of equal-width bins over the scores' range.

    Returns
    -------
    SvgFigure
        Record: ``edges``, ``high`` and ``other`` (bar heights), ``cut``.
    """
    values = scores["forest_score"].to_numpy(dtype=float)
    high = (scores["tier"].astype(str) == "high").to_numpy(dtype=bool)
    edges = np.histogram_bin_edges(values, bins=bins) if len(values) else np.linspace(0, 1, 2)
    other_counts = np.histogram(values[~high], bins=edges)[0]
    high_counts = np.histogram(values[high], bins=edges)[0]
    cut = forest_cut(scores)
    with _style():
        from matplotlib.figure import Figure

        figure = Figure(figsize=(6.4, 2.8), dpi=100)
        axes = figure.add_subplot()
        widths = np.diff(edges)
        axes.bar(edges[:-1], other_counts, widths, align="edge", color=_OTHER, label=words["other"])
        axes.bar(
            edges[:-1],
            high_counts,
            widths,
            bottom=other_counts,
            align="edge",
            color=_HIGH,
            label=words["high"],
        )
        if np.isfinite(cut):
            axes.axvline(cut, color=_LINE, ls="--", lw=1, label=words["cut"])
        axes.set_xlabel(words["axis"])
        axes.set_ylabel(words["count"])
        axes.set_title(words["title"])
        axes.legend(loc="upper right", fontsize=7.5, frameon=False)
        figure.tight_layout()
        plotted = {
            "figure": "score_histogram",
            "edges": [float(edge) for edge in edges],
            "other": [int(count) for count in other_counts],
            "high": [int(count) for count in high_counts],
            "cut": cut if np.isfinite(cut) else None,
        }
        return svg_from_figure(figure, plotted)


def score_section(scores: pd.DataFrame, language: str, *, high_share: float) -> str:
    """The histogram as an HTML figure with its reading guide as the caption.

    Parameters
    ----------
    scores : pandas.DataFrame
        Score table (``forest_score``, ``tier``).
    language : {"zh", "en"}
        The report's language.
    high_share : float
        Share of households in the high tier as configured (``risk.tiers[0]``), e.g. 0.05.
    """
    count = int((scores["tier"].astype(str) == "high").sum())
    share = f"{high_share * 100:g}%"
    cut = forest_cut(scores)
    words = {
        "title": text("score_distribution", language),
        "axis": text("forest_score", language),
        "count": text("count", language),
        "high": text("score_high_tier", language, count=f"{count:,}"),
        "other": text("score_other_tiers", language),
        "cut": text("score_forest_cut", language, share=share),
    }
    figure = score_histogram(scores, words=words)
    guide = text(
        "score_guide",
        language,
        share=share,
        count=f"{count:,}",
        cut="—" if not np.isfinite(cut) else f"{cut:.2f}",
    )
    return (
        f'<figure class="figure">{figure.svg}'
        f'<figcaption class="reading-guide">{escape(guide)}</figcaption></figure>'
    )
