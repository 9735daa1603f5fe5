"""``auditlib fieldwork import``: validate filled worksheets and merge them into the results."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console

from auditlib.cli.common import EXIT_BAD_INPUT, EXIT_OK, print_problems


@click.group()
def fieldwork() -> None:
    """Fieldwork worksheets: import filled worksheets."""


@fieldwork.command(name="import")
@click.argument("sample_folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.argument("worksheets", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--into",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Verification table to merge into (default SAMPLE_FOLDER/verification.csv).",
)
@click.option(
    "--issued",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Folder of the issued worksheets (default restricted/<county_code>/worksheets, as "
    "written by 'auditlib sample').",
)
def import_(
    sample_folder: Path, worksheets: tuple[Path, ...], into: Path | None, issued: Path | None
) -> int:
    """Import filled WORKSHEETS (xlsx) for the sample in SAMPLE_FOLDER.

    Every problem is listed with file, sheet, row and column; rows with a problem are not
    imported, answers imported before are never overwritten. Exit code 2 if any row was
    refused.
    """
    # deferred: loaded only when this command runs (`auditlib --help` stays fast)
    from auditlib.data.atomic import atomic_write_text
    from auditlib.fieldwork.importing import import_worksheets, read_issued, read_verification
    from auditlib.sampling.sample import read_sample

    drawn = read_sample(sample_folder)
    if issued is None:
        county_code = str(drawn.table["county_code"].iloc[0])
        legacy = sample_folder / "restricted" / "worksheets"
        issued = legacy if legacy.is_dir() else Path("restricted") / county_code / "worksheets"
    manifest = read_issued(issued)
    target = into or sample_folder / "verification.csv"
    existing = read_verification(target)
    result = import_worksheets(worksheets, drawn, manifest, existing)
    table = result.verification.copy()
    table["verification_date"] = table["verification_date"].dt.strftime("%Y-%m-%d")
    atomic_write_text(target, table.to_csv(index=False, lineterminator="\n"))
    console = Console(stderr=True, width=160)
    if result.problems:
        print_problems(result.problems, console)
    console.print(
        f"{result.imported} new answer(s) imported; {len(result.verification)} household(s) "
        f"answered in {target}; {len(result.unanswered)} sampled household(s) still unanswered; "
        f"{len(result.errors)} row problem(s)."
    )
    if result.errors:
        click.get_current_context().exit(EXIT_BAD_INPUT)
    return EXIT_OK
