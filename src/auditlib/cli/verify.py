"""``auditlib verify``: re-run a report from its manifest and compare every output."""

from __future__ import annotations

from pathlib import Path

import click

from auditlib.cli.common import EXIT_FAILURE, EXIT_OK

__all__ = ["verify"]


@click.command()
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--kernel", "kernel_name", default=None, help="Jupyter kernel (default: auditlib).")
def verify(folder: Path, kernel_name: str | None) -> int:
    """Re-run the report in FOLDER (reports/<county_code>) from its manifest.json.

    Prints, per output, 'identical' or 'differs', the inputs that changed since the report was
    made (file, columns, rows) and every key estimate that moved. Exit code 0 when everything
    is identical, 1 otherwise.
    """
    # deferred: loaded only when this command runs (`auditlib --help` stays fast)
    from auditlib.report.verify import verify_report

    result = verify_report(folder, kernel_name=kernel_name)
    for item in result.outputs:
        click.echo(f"{item.name}: {item.detail}")
    if result.inputs:
        click.echo("Inputs changed since the report was made:")
        for item in result.inputs:
            click.echo(f"  {item.describe()}")
    if result.estimates:
        click.echo("Key estimates that changed:")
        for item in result.estimates:
            click.echo(f"  {item.name}: {item.detail}")
    for item in result.packages:
        click.echo(f"note: package {item.name} {item.detail} since the report was made")
    if result.identical:
        click.echo(f"{result.folder}: identical (every output reproduced byte for byte)")
        return EXIT_OK
    click.echo(f"{result.folder}: NOT identical")
    return EXIT_FAILURE
