"""``auditlib demo``: the example counties end to end, fieldwork simulated.

Regenerates the example counties (``auditlib synth examples``), validates each, and produces
every county's report folder (``reports/<county_code>/``: report.html, report.pdf, the executed
notebook, the statistics form, manifest.json) with the verification results simulated from the
synthetic ground truth; the worksheets go to ``restricted/<county_code>/``.
"""

from __future__ import annotations

import os
from pathlib import Path

import click

from auditlib.cli.common import (
    EXIT_FAILURE,
    EXIT_OK,
    output_root_option,
    pdf_engine_option,
    restricted_root_option,
)
from auditlib.cli.synth import realism_option

__all__ = ["demo"]


@click.command()
@click.option(
    "--params",
    "params_folder",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("params"),
    show_default=True,
    help="Folder of the example parameter files.",
)
@output_root_option("Folder receiving the reports.")
@restricted_root_option()
@click.option("--only", multiple=True, help="County code to run (repeatable; default: all).")
@click.option("--workers", type=click.IntRange(min=1), default=None, help="Counties at once.")
@click.option("--language", type=click.Choice(["zh", "en"]), default=None)
@click.option("--skip-generate", is_flag=True, help="Use the example data already generated.")
@click.option("--no-pdf", is_flag=True, help="Skip the PDFs.")
@pdf_engine_option()
@realism_option
def demo(
    params_folder: Path,
    output_root: Path,
    restricted_root: Path,
    only: tuple[str, ...],
    workers: int | None,
    language: str | None,
    skip_generate: bool,
    no_pdf: bool,
    pdf_engine: str,
    realism: str | None,
) -> int:
    """Regenerate the example counties and produce all their reports (fieldwork simulated)."""
    # deferred: loaded only when this command runs (`auditlib --help` stays fast)
    from auditlib.batch.runner import BatchOptions
    from auditlib.cli.batch import print_summary, run_with_progress
    from auditlib.data.loading import load_county
    from auditlib.errors import ReportError
    from auditlib.pipeline.cross_county import findings_targets, write_findings
    from auditlib.pipeline.params import load_params
    from auditlib.report.render import resolve_pdf_engine
    from auditlib.synth.examples import DEFAULT_SPEC, generate_examples

    if not no_pdf:  # no PDF engine: said now, not after minutes of generating the examples
        resolve_pdf_engine(pdf_engine)
    if not skip_generate:
        click.echo("== regenerating the example counties (auditlib synth examples)")
        for folder in generate_examples(DEFAULT_SPEC, None, only, realism=realism):
            click.echo(f"   {folder}")
    every = sorted(params_folder.glob("*.yaml"))
    params_files = [path for path in every if not only or path.stem in only]
    if not params_files:
        raise ReportError(f"no parameter file in {params_folder} (expected <county_code>.yaml)")
    for findings, folders in findings_targets(every).items():
        click.echo(f"== cross-county checks of {len(folders)} counties (auditlib crosscheck)")
        run = write_findings(folders, findings)
        state = "unchanged" if run.unchanged else "written"
        click.echo(f"   {len(run.result.findings)} findings in {findings} ({state}; restricted)")
    click.echo("== validating")
    for path in params_files:
        data = load_county(load_params(path).data)
        count = 0 if data.problems is None else len(data.problems)
        click.echo(f"   {data.info.county_code} {data.info.county}: {count} problem(s) recorded")
    click.echo("== reports (fieldwork simulated from the ground truth)")
    options = BatchOptions(
        restricted_root=str(restricted_root.resolve()),
        verification="simulate",
        language=language or "",
        pdf=not no_pdf,
        pdf_engine=pdf_engine,
    )
    outcomes = run_with_progress(
        params_files, output_root, options, workers or os.cpu_count() or 1, True
    )
    succeeded = print_summary(outcomes, output_root)
    click.echo(f"open {output_root / params_files[0].stem / 'report.html'} in a browser")
    return EXIT_OK if succeeded else EXIT_FAILURE
