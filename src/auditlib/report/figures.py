"""Report figures: matplotlib charts returned as deterministic SVG text, with a PNG fallback.

Every function draws with the bundled Chinese font (:mod:`auditlib.report.fonts`), closes its figure
and returns an :class:`SvgFigure`, which Jupyter displays inline and nbconvert embeds in the HTML
report. The SVG is byte-identical across runs: ``svg.hashsalt`` is fixed and the metadata (date,
creator) is cleared.

The same figure is also rendered to PNG (:data:`PNG_DPI`, no ``Software`` text, so byte-identical
too with the same matplotlib and Pillow). Jupyter gets both: JupyterLab shows the
SVG in a trusted notebook and the PNG in one that is not trusted (an executed report opened by
someone else), where it drops SVG. The HTML report keeps the SVG alone. :func:`png_for_svg` finds
the PNG of a chart by its SVG text, for the notebook display of an HTML fragment that holds the
chart inline (:mod:`auditlib.report.notebook_charts`).

Text stays text (``svg.fonttype = "none"``) in the report's font list
(:data:`auditlib.report.fonts.CSS_FONT_STACK`): the PDF draws it with the bundled font, so chart
labels are searchable and copyable there, and a browser uses the same system CJK font as for the
rest of the HTML. (Glyphs drawn as paths made each chart three times larger and took WeasyPrint
about 0.2 s per chart to draw.)
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
from collections import OrderedDict
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from auditlib.report.fonts import CSS_FONT_STACK, register_matplotlib_font

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "PNG_DPI",
    "SvgFigure",
    "chart_bundle",
    "interval_plot",
    "plotted_values",
    "png_for_svg",
    "png_size",
    "svg_from_figure",
]

_HASH_SALT = "auditlib-report"
_RELIABLE_COLOUR = "#1f4e79"
_UNRELIABLE_COLOUR = "#b0b0b0"
_ACCENT = "#c0392b"


#: Resolution of the PNG fallback (pixels per inch); shown at 96 per inch, so a little sharper.
PNG_DPI = 120
_SCREEN_DPI = 96
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@dataclass(frozen=True)
class SvgFigure:
    """An SVG drawing, its PNG rendering, and a caption-free rich display for Jupyter.

    Attributes
    ----------
    svg : str
        The SVG document (without XML declaration, so it can sit inline in HTML).
    png : bytes
        The same figure as PNG (:data:`PNG_DPI`), for notebooks that are not trusted; empty when
        the figure was built from SVG text alone.
    """

    svg: str
    png: bytes = field(default=b"", repr=False)

    def _repr_svg_(self) -> str:
        return self.svg

    def _repr_mimebundle_(
        self, include: object = None, exclude: object = None
    ) -> tuple[dict[str, str], dict[str, Any]]:
        """SVG and PNG (base64) together: JupyterLab picks SVG when trusted, PNG otherwise."""
        return chart_bundle(self.svg, self.png, repr(self))

    def __repr__(self) -> str:
        return f"<SvgFigure: {len(self.svg):,} characters of SVG, {len(self.png):,} bytes of PNG>"


def png_size(png: bytes) -> tuple[int, int]:
    """Width and height in pixels, read from a PNG's header (``(0, 0)`` when not a PNG)."""
    if not png.startswith(_PNG_SIGNATURE) or len(png) < 24:
        return 0, 0
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


def chart_bundle(svg: str, png: bytes, plain: str) -> tuple[dict[str, str], dict[str, Any]]:
    """A Jupyter display bundle (data, metadata) of one chart: SVG, PNG when given, plain text.

    The PNG's display size is that of the SVG (pixels at 96 per inch), so the chart looks the
    same size trusted or not.
    """
    data = {"image/svg+xml": svg, "text/plain": plain}
    metadata: dict[str, Any] = {}
    width, height = png_size(png)
    if width:
        data["image/png"] = base64.b64encode(png).decode("ascii")
        metadata["image/png"] = {
            "width": round(width * _SCREEN_DPI / PNG_DPI),
            "height": round(height * _SCREEN_DPI / PNG_DPI),
        }
    return data, metadata


# The PNG of the most recent charts, by their SVG text: an HTML fragment keeps only the SVG.
_RECENT_PNG: OrderedDict[str, bytes] = OrderedDict()
_RECENT_LIMIT = 64


def png_for_svg(svg: str) -> bytes | None:
    """The PNG rendered with ``svg`` by :func:`svg_from_figure` in this process, if still known.

    The last 64 charts are kept (a report draws about ten), so a section's HTML fragment can be
    displayed with the PNG of each chart it holds inline. White space around ``svg`` does not
    matter.
    """
    return _RECENT_PNG.get(svg.strip())


@contextmanager
def _style() -> Iterator[None]:
    import matplotlib

    family = register_matplotlib_font()
    settings: dict[str, Any] = {
        "font.family": [family],
        "font.size": 9,
        "axes.titlesize": 10,
        "axes.unicode_minus": False,
        "svg.hashsalt": _HASH_SALT,
        "svg.fonttype": "none",
        "axes.spines.top": False,
        "axes.spines.right": False,
    }
    with matplotlib.rc_context(settings):  # type: ignore[arg-type]
        yield


def _new_figure(width: float, height: float) -> tuple[Figure, Axes]:
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), dpi=100)
    axes = figure.add_subplot()
    return figure, axes


def svg_from_figure(figure: Figure, plotted: Mapping[str, Any] | None = None) -> SvgFigure:
    """Render a matplotlib figure to deterministic SVG (no date, fixed ids) and PNG.

    ``plotted`` (the values drawn, with the figure's name) is kept in the SVG as a
    ``<metadata class="auditlib-plotted">`` JSON element, not drawn: what a test compares with
    ``estimates.json`` to show that a chart plots the published, weighted estimates.

    The PNG (:data:`PNG_DPI`, cropped like the SVG) carries no ``Software`` text, so it is
    byte-identical across runs with the same matplotlib and Pillow; :func:`png_for_svg` finds it
    later by the SVG text.
    """
    buffer = io.StringIO()
    figure.savefig(
        buffer, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": None}
    )
    text = buffer.getvalue()
    start = text.find("<svg")
    text = _FONT_FAMILY_STYLE.sub("font-family: " + CSS_FONT_STACK, text[max(start, 0) :])
    if plotted is not None:
        record = json.dumps(plotted, sort_keys=True).replace("&", "\\u0026").replace("<", "\\u003c")
        opening = text.index(">", text.find("<svg")) + 1
        element = f'<metadata class="{PLOTTED_CLASS}">{record}</metadata>'
        text = f"{text[:opening]}\n{element}{text[opening:]}"
    svg = _unique_ids(text)
    png = _png(figure)
    _RECENT_PNG[svg.strip()] = png
    _RECENT_PNG.move_to_end(svg.strip())
    while len(_RECENT_PNG) > _RECENT_LIMIT:
        _RECENT_PNG.popitem(last=False)
    return SvgFigure(svg, png)


def _png(figure: Figure) -> bytes:
    """The figure as PNG at :data:`PNG_DPI`, without the ``Software`` text (matplotlib version)."""
    rendered = io.BytesIO()
    figure.savefig(
        rendered, format="png", dpi=PNG_DPI, bbox_inches="tight", metadata={"Software": None}
    )
    return rendered.getvalue()


#: Class of the SVG element that records a chart's plotted values.
PLOTTED_CLASS = "auditlib-plotted"
_PLOTTED = re.compile(r'<metadata class="' + PLOTTED_CLASS + r'">(.*?)</metadata>', re.S)


def plotted_values(html: str) -> list[dict[str, Any]]:
    """The plotted-values records of every chart in a report's HTML (or one SVG)."""
    return [json.loads(found) for found in _PLOTTED.findall(html)]


# matplotlib names the one family it drew with; the report's list adds the HTML's fallbacks.
_FONT_FAMILY_STYLE = re.compile(r"font-family: ?'[^';\"]*'")


_ID_ATTRIBUTE = re.compile(r'\bid="([^"]+)"')


def _unique_ids(svg: str) -> str:
    """Prefix every id (and reference to it) with a digest of the drawing.

    Several figures inline in one HTML page must not share element ids (matplotlib numbers
    them from 1 in every figure); the prefix is derived from the content, so it is stable.
    """
    prefix = "f" + hashlib.sha256(svg.encode("utf-8")).hexdigest()[:8] + "-"
    ids = set(_ID_ATTRIBUTE.findall(svg))
    if not ids:
        return svg

    def rename(match: re.Match[str]) -> str:
        name = match.group(2)
        return match.group(1) + (prefix + name if name in ids else name)

    svg = re.sub(r'(\bid=")([^"]+)', rename, svg)
    svg = re.sub(r'(href="#)([^"]+)', rename, svg)
    return re.sub(r"(url\(#)([^)]+)", rename, svg)


def interval_plot(
    labels: Sequence[str],
    estimates: Sequence[float],
    lowers: Sequence[float],
    uppers: Sequence[float],
    reliable: Sequence[bool],
    *,
    title: str,
    axis_label: str,
    reliable_label: str,
    unreliable_label: str,
    reference: float | None = None,
    reference_label: str = "",
    name: str = "",
) -> SvgFigure:
    """Draw point estimates with confidence intervals, one row per label.

    Unreliable estimates (see the estimation module's reliability flag) are drawn hollow and
    grey, so a reader does not compare them as if they were precise.

    Parameters
    ----------
    labels : sequence of str
        Row labels (e.g. township names), drawn top to bottom.
    estimates, lowers, uppers : sequence of float
        Point estimate and interval limits, in the unit of the axis (e.g. percent).
    reliable : sequence of bool
        Reliability flag of each estimate.
    title, axis_label : str
        Chart title and x-axis label.
    reliable_label, unreliable_label : str
        Legend entries.
    reference : float, optional
        Vertical reference line (e.g. the county estimate).
    reference_label : str
        Legend entry of the reference line.
    name : str
        The figure's name in its plotted-values record (see :func:`svg_from_figure`).
    """
    count = len(labels)
    with _style():
        figure, axes = _new_figure(6.4, max(1.6, 0.32 * count + 1.0))
        positions = np.arange(count)[::-1]
        estimate_array = np.asarray(estimates, dtype=float)
        lower_array = np.asarray(lowers, dtype=float)
        upper_array = np.asarray(uppers, dtype=float)
        reliable_array = np.asarray(reliable, dtype=bool)
        for flag, colour, face, legend in (
            (True, _RELIABLE_COLOUR, _RELIABLE_COLOUR, reliable_label),
            (False, _UNRELIABLE_COLOUR, "white", unreliable_label),
        ):
            chosen = reliable_array == flag
            if not chosen.any():
                continue
            axes.hlines(
                positions[chosen], lower_array[chosen], upper_array[chosen], color=colour, lw=2
            )
            axes.plot(
                estimate_array[chosen],
                positions[chosen],
                "o",
                markerfacecolor=face,
                markeredgecolor=colour,
                color=colour,
                label=legend,
            )
        if reference is not None:
            axes.axvline(reference, color=_ACCENT, ls="--", lw=1, label=reference_label)
        axes.set_yticks(positions, list(labels))
        axes.set_xlabel(axis_label)
        axes.set_title(title)
        axes.set_xlim(left=0)
        axes.legend(loc="lower right", fontsize=8, frameon=False)
        axes.grid(axis="x", color="#e0e0e0", lw=0.6)
        figure.tight_layout()
        rows = zip(labels, estimate_array, lower_array, upper_array, strict=True)
        plotted = {
            "figure": name,
            "rows": [[str(label), *(float(v) for v in values)] for label, *values in rows],
        }
        return svg_from_figure(figure, plotted)
