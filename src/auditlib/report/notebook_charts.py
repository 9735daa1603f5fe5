"""Charts that show in an executed report notebook opened without trust.

A report section is one HTML fragment with its charts inline as SVG (what the HTML report needs).
JupyterLab sanitises the HTML of a notebook that is not trusted: inline SVG is dropped and its
labels and plotted-values record are left as loose text, and an ``<img>`` may not use a ``data:``
address. So, in the notebook, :func:`display_parts` cuts a fragment at each chart into several
outputs (for the fragment's ``_ipython_display_`` to publish): HTML, then the chart as its own
output with SVG and PNG (JupyterLab shows the SVG when trusted and the PNG otherwise;
:func:`auditlib.report.figures.chart_bundle`), then HTML again.
:func:`merge_chart_parts` joins them back before the HTML report is rendered, so the report is
the same, byte for byte, as from one output.

Each part carries :data:`PART_KEY` in its output metadata: the fragment's digest, its position
and the number of parts.
"""

from __future__ import annotations

import copy
import hashlib
import re
from typing import Any

from auditlib.report.figures import chart_bundle, png_for_svg

__all__ = ["PART_KEY", "display_parts", "merge_chart_parts"]

#: Output-metadata key of the parts of one HTML fragment cut at its charts.
PART_KEY = "auditlib_part"
_SVG = re.compile(r"<svg\b.*?</svg>", re.S)
_CHART_TEXT = "<chart>"


def display_parts(html: str) -> list[tuple[dict[str, str], dict[str, Any]]]:
    """The display outputs (data, metadata) of an HTML fragment, cut at each chart with a PNG.

    Parameters
    ----------
    html : str
        An HTML fragment, e.g. a report section, with charts inline as SVG.

    Returns
    -------
    list of (dict, dict)
        One ``({"text/html": html}, {})`` when the fragment holds no chart whose PNG is known
        (:func:`auditlib.report.figures.png_for_svg`); otherwise the HTML before, between and
        after the charts and each chart as SVG and PNG, every part marked with :data:`PART_KEY`.
        Joining the parts' HTML and SVG in order gives ``html`` back.
    """
    pieces: list[tuple[dict[str, str], dict[str, Any]]] = []
    position = 0
    for match in _SVG.finditer(html):
        png = png_for_svg(match.group(0))
        if png is None:
            continue
        if match.start() > position:
            pieces.append(({"text/html": html[position : match.start()]}, {}))
        pieces.append(chart_bundle(match.group(0), png, _CHART_TEXT))
        position = match.end()
    if not pieces:
        return [({"text/html": html}, {})]
    if position < len(html):
        pieces.append(({"text/html": html[position:]}, {}))
    group = hashlib.sha256(html.encode("utf-8")).hexdigest()[:12]
    for index, (_, metadata) in enumerate(pieces):
        metadata[PART_KEY] = {"group": group, "index": index, "count": len(pieces)}
    return pieces


def _joined(outputs: list[Any]) -> str:
    return "".join(
        output["data"]["image/svg+xml"]
        if "image/svg+xml" in output["data"]
        else output["data"]["text/html"]
        for output in outputs
    )


def _merged_outputs(outputs: list[Any]) -> list[Any]:
    merged: list[Any] = []
    run: list[Any] = []
    for output in outputs:
        part = output.get("metadata", {}).get(PART_KEY)
        if part is None:
            merged.append(output)
            continue
        run.append(output)
        if part["index"] + 1 < part["count"]:
            continue
        groups = {item["metadata"][PART_KEY]["group"] for item in run}
        if len(groups) != 1 or len(run) != part["count"]:
            raise ValueError(
                f"notebook output parts {PART_KEY!r} must come complete and in order "
                f"(got {len(run)} of {part['count']} in {len(groups)} group(s))"
            )
        whole = copy.deepcopy(run[0])
        whole["data"] = type(run[0]["data"])({"text/html": _joined(run)})
        whole["metadata"] = type(run[0]["metadata"])()
        merged.append(whole)
        run = []
    if run:
        raise ValueError(f"notebook output parts {PART_KEY!r}: the last part is missing")
    return merged


def merge_chart_parts(notebook: Any) -> Any:
    """A copy of ``notebook`` whose charts' parts are joined back into one HTML output each.

    Parameters
    ----------
    notebook : nbformat.NotebookNode
        An executed notebook (not changed).

    Returns
    -------
    nbformat.NotebookNode
        The notebook with each cut fragment (:func:`display_parts`) as one ``text/html``
        display output, as if it had been displayed whole.

    Raises
    ------
    ValueError
        When a fragment's parts are incomplete or out of order.
    """
    merged = copy.deepcopy(notebook)
    for cell in merged.get("cells", []):
        if cell.get("outputs"):
            cell["outputs"] = _merged_outputs(cell["outputs"])
    return merged
