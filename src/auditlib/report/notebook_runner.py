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

:func:`start_kernel` starts a kernel and has it import the report's libraries in the background,
so that the kernel's start-up (about 3 s: IPython, pandas, scikit-learn, matplotlib) overlaps the
runner's own preparation instead of adding to it.
"""

from __future__ import annotations

import contextlib
import copy
import re
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from auditlib.errors import ReportError

__all__ = [
    "DEFAULT_CELL_TIMEOUT",
    "default_kernel_name",
    "execute_notebook",
    "normalise_notebook",
    "notebook_parameters",
    "parameters_source",
    "read_notebook",
    "skip_slow_iri_checker",
    "start_kernel",
]

#: Seconds a single cell may run before the execution is abandoned.
DEFAULT_CELL_TIMEOUT = 600
_PREFERRED_KERNEL = "auditlib"
_VOLATILE_PAPERMILL_KEYS = ("start_time", "end_time", "duration", "input_path", "output_path")
_ID_SAFE = re.compile(r"[^A-Za-z0-9_-]+")
_KERNEL_ARGUMENTS = ["--IPKernelApp.log_level=ERROR"]  # its start-up warnings are noise in logs


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


def default_kernel_name() -> str:
    """Name of the kernel to run report notebooks with.

    ``"auditlib"`` (installed into the virtual environment by ``scripts/setup.sh``) when it
    exists, otherwise ``"python3"`` (the kernel of the running Python environment).
    """
    from jupyter_client.kernelspec import KernelSpecManager

    available = KernelSpecManager().find_kernel_specs()
    return _PREFERRED_KERNEL if _PREFERRED_KERNEL in available else "python3"


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


def start_kernel(
    kernel_name: str | None = None,
    *,
    cwd: Path,
    preload: Sequence[str] = (),
    start_timeout: int = 120,
) -> Any:
    """Start a notebook kernel and return its manager without waiting for it to be ready.

    Parameters
    ----------
    kernel_name : str, optional
        Kernel to start; default :func:`default_kernel_name`.
    cwd : pathlib.Path
        Working directory of the kernel process.
    preload : sequence of str
        Modules the kernel imports first, silently (no execution count, no name bound in its
        namespace). The request is sent before this function returns (the kernel queues it
        until it serves requests), so every cell executed afterwards queues behind it; a
        background thread collects the reply while the caller goes on with its own work. A
        module that fails to import is ignored here: the notebook's own import then reports it.
    start_timeout : int
        Seconds the background thread waits for the preload's reply.

    Returns
    -------
    jupyter_client.KernelManager
        A running kernel, to pass as ``kernel_manager`` to :func:`execute_notebook`. The
        caller shuts it down (``shutdown_kernel(now=True)``).
    """
    from jupyter_client.manager import KernelManager

    name = kernel_name or default_kernel_name()
    manager = KernelManager(kernel_name=name)
    try:
        manager.start_kernel(extra_arguments=list(_KERNEL_ARGUMENTS), cwd=str(cwd))
    except Exception as error:  # NoSuchKernel, a missing interpreter, ...
        raise ReportError(_start_failure(name, error)) from error
    if preload:
        # Pausing the garbage collector for the imports and freezing them afterwards was
        # measured here on 2026-11-22 and gained nothing (2.73 s both ways, median of 4
        # kernels; the audit afterwards 1.11 s frozen, 1.00 s not), so the imports are plain.
        code = "".join(f"__import__({module!r})\n" for module in preload)
        client, request = _send_silently(manager, code)
        threading.Thread(
            target=_ignore_reply,
            args=(manager, client, request, start_timeout),
            name="kernel-preload",
            daemon=True,
        ).start()
    return manager


def _start_failure(kernel_name: str, error: Exception) -> str:
    """Message for a kernel that could not be started."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    if isinstance(error, NoSuchKernel):
        available = ", ".join(sorted(KernelSpecManager().find_kernel_specs())) or "(none)"
        return (
            f"there is no Jupyter kernel named {kernel_name!r}; installed kernels: {available}. "
            "scripts/setup.sh installs the 'auditlib' kernel"
        )
    return f"could not start the Jupyter kernel {kernel_name!r}: {type(error).__name__}: {error}"


def _send_silently(manager: Any, code: str) -> tuple[Any, str]:
    """Send ``code`` to a kernel, to run without output or execution count.

    Returns the client and the request's message id. The client's ``wait_for_ready`` is not
    used (a kernel-info round trip followed by 0.2 s of listening for silence on IOPub): a
    kernel still starting queues the request and runs it as soon as it serves requests. The
    client has a session of its own: clients made by ``manager.client()`` share the manager's
    session id, which is also their socket identity, so two of them talking to the kernel at
    once (this one and papermill's) would receive each other's replies, or none.
    """
    from jupyter_client.session import Session

    session = Session(key=manager.session.key, signature_scheme=manager.session.signature_scheme)
    client = manager.client(session=session)
    client.start_channels()
    return client, client.execute(code, silent=True, store_history=False)


def _await_reply(manager: Any, client: Any, request: str, timeout: float) -> dict[str, Any]:
    """Content of the shell reply to ``request``, then the client's channels are closed.

    Raises
    ------
    ReportError
        When the kernel died (checked every second) or did not answer within ``timeout``
        seconds.
    """
    from queue import Empty

    deadline = time.monotonic() + timeout
    try:
        while (remaining := deadline - time.monotonic()) > 0:
            try:
                reply = client.get_shell_msg(timeout=min(1.0, remaining))
            except Empty:
                if not manager.is_alive():
                    raise ReportError("the notebook kernel died") from None
                continue
            if reply["parent_header"].get("msg_id") == request:
                content: dict[str, Any] = reply["content"]
                return content
        raise ReportError(f"the notebook kernel did not respond within {timeout} s")
    finally:
        client.stop_channels()


def _ignore_reply(manager: Any, client: Any, request: str, timeout: float) -> None:
    """Preload thread: wait for the reply; a failure is left to the notebook run to report."""
    with contextlib.suppress(Exception):  # a thread's traceback on stderr would only confuse
        _await_reply(manager, client, request, timeout)


def _prepare_reused_kernel(kernel_manager: Any, cwd: Path, timeout: int) -> None:
    """Clear a reused kernel's namespace and move it to ``cwd`` (silently: no count used)."""
    code = f"get_ipython().run_line_magic('reset', '-f')\n__import__('os').chdir({str(cwd)!r})"
    content = _await_reply(kernel_manager, *_send_silently(kernel_manager, code), timeout)
    if content.get("status") != "ok":
        raise ReportError(f"could not reset the reused kernel: {content.get('evalue')}")


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
    options: dict[str, Any] = {"extra_arguments": list(_KERNEL_ARGUMENTS)}
    if kernel_manager is not None:
        if not fresh_kernel:
            _prepare_reused_kernel(kernel_manager, cwd, start_timeout)
        options = {"km": kernel_manager}
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
