"""The fairness chart: flag-rate ratio by group, and precision and recall with intervals.

Drawn like the other report figures (:mod:`auditlib.report.figures`: bundled font, deterministic
SVG). Left panel: each group's flag rate divided by the county's, the four-fifths band
(0.8–1.25) shaded; right panel: weighted precision and recall with their 95 % intervals (a group
with too few verified households has no point).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from auditlib.report.figures import SvgFigure, _style, svg_from_figure
from auditlib.risk.fairness import BAND

__all__ = ["fairness_chart"]

_COLOURS = {"precision": "#1f4e79", "recall": "#c0392b"}
_INSIDE, _OUTSIDE = "#1f4e79", "#e67e22"
_BAND_COLOUR = "#e8eef5"


def fairness_chart(
    table: pd.DataFrame,
    labels: Sequence[str],
    *,
    title_ratio: str,
    title_rates: str,
    measure_labels: dict[str, str],
) -> SvgFigure:
    """Draw the two panels for the rows of ``table`` (labelled ``labels``, top to bottom).

    Parameters
    ----------
    table : pandas.DataFrame
        Rows of :func:`auditlib.evaluation.fairness.fairness_table`.
    labels : sequence of str
        Row labels, one per row of ``table``.
    title_ratio, title_rates : str
        Titles of the left and right panels.
    measure_labels : dict
        Legend entries of ``"precision"`` and ``"recall"``.
    """
    from matplotlib.figure import Figure

    count = len(table)
    positions = np.arange(count)[::-1].astype(float)
    with _style():
        figure = Figure(figsize=(7.2, max(2.0, 0.26 * count + 1.2)), dpi=100)
        left, right = figure.subplots(1, 2, sharey=True, gridspec_kw={"width_ratios": [1, 1.3]})
        ratio = table["ratio_to_overall"].to_numpy(dtype=float)
        left.axvspan(BAND[0], BAND[1], color=_BAND_COLOUR, zorder=0)
        left.axvline(1.0, color="#808080", lw=0.8)
        outside = (ratio < BAND[0]) | (ratio > BAND[1])
        left.plot(ratio[~outside], positions[~outside], "o", color=_INSIDE)
        left.plot(ratio[outside], positions[outside], "o", color=_OUTSIDE)
        finite = ratio[np.isfinite(ratio)]
        left.set_xlim(0, max(2.0, float(finite.max()) * 1.1 if finite.size else 2.0))
        left.set_yticks(positions, list(labels))
        left.set_title(title_ratio)
        left.grid(axis="x", color="#e0e0e0", lw=0.6)
        for offset, measure in ((0.15, "precision"), (-0.15, "recall")):
            estimate = table[measure].to_numpy(dtype=float) * 100
            lower = table[f"{measure}_lower"].to_numpy(dtype=float) * 100
            upper = table[f"{measure}_upper"].to_numpy(dtype=float) * 100
            shown = np.isfinite(estimate)
            colour = _COLOURS[measure]
            right.hlines(
                positions[shown] + offset, lower[shown], upper[shown], color=colour, lw=1.5
            )
            right.plot(
                estimate[shown],
                positions[shown] + offset,
                "o",
                color=colour,
                markersize=4,
                label=measure_labels[measure],
            )
        right.set_xlim(0, 100)
        right.set_xlabel("%")
        right.set_title(title_rates)
        right.grid(axis="x", color="#e0e0e0", lw=0.6)
        right.legend(loc="lower right", fontsize=8, frameon=False)
        figure.tight_layout()
        return svg_from_figure(figure)
