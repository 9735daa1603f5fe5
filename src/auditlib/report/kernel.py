"""Starting and talking to the Jupyter kernels that run report notebooks.

:func:`start_kernel` starts a kernel and has it import the report's libraries in the background,
so that the kernel's start-up (about 3 s: IPython, pandas, scikit-learn, matplotlib) overlaps the
runner's own preparation instead of adding to it; :func:`prepare_reused_kernel` resets a kernel
a batch worker keeps between counties.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from auditlib.errors import ReportError

__all__ = ["KERNEL_ARGUMENTS", "default_kernel_name", "prepare_reused_kernel", "start_kernel"]

_PREFERRED_KERNEL = "auditlib"
KERNEL_ARGUMENTS = ["--IPKernelApp.log_level=ERROR"]  # its start-up warnings are noise in logs


def default_kernel_name() -> str:
    """Name of the kernel to run report notebooks with.

    ``"auditlib"`` (installed into the virtual environment by ``scripts/setup.sh``) when it
    exists, otherwise ``"python3"`` (the kernel of the running Python environment).
    """
    from jupyter_client.kernelspec import KernelSpecManager

    available = KernelSpecManager().find_kernel_specs()
    return _PREFERRED_KERNEL if _PREFERRED_KERNEL in available else "python3"


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
        manager.start_kernel(extra_arguments=list(KERNEL_ARGUMENTS), cwd=str(cwd))
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


def prepare_reused_kernel(kernel_manager: Any, cwd: Path, timeout: int) -> None:
    """Clear a reused kernel's namespace and move it to ``cwd`` (silently: no count used)."""
    # chdir first: the previous report's work folder (the kernel's cwd) is gone by now
    code = f"__import__('os').chdir({str(cwd)!r})\nget_ipython().run_line_magic('reset', '-f')"
    content = _await_reply(kernel_manager, *_send_silently(kernel_manager, code), timeout)
    if content.get("status") != "ok":
        raise ReportError(f"could not reset the reused kernel: {content.get('evalue')}")
