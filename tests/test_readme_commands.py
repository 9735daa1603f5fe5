"""The README's commands run as written, in order, on a fresh copy of the example set-up.

The "Commands" block is executed as one bash script (``set -e``: the first command that fails
stops it and is named), in a temporary folder holding what a fresh clone has — ``params/`` and
``data/example/counties.yaml`` — and a ``.venv`` link to the environment running the tests, so
``A=.venv/bin/auditlib`` and ``.venv/bin/dask`` resolve as in the README. Background processes
the block starts (the Dask scheduler and workers) are stopped with the script's process group.
The "In JupyterLab" block is run until JupyterLab serves the notebooks folder, then stopped.
``docs/example-data.md``'s quick start runs after the Commands block; the docs' other shell
samples are templates for a real deployment (``tests/test_docs_commands.py`` checks their
commands and options).

Not run here: ``scripts/test.sh`` (this suite; CI runs it), ``scripts/demo.sh`` (setup, then the
``auditlib demo`` this block runs) and the PowerShell block (Windows only).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
#: Seconds the whole Commands block may take (it makes about ten reports).
BLOCK_TIMEOUT = 2400


def readme_block(heading: str, document: Path = README) -> str:
    """The first ```bash block under the heading ``heading`` of ``document`` (the README)."""
    text = document.read_text(encoding="utf-8")
    start = text.index(f"\n## {heading}\n")
    match = re.compile(r"^```bash\n(.*?)^```", re.M | re.S).search(text, start)
    assert match is not None, f"no bash block under '## {heading}'"
    return match.group(1)


def fresh_copy(root: Path) -> Path:
    """What a fresh clone holds for the commands (parameters, example recipe, notebooks)."""
    work = root / "work"
    shutil.copytree(ROOT / "params", work / "params")
    (work / "data" / "example").mkdir(parents=True)
    for name in ("counties.yaml", "README.md"):
        shutil.copy(ROOT / "data" / "example" / name, work / "data" / "example" / name)
    shutil.copytree(ROOT / "notebooks", work / "notebooks")
    (work / ".venv").symlink_to(Path(sys.prefix))
    return work


def _environment() -> dict[str, str]:
    path = f"{Path(sys.prefix) / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}"
    environment = dict(os.environ, CI="true", TERM="dumb", NO_COLOR="1", PATH=path)
    environment.pop("VIRTUAL_ENV", None)
    return environment


def _stop_group(process: subprocess.Popen[str]) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        with_kill = getattr(signal, "SIGKILL", signal.SIGTERM)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, with_kill)


def test_the_blocks_are_found() -> None:
    commands = readme_block("Commands")
    assert commands.startswith("A=.venv/bin/auditlib\n")
    assert "$A demo" in commands and "$A sample" in commands
    assert "jupyter lab" in readme_block("In JupyterLab")


@pytest.mark.slow
@pytest.mark.skipif(os.name != "posix", reason="bash and process groups")
def test_every_readme_command_runs_as_written(tmp_path: Path) -> None:
    work = fresh_copy(tmp_path)
    script = (
        "set -euo pipefail\n"
        "trap 'echo \"README command failed (exit $?): $BASH_COMMAND\" >&2' ERR\n"
        + readme_block("Commands")
        # docs/example-data.md's quick start (bare `auditlib`: the environment's bin on PATH)
        + readme_block("Quick start", ROOT / "docs" / "example-data.md")
    )
    log = tmp_path / "commands.log"
    with log.open("w", encoding="utf-8") as output:
        process = subprocess.Popen(
            ["bash", "-c", script],
            cwd=work,
            stdout=output,
            stderr=subprocess.STDOUT,
            text=True,
            env=_environment(),
            start_new_session=True,
            stdin=subprocess.DEVNULL,
        )
        try:
            code = process.wait(timeout=BLOCK_TIMEOUT)
        finally:
            _stop_group(process)  # the Dask scheduler and workers started with '&'
    shown = log.read_text(encoding="utf-8", errors="replace")[-6000:]
    assert code == 0, f"the README's commands stopped (exit {code}):\n{shown}"
    for made in (
        "data/mine",
        "reports/430522/report.html",
        "reports/430522/report-interim.html",
        "reports/530621/report.pdf",
        "reports/summary.xlsx",
        "restricted/430522/returned",
        "restricted/430522/returned-2",
        "sim.csv",
        "province/estimates.json",
        "restricted/crosscounty/crosscounty.csv",
        "data/demo3",
    ):
        assert (work / made).exists(), f"{made} was not made:\n{shown}"
    # the example counties' planted cross-county links reach both counties' reports
    links = (work / "data/example/430522/ground_truth/cross_county.csv").read_text("utf-8")
    enrolled = next(line.split(",") for line in links.splitlines() if "double_enrolment" in line)
    masked = enrolled[3][:6] + "********" + enrolled[3][-4:]
    for code in (enrolled[1], enrolled[4]):
        page = (work / "reports" / code / "report.html").read_text(encoding="utf-8")
        assert masked in page and "X01" in page, f"{masked} is not in {code}'s report"


@pytest.mark.slow
@pytest.mark.skipif(os.name != "posix", reason="process groups")
def test_the_jupyterlab_commands_serve_the_notebooks(tmp_path: Path) -> None:
    work = fresh_copy(tmp_path)
    lines = [line for line in readme_block("In JupyterLab").splitlines() if line.strip()]
    config = tmp_path / "jupyter-config"
    config.mkdir()
    # CI runs as root, where Jupyter refuses to start without this (a user's machine: not root)
    (config / "jupyter_server_config.json").write_text(
        '{"ServerApp": {"allow_root": true}}', encoding="utf-8"
    )
    environment = _environment() | {
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
        "JUPYTER_CONFIG_DIR": str(config),
        "BROWSER": "true",  # no browser to open here
    }
    for line in lines[:-1]:
        subprocess.run(["bash", "-c", line], cwd=work, check=True, env=environment, timeout=600)
    assert lines[-1].startswith(".venv/bin/jupyter lab notebooks/")
    log = tmp_path / "lab.log"
    with log.open("w", encoding="utf-8") as output:
        process = subprocess.Popen(
            ["bash", "-c", lines[-1]],
            cwd=work,
            stdout=output,
            stderr=subprocess.STDOUT,
            env=environment,
            start_new_session=True,
            stdin=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 180
            while time.monotonic() < deadline and process.poll() is None:
                if "is running at" in log.read_text(encoding="utf-8", errors="replace"):
                    break
                time.sleep(1)
            served = log.read_text(encoding="utf-8", errors="replace")
        finally:
            _stop_group(process)
    assert "is running at" in served, served[-3000:]
    assert str(work / "notebooks") in served or "notebooks" in served
