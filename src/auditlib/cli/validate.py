"""``auditlib validate``: load a county folder and report every problem found."""

from __future__ import annotations

from dataclasses import asdict, fields
from pathlib import Path

import click
import yaml
from rich.console import Console

from auditlib.cli.common import new_file, print_problems
from auditlib.data.atomic import atomic_write_text
from auditlib.data.loading import load_county
from auditlib.data.policy import ValidationPolicy
from auditlib.errors import AuditError, ParamsError, Problem


def _policy_problem(
    path: Path, key: str | None, value: object, expected: str, row: int | None = None
) -> ParamsError:
    shown = value if isinstance(value, str) else repr(value)
    shown = shown if len(shown) <= 80 else shown[:79] + "…"
    problem = Problem(path.name, row, key, shown, expected, "error", "policy_file")
    return ParamsError(problem.describe(), [problem])


def _read_policy_file(path: Path) -> tuple[dict[str, str], float | None]:
    """The ``actions`` and ``max_rejected_share`` of a policy file; ``ParamsError`` if malformed."""
    try:
        content = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError as error:
        raise _policy_problem(path, None, error.strerror, "a readable YAML file") from None
    except UnicodeDecodeError as error:
        raise _policy_problem(
            path, None, f"byte {error.start} is not UTF-8", "a YAML file encoded as UTF-8"
        ) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"character {mark.column + 1}: " if mark is not None else ""
        reason = getattr(error, "problem", None) or type(error).__name__
        raise _policy_problem(
            path,
            None,
            f"{where}{reason}",
            "valid YAML (e.g. 'actions: {id_invalid: error}')",
            row=None if mark is None else mark.line + 1,
        ) from None
    if not isinstance(content, dict):
        raise _policy_problem(
            path, None, content, "a mapping with keys 'actions' and 'max_rejected_share'"
        )
    unknown = sorted(str(key) for key in set(content) - {"actions", "max_rejected_share"})
    if unknown:
        raise _policy_problem(
            path,
            unknown[0],
            content[unknown[0]],
            "only the keys 'actions' (check code -> error|reject|warning) and 'max_rejected_share'",
        )
    actions = content.get("actions") or {}
    if not isinstance(actions, dict) or not all(
        isinstance(code, str) and isinstance(action, str) for code, action in actions.items()
    ):
        raise _policy_problem(
            path, "actions", actions, "a mapping of check code to error, reject or warning"
        )
    share = content.get("max_rejected_share")
    if share is not None and (isinstance(share, bool) or not isinstance(share, int | float)):
        raise _policy_problem(path, "max_rejected_share", share, "a number in [0, 1], e.g. 0.01")
    return actions, None if share is None else float(share)


def _policy(path: Path | None, overrides: tuple[str, ...]) -> ValidationPolicy:
    actions: dict[str, str] = {}
    share: float | None = None
    if path is not None:
        actions, share = _read_policy_file(path)
    for override in overrides:
        code, _, action = override.partition("=")
        if not action:
            raise ParamsError(f"--set {override!r}: expected CODE=ACTION, e.g. id_invalid=error")
        actions[code] = action
    try:
        return ValidationPolicy(
            actions=actions, max_rejected_share=0.01 if share is None else share
        )
    except ParamsError as error:
        where = f"{path}: " if path is not None else "--set: "
        raise ParamsError(where + error.message, error.problems) from None


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
    callback=new_file,
    help="Also write every problem (and rejected row) to this CSV file (a new file).",
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
