"""Rendering an executed report notebook to a self-contained HTML file and an A4 PDF.

The HTML comes from nbconvert with auditlib's own template (``templates/auditlib_report``): code
hidden, no script, no style sheet or font fetched from any address, figures inline as SVG. The PDF
is a rendering of the same HTML with the bundled Chinese font (:mod:`auditlib.report.fonts`)
declared by ``@font-face``, so it looks the same on every machine, by one of two engines
(:data:`PDF_ENGINES`): WeasyPrint (byte-reproducible; needs the Pango libraries) or a headless
Chromium, Chrome or Edge (:mod:`auditlib.report.pdf_chromium`; for machines without Pango, such
as most Windows installations). ``"auto"`` takes WeasyPrint when it loads, Chromium otherwise.
"""

from __future__ import annotations

import gc
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

from auditlib.errors import ReportError
from auditlib.report.fonts import font_face_css
from auditlib.report.notebook_charts import merge_chart_parts
from auditlib.report.package_data import asset_path
from auditlib.report.pdf_chromium import find_browser, print_to_pdf, searched_places

__all__ = [
    "PDF_ENGINES",
    "REPORT_ONLY_TAGS",
    "html_to_pdf",
    "network_references",
    "notebook_to_html",
    "resolve_pdf_engine",
    "warm_up",
    "weasyprint_problem",
]

#: Names of the PDF engines :func:`html_to_pdf` accepts.
PDF_ENGINES = ("auto", "weasyprint", "chromium")
_INSTALL_HINT = (
    "install WeasyPrint with its Pango libraries "
    "(https://doc.courtbouillon.org/weasyprint/stable/first_steps.html), or Chromium, Google "
    "Chrome or Microsoft Edge (--pdf-engine chromium), or make the report without a PDF "
    "(--no-pdf)"
)


#: Cells with one of these tags are kept in the executed notebook but left out of the report.
REPORT_ONLY_TAGS = frozenset(
    {"analyst-note", "remove-from-report", "parameters", "injected-parameters"}
)

_SVG_NAMESPACES = re.compile(r'\s+xmlns(?::xlink)?="http://www\.w3\.org/(?:2000/svg|1999/xlink)"')
_SVG_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.DOTALL)
_RESOURCE_REFERENCE = re.compile(
    r"""(?:\b(?:src|href|srcset|data|poster|action)\s*=\s*["']?\s*(?:https?:)?//[^"'\s>]*)"""
    r"""|(?:url\(\s*["']?\s*(?:https?:)?//[^)"']*)"""
    r"""|(?:@import\s+["']?(?:url\()?\s*["']?(?:https?:)?//[^;"')]*)""",
    re.IGNORECASE,
)


def network_references(html: str) -> list[str]:
    """Return every reference in ``html`` that would make a browser fetch a network address.

    Looks at ``src``/``href``/``srcset``/``data`` attributes, CSS ``url(...)`` and ``@import``
    whose target is ``http://``, ``https://`` or protocol-relative (``//host``).
    """
    return [match.group(0) for match in _RESOURCE_REFERENCE.finditer(html)]


def _inline_svg(html: str) -> str:
    # Inline SVG in HTML5 needs no namespace declarations; the RDF metadata block only names
    # schema addresses. Removing both leaves the report without any "http://" text at all.
    html = _SVG_METADATA.sub("", html)
    return _SVG_NAMESPACES.sub("", html)


def notebook_to_html(notebook: Any, *, title: str, language: str = "zh") -> str:
    """Render an executed notebook to the report HTML.

    Parameters
    ----------
    notebook : nbformat.NotebookNode
        The executed report notebook.
    title : str
        Text of the ``<title>`` element.
    language : {"zh", "en"}
        Report language (sets ``<html lang>``).

    Returns
    -------
    str
        The HTML document.

    Raises
    ------
    ReportError
        When the rendered document would fetch anything from a network address.
    """
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor
    from traitlets.config import Config

    config = Config()
    config.TemplateExporter.exclude_input = True
    config.TemplateExporter.exclude_input_prompt = True
    config.TemplateExporter.exclude_output_prompt = True
    config.HTMLExporter.extra_template_basedirs = [str(asset_path("templates"))]
    config.HTMLExporter.template_name = "auditlib_report"
    config.HTMLExporter.embed_images = True
    exporter = HTMLExporter(config=config)
    remover = TagRemovePreprocessor(remove_cell_tags=set(REPORT_ONLY_TAGS), enabled=True)
    exporter.register_preprocessor(remover, enabled=True)
    resources = {
        "report_css": asset_path("templates", "report.css").read_text(encoding="utf-8"),
        "report_language": "zh-CN" if language == "zh" else "en",
        "report_title": title,
    }
    body, _ = exporter.from_notebook_node(merge_chart_parts(notebook), resources=resources)
    html = _inline_svg(body)
    found = network_references(html)
    if found:
        raise ReportError(
            "the report HTML would fetch resources from the network "
            f"({len(found)} reference(s), first: {found[0][:120]!r}); "
            "reports must open offline"
        )
    return html


def weasyprint_problem() -> str | None:
    """Why WeasyPrint cannot be used here (its import error), or None when it loads.

    WeasyPrint raises :class:`ImportError` when it is not installed and :class:`OSError` when
    its Pango libraries are missing (the usual case on Windows).
    """
    try:
        import weasyprint  # noqa: F401  (loads Pango: the check is the import itself)
    except (ImportError, OSError) as error:
        return f"{type(error).__name__}: {str(error).strip().splitlines()[0][:200]}"
    return None


def resolve_pdf_engine(engine: str = "auto") -> str:
    """The PDF engine that :func:`html_to_pdf` will use for ``engine`` on this machine.

    Parameters
    ----------
    engine : {"auto", "weasyprint", "chromium"}
        ``"auto"``: WeasyPrint when it can be imported with its libraries, else Chromium.

    Returns
    -------
    str
        ``"weasyprint"`` or ``"chromium"``.

    Raises
    ------
    ReportError
        An unknown engine name, or the engine asked for (with ``"auto"``: both) not available,
        saying what to install or to use ``--no-pdf``.
    """
    if engine not in PDF_ENGINES:
        raise ReportError(
            f"pdf_engine must be one of {', '.join(map(repr, PDF_ENGINES))}, got {engine!r}"
        )
    if engine in ("auto", "weasyprint"):
        problem = weasyprint_problem()
        if problem is None:
            return "weasyprint"
        if engine == "weasyprint":
            raise ReportError(
                f"the PDF engine 'weasyprint' cannot be loaded here ({problem}); " + _INSTALL_HINT
            )
    if find_browser() is not None:
        return "chromium"
    if engine == "chromium":
        raise ReportError(
            "the PDF engine 'chromium' needs Chromium, Google Chrome or Microsoft Edge, and "
            f"none was found (looked for {searched_places()}); install one, use "
            "--pdf-engine weasyprint, or make the report without a PDF (--no-pdf)"
        )
    raise ReportError(
        f"no PDF engine is available: WeasyPrint cannot be loaded ({weasyprint_problem()}) and "
        f"no Chromium, Chrome or Edge was found (looked for {searched_places()}); " + _INSTALL_HINT
    )


def html_to_pdf(html: str, target: Path, *, engine: str = "auto") -> str:
    """Render report HTML to an A4 PDF with the bundled font embedded.

    Parameters
    ----------
    html : str
        The report HTML (as returned by :func:`notebook_to_html`).
    target : pathlib.Path
        PDF file to write.
    engine : {"auto", "weasyprint", "chromium"}
        PDF engine (see :func:`resolve_pdf_engine`).

    Returns
    -------
    str
        The engine used: ``"weasyprint"`` or ``"chromium"``.

    Raises
    ------
    ReportError
        No engine available, or the rendering failed (naming the file).
    """
    used = resolve_pdf_engine(engine)
    if used == "chromium":
        browser = find_browser()
        if browser is None:  # removed since resolve_pdf_engine found it
            raise ReportError(f"the browser that was to print {target.name} is gone")
        document = _pdf_document(html, "@page { size: A4; }")
        found = network_references(document)
        if found:  # the HTML is checked when rendered; a caller's own HTML may not be
            raise ReportError(f"{target.name}: the HTML refers to a network address ({found[0]})")
        print_to_pdf(document, target, browser=browser)
        return used
    try:
        _write_pdf(html, target)
    except Exception as error:  # WeasyPrint raises many types; name the file
        raise ReportError(f"could not render the PDF {target}: {error}") from error
    return used


def _pdf_document(html: str, extra_css: str = "") -> str:
    """The report HTML with the bundled font's ``@font-face`` and the PDF-only style."""
    # One face only (bold would be a second synthetic face, subset and embedded again).
    font_rule = f"<style>{font_face_css()}\n{_PDF_ONLY_CSS}{extra_css}</style>"
    return html.replace("</head>", font_rule + "\n</head>", 1)


def _write_pdf(html: str, target: Path | None) -> bytes | None:
    """WeasyPrint on the report HTML plus the PDF-only style; bytes when ``target`` is None."""
    import weasyprint

    document = _pdf_document(html)
    base_url = str(target.parent) if target is not None else None
    with _fixed_source_date(), _collector_paused():
        written: bytes | None = weasyprint.HTML(string=document, base_url=base_url).write_pdf(
            target
        )
    return written


@cache
def warm_up(pdf: bool = True) -> None:
    """Render an empty report once, to pay the renderers' one-time costs in advance.

    The first rendering in a process loads nbconvert's templates, initialises Pango and
    fontconfig and reads the bundled font (about 1 s, against 0.2 s HTML and 0.8 s PDF for a
    small county's report afterwards). :func:`auditlib.report.produce.produce_report` calls this in
    a background thread while the notebook runs. Nothing is written; later calls do nothing.

    Parameters
    ----------
    pdf : bool
        Also warm WeasyPrint up (only the HTML renderer otherwise).
    """
    import nbformat

    with _collector_paused():  # mostly imports: little garbage
        html = notebook_to_html(nbformat.v4.new_notebook(), title="warm-up", language="zh")
    if pdf:
        _write_pdf(html.replace("</body>", "<p>县 1</p></body>", 1), None)


_PDF_ONLY_CSS = (
    "b, strong, th, h1, h2, h3, .key-figure .value, .key-figure .label { font-weight: normal; }\n"
    "html, code, pre, kbd, samp, tt { font-family: 'Auditlib Sans SC'; }"
)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while WeasyPrint lays out the document.

    WeasyPrint allocates hundreds of thousands of objects; in a process that already holds
    papermill, nbconvert and a notebook, every collection they trigger traverses all of it
    (a 5-page report took 1.2 s instead of 0.8 s). What the layout leaves behind in cycles is
    collected as soon as the collector is on again.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@contextmanager
def _fixed_source_date() -> Iterator[None]:
    """Pin fontTools' font timestamps (SOURCE_DATE_EPOCH) so the PDF bytes are reproducible."""
    previous = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = "0"
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = previous
