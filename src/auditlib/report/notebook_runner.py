"""Executing parameterised notebooks with papermill, strictly and reproducibly.

papermill alone silently runs a notebook without a ``parameters`` cell on its defaults, only
warns about a misspelt parameter, injects non-ASCII strings as ``\\u`` escapes, and records
timestamps and random cell ids. :func:`execute_notebook` closes each of these gaps:

* the template must have a cell tagged ``parameters`` and every parameter passed must be declared
  there (else :class:`~auditlib.errors.ReportError` naming the unknown and the known names);
* values are injected with Python ``repr`` (Chinese stays readable: ``county = "新邵县"``);
* the kernel is named explicitly and written into the notebook's kernelspec;
* each cell has an execution timeout;
* cell ids are deterministic and timing metadata is removed, so the same inputs give a
  byte-identical executed notebook.

Kernels are started by :mod:`auditlib.report.kernel`.
"""

from __future__ import annotations

import copy
import logging
import re
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from auditlib.errors import ReportError
from auditlib.report.kernel import KERNEL_ARGUMENTS, default_kernel_name, prepare_reused_kernel

#: Progress of a notebook run: one INFO record per executed code cell, with
#: ``extra={"progress": (done, total)}`` (what ``auditlib report`` shows as a progress bar).
LOG = logging.getLogger("auditlib.report")

__all__ = [
    "DEFAULT_CELL_TIMEOUT",
    "execute_notebook",
    "normalise_notebook",
    "notebook_parameters",
    "parameters_source",
    "read_notebook",
    "skip_slow_iri_checker",
]

#: Seconds a single cell may run before the execution is abandoned.
DEFAULT_CELL_TIMEOUT = 600
_VOLATILE_PAPERMILL_KEYS = ("start_time", "end_time", "duration", "input_path", "output_path")
_ID_SAFE = re.compile(r"[^A-Za-z0-9_-]+")


def skip_slow_iri_checker() -> None:
    """Keep jsonschema from building its IRI format checker, which costs 1-2 s per process.

    nbformat validates notebooks with jsonschema, and jsonschema's ``format-nongpl`` extra
    (installed by the Jupyter packages) imports ``rfc3987_syntax`` at import time, which compiles
    about 35 Lark grammars (python-jsonschema/jsonschema#1428). No notebook schema uses the
    ``iri`` formats, so the runner marks that module as absent before jsonschema is first
    imported; jsonschema then simply has no ``iri`` checker. Nothing changes in a process that
    has already imported jsonschema (JupyterLab, for instance).
    """
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]


def read_notebook(path: Path) -> Any:
    """Read a notebook file (nbformat 4), with a clear error when it is missing or invalid."""
    skip_slow_iri_checker()
    import nbformat

    try:
        return nbformat.read(str(path), as_version=4)
    except FileNotFoundError as error:
        raise ReportError(f"notebook template {path} does not exist") from error
    except Exception as error:  # nbformat raises several types for malformed JSON
        raise ReportError(f"notebook {path} is not a valid notebook: {error}") from error


def notebook_parameters(path: Path) -> dict[str, dict[str, Any]]:
    """Parameters declared in the notebook's ``parameters`` cell.

    Returns
    -------
    dict
        ``name -> {name, inferred_type_name, default, help}`` (from ``papermill.inspect_notebook``).

    Raises
    ------
    ReportError
        When the notebook has no cell tagged ``parameters``.
    """
    skip_slow_iri_checker()
    import papermill

    notebook = read_notebook(path)
    if not any("parameters" in cell.metadata.get("tags", []) for cell in notebook.cells):
        raise ReportError(
            f"notebook {path} has no cell tagged 'parameters'; papermill would silently run it "
            "on its defaults. Tag the cell that assigns the parameters with 'parameters'"
        )
    if not notebook.metadata.get("kernelspec", {}).get("name"):
        raise ReportError(
            f"notebook {path} names no kernel (metadata.kernelspec.name); open it in JupyterLab, "
            "choose a Python kernel and save it"
        )
    return dict(papermill.inspect_notebook(str(path)))


def parameters_source(parameters: Mapping[str, Any]) -> str:
    """Python source assigning ``parameters``, readable for non-ASCII text.

    >>> print(parameters_source({"county": "新邵县", "seed": 7}))
    # Parameters
    county = '新邵县'
    seed = 7
    """
    lines = ["# Parameters"]
    for name, value in parameters.items():
        if not name.isidentifier():
            raise ReportError(f"parameter name {name!r} is not a valid Python identifier")
        _check_literal(name, value)
        lines.append(f"{name} = {value!r}")
    return "\n".join(lines)


def _check_literal(name: str, value: Any) -> None:
    if value is None or isinstance(value, bool | int | float | str):
        return
    if isinstance(value, list | tuple):
        for item in value:
            _check_literal(name, item)
        return
    if isinstance(value, dict):
        for key, item in value.items():
            _check_literal(name, key)
            _check_literal(name, item)
        return
    raise ReportError(
        f"parameter {name!r} has type {type(value).__name__}; expected str, int, float, bool, "
        "None, or a list/dict of these"
    )


def _inject(notebook: Any, parameters: Mapping[str, Any], kernel_name: str) -> Any:
    import nbformat

    injected = nbformat.v4.new_code_cell(source=parameters_source(parameters))
    injected.metadata["tags"] = ["injected-parameters"]
    cells = [
        cell
        for cell in notebook.cells
        if "injected-parameters" not in cell.metadata.get("tags", [])
    ]
    position = next(
        index for index, cell in enumerate(cells) if "parameters" in cell.metadata.get("tags", [])
    )
    notebook.cells = [*cells[: position + 1], injected, *cells[position + 1 :]]
    notebook.metadata["kernelspec"] = {
        "name": kernel_name,
        "display_name": f"{kernel_name} (Python 3)",
        "language": "python",
    }
    notebook.metadata.setdefault("papermill", {})["parameters"] = dict(parameters)
    return notebook


def normalise_notebook(notebook: Any) -> Any:
    """Make a notebook deterministic: stable cell ids, no timestamps or durations.

    Cell ids become ``cell-<index>`` (plus the first tag, e.g. ``cell-03-parameters``); execution
    counts are renumbered from 1 (a reused kernel continues counting); papermill's
    start/end times and durations, nbclient's execution timings and the input/output paths are
    removed. Returns the same (modified) notebook.
    """
    count = 0
    for cell in notebook.cells:
        if cell.get("cell_type") == "code" and cell.get("execution_count") is not None:
            count += 1
            cell["execution_count"] = count
            for output in cell.get("outputs", []):
                if "execution_count" in output:
                    output["execution_count"] = count
    for index, cell in enumerate(notebook.cells):
        tags = cell.metadata.get("tags", [])
        suffix = "-" + _ID_SAFE.sub("-", tags[0]) if tags else ""
        cell["id"] = f"cell-{index:02d}{suffix}"
        cell.metadata.pop("execution", None)
        papermill_metadata = cell.metadata.get("papermill")
        if isinstance(papermill_metadata, dict):
            for key in _VOLATILE_PAPERMILL_KEYS:
                papermill_metadata.pop(key, None)
    papermill_metadata = notebook.metadata.get("papermill")
    if isinstance(papermill_metadata, dict):
        for key in _VOLATILE_PAPERMILL_KEYS:
            papermill_metadata.pop(key, None)
        papermill_metadata.pop("environment_variables", None)
    notebook.metadata.get("widgets", {}).clear()
    return notebook


def _cell_progress(notebook: Any) -> Any:
    """nbclient hook logging each executed code cell as ``done of total``."""
    code = [i for i, cell in enumerate(notebook.cells) if cell.cell_type == "code"]
    ordinal = {index: position + 1 for position, index in enumerate(code)}

    def executed(cell: Any, cell_index: int, **_: Any) -> None:
        done = ordinal.get(cell_index, 0)
        LOG.info("notebook cell %d of %d", done, len(code), extra={"progress": (done, len(code))})

    return executed


def execute_notebook(
    template: Path,
    parameters: Mapping[str, Any],
    *,
    cwd: Path,
    kernel_name: str | None = None,
    cell_timeout: int = DEFAULT_CELL_TIMEOUT,
    start_timeout: int = 120,
    kernel_manager: Any = None,
    fresh_kernel: bool = False,
) -> Any:
    """Execute a notebook template with parameters; return the normalised executed notebook.

    Parameters
    ----------
    template : pathlib.Path
        The notebook, with a cell tagged ``parameters``.
    parameters : mapping
        Values to inject; each name must be declared in the ``parameters`` cell.
    cwd : pathlib.Path
        Working directory of the kernel (relative paths in parameters resolve against it).
    kernel_name : str, optional
        Kernel to run; default :func:`default_kernel_name`.
    cell_timeout : int
        Seconds any single cell may run.
    start_timeout : int
        Seconds to wait for the kernel to start.
    kernel_manager : jupyter_client.KernelManager, optional
        A running kernel to reuse (batch workers): its namespace is reset and its working
        directory set to ``cwd`` first; it is left running afterwards.
    fresh_kernel : bool
        True when ``kernel_manager`` was started by :func:`start_kernel` in ``cwd`` and has run
        no cell yet: it needs no reset, so the notebook's cells queue right behind the
        kernel's preload instead of behind a reset as well.

    Raises
    ------
    ReportError
        Missing ``parameters`` cell, unknown parameter, a cell that raised (the message names
        the cell, the error type and its message) or timed out.
    """
    skip_slow_iri_checker()
    import papermill
    from papermill.exceptions import PapermillExecutionError

    declared = notebook_parameters(template)
    unknown = sorted(set(parameters) - set(declared))
    if unknown:
        raise ReportError(
            f"unknown parameter(s) {', '.join(map(repr, unknown))} for notebook {template}; "
            f"its parameters cell declares: {', '.join(sorted(declared)) or '(none)'}"
        )
    kernel = kernel_name or default_kernel_name()
    notebook = _inject(copy.deepcopy(read_notebook(template)), parameters, kernel)
    options: dict[str, Any] = {
        "extra_arguments": list(KERNEL_ARGUMENTS),
        "on_cell_executed": _cell_progress(notebook),
    }
    if kernel_manager is not None:
        if not fresh_kernel:
            prepare_reused_kernel(kernel_manager, cwd, start_timeout)
        options = {"km": kernel_manager, "on_cell_executed": options["on_cell_executed"]}
    try:
        executed = papermill.execute_notebook(
            notebook,
            None,
            kernel_name=kernel,
            language="python",
            progress_bar=False,
            log_output=False,
            request_save_on_cell_execute=False,
            start_timeout=start_timeout,
            execution_timeout=cell_timeout,
            cwd=str(cwd),
            **options,
        )
    except PapermillExecutionError as error:
        raise ReportError(
            f"notebook {template.name} failed in cell {error.exec_count} "
            f"({error.ename}): {error.evalue}"
        ) from error
    except TimeoutError as error:
        raise ReportError(
            f"notebook {template.name}: a cell ran longer than {cell_timeout} s: {error}"
        ) from error
    except Exception as error:  # kernel death, missing kernel, ...
        if type(error).__name__ in {"CellTimeoutError", "DeadKernelError", "NoSuchKernel"}:
            raise ReportError(
                f"notebook {template.name} could not run with kernel {kernel!r}: "
                f"{type(error).__name__}: {error}"
            ) from error
        raise
    return normalise_notebook(executed)
