"""``auditlib verify``: re-run a report from its manifest and say what, if anything, differs.

The re-run uses the parameter file, verification source and language recorded in the manifest,
writes into a temporary folder (the report folder and the restricted worksheets are left
alone), and compares:

* the inputs — which parameter file, data file (and which columns and rows) or notebook
  template changed since the report was made;
* the outputs — per file, identical or different. The executed notebook is compared without
  the injected parameters cell, whose only content is the paths the re-run was given;
* the key estimates — each changed number with its old and new value;
* the package versions (informative: a different version may legitimately change bytes).
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from auditlib.data.fingerprint import file_sha256
from auditlib.errors import AuditError, ReportError
from auditlib.pipeline.params import load_params
from auditlib.report.folder import PDF_FILE, REPORT_NOTEBOOK, notebook_template, output_name
from auditlib.report.manifest import (
    MANIFEST_FILE,
    Difference,
    compare_estimates,
    compare_inputs,
    compare_outputs,
    input_fingerprint,
    notebook_content_digest,
    package_differences,
    package_versions,
    read_manifest,
)
from auditlib.report.produce import input_fingerprint_of, load_report_params, produce_report

__all__ = ["VerifyResult", "report_is_current", "verify_report"]


@dataclass(frozen=True)
class VerifyResult:
    """Outcome of :func:`verify_report`.

    Attributes
    ----------
    folder : pathlib.Path
        The report folder verified.
    inputs, outputs, estimates, packages : tuple of Difference
        Differences found (``outputs`` lists every output, identical ones included).
    """

    folder: Path
    inputs: tuple[Difference, ...]
    outputs: tuple[Difference, ...]
    estimates: tuple[Difference, ...]
    packages: tuple[Difference, ...]

    @property
    def identical(self) -> bool:
        """True when every output is identical and no estimate changed."""
        return not self.estimates and all(item.detail == "identical" for item in self.outputs)


def _output_digests(folder: Path, names: list[str]) -> dict[str, str]:

    digests: dict[str, str] = {}
    for name in names:
        path = folder / name
        if not path.is_file():
            continue
        if name.endswith(".ipynb"):
            digests[name] = "content:" + notebook_content_digest(path)
        else:
            digests[name] = file_sha256(path)
    return digests


def verify_report(folder: str | Path, *, kernel_name: str | None = None) -> VerifyResult:
    """Re-run the report in ``folder`` from its manifest and compare.

    Parameters
    ----------
    folder : str or pathlib.Path
        A report folder (``reports/<county_code>``) holding ``manifest.json``.
    kernel_name : str, optional
        Jupyter kernel for the re-run (default: as :func:`auditlib.report.produce.produce_report`).

    Raises
    ------
    ReportError
        No manifest, or the parameter file it names no longer exists.
    """

    folder = Path(folder).resolve()
    interim_name = output_name(MANIFEST_FILE, interim=True)
    interim = not (folder / MANIFEST_FILE).is_file() and (folder / interim_name).is_file()
    manifest = read_manifest(folder, interim_name if interim else MANIFEST_FILE)
    params_file = Path(manifest["params_file"])
    if not params_file.is_file():
        raise ReportError(
            f"{folder}/manifest.json names the parameter file {params_file}, which no longer "
            "exists; restore it to verify the report"
        )
    options: dict[str, Any] = manifest.get("options", {})
    params = load_params(params_file)
    template = notebook_template(manifest.get("notebook", "county_report.ipynb"))
    current_inputs = input_fingerprint(params_file, Path(params.data), [template])
    inputs = compare_inputs(manifest["inputs"], current_inputs)
    recorded = manifest.get("outputs", {})
    names = sorted(recorded)
    recorded_digests = {name: recorded[name] for name in names if not name.endswith(".ipynb")} | {
        name: manifest.get("notebook_content", {}).get(name, recorded[name])
        for name in names
        if name.endswith(".ipynb")
    }
    recorded_workspace = Path(str(options.get("audit_root", "")))
    scratch = Path(tempfile.mkdtemp(prefix="auditlib-verify-"))
    try:
        # The re-run reads the recorded sample and results of the county workspace (phase 2
        # writes nothing there); without one it draws the sample again in the scratch folder.
        rerun = produce_report(
            params_file,
            scratch / "reports",
            restricted_root=scratch / "restricted",
            audit_root=recorded_workspace if recorded_workspace.is_dir() else scratch / "audits",
            verification=str(options.get("verification", "simulate")),
            language=str(options.get("language", "")),
            kernel_name=kernel_name,
            pdf=output_name(PDF_FILE, interim=interim) in recorded,
            interim=bool(options.get("interim", False)),
            # changed data would stop phase 2: the re-run then reports from the recorded sample
            # and the differences are listed as inputs and outputs
            from_recorded_sample=bool(options.get("from_recorded_sample", False))
            or any(item.kind == "input" for item in inputs),
        )
        current_digests = _output_digests(rerun.folder, names)
        outputs = compare_outputs(recorded_digests, current_digests)
        estimates = compare_estimates(manifest.get("estimates", {}), dict(rerun.estimates))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    packages = package_differences(manifest.get("packages", {}), package_versions())
    return VerifyResult(folder, tuple(inputs), tuple(outputs), tuple(estimates), tuple(packages))


def report_is_current(
    params_file: Path,
    output_root: Path,
    *,
    verification: str = "simulate",
    language: str = "",
    pdf: bool = True,
) -> bool:
    """Whether ``output_root/<county>`` holds a complete report made from the current inputs.

    True when its manifest's inputs, options and package versions equal the current ones and
    every output file still has the recorded SHA-256 (used by ``batch`` to resume).
    """

    try:
        params = load_report_params(params_file)
        folder = output_root / params.county_code
        manifest = read_manifest(folder)
        template = notebook_template(manifest.get("notebook", REPORT_NOTEBOOK))
        current = input_fingerprint_of(params_file, params, template)
    except AuditError:
        return False
    if compare_inputs(manifest["inputs"], current):
        return False
    recorded_options = manifest.get("options", {})
    effective_language = language or params.report.language
    if (recorded_options.get("verification"), recorded_options.get("language")) != (
        verification,
        effective_language,
    ):
        return False
    if manifest.get("packages") != package_versions():
        return False
    if (PDF_FILE in manifest.get("outputs", {})) != pdf:
        return False
    for name, digest in manifest.get("outputs", {}).items():
        path = folder / name
        if not path.is_file() or file_sha256(path) != digest:
            return False
    return True
