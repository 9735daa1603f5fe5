"""``auditlib fieldwork import``: validate returned results and append them to the workspace."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click
from rich.console import Console

from auditlib.cli.common import (
    EXIT_BAD_INPUT,
    EXIT_OK,
    FullHelpGroup,
    print_problems,
    restricted_root_option,
    workspace_root_option,
)

#: Pending households listed one by one (then a count).
PENDING_SHOWN = 30


@click.group(cls=FullHelpGroup)
def fieldwork() -> None:
    """Fieldwork: import the results field teams return (or simulate them, example data)."""


@fieldwork.command(name="import")
@click.argument("params_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("worksheets", nargs=-1, type=click.Path(path_type=Path))
@workspace_root_option()
@restricted_root_option()
@click.option(
    "--issued",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Folder of the issued worksheets and their issued.json (default: the worksheet folder "
    "phase 1 issued for the recorded sample).",
)
@click.option(
    "--table",
    "tables",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A verification table (CSV or xlsx, columns of the data contract) to import instead "
    "of, or besides, worksheets; checked like the worksheets. Repeatable.",
)
def import_(
    params_file: Path,
    worksheets: tuple[Path, ...],
    audit_root: Path,
    restricted_root: Path,
    issued: Path | None,
    tables: tuple[Path, ...],
) -> int:
    """Import filled WORKSHEETS (xlsx, as issued) of the county of PARAMS_FILE.

    Answers are appended to the county workspace's results log
    (WORKSPACE/<county_code>/results/results_log.csv), which keeps every answer ever
    imported: the same answer again adds nothing, a correction (a different answer with a
    later verification date) supersedes the earlier one, which stays in the log. Every refused
    row is listed with file, sheet, row and column, and every household still pending with the
    worksheet file, sheet and row it was issued in. Exit code 2 if any row was refused.
    """
    # deferred: loaded only when this command runs (`auditlib --help` stays fast)
    from auditlib.fieldwork.importing import import_worksheets, read_issued, read_verification
    from auditlib.fieldwork.results import append_results, current_results, read_results_log
    from auditlib.pipeline.params import load_params
    from auditlib.pipeline.phases import matching_worksheets
    from auditlib.pipeline.record import read_recorded_sample
    from auditlib.pipeline.workspace import CountyWorkspace

    if not worksheets and not tables:
        raise click.UsageError("give the filled worksheets (xlsx) and/or --table FILE")
    params = load_params(params_file)
    workspace = CountyWorkspace(
        params.county_code, audit_root=audit_root, restricted_root=restricted_root
    )
    sample = read_recorded_sample(workspace)
    folder = issued or matching_worksheets(workspace, sample)
    if folder is None:
        raise click.UsageError(
            f"no worksheets issued for the sample recorded in {workspace.sample_dir} were found "
            f"in {workspace.restricted_dir}; pass --issued FOLDER (where issued.json is)"
        )
    log = read_results_log(workspace.results_log)
    result = import_worksheets(
        [Path(path) for path in worksheets], sample, read_issued(folder), current_results(log)
    )
    answers = [result.answers]
    for table in tables:
        answers.append(read_verification(table, sample=sample, with_source=True))
    console = Console(stderr=True, width=160)
    imported_at = datetime.now().replace(microsecond=0)
    updates = [
        append_results(workspace.results_log, rows, imported_at=imported_at)
        for rows in answers
        if len(rows)
    ]
    conflicts = [problem for update in updates for problem in update.conflicts]
    problems = [*result.problems, *conflicts]
    if problems:
        print_problems(problems, console)
    final = read_results_log(workspace.results_log)
    answered = set(current_results(final)["household_id"].astype(str))
    pending = [p for p in result.pending if p.household_id not in answered]
    for item in pending[:PENDING_SHOWN]:
        console.print(f"  pending: {item.describe()}")
    if len(pending) > PENDING_SHOWN:
        console.print(f"  ... and {len(pending) - PENDING_SHOWN} more pending household(s)")
    corrected = sorted({household for update in updates for household in update.superseded})
    for household in corrected[:PENDING_SHOWN]:
        console.print(
            f"  corrected: household {household} (a later-dated answer supersedes the earlier "
            "one, which stays in the log)"
        )
    added = sum(len(update.added) for update in updates)
    superseded = sum(len(update.superseded) for update in updates)
    console.print(
        f"{added} answer(s) added ({superseded} correction(s) superseding an earlier answer, "
        f"kept in the log); {len(answered)} of {len(sample.table)} sampled households answered "
        f"in {workspace.results_log}; {len(pending)} pending; "
        f"{len(result.errors) + len(conflicts)} row problem(s)."
    )
    if result.errors or conflicts:
        click.get_current_context().exit(EXIT_BAD_INPUT)
    return EXIT_OK


@fieldwork.command(name="simulate")
@click.argument("params_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@workspace_root_option()
@restricted_root_option()
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder of the filled copies (default: RESTRICTED/<county_code>/returned).",
)
@click.option(
    "--answered",
    type=click.FloatRange(0.0, 1.0, min_open=True),
    default=1.0,
    show_default=True,
    help="Share of sampled households returned; the others stay blank (pending).",
)
@click.option(
    "--nonresponse",
    type=click.FloatRange(0.0, 1.0, max_open=True),
    default=0.0,
    show_default=True,
    help="Probability that a returned household was not found, had moved or refused.",
)
def simulate(
    params_file: Path,
    audit_root: Path,
    restricted_root: Path,
    out: Path | None,
    answered: float,
    nonresponse: float,
) -> int:
    """Example data only: play the field teams for the county of PARAMS_FILE.

    Copies the worksheets phase 1 issued for the recorded sample into a folder of their own and
    fills the copies from the county's synthetic ground truth (the answers `--verification
    simulate` uses), so that training sessions can run `auditlib fieldwork import` and the
    interim and final reports as in a real audit. The issued worksheets are not touched; an
    existing returned file is never overwritten (the command refuses, writing nothing).
    """
    # deferred: loaded only when this command runs (`auditlib --help` stays fast)
    from auditlib.pipeline.params import load_params
    from auditlib.pipeline.practice_returns import simulate_returns
    from auditlib.pipeline.workspace import CountyWorkspace

    params = load_params(params_file)
    workspace = CountyWorkspace(
        params.county_code, audit_root=audit_root, restricted_root=restricted_root
    )
    result = simulate_returns(
        params, workspace, out=out, answered_share=answered, nonresponse_rate=nonresponse
    )
    Console(stderr=True, width=160).print(
        f"{len(result.files)} filled worksheet(s) in {result.folder} (simulated from the ground "
        f"truth; restricted: full names and ID numbers): {result.answered} household(s) "
        f"answered, {result.pending} left blank (pending). Import them with 'auditlib fieldwork "
        f"import {params_file} {result.folder}/*.xlsx'.",
        highlight=False,
    )
    return EXIT_OK
