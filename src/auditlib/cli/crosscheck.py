"""``auditlib crosscheck``: cross-county checks over several county folders (DuckDB)."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from auditlib.cli.common import EXIT_OK

__all__ = ["crosscheck"]


@click.command()
@click.argument(
    "county_folders",
    nargs=-1,
    required=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
)
@click.option(
    "--out",
    "out",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Folder for crosscounty.csv: RESTRICTED, it holds full ID and account numbers "
    "(keep it with the fieldwork worksheets, never in reports/).",
)
@click.option(
    "--memory-limit",
    default=None,
    help="DuckDB memory limit, e.g. 4GB (beyond it DuckDB spills to a temporary folder).",
)
@click.option(
    "--threads", type=click.IntRange(min=1), default=None, help="DuckDB threads (default: cores)."
)
def crosscheck(
    county_folders: tuple[Path, ...], out: Path, memory_limit: str | None, threads: int | None
) -> int:
    """Cross-county checks (跨县比对) of county folders, read in place by DuckDB.

    Finds ID numbers enrolled as members in two or more counties, members of one county in
    another county's death, vehicle, property, payroll, business or cadre registry, and
    payment accounts used by households of two or more counties. Writes OUT/crosscounty.csv
    (restricted: full ID and account numbers) and prints the counts per check and county
    pair (no identities). An existing OUT/crosscounty.csv is never overwritten: with the
    same findings it is left as it is, with others the command refuses.
    """
    # deferred: duckdb and pandas are loaded only when this command runs (`--help` stays fast)
    from auditlib.pipeline.cross_county import write_findings

    run = write_findings(
        county_folders, out / "crosscounty.csv", memory_limit=memory_limit, threads=threads
    )
    result, target = run.result, run.path
    console = Console()
    table = Table(title=f"Cross-county findings ({len(result.counties)} counties)")
    for column in ("check", "county", "other county", "findings", "people / accounts"):
        table.add_column(column, justify="right" if column[0] in "fp" else "left")
    for row in result.summary().itertuples(index=False):
        table.add_row(
            str(row.check),
            str(row.county_code),
            str(row.other_county_code),
            str(row.findings),
            str(row.keys),
        )
    console.print(table)
    console.print(
        f"{result.members:,} members of {len(result.counties)} counties checked in "
        f"{run.seconds:.1f} s; {len(result.findings):,} findings in {target} (restricted"
        + (", unchanged: the same findings were there already)" if run.unchanged else ")"),
        highlight=False,
    )
    return EXIT_OK
