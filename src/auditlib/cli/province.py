"""``auditlib province``: provincial estimates from a batch's county results."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console

from auditlib.cli.common import EXIT_FAILURE, EXIT_OK

__all__ = ["province"]


@click.command()
@click.argument("batch_out", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--out",
    "out",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Folder for the provincial estimates.json, report and manifest.json.",
)
@click.option(
    "--params",
    "params_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Provincial parameter file (YAML: target, inclusion_probabilities when the province "
    "drew its counties, counties = every county code → name, language).",
)
@click.option(
    "--target",
    type=click.FloatRange(0, 1, min_open=True, max_open=True),
    default=None,
    help="Target 错保率: the report gives each county's probability of exceeding it "
    "(overrides the parameter file's).",
)
@click.option(
    "--indicator",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="CSV of an economic indicator per county (columns county_code, indicator) for the "
    "靶向督查 (targeted inspection) section of the report.",
)
@click.option("--lang", "language", type=click.Choice(["zh", "en"]), default=None)
@click.option("--no-pdf", is_flag=True, help="Write the HTML report only (no report.pdf).")
@click.option(
    "--verify",
    is_flag=True,
    help="Write nothing: compute again from the batch and compare with --out's manifest.json "
    "(exit 0 identical, 1 different).",
)
def province(
    batch_out: Path,
    out: Path,
    params_file: Path | None,
    target: float | None,
    indicator: Path | None,
    language: str | None,
    no_pdf: bool,
    verify: bool,
) -> int:
    """Combine the county results under BATCH_OUT (auditlib batch's output folder) into
    provincial estimates, without re-running any county.

    Each county is a stratum: rates are weighted by the county's population (Dibao recipient
    households, yuan paid, ...), totals and variances add, degrees of freedom are
    Satterthwaite's over counties. Counties without a published report are listed and left
    out; the estimates then speak for the audited counties (or, with inclusion_probabilities
    in --params, for the province under a three-stage design).
    """
    from dataclasses import replace

    # deferred: loaded only when this command runs (`auditlib --help` stays fast)
    from auditlib.report.province_outputs import (
        ProvinceParams,
        read_province_params,
        write_province,
    )
    from auditlib.report.province_report import report_writer  # deferred, as above

    params = read_province_params(params_file) if params_file else ProvinceParams()
    if target is not None:
        params = replace(params, target=target)
    if language is not None:
        params = replace(params, language=language)
    run = write_province(
        batch_out,
        out,
        params,
        params_file=params_file,
        extra=report_writer(params, indicator, pdf=not no_pdf),
        extra_inputs={"indicator": indicator},
        verify=verify,
    )
    console = Console(stderr=True)
    for folder, reason in run.skipped.items():
        console.print(f"[yellow]left out[/yellow] {folder}: {reason}", highlight=False)
    if verify:
        for line in run.differences:
            console.print(f"[red]differs[/red] {line}", highlight=False)
        if run.differences:
            return EXIT_FAILURE
        console.print(f"[green]identical[/green] {out}", highlight=False)
        return EXIT_OK
    for name in run.written:
        click.echo(str(out / name))
    return EXIT_OK
