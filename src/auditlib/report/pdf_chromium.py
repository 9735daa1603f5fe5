"""The second PDF engine: the report HTML printed by a headless Chromium, Chrome or Edge.

WeasyPrint (the default engine, :mod:`auditlib.report.render`) needs the Pango libraries, which
a Windows analyst rarely has; a Chromium-based browser usually is there (Edge ships with
Windows). :func:`print_to_pdf` writes the document to a temporary file, runs the browser on it
headless with a throw-away profile and every background service off, and moves the PDF into
place atomically. The report HTML fetches nothing from any network address (checked by the
caller); the browser is also told to resolve no host name, so nothing it does reaches a network.

A Chromium PDF is not byte-reproducible (it carries a creation date and the browser's build);
``auditlib verify`` compares it by its text instead.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from auditlib.errors import ReportError

__all__ = [
    "BROWSER_NAMES",
    "browser_version",
    "find_browser",
    "print_to_pdf",
    "searched_places",
]

#: Executable names looked up on ``PATH``, in this order.
BROWSER_NAMES = (
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
    "msedge",
    "microsoft-edge",
    "microsoft-edge-stable",
)
#: Usual install places on Windows (below ``%ProgramFiles%``, ``%ProgramFiles(x86)%`` and
#: ``%LocalAppData%``) and macOS.
_WINDOWS_PLACES = (
    ("Microsoft", "Edge", "Application", "msedge.exe"),
    ("Google", "Chrome", "Application", "chrome.exe"),
    ("Chromium", "Application", "chrome.exe"),
)
_MACOS_PLACES = (
    "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
    "/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge",
    "/Applications/Chromium.app/Contents/MacOS/Chromium",
)
#: Switches of every run: headless, no sandbox (containers), no GPU, no first-run pages, no
#: background traffic (updates, sync, metrics), no host name resolved, and no header or footer
#: printed by the browser (the report's ``@page`` rules give the page numbers).
_SWITCHES = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-default-apps",
    "--disable-extensions",
    "--disable-sync",
    "--disable-domain-reliability",
    "--metrics-recording-only",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    # Chromium >= 111 (checked with Chromium 156); older builds know the second name, and
    # each build ignores the switch it does not know.
    "--no-pdf-header-footer",
    "--print-to-pdf-no-header",
)
#: Seconds a browser may take to print one report.
DEFAULT_TIMEOUT = 180.0


def _candidates() -> list[Path]:
    places: list[Path] = []
    for variable in ("PROGRAMFILES", "PROGRAMFILES(X86)", "LOCALAPPDATA"):
        root = os.environ.get(variable)
        if root:
            places += [Path(root, *parts) for parts in _WINDOWS_PLACES]
    return places + [Path(place) for place in _MACOS_PLACES]


def find_browser() -> Path | None:
    """Return the first Chromium-based browser found, or None.

    Looks on ``PATH`` for :data:`BROWSER_NAMES`, then in the usual install folders of Edge,
    Chrome and Chromium on Windows and macOS.
    """
    for name in BROWSER_NAMES:
        found = shutil.which(name)
        if found:
            return Path(found)
    for place in _candidates():
        if place.is_file():
            return place
    return None


def searched_places() -> str:
    """Where :func:`find_browser` looks, for messages."""
    return f"{', '.join(BROWSER_NAMES)} on PATH; " + "; ".join(str(p) for p in _candidates())


def browser_version(browser: Path) -> str:
    """The browser's ``--version`` line (e.g. ``Chromium 156.0.8078.114``), or ``"unknown"``.

    Edge and Chrome on Windows print nothing for ``--version``; their version is unknown here.
    """
    try:
        result = subprocess.run(
            [str(browser), "--version"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    lines = [line.strip() for line in result.stdout.splitlines() if line.strip()]
    return lines[-1] if lines else "unknown"


def print_to_pdf(
    document: str, target: Path, *, browser: Path, timeout: float = DEFAULT_TIMEOUT
) -> None:
    """Print an HTML document to ``target`` (PDF) with a headless Chromium-based browser.

    Parameters
    ----------
    document : str
        A complete HTML document that refers to no network address (fonts as ``file://``).
    target : pathlib.Path
        PDF file to write; replaced atomically, only when the browser produced a PDF.
    browser : pathlib.Path
        The browser executable (:func:`find_browser`).
    timeout : float
        Seconds the browser may take; it is stopped after that.

    Raises
    ------
    ReportError
        When the browser cannot start, times out or writes no PDF (naming the browser and
        quoting the end of its error output).
    """
    with tempfile.TemporaryDirectory(
        prefix="auditlib-chromium-", ignore_cleanup_errors=True
    ) as scratch:
        page, printed = Path(scratch, "report.html"), Path(scratch, "report.pdf")
        page.write_text(document, encoding="utf-8")
        command = [
            str(browser),
            *_SWITCHES,
            f"--user-data-dir={Path(scratch, 'profile')}",
            f"--print-to-pdf={printed}",
            page.as_uri(),
        ]
        # Not in a session of its own: a batch that stops a county kills its process group,
        # browser included; the browser's helper processes end with it.
        try:
            process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
        except OSError as error:
            raise ReportError(f"could not start {browser} to print the PDF: {error}") from None
        try:
            _, errors = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
            raise ReportError(
                f"{browser} did not print the PDF {target.name} within {timeout:g} s; it was "
                "stopped. Try again, use --pdf-engine weasyprint, or --no-pdf"
            ) from None
        if not printed.is_file() or printed.read_bytes()[:5] != b"%PDF-":
            said = errors.decode("utf-8", errors="replace").strip().splitlines()[-3:]
            raise ReportError(
                f"{browser} wrote no PDF for {target.name} (exit code {process.returncode}"
                + (f"; it said: {' | '.join(said)}" if said else "")
                + "). Use --pdf-engine weasyprint or --no-pdf"
            )
        temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        shutil.move(printed, temporary)
        os.replace(temporary, target)
