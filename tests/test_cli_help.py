"""``--help`` lists every command with its whole first sentence, wrapped, never cut ("...")."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from auditlib.cli.main import cli


@pytest.mark.parametrize("group", [[], ["risk"], ["synth"], ["fieldwork"], ["plan"], ["simulate"]])
def test_command_list_is_not_cut(group: list[str]) -> None:
    result = CliRunner().invoke(cli, [*group, "--help"], terminal_width=80)
    assert result.exit_code == 0, result.output
    listing = result.output.split("Commands:", 1)[1]
    assert "..." not in listing
    assert listing.strip()


def test_top_level_help_names_each_command_fully() -> None:
    output = CliRunner().invoke(cli, ["--help"], terminal_width=80).output
    flat = " ".join(output.split())
    assert "Produce the reports of every PARAMS_FILE (e.g. params/*.yaml) in parallel." in flat
    assert "Phase 2: the report of PARAMS_FILE — HTML, PDF, statistics form and manifest." in flat
