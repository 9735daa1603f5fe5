"""Small, deterministic HTML building blocks of the report (tables, key-figure cards).

Everything is escaped; numbers are formatted here only, so every section shows them alike.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pandas as pd

from auditlib.report.notebook_charts import display_parts

__all__ = [
    "Column",
    "Html",
    "escape",
    "format_count",
    "format_number",
    "format_percent",
    "format_yuan",
    "table_html",
]


@dataclass(frozen=True)
class Html:
    """An HTML fragment that Jupyter displays (and nbconvert copies into the report)."""

    html: str

    def _repr_html_(self) -> str:
        return self.html

    def _ipython_display_(self) -> None:
        """Each chart as an output of its own, with a PNG for notebooks that are not trusted.

        The HTML report joins the outputs back (:mod:`auditlib.report.notebook_charts`).
        """
        from IPython.display import publish_display_data  # only ever called inside a kernel

        for data, metadata in display_parts(self.html):
            publish_display_data(data, metadata=metadata or None)

    def __add__(self, other: Html) -> Html:
        return Html(self.html + "\n" + other.html)


def escape(value: object) -> str:
    """HTML-escape the text of ``value``."""
    return html.escape(str(value), quote=True)


def _missing(value: object) -> bool:
    if value is None or value is pd.NA:
        return True
    return isinstance(value, float) and math.isnan(value)


def format_percent(value: object, digits: int = 1) -> str:
    """``0.0312`` → ``"3.1%"``; missing → ``"—"``."""
    if _missing(value):
        return "—"
    return f"{float(value) * 100:.{digits}f}%"  # type: ignore[arg-type]


def format_yuan(value: object) -> str:
    """Whole yuan with thousands separators; missing → ``"—"``."""
    if _missing(value):
        return "—"
    return f"{float(value):,.0f}"  # type: ignore[arg-type]


def format_count(value: object) -> str:
    """Integer with thousands separators."""
    if _missing(value):
        return "—"
    return f"{round(float(value)):,}"  # type: ignore[arg-type]


def format_number(value: object, digits: int = 1) -> str:
    """Fixed decimals; missing → ``"—"``."""
    if _missing(value):
        return "—"
    return f"{float(value):,.{digits}f}"  # type: ignore[arg-type]


_FORMATS: dict[str, Callable[[object], str]] = {
    "text": lambda value: "" if _missing(value) else str(value),
    "count": format_count,
    "percent": format_percent,
    "yuan": format_yuan,
    "number": format_number,
    "number2": lambda value: format_number(value, 2),
}


def _list_html(items: object) -> str:
    """A cell's texts (list or tuple; one text alone) as an escaped ``<ul class="cell-list">``."""
    if isinstance(items, str):
        texts = [items]
    elif isinstance(items, list | tuple):
        texts = [str(item) for item in items]
    else:
        texts = []
    if not texts:
        return ""
    return '<ul class="cell-list">' + "".join(f"<li>{escape(t)}</li>" for t in texts) + "</ul>"


@dataclass(frozen=True)
class Column:
    """A table column: key in the frame, header text, and format kind.

    Kinds: ``text``, ``count``, ``percent``, ``yuan``, ``number``, ``number2`` and ``list`` (the
    cell holds a sequence of texts, shown as a bulleted list, one item per text).
    """

    key: str
    header: str
    kind: str = "text"
    nowrap: bool = False


def table_html(
    frame: pd.DataFrame,
    columns: Sequence[Column],
    *,
    row_classes: Sequence[str] | None = None,
    caption: str = "",
) -> str:
    """Render ``frame`` as an escaped HTML table with right-aligned numbers."""
    parts = ["<table>"]
    if caption:
        parts.append(f"<caption>{escape(caption)}</caption>")
    header_cells = "".join(
        f'<th class="{"text" if c.kind in ("text", "list") else "number"}">{escape(c.header)}</th>'
        for c in columns
    )
    parts.append(f"<thead><tr>{header_cells}</tr></thead><tbody>")
    records = frame.to_dict(orient="records")
    for index, record in enumerate(records):
        css = f' class="{escape(row_classes[index])}"' if row_classes and row_classes[index] else ""
        cells = []
        for column in columns:
            if column.kind == "list":
                cells.append(f'<td class="text">{_list_html(record.get(column.key))}</td>')
                continue
            value = _FORMATS[column.kind](record.get(column.key))
            kind = "text" if column.kind == "text" else "number"
            if column.nowrap:
                kind += " nowrap"
            cells.append(f'<td class="{kind}">{escape(value)}</td>')
        parts.append(f"<tr{css}>{''.join(cells)}</tr>")
    parts.append("</tbody></table>")
    return "".join(parts)
