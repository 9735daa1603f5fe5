"""``auditlib batch``: reports for many counties in parallel, with resume and a summary."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from auditlib.cli.common import (
    EXIT_FAILURE,
    EXIT_OK,
    kernel_option,
    output_root_option,
    pdf_engine_option,
    restricted_root_option,
    workspace_root_option,
)
from auditlib.cli.report import VERIFICATION_HELP

if TYPE_CHECKING:
    # deferred: loaded only when this command runs (`auditlib --help` stays fast)
    from auditlib.batch.runner import BatchOptions, CountyOutcome

__all__ = ["batch", "print_summary", "run_with_progress"]


def run_with_progress(
    params_files: list[Path],
    output_root: Path,
    options: BatchOptions,
    workers: int,
    resume: bool,
    *,
    scheduler: str | None = None,
    cluster: str | None = None,
    connect_timeout: float = 30.0,
) -> list[CountyOutcome]:
    """Run a batch with a rich progress bar on stderr; return the outcomes.

    On the local process pool by default; on the Dask scheduler at ``scheduler``, or on a
    Dask ``LocalCluster`` of ``workers`` workers with ``cluster="local"``.
    """

    console = Console(stderr=True)
    columns = (
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console) as progress:
        task = progress.add_task("counties", total=len(params_files))

        def advance(outcome: CountyOutcome) -> None:
            style = {"done": "green", "skipped": "cyan"}.get(outcome.status, "red")
            progress.console.print(
                f"[{style}]{outcome.status:8}[/{style}] {outcome.county_code} "
                f"{outcome.seconds:6.1f} s {outcome.message}",
                highlight=False,
            )
            progress.advance(task)

        if scheduler is None and cluster is None:
            # deferred: loaded only when this command runs (`auditlib --help` stays fast)
            from auditlib.batch.runner import run_batch

            outcomes = run_batch(
                params_files,
                output_root,
                options=options,
                workers=workers,
                resume=resume,
                on_outcome=advance,
            )
        else:
            # deferred: Dask is imported only for a batch on a cluster
            from auditlib.batch.dask_runner import run_dask_batch

            outcomes = run_dask_batch(
                params_files,
                output_root,
                scheduler=scheduler,
                workers=workers,
                options=options,
                resume=resume,
                on_outcome=advance,
                connect_timeout=connect_timeout,
            )
    return list(outcomes)


def print_summary(outcomes: list[CountyOutcome], output_root: Path) -> bool:
    """Print the key estimates of every county and write summary.xlsx; True if all succeeded."""
    # deferred: loaded only when this command runs (`auditlib --help` stays fast)
    from auditlib.batch.summary import summary_table
    from auditlib.batch.summary_workbook import write_summary

    table = summary_table(outcomes, output_root)
    written = write_summary(
        table, output_root, params_files=[outcome.params_file for outcome in outcomes]
    )
    view = Table(title="Key estimates (95% intervals)")
    for header in ("county", "status", "错保率", "improper yuan", "improper rate", "漏保率"):
        view.add_column(header)

    def interval(row: object, name: str, yuan: bool = False) -> str:
        values = [getattr(row, f"{name}_{part}") for part in ("estimate", "lower", "upper")]
        if any(value is None or value != value for value in values):
            return "—"
        if yuan:
            return f"{values[0]:,.0f} [{values[1]:,.0f}, {values[2]:,.0f}]"
        return f"{values[0]:.1%} [{values[1]:.1%}, {values[2]:.1%}]"

    for row in table.itertuples():
        view.add_row(
            f"{row.county_code} {row.county}",
            (f"{row.status} (last good result kept)" if row.kept else str(row.status))
            + (f": {row.message}"[:80] if row.message else ""),
            interval(row, "error_rate"),
            interval(row, "improper_amount", yuan=True),
            interval(row, "improper_rate"),
            interval(row, "omission_rate"),
        )
    Console(width=160).print(view)
    click.echo(f"summary: {written.path}")
    if written.note:
        click.echo(f"note: {written.note}")
    return all(outcome.status in ("done", "skipped") for outcome in outcomes)


@click.command()
@click.argument(
    "params_files",
    nargs=-1,
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
)
@output_root_option("Folder receiving one folder per county.")
@restricted_root_option()
@workspace_root_option(beside_output=True)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Counties run at once (default: number of CPU cores).",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=1),
    default=1800,
    show_default=True,
    help="Seconds one county may take before it is stopped and listed as failed.",
)
@click.option("--verification", default="auto", show_default=True, help=VERIFICATION_HELP)
@click.option("--language", type=click.Choice(["zh", "en"]), default=None)
@kernel_option()
@click.option("--no-resume", is_flag=True, help="Re-run counties whose report is current.")
@click.option("--no-pdf", is_flag=True, help="Skip the PDFs.")
@pdf_engine_option()
@click.option(
    "--scheduler",
    metavar="ADDRESS",
    default=None,
    help="Run on the Dask cluster whose scheduler is at ADDRESS (e.g. tcp://HOST:8786); "
    "every worker must reach the same paths (shared filesystem).",
)
@click.option(
    "--cluster",
    type=click.Choice(["local"]),
    default=None,
    help="Run on a Dask LocalCluster of --workers workers started for this batch.",
)
@click.option(
    "--connect-timeout",
    type=click.FloatRange(min=0.1),
    default=30,
    show_default=True,
    help="Seconds to wait for the --scheduler before giving up.",
)
def batch(
    params_files: tuple[Path, ...],
    output_root: Path,
    restricted_root: Path,
    audit_root: Path | None,
    workers: int | None,
    timeout: float,
    verification: str,
    language: str | None,
    kernel_name: str | None,
    no_resume: bool,
    no_pdf: bool,
    pdf_engine: str,
    scheduler: str | None,
    cluster: str | None,
    connect_timeout: float,
) -> int:
    """Produce the reports of every PARAMS_FILE (e.g. params/*.yaml) in parallel.

    A county that fails is listed with its error while the others finish (exit code 1); a
    rerun skips counties whose report is current, so an interrupted batch resumes. Counties
    run on this machine's processes, or on a Dask cluster (--scheduler, --cluster local).
    """
    if scheduler is not None and cluster is not None:
        raise click.UsageError("--scheduler and --cluster are mutually exclusive: give one")
    if scheduler is not None and workers is not None:
        raise click.UsageError(
            "--workers does not apply with --scheduler: the cluster's workers (dask worker "
            "--nthreads) set how many counties run at once"
        )
    # deferred: loaded only when this command runs (`auditlib --help` stays fast)
    from auditlib.batch.runner import BatchOptions

    options = BatchOptions(
        restricted_root=str(restricted_root.resolve()),
        audit_root=str(audit_root.resolve()) if audit_root else "",
        verification=verification,
        language=language or "",
        kernel_name=kernel_name,
        timeout=timeout,
        pdf=not no_pdf,
        pdf_engine=pdf_engine,
    )
    outcomes = run_with_progress(
        list(params_files),
        output_root,
        options,
        workers or os.cpu_count() or 1,
        not no_resume,
        scheduler=scheduler,
        cluster=cluster,
        connect_timeout=connect_timeout,
    )
    return EXIT_OK if print_summary(outcomes, output_root) else EXIT_FAILURE
