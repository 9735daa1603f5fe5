"""Producing one county's report folder: notebook → HTML, PDF, form, manifest (atomically).

:func:`produce_report` executes the report notebook (``assets/notebooks/county_report.ipynb``) with
papermill for one parameter file, renders the executed notebook to ``report.html`` and
``report.pdf``, keeps the executed notebook, the statistics form and the key estimates the
notebook wrote, and records everything in ``manifest.json``. All of it is written into a temporary
folder beside the destination and moved into place only when complete, so an interrupted run
never leaves a half-written report. The files of a report folder are listed in
:mod:`auditlib.report.folder`.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from auditlib.data.fingerprint import file_sha256
from auditlib.errors import Problem, ReportError
from auditlib.pipeline.workspace import CountyWorkspace
from auditlib.report.folder import (
    ESTIMATES_FILE,
    FORM_FILE,
    HTML_FILE,
    NOTEBOOK_FILE,
    OUTPUT_FILES,
    PDF_FILE,
    notebook_template,
    output_name,
    place_outputs,
)
from auditlib.report.lock import county_lock
from auditlib.report.manifest import (
    MANIFEST_FILE,
    notebook_content_digest,
    package_versions,
    platform_facts,
    relative_locations,
    write_manifest,
)
from auditlib.report.pdf_text import pdf_text_digest
from auditlib.report.privacy import (
    Identities,
    guard_outputs,
    identities_in_folder,
    scan_files,
)
from auditlib.report.render import resolve_pdf_engine
from auditlib.report.report_kernel import ReportKernel
from auditlib.report.sources import (
    check_params_inputs,
    checked_verification_source,
    input_fingerprint_of,
)

_LOG = logging.getLogger("auditlib.report")
__all__ = ["ReportResult", "load_report_params", "produce_report"]


@dataclass(frozen=True)
class ReportResult:
    """What :func:`produce_report` made.

    Attributes
    ----------
    county_code : str
        County of the report.
    folder : pathlib.Path
        The report folder (``<output_root>/<county_code>``).
    outputs : dict of str to str
        SHA-256 of each output file.
    estimates : dict
        Key estimates (as in ``estimates.json``).
    seconds : dict of str to float
        Wall time of each step (``notebook``, ``html``, ``pdf``, ``total``).
    skipped : bool
        True when the report was already current and nothing was run.
    pdf_engine : str
        The engine that made the PDF (``"weasyprint"``, ``"chromium"``; ``""``: no PDF).
    """

    county_code: str
    folder: Path
    outputs: Mapping[str, str] = field(default_factory=dict)
    estimates: Mapping[str, Any] = field(default_factory=dict)
    seconds: Mapping[str, float] = field(default_factory=dict)
    skipped: bool = False
    pdf_engine: str = ""


def load_report_params(params_file: Path) -> Any:
    """The county's :class:`~auditlib.pipeline.params.AuditParams` (imported lazily: pandas,
    pydantic)."""
    from auditlib.pipeline.params import load_params  # pydantic, YAML: only when a report runs

    params = load_params(params_file)
    check_params_inputs(params)  # fail before the notebook starts
    return params


def _options(settings: _Settings) -> dict[str, Any]:
    """Options recorded in the manifest (the kernel is informative)."""
    options: dict[str, Any] = {
        "verification": settings.verification,
        "language": settings.language,
        "kernel": settings.kernel_name,
        "audit_root": str(settings.audit_root),
    }
    if settings.interim:
        options["interim"] = True
    if settings.from_recorded_sample:
        options["from_recorded_sample"] = True
    if settings.pdf:
        options["pdf_engine"] = settings.pdf_engine
    return options


def _privacy_guard(paths: list[Path], identities: Identities) -> None:
    """Refuse outputs that still hold a personal value (those that cannot be masked)."""
    findings = scan_files(paths, identities)
    if findings:
        problems = [Problem(f.file, None, None, f.masked, f"a masked {f.kind}") for f in findings]
        raise ReportError(
            f"the report would publish {len(findings)} unmasked personal value(s) (first: "
            f"{findings[0].describe()}); nothing was written. This is a bug: please report it",
            problems,
        )


def produce_report(
    params_file: str | Path,
    output_root: str | Path = "reports",
    *,
    restricted_root: str | Path = "restricted",
    audit_root: str | Path | None = None,
    verification: str = "simulate",
    language: str = "",
    interim: bool = False,
    from_recorded_sample: bool = False,
    kernel_name: str | None = None,
    cell_timeout: int = 600,
    pdf: bool = True,
    pdf_engine: str = "auto",
    kernel_manager: Any = None,
) -> ReportResult:
    """Make ``<output_root>/<county_code>/`` for one parameter file.

    Parameters
    ----------
    params_file : str or pathlib.Path
        ``params/<county_code>.yaml``.
    output_root : str or pathlib.Path
        Folder receiving one sub-folder per county.
    restricted_root : str or pathlib.Path
        Folder receiving the fieldwork worksheets (full identities), one sub-folder per county;
        never inside ``output_root``.
    audit_root : str or pathlib.Path, optional
        The county workspaces (``<audit_root>/<county_code>/sample``, ``results``); default
        ``audits`` beside ``output_root``.
    verification : str
        ``"simulate"`` (fieldwork simulated from the synthetic data's ground truth, as in the
        demo and training), ``"auto"``, ``"results"`` (the workspace's imported results),
        ``"data"`` (the ``verification`` table of the county data folder) or the path of a
        folder of filled worksheets / a verification file (relative to the working directory).
    interim : bool
        An interim report: results still pending count as non-response; page 1 and the file
        names say so (``report-interim.html``, ...).
    from_recorded_sample : bool
        Estimate from the recorded sample although the data changed since phase 1.
    language : {"", "zh", "en"}
        Report language; ``""`` takes it from the parameter file.
    kernel_name : str, optional
        Jupyter kernel (default :func:`auditlib.report.notebook_runner.default_kernel_name`).
    cell_timeout : int
        Seconds any notebook cell may run.
    pdf : bool
        Also render the PDF (default True).
    pdf_engine : {"auto", "weasyprint", "chromium"}
        PDF engine (:func:`auditlib.report.render.resolve_pdf_engine`; ``"auto"``: WeasyPrint
        when it loads, else Chromium); the one used is recorded in the manifest's options.
    kernel_manager : jupyter_client.KernelManager, optional
        A running kernel to reuse (batch workers); by default a fresh kernel per report, shut
        down as soon as the notebook has run.

    Returns
    -------
    ReportResult

    Raises
    ------
    AuditError
        Bad parameters or data (raised before a kernel starts or anything is written), or a
        failing notebook (:class:`ReportError` naming the cell and the error).
    """
    # deferred: jupyter_client, nbformat only when a report runs (not for verify, batch resume)
    from auditlib.report.kernel import default_kernel_name
    from auditlib.report.notebook_runner import skip_slow_iri_checker

    skip_slow_iri_checker()
    started = time.perf_counter()
    if language not in ("", "zh", "en"):
        raise ReportError(
            f"language must be 'zh' or 'en' (or empty for the params file's), got {language!r}"
        )
    engine = resolve_pdf_engine(pdf_engine) if pdf else ""  # none: fail before anything runs
    params_path = Path(params_file).resolve()
    params = load_report_params(params_path)
    if not Path(params.data).is_dir():
        raise ReportError(f"data folder {params.data} (from {params_path}) does not exist")
    output_root = Path(output_root).resolve()
    workspace = CountyWorkspace(
        params.county_code,
        audit_root=Path(audit_root).resolve() if audit_root else output_root.parent / "audits",
        restricted_root=Path(restricted_root).resolve(),
        report_root=output_root,
    ).check()
    settings = _Settings(
        restricted_root=workspace.restricted_root,
        audit_root=workspace.audit_root,
        verification=checked_verification_source(verification, Path(params.data), workspace),
        interim=interim,
        from_recorded_sample=from_recorded_sample,
        language=language or params.report.language,
        kernel_name=kernel_name or default_kernel_name(),
        cell_timeout=cell_timeout,
        pdf=pdf,
        pdf_engine=engine,
    )
    output_root.mkdir(parents=True, exist_ok=True)
    with county_lock(output_root, params.county_code):
        work = Path(tempfile.mkdtemp(prefix=f".partial-{params.county_code}-", dir=output_root))
        work.chmod(0o755)  # mkdtemp makes it private; a report folder is meant to be shared
        try:
            with ReportKernel(
                kernel_manager, settings.kernel_name, settings.cell_timeout, work
            ) as kernel:
                return _produce(params_path, params, output_root, work, settings, kernel, started)
        except BaseException:
            shutil.rmtree(work, ignore_errors=True)
            raise


@dataclass(frozen=True)
class _Settings:
    restricted_root: Path
    audit_root: Path
    verification: str
    interim: bool
    from_recorded_sample: bool
    language: str
    kernel_name: str
    cell_timeout: int
    pdf: bool
    pdf_engine: str = ""  # the engine resolved ("weasyprint", "chromium"); "" without a PDF


def _produce(
    params_path: Path,
    params: Any,
    output_root: Path,
    work: Path,
    settings: _Settings,
    kernel: ReportKernel,
    started: float,
) -> ReportResult:
    """Body of :func:`produce_report`, with a running kernel and the work folder."""
    # deferred: papermill, nbconvert, WeasyPrint while the kernel starts
    from auditlib.report.notebook_runner import execute_notebook
    from auditlib.report.render import html_to_pdf, notebook_to_html, warm_up

    template = notebook_template()
    seconds: dict[str, float] = {}
    # Hash the inputs, collect the data's identities (privacy guard) and warm the renderers up
    # while the kernel works.
    background = ThreadPoolExecutor(max_workers=1)
    fingerprint = background.submit(input_fingerprint_of, params_path, params, template)
    identities = background.submit(identities_in_folder, Path(params.data))
    renderers = background.submit(warm_up, settings.pdf_engine == "weasyprint")
    background.shutdown(wait=False)
    mark = time.perf_counter()
    _LOG.info("running the report notebook (%s)", settings.kernel_name, extra={"step": "notebook"})
    notebook = execute_notebook(
        template,
        {
            "params_file": str(params_path),
            "output_dir": ".",
            "audit_root": str(settings.audit_root),
            "restricted_root": str(settings.restricted_root),
            "verification": settings.verification,
            "language": settings.language,
            "interim": settings.interim,
            "from_recorded_sample": settings.from_recorded_sample,
        },
        cwd=work,
        kernel_name=settings.kernel_name,
        cell_timeout=settings.cell_timeout,
        kernel_manager=kernel.manager,
        fresh_kernel=kernel.fresh,
    )
    seconds["notebook"] = time.perf_counter() - mark
    kernel.release()
    renderers.result()
    import nbformat

    nbformat.write(notebook, str(work / NOTEBOOK_FILE))
    estimates_path = work / ESTIMATES_FILE
    if not estimates_path.is_file() or not (work / FORM_FILE).is_file():
        raise ReportError(
            f"notebook {template.name} ran but did not write {ESTIMATES_FILE} and "
            f"{FORM_FILE}; its last cells must call save_outputs(...)"
        )
    estimates = json.loads(estimates_path.read_text(encoding="utf-8"))
    mark = time.perf_counter()
    _LOG.info("rendering the HTML", extra={"step": "html"})
    title = str(estimates.get("title", params.county_code))
    html = notebook_to_html(notebook, title=title, language=settings.language)
    (work / HTML_FILE).write_text(html, encoding="utf-8")
    seconds["html"] = time.perf_counter() - mark
    # Personal values that reached a text output are masked there (and recorded); the PDF is
    # rendered from the masked HTML; what cannot be masked (PDF, xlsx) must hold none.
    guard = guard_outputs(sorted(work.iterdir()), identities.result())
    if guard.refused:
        _privacy_guard(sorted(work.iterdir()), identities.result())
    html = (work / HTML_FILE).read_text(encoding="utf-8")
    if settings.pdf:
        mark = time.perf_counter()
        _LOG.info("printing the PDF (%s)", settings.pdf_engine, extra={"step": "pdf"})
        html_to_pdf(html, work / PDF_FILE, engine=settings.pdf_engine)
        seconds["pdf"] = time.perf_counter() - mark
        _privacy_guard([work / PDF_FILE], identities.result())
    names = {name: output_name(name, interim=settings.interim) for name in OUTPUT_FILES}
    for name, final in names.items():
        if final != name and (work / name).is_file():
            os.replace(work / name, work / final)
    notebook_name = names[NOTEBOOK_FILE]
    outputs = {
        final: file_sha256(work / final) for final in names.values() if (work / final).is_file()
    }
    notebook_content = {notebook_name: "content:" + notebook_content_digest(work / notebook_name)}
    manifest_name = output_name(MANIFEST_FILE, interim=settings.interim)
    chromium = settings.pdf_engine == "chromium"  # not byte-reproducible: verify compares text
    pdf_text = {names[PDF_FILE]: pdf_text_digest(work / names[PDF_FILE])} if chromium else {}
    write_manifest(
        work / manifest_name,
        {
            "county_code": params.county_code,
            "county": estimates.get("county", ""),
            "params_file": str(params_path),
            # a copy keeping the layout is verified where it is (auditlib verify)
            "relative_paths": relative_locations(
                output_root / params.county_code, params_path, Path(params.data)
            ),
            "parameters": params.model_dump(mode="json", exclude={"source"}),
            "seed": params.seed,
            "options": _options(settings),
            "notebook": template.name,
            "inputs": fingerprint.result(),
            "packages": package_versions(),
            "platform": platform_facts(settings.pdf_engine),
            "outputs": outputs,
            "notebook_content": notebook_content,
            "estimates": estimates.get("estimates", {}),
            "privacy": guard.record(),
            **({"pdf_text": pdf_text} if pdf_text else {}),
        },
    )
    destination = output_root / params.county_code
    kernel.wait_released()
    place_outputs(work, destination, list(outputs), manifest_name)
    shutil.rmtree(work, ignore_errors=True)  # emptied: every file was moved into place
    seconds["total"] = time.perf_counter() - started
    return ReportResult(
        county_code=params.county_code,
        folder=destination,
        outputs=outputs,
        estimates=estimates.get("estimates", {}),
        seconds=seconds,
        pdf_engine=settings.pdf_engine,
    )
