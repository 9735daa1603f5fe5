"""Every ``auditlib`` command line in the docs and the README names a real command and real options.

``tests/test_readme_commands.py`` runs the README's blocks; the shell samples of ``docs/`` are
mostly templates for a real deployment (``tcp://HOST:8786``, ``/shared/audit``, a county's own
parameter file) that cannot run here, so each of their ``auditlib`` lines is checked instead:
the sub-command exists and every ``--option`` it uses is one of that command's options.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import click
import pytest

from auditlib.cli.main import cli

ROOT = Path(__file__).resolve().parents[1]
_BLOCK = re.compile(r"^```bash\n(.*?)^```", re.M | re.S)
_PREFIXES = ("$A ", ".venv/bin/auditlib ", "auditlib ")


def _command_lines() -> list[tuple[str, str]]:
    found = []
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        text = path.read_text(encoding="utf-8")
        for match in _BLOCK.finditer(text):
            first = text[: match.start()].count("\n") + 2
            lines = match.group(1).splitlines()
            joined: list[tuple[int, str]] = []
            for offset, line in enumerate(lines):
                if joined and joined[-1][1].endswith("\\"):
                    joined[-1] = (joined[-1][0], joined[-1][1][:-1] + " " + line.strip())
                else:
                    joined.append((first + offset, line.strip()))
            for number, line in joined:
                if line.startswith(_PREFIXES):
                    found.append((f"{path.relative_to(ROOT)}:{number}", line))
    return found


LINES = _command_lines()


def test_the_docs_have_command_lines() -> None:
    assert len(LINES) >= 30


def command_problem(line: str) -> str | None:
    """What is wrong with one ``auditlib`` command line (None: command and options exist)."""
    arguments = shlex.split(line, comments=True)[1:]
    command: click.Command = cli
    path = ["auditlib"]
    while isinstance(command, click.Group) and arguments and not arguments[0].startswith("-"):
        sub = command.get_command(click.Context(command), arguments[0])
        if sub is None:
            break
        command, path = sub, [*path, arguments.pop(0)]
    if isinstance(command, click.Group) and arguments:
        return f"'{' '.join(path)} {arguments[0]}' is no command"
    known = {name for param in command.params for name in (*param.opts, *param.secondary_opts)}
    for word in arguments:
        option = word.split("=", 1)[0]
        if word.startswith("--") and option not in known:
            return f"{' '.join(path)} has no option {option}"
    return None


def test_the_check_finds_a_wrong_command_or_option() -> None:
    assert command_problem("$A fieldwork import p.yaml w.xlsx --into v.csv") == (
        "auditlib fieldwork import has no option --into"
    )
    assert (
        command_problem("$A fieldwork export p.yaml") == "'auditlib fieldwork export' is no command"
    )
    assert command_problem("$A fieldwork import p.yaml w.xlsx --table t.csv") is None


@pytest.mark.parametrize(("where", "line"), LINES, ids=[where for where, _ in LINES])
def test_command_and_options_exist(where: str, line: str) -> None:
    problem = command_problem(line)
    assert problem is None, f"{where}: {problem}"
