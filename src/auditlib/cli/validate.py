"""``auditlib validate``: load a county folder and report every problem found."""

from __future__ import annotations

from dataclasses import asdict, fields
from pathlib import Path

import click
import yaml
from rich.console import Console

from auditlib.cli.common import print_problems
from auditlib.data.atomic import atomic_write_text
from auditlib.data.loading import load_county
from auditlib.data.policy import ValidationPolicy
from auditlib.errors import AuditError, ParamsError, Problem


def _policy(path: Path | None, overrides: tuple[str, ...]) -> ValidationPolicy:
    actions: dict[str, str] = {}
    share = 0.01
    if path is not None:
        content = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if not isinstance(content, dict) or set(content) - {"actions", "max_rejected_share"}:
            raise ParamsError(
                f"{path}: expected keys 'actions' (check code -> error|reject|warning) and "
                f"'max_rejected_share'; got {content!r}"
            )
        actions.update(content.get("actions") or {})
        share = float(content.get("max_rejected_share", share))
    for override in overrides:
        code, _, action = override.partition("=")
        if not action:
            raise ParamsError(f"--set {override!r}: expected CODE=ACTION, e.g. id_invalid=error")
        actions[code] = action
    return ValidationPolicy(actions=actions, max_rejected_share=share)


def _write_problems(path: Path, problems: tuple[Problem, ...]) -> None:
    """Write problems as a CSV file with the columns of ``CountyData.problems``."""
    import pandas as pd

    columns = [field.name for field in fields(Problem)]  # as CountyData.problems
    frame = pd.DataFrame([asdict(problem) for problem in problems], columns=columns)
    atomic_write_text(path, frame.to_csv(index=False))


@click.command()
@click.argument("folder", type=click.Path(path_type=Path))
@click.option(
    "--policy",
    "policy_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="YAML file: 'actions' (check code -> error|reject|warning), 'max_rejected_share'.",
)
@click.option(
    "--set",
    "overrides",
    multiple=True,
    metavar="CODE=ACTION",
    help="Override one check's action, e.g. --set id_invalid=error (repeatable).",
)
@click.option(
    "--problems-csv",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write every problem (and rejected row) to this CSV file.",
)
def validate(
    folder: Path, policy_file: Path | None, overrides: tuple[str, ...], problems_csv: Path | None
) -> None:
    """Validate a county folder against the data contract (docs/data-contract.md).

    Every problem of every file is listed with file, row, column, value and what was
    expected (at most 200 on screen; --problems-csv gets all of them, also when a problem is
    fatal). Exit code 0 when the county loads (warnings and rejected rows are listed), 2 when a
    fatal problem prevents loading.
    """
    policy = _policy(policy_file, overrides)
    try:
        data = load_county(folder, policy)
    except AuditError as error:
        # fatal: the console shows the first problems; the CSV file gets every one of them
        if problems_csv is not None and error.problems:
            _write_problems(problems_csv, error.problems)
        raise
    console = Console(width=160)
    if problems_csv is not None:
        atomic_write_text(problems_csv, data.problems.to_csv(index=False))
    if len(data.problems):
        print_problems([Problem(**row) for row in data.problems.to_dict("records")])
    info = data.info
    registries = ", ".join(f"{name} {len(frame):,}" for name, frame in data.registries.items())
    console.print(
        f"{info.county} ({info.county_code}): {len(data.households):,} households, "
        f"{len(data.members):,} members, {len(data.payments):,} payments; "
        f"registries: {registries or 'none'}"
    )
    if len(data.problems) == 0:
        console.print("[green]clean[/green]: no problems found.")
    else:
        console.print(
            f"loaded with {len(data.problems)} problem(s) (none fatal); "
            f"{len(data.rejected)} row(s) rejected and not loaded."
        )
