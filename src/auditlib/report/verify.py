"""``auditlib verify``: check a published report against its manifest, then re-run and compare.

In this order, every difference being listed (exit code 1 for the command when there is any):

* the manifest itself — a manifest lacking a part or holding one of the wrong type is refused
  (:func:`auditlib.report.manifest.check_manifest`, exit code 2);
* the published files — each output on disk against the SHA-256 the manifest records (a file
  edited after the report was made "differs from its manifest");
* the parameters — the recorded seed and parameters against the parameter file's;
* the inputs — which parameter file, data file (and which columns and rows), notebook template
  or auditlib module changed since the report was made;
* the re-run — the report is made again into a temporary folder (the report folder and the
  restricted worksheets are left alone) and each output compared with the manifest's digest
  (the executed notebook without the injected parameters cell, whose only content is the paths
  the re-run was given), and every key estimate;
* the package versions (informative: a different version may legitimately change bytes).

The parameter file is, in this order of preference: the one given (``--params``), the one the
manifest records relative to the report folder (a copy keeping the layout), the absolute path
the manifest records. The data folder: the one given (``--data``), the parameter file's, the
one recorded relative to the report folder. Inputs are compared by content, never by path, so
a third party verifies their own copy.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from auditlib.data.fingerprint import file_sha256
from auditlib.errors import AuditError, Problem, ReportError
from auditlib.pipeline.params import load_params
from auditlib.report.folder import PDF_FILE, REPORT_NOTEBOOK, notebook_template, output_name
from auditlib.report.manifest import (
    MANIFEST_FILE,
    check_manifest,
    notebook_content_digest,
    package_versions,
    read_manifest,
)
from auditlib.report.manifest_compare import (
    Difference,
    compare_estimates,
    compare_inputs,
    compare_outputs,
    package_differences,
)
from auditlib.report.pdf_text import pdf_text_digest
from auditlib.report.produce import load_report_params, produce_report
from auditlib.report.sources import input_fingerprint_of

__all__ = [
    "VerifyResult",
    "compare_parameters",
    "published_differences",
    "report_is_current",
    "verify_report",
]


@dataclass(frozen=True)
class VerifyResult:
    """Outcome of :func:`verify_report`.

    Attributes
    ----------
    folder : pathlib.Path
        The report folder verified.
    inputs, outputs, estimates, packages : tuple of Difference
        Differences found (``outputs`` lists every output of the re-run, identical ones
        included; empty when there was no re-run).
    published : tuple of Difference
        Output files on disk that differ from the manifest's SHA-256 or are missing.
    parameters : tuple of Difference
        Recorded seed and parameters that differ from the parameter file's.
    params_file, data_folder : pathlib.Path or None
        The parameter file and data folder the check used.
    rerun : bool
        Whether the report was made again (False: files, parameters and inputs only).
    """

    folder: Path
    inputs: tuple[Difference, ...]
    outputs: tuple[Difference, ...]
    estimates: tuple[Difference, ...]
    packages: tuple[Difference, ...]
    published: tuple[Difference, ...] = ()
    parameters: tuple[Difference, ...] = ()
    params_file: Path | None = None
    data_folder: Path | None = None
    rerun: bool = True

    @property
    def differences(self) -> tuple[Difference, ...]:
        """Every difference found (package versions excepted: they are informative)."""
        changed = tuple(item for item in self.outputs if not item.detail.startswith("identical"))
        return self.published + self.parameters + self.inputs + changed + self.estimates

    @property
    def identical(self) -> bool:
        """True when nothing differs: published files, parameters, inputs, outputs, estimates.

        Without a re-run, the outputs and estimates are not checked (see :attr:`rerun`).
        """
        reproduced = not self.rerun or bool(self.outputs)
        return reproduced and not self.differences


def _output_digests(folder: Path, names: list[str], by_text: dict[str, str]) -> dict[str, str]:
    digests: dict[str, str] = {}
    for name in names:
        path = folder / name
        if not path.is_file():
            continue
        if name in by_text:  # a Chromium PDF: its text (its bytes carry a date)
            digests[name] = pdf_text_digest(path)
        elif name.endswith(".ipynb"):
            digests[name] = "content:" + notebook_content_digest(path)
        else:
            digests[name] = file_sha256(path)
    return digests


def published_differences(folder: Path, outputs: dict[str, str]) -> list[Difference]:
    """Output files of ``folder`` missing or not matching the SHA-256 the manifest records."""
    differences: list[Difference] = []
    for name in sorted(outputs):
        path = folder / name
        if not path.is_file():
            differences.append(Difference("published", name, "missing from the report folder"))
        elif file_sha256(path) != outputs[name]:
            differences.append(Difference("published", name, "differs from its manifest"))
    return differences


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, dict) and value:
        flat: dict[str, Any] = {}
        for key, item in value.items():
            flat |= _flatten(item, f"{prefix}.{key}" if prefix else str(key))
        return flat
    return {prefix: value}


def compare_parameters(manifest: dict[str, Any], current: dict[str, Any]) -> list[Difference]:
    """Recorded seed and parameters against the parameter file's (validated) content.

    Parameters
    ----------
    manifest : mapping
        A checked manifest (see :func:`check_manifest`).
    current : mapping
        ``AuditParams.model_dump(mode="json", exclude={"source"})`` of the parameter file.

    Notes
    -----
    ``data`` (a path) is not compared: the data folder is compared by content in the inputs.
    """
    differences = [
        Difference(
            "parameter",
            key,
            f"the manifest records {manifest[key]!r}, the parameter file has {current.get(key)!r}",
        )
        for key in ("seed", "county_code")
        if manifest[key] != current.get(key)
    ]
    old = _flatten({k: v for k, v in manifest["parameters"].items() if k != "data"})
    new = _flatten({k: v for k, v in current.items() if k != "data"})
    for name in sorted(set(old) | set(new)):
        before, after = old.get(name, "<absent>"), new.get(name, "<absent>")
        if before != after:
            detail = f"{before!r} in the manifest, {after!r} in the parameter file"
            differences.append(Difference("parameter", f"parameters.{name}", detail))
    return differences


def _params_file(
    folder: Path, manifest_path: Path, manifest: dict[str, Any], given: Path | None
) -> Path:
    if given is not None:
        if not given.is_file():
            raise ReportError(
                f"--params {given}: no such file; give your copy of the parameter file",
                [Problem(str(given), None, None, str(given), "an existing parameter file")],
            )
        return given.resolve()
    relative = manifest.get("relative_paths", {}).get("params_file")
    candidates = [folder / relative] if isinstance(relative, str) else []
    candidates.append(Path(manifest["params_file"]))
    for candidate in candidates:
        if candidate.is_file():
            return candidate.resolve()
    also = f" (or {relative} relative to the report folder)" if isinstance(relative, str) else ""
    raise ReportError(
        f"{manifest_path} names the parameter file {manifest['params_file']}{also}, which does "
        "not exist here; give your copy with --params FILE (and --data DIR if its data folder "
        "is elsewhere)",
        [
            Problem(
                str(manifest_path), None, "params_file", manifest["params_file"], "an existing file"
            )
        ],
    )


def _data_folder(folder: Path, manifest: dict[str, Any], params: Any, given: Path | None) -> Path:
    if given is not None:
        if not given.is_dir():
            raise ReportError(
                f"--data {given}: no such folder; give your copy of the county data folder",
                [Problem(str(given), None, None, str(given), "an existing data folder")],
            )
        return given.resolve()
    if Path(params.data).is_dir():
        return Path(params.data).resolve()
    relative = manifest.get("relative_paths", {}).get("data")
    if isinstance(relative, str) and (folder / relative).is_dir():
        return (folder / relative).resolve()
    raise ReportError(
        f"the data folder {params.data} (from {params.source}) does not exist here; give your "
        "copy of the county data with --data DIR",
        [Problem(str(params.source), None, "data", str(params.data), "an existing data folder")],
    )


def _rerun_params(params_file: Path, data_folder: Path, scratch: Path) -> Path:
    """The parameter file for the re-run: ``params_file`` itself, or a copy (same name) whose
    ``data`` is ``data_folder`` when that is not where the parameter file points."""
    if Path(load_params(params_file).data).resolve() == data_folder:
        return params_file
    content = yaml.safe_load(params_file.read_text(encoding="utf-8"))
    content["data"] = str(data_folder)
    copy = scratch / "params" / params_file.name
    copy.parent.mkdir(parents=True)
    copy.write_text(yaml.safe_dump(content, allow_unicode=True, sort_keys=False), "utf-8")
    return copy


def verify_report(
    folder: str | Path,
    *,
    kernel_name: str | None = None,
    params_file: str | Path | None = None,
    data_folder: str | Path | None = None,
    verification: str | None = None,
    rerun: bool = True,
) -> VerifyResult:
    """Check the report in ``folder`` against its manifest, re-run it and compare.

    Parameters
    ----------
    folder : str or pathlib.Path
        A report folder (``reports/<county_code>``) holding ``manifest.json`` (or an interim
        report's ``manifest-interim.json``).
    kernel_name : str, optional
        Jupyter kernel for the re-run (default: as :func:`auditlib.report.produce.produce_report`).
    params_file : str or pathlib.Path, optional
        The parameter file to use (a third party's copy); default: the manifest's, relative to
        the report folder first.
    data_folder : str or pathlib.Path, optional
        The county data folder to use; default: the parameter file's.
    verification : str, optional
        Verification source of the re-run (your copy of the filled worksheets or verification
        file); default: the one the manifest records.
    rerun : bool
        Make the report again and compare outputs and estimates (default True); False checks
        the published files, parameters and inputs only.

    Raises
    ------
    ReportError
        No manifest, a manifest lacking a part, or no parameter file or data folder found.
    """
    folder = Path(folder).resolve()
    interim_name = output_name(MANIFEST_FILE, interim=True)
    interim = not (folder / MANIFEST_FILE).is_file() and (folder / interim_name).is_file()
    manifest_path = folder / (interim_name if interim else MANIFEST_FILE)
    manifest = read_manifest(folder, manifest_path.name)
    check_manifest(manifest, manifest_path)
    recorded: dict[str, str] = manifest["outputs"]
    published = published_differences(folder, recorded)
    params_path = _params_file(folder, manifest_path, manifest, _path(params_file))
    params = load_params(params_path)
    data_path = _data_folder(folder, manifest, params, _path(data_folder))
    parameters = compare_parameters(manifest, params.model_dump(mode="json", exclude={"source"}))
    options: dict[str, Any] = manifest["options"]
    template = notebook_template(manifest.get("notebook", REPORT_NOTEBOOK))
    inputs = compare_inputs(
        manifest["inputs"], input_fingerprint_of(params_path, params, template, data_path)
    )
    outputs: list[Difference] = []
    estimates: list[Difference] = []
    if rerun:
        names = sorted(recorded)
        recorded_digests = {name: recorded[name] for name in names if not name.endswith(".ipynb")}
        recorded_digests |= {
            name: manifest.get("notebook_content", {}).get(name, recorded[name])
            for name in names
            if name.endswith(".ipynb")
        }
        by_text: dict[str, str] = manifest.get("pdf_text", {})
        recorded_digests |= by_text
        scratch = Path(tempfile.mkdtemp(prefix="auditlib-verify-"))
        try:
            rerun_params = _rerun_params(params_path, data_path, scratch)
            # The re-run reads the recorded sample and results of the county workspace (phase 2
            # writes nothing there); without one (a copy elsewhere) it draws the sample again
            # in the scratch folder, from the same data and seed.
            workspace = Path(str(options.get("audit_root", "")))
            has_sample = (workspace / params.county_code / "sample").is_dir()
            result = produce_report(
                rerun_params,
                scratch / "reports",
                restricted_root=scratch / "restricted",
                audit_root=workspace if has_sample else scratch / "audits",
                verification=verification or str(options.get("verification", "simulate")),
                language=str(options.get("language", "")),
                kernel_name=kernel_name,
                pdf=output_name(PDF_FILE, interim=interim) in recorded,
                pdf_engine=str(options.get("pdf_engine", "weasyprint")),  # the one recorded
                interim=bool(options.get("interim", False)),
                # changed data would stop phase 2: the re-run then reports from the recorded
                # sample and the differences are listed as inputs and outputs
                from_recorded_sample=bool(options.get("from_recorded_sample", False))
                or any(item.kind == "input" for item in inputs),
            )
            current = _output_digests(result.folder, names, by_text)
            outputs = compare_outputs(recorded_digests, current, by_text=by_text)
            estimates = compare_estimates(manifest["estimates"], dict(result.estimates))
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    packages = package_differences(manifest.get("packages", {}), package_versions())
    return VerifyResult(
        folder,
        tuple(inputs),
        tuple(outputs),
        tuple(estimates),
        tuple(packages),
        published=tuple(published),
        parameters=tuple(parameters),
        params_file=params_path,
        data_folder=data_path,
        rerun=rerun,
    )


def _path(value: str | Path | None) -> Path | None:
    return None if value is None else Path(value)


def report_is_current(
    params_file: Path,
    output_root: Path,
    *,
    verification: str = "simulate",
    language: str = "",
    pdf: bool = True,
    pdf_engine: str = "weasyprint",
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
        check_manifest(manifest, folder / MANIFEST_FILE)
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
    if (PDF_FILE in manifest.get("outputs", {})) != pdf or (
        pdf and recorded_options.get("pdf_engine", "weasyprint") != pdf_engine  # resolved
    ):
        return False
    for name, digest in manifest.get("outputs", {}).items():
        path = folder / name
        if not path.is_file() or file_sha256(path) != digest:
            return False
    return True
