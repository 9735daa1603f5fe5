"""``auditlib report``: one county's report folder from its parameter file."""

from __future__ import annotations

from pathlib import Path

import click

from auditlib.cli.common import (
    kernel_option,
    output_root_option,
    pdf_engine_option,
    restricted_root_option,
    workspace_root_option,
)
from auditlib.cli.progress import command_progress, run_log_path, verbosity_options

__all__ = ["report"]

VERIFICATION_HELP = (
    "Verification results: 'auto' (the results imported into the county workspace with "
    "'auditlib fieldwork import', or else the county folder's verification table), 'results', "
    "'data', 'simulate' (from the synthetic data's ground truth; demo and training), a folder of "
    "filled worksheets or a verification CSV (paths relative to the current folder)."
)


@click.command()
@click.argument("params_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@output_root_option("Folder receiving <county_code>/ (report.html, report.pdf, ...).")
@restricted_root_option()
@workspace_root_option(beside_output=True)
@click.option("--verification", default="auto", show_default=True, help=VERIFICATION_HELP)
@click.option(
    "--interim",
    is_flag=True,
    help="An interim report: households whose results are still pending count as "
    "non-response; page 1 and the file names say 'interim' (report-interim.html, ...).",
)
@click.option(
    "--from-recorded-sample",
    is_flag=True,
    help="Estimate from the sample recorded in phase 1 although the county data changed since "
    "(the report says so). Without it such a change stops the report.",
)
@click.option(
    "--language",
    type=click.Choice(["zh", "en"]),
    default=None,
    help="Report language (default: the parameter file's).",
)
@kernel_option()
@click.option(
    "--cell-timeout",
    type=click.IntRange(min=1),
    default=600,
    show_default=True,
    help="Seconds any notebook cell may run.",
)
@click.option("--no-pdf", is_flag=True, help="Skip the PDF.")
@pdf_engine_option()
@click.option(
    "--log",
    "log_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Log of this run (appended to; default a new OUT/logs/<params name>-<time>.log).",
)
@verbosity_options
def report(
    params_file: Path,
    output_root: Path,
    restricted_root: Path,
    audit_root: Path | None,
    verification: str,
    interim: bool,
    from_recorded_sample: bool,
    language: str | None,
    kernel_name: str | None,
    cell_timeout: int,
    no_pdf: bool,
    pdf_engine: str,
    log_file: Path | None,
    quiet: bool,
    verbose: bool,
) -> None:
    """Phase 2: the report of PARAMS_FILE — HTML, PDF, statistics form and manifest.

    Reads the sample recorded by phase 1 ('auditlib sample'; drawn now when there is none) and
    refuses data that changed since. Writes only its own files into OUT/<county_code>; a
    previous, different report there is moved into superseded-<n>/, never deleted.
    """
    # deferred: loaded only when this command runs (`auditlib --help` stays fast)
    from auditlib.report.produce import produce_report

    log = log_file or run_log_path(output_root, params_file.stem)
    with command_progress(log, quiet=quiet, verbose=verbose):
        result = produce_report(
            params_file,
            output_root,
            restricted_root=restricted_root,
            audit_root=audit_root,
            verification=verification,
            interim=interim,
            from_recorded_sample=from_recorded_sample,
            language=language or "",
            kernel_name=kernel_name,
            cell_timeout=cell_timeout,
            pdf=not no_pdf,
            pdf_engine=pdf_engine,
        )
    click.echo(f"{result.folder}: {', '.join(sorted(result.outputs))} + manifest.json")
    if result.pdf_engine:
        click.echo(f"  PDF printed by {result.pdf_engine}")
    figures = result.estimates
    rate = figures.get("error_rate_estimate")
    if rate is not None:
        click.echo(
            f"  错保率 inclusion-error rate {rate:.1%} "
            f"[{figures['error_rate_lower']:.1%}, {figures['error_rate_upper']:.1%}]; "
            f"{result.seconds.get('total', 0.0):.1f} s"
        )
