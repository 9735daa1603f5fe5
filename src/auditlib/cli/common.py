"""Shared helpers of the command-line modules: error display and exit codes."""

from __future__ import annotations

import os
import sys
import tempfile
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from auditlib.errors import AuditError, Problem

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_BAD_INPUT = 2

MAX_PROBLEMS_SHOWN = 200


class FullHelpGroup(click.Group):
    """A click group whose ``--help`` lists each command with its whole first sentence.

    (Click cuts the list's descriptions at about 45 characters, mid-sentence.)
    """

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """Write the command list, wrapped rather than cut."""
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(limit=1_000)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


def problems_table(problems: Sequence[Problem], title: str = "Problems found") -> Table:
    """Build a rich table listing problems (file, row, column, value, expected)."""
    table = Table(title=title, show_lines=False)
    for header in ("severity", "file", "row", "column", "value", "expected"):
        table.add_column(header, overflow="fold")
    for problem in problems[:MAX_PROBLEMS_SHOWN]:
        table.add_row(
            problem.severity,
            problem.file,
            "" if problem.row is None else str(problem.row),
            problem.column or "",
            problem.value,
            problem.expected,
        )
    return table


def print_problems(problems: Sequence[Problem], console: Console | None = None) -> None:
    """Print problems as a table on stderr (at most ``MAX_PROBLEMS_SHOWN`` rows)."""
    console = console or Console(stderr=True, width=160)
    console.print(problems_table(problems))
    if len(problems) > MAX_PROBLEMS_SHOWN:
        console.print(f"... and {len(problems) - MAX_PROBLEMS_SHOWN} more problems not shown.")


def run_guarded(command: click.Command, argv: list[str] | None) -> int:
    """Run a click command; turn :class:`AuditError` into a message and exit code 2."""
    try:
        result = command.main(args=argv, standalone_mode=False)
    except AuditError as error:
        console = Console(stderr=True, width=160)
        if error.problems:
            print_problems(error.problems, console)
        console.print(f"[bold red]error:[/bold red] {error.message}", highlight=False)
        return EXIT_BAD_INPUT
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        return EXIT_FAILURE
    except click.ClickException as error:
        error.show(file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        return 130
    except Exception as error:  # a bug: one line on the console, the trace in a file
        trace = save_trace(error)
        click.echo(
            f"internal error ({type(error).__name__}): this is a bug in auditlib, not in your "
            f"input; the full trace is in {trace} — please report it",
            err=True,
        )
        return EXIT_FAILURE
    if isinstance(result, int):
        return result
    return EXIT_OK


def save_trace(error: BaseException) -> Path:
    """Write the traceback of an unexpected error to a private file; return its path.

    Kept out of the console and logs: a trace may quote cell values (names, ID numbers).
    """
    handle, name = tempfile.mkstemp(prefix="auditlib-trace-", suffix=".txt")
    with os.fdopen(handle, "w", encoding="utf-8") as stream:
        traceback.print_exception(error, file=stream)
    return Path(name)


def output_root_option(help_text: str) -> Callable[[Any], Any]:
    """The ``--out`` option of the report commands (default ``reports``)."""
    return click.option(
        "--out",
        "output_root",
        type=click.Path(file_okay=False, path_type=Path),
        default=Path("reports"),
        show_default=True,
        help=help_text,
    )


def restricted_root_option() -> Callable[[Any], Any]:
    """The ``--restricted`` option: where worksheets with full identities go."""
    return click.option(
        "--restricted",
        "restricted_root",
        type=click.Path(file_okay=False, path_type=Path),
        default=Path("restricted"),
        show_default=True,
        help="Folder receiving the fieldwork worksheets (full identities), one sub-folder per "
        "county; kept apart from the reports.",
    )


def workspace_root_option(*, beside_output: bool = False) -> Callable[[Any], Any]:
    """The ``--workspace`` option: the county workspaces (sample record, imported results).

    With ``beside_output`` (the report commands) the default is ``audits`` beside the ``--out``
    folder, as :func:`auditlib.report.produce.produce_report` does.
    """
    where = "'audits' beside the --out folder" if beside_output else "'audits'"
    return click.option(
        "--workspace",
        "audit_root",
        type=click.Path(file_okay=False, path_type=Path),
        default=None if beside_output else Path("audits"),
        show_default=not beside_output,
        help="Folder of the county workspaces: <county_code>/sample (the sample record phase 1 "
        f"writes once) and <county_code>/results (imported results). Default {where}.",
    )


def pdf_engine_option() -> Callable[[Any], Any]:
    """The ``--pdf-engine`` option of the commands that render PDFs."""
    return click.option(
        "--pdf-engine",
        type=click.Choice(["auto", "weasyprint", "chromium"]),
        default="auto",
        show_default=True,
        help="PDF renderer: WeasyPrint (needs the Pango libraries; byte-reproducible PDFs), a "
        "headless Chromium, Chrome or Edge (no Pango needed, e.g. on Windows), or 'auto' "
        "(WeasyPrint when it loads, else the browser).",
    )


def kernel_option() -> Callable[[Any], Any]:
    """The ``--kernel`` option of the commands that execute notebooks."""
    return click.option(
        "--kernel", "kernel_name", default=None, help="Jupyter kernel (default: auditlib)."
    )


def new_file(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path | None:
    """Click callback of an output-file option: refuse a path that exists already (auditlib
    never overwrites a file it did not write in this run; exit code 2, before any work)."""
    if value is not None and value.exists():
        raise click.BadParameter(
            f"{value} already exists; auditlib never overwrites a file it did not write in this "
            "run: choose another file, or move that one away",
            ctx=ctx,
            param=param,
        )
    return value
