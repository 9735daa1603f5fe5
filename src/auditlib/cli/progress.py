"""What a long command shows while it runs: a rich progress bar on stderr, and a log file.

The library reports its steps through :mod:`logging` (logger ``auditlib``): a record with
``extra={"step": name}`` starts a step, one with ``extra={"progress": (done, total)}`` advances
it, one with both starts a step of a counted whole (e.g. the county being generated, as 2 of 5
done). :func:`command_progress` turns them into a progress bar (not with ``--quiet``; every
record as a line with ``--verbose``, DEBUG records too) and writes every record, with times, to a
log file when one is given.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

__all__ = ["command_progress", "run_log_path", "verbosity_options"]

F = TypeVar("F", bound=Callable[..., Any])
_LOGGER = "auditlib"


def verbosity_options(function: F) -> F:
    """``--quiet`` (errors and the result only) and ``--verbose`` (every step as a line)."""
    function = click.option("--verbose", "-v", is_flag=True, help="Print every step as a line.")(
        function
    )
    return click.option(
        "--quiet", "-q", is_flag=True, help="No progress display; errors and the result only."
    )(function)


class _ProgressHandler(logging.Handler):
    """Drives a rich progress bar from the library's step and progress records."""

    def __init__(self, progress: Progress, verbose: bool) -> None:
        super().__init__(logging.DEBUG if verbose else logging.INFO)
        self.progress = progress
        self.verbose = verbose
        self.task = progress.add_task("starting", total=None)

    def emit(self, record: logging.LogRecord) -> None:
        step = getattr(record, "step", None)
        done_total = getattr(record, "progress", None)
        if step is not None and done_total is None:
            message = record.getMessage()
            self.progress.update(self.task, description=message, completed=0, total=None)
        elif done_total is not None:
            done, total = done_total
            self.progress.update(self.task, completed=done, total=total)
            if step is not None:
                self.progress.update(self.task, description=record.getMessage())
        if getattr(record, "log_only", False):  # the terminal shows the error itself
            return
        if self.verbose or record.levelno >= logging.WARNING:
            self.progress.console.print(f"[dim]{record.getMessage()}[/dim]", highlight=False)


def run_log_path(output_root: Path, name: str) -> Path:
    """A new log file for one run: ``OUT/logs/<name>-<YYYYmmdd-HHMMSS>[-k].log``.

    Never an existing file: a run's log is its own, earlier logs are left as they are.
    """
    stamp = time.strftime("%Y%m%d-%H%M%S")
    folder = output_root / "logs"
    candidate, k = folder / f"{name}-{stamp}.log", 1
    while candidate.exists():
        k += 1
        candidate = folder / f"{name}-{stamp}-{k}.log"
    return candidate


@contextmanager
def command_progress(log_file: Path | None, *, quiet: bool, verbose: bool) -> Iterator[None]:
    """Show the library's progress on stderr and write its log to ``log_file`` (appended).

    Parameters
    ----------
    log_file : pathlib.Path or None
        Log of this run (folders created); ``None``: no log file.
    quiet, verbose : bool
        ``--quiet`` / ``--verbose``.
    """
    logger = logging.getLogger(_LOGGER)
    previous_level = logger.level
    logger.setLevel(logging.DEBUG)
    handlers: list[logging.Handler] = []
    if log_file is not None:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        to_file = logging.FileHandler(log_file, encoding="utf-8")
        to_file.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        handlers.append(to_file)
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
        disable=quiet,
    )
    if not quiet:
        handlers.append(_ProgressHandler(progress, verbose))
    for handler in handlers:
        logger.addHandler(handler)
    try:
        with progress:
            yield
    except Exception as error:  # the message itself goes to the terminal (it may quote values)
        logger.error("failed: %s", type(error).__name__, extra={"log_only": True})
        raise
    finally:
        for handler in handlers:
            logger.removeHandler(handler)
            handler.close()
        logger.setLevel(previous_level)
