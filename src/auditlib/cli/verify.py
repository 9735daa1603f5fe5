"""``auditlib verify``: check a report folder against its manifest, re-run it and compare."""

from __future__ import annotations

from pathlib import Path

import click

from auditlib.cli.common import EXIT_FAILURE, EXIT_OK

__all__ = ["verify"]


@click.command()
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--params",
    "params_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Your copy of the parameter file (default: the manifest's, relative to FOLDER first).",
)
@click.option(
    "--data",
    "data_folder",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Your copy of the county data folder (default: the parameter file's).",
)
@click.option(
    "--verification",
    default=None,
    help="Your copy of the filled worksheets folder or verification file (default: the "
    "manifest's verification source).",
)
@click.option(
    "--no-rerun",
    is_flag=True,
    help="Only check the files, parameters and inputs against the manifest (no re-run).",
)
@click.option("--kernel", "kernel_name", default=None, help="Jupyter kernel (default: auditlib).")
def verify(
    folder: Path,
    params_file: Path | None,
    data_folder: Path | None,
    verification: str | None,
    no_rerun: bool,
    kernel_name: str | None,
) -> int:
    """Check the report in FOLDER (reports/<county_code>) against its manifest.json.

    A provincial folder (made by `auditlib province`) is computed again from what its manifest
    records and compared (the options below are for county reports).

    First each published file against the SHA-256 the manifest records, the recorded seed and
    parameters against the parameter file, and the inputs (parameter file, data, notebook,
    auditlib's code) by content; then the report is made again in a temporary folder and every
    output and key estimate compared. A third party verifies their own copy with --params,
    --data (and --verification for real fieldwork results). Exit code 0 when everything is
    identical, 1 when anything differs, 2 when the manifest is damaged or the parameter file
    or data cannot be found.
    """
    # deferred: loaded only when this command runs (`auditlib --help` stays fast)
    from auditlib.report.manifest import read_manifest
    from auditlib.report.verify import verify_report

    if read_manifest(folder).get("kind") == "province":
        return _verify_province(folder)
    result = verify_report(
        folder,
        kernel_name=kernel_name,
        params_file=params_file,
        data_folder=data_folder,
        verification=verification,
        rerun=not no_rerun,
    )
    click.echo(f"parameter file: {result.params_file}; data folder: {result.data_folder}")
    if result.published:
        click.echo("Published files that do not match the manifest:")
        for item in result.published:
            click.echo(f"  {item.name}: {item.detail}")
    if result.parameters:
        click.echo("Parameters that differ from the manifest:")
        for item in result.parameters:
            click.echo(f"  {item.name}: {item.detail}")
    if result.inputs:
        click.echo("Inputs changed since the report was made:")
        for item in result.inputs:
            click.echo(f"  {item.describe()}")
    for item in result.outputs:
        click.echo(f"{item.name}: {item.detail}")
    if result.estimates:
        click.echo("Key estimates that changed:")
        for item in result.estimates:
            click.echo(f"  {item.name}: {item.detail}")
    for item in result.packages:
        click.echo(f"note: package {item.name} {item.detail} since the report was made")
    if not result.identical:
        count = len(result.differences)
        click.echo(f"{result.folder}: NOT identical ({count} difference(s) listed above)")
        return EXIT_FAILURE
    if result.rerun:
        by_text = [item.name for item in result.outputs if "Chromium PDF" in item.detail]
        how = f" except {', '.join(by_text)}, compared by its text (Chromium)" if by_text else ""
        click.echo(
            f"{result.folder}: identical (published files match the manifest; parameters and "
            f"inputs unchanged; every output reproduced byte for byte{how})"
        )
    else:
        click.echo(
            f"{result.folder}: published files match the manifest; parameters and inputs "
            "unchanged (not re-run: --no-rerun)"
        )
    return EXIT_OK


def _verify_province(folder: Path) -> int:
    """A provincial folder (``auditlib province``): computed again from its manifest."""
    # deferred: loaded only when this command runs (`auditlib --help` stays fast)
    from auditlib.report.province_report import verify_province

    run = verify_province(folder)
    for line in run.differences:
        click.echo(f"differs: {line}")
    if run.differences:
        click.echo(f"{folder}: NOT identical ({len(run.differences)} difference(s) listed above)")
        return EXIT_FAILURE
    click.echo(f"{folder}: identical (the provincial outputs computed again from its manifest)")
    return EXIT_OK
