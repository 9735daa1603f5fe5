"""Every notebook is executed with papermill (tutorials with small parameters) and is committed
clean: a ``parameters`` cell, no outputs, deterministic cell ids.

The county report notebook itself is executed end to end by ``test_report_pipeline.py``.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from auditlib.report.notebook_runner import execute_notebook, notebook_parameters

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
ALL = sorted(NOTEBOOKS.rglob("*.ipynb"))
TUTORIALS = sorted((NOTEBOOKS / "tutorial").glob("*.ipynb"))


def test_notebooks_exist() -> None:
    assert (NOTEBOOKS / "county_report.ipynb") in ALL
    assert len(TUTORIALS) == 3


@pytest.mark.parametrize("path", ALL, ids=lambda path: path.name)
def test_notebook_is_committed_clean(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    assert notebook_parameters(path), "a tagged parameters cell"
    # JupyterLab opens it with the project's kernel (installed by scripts/setup.sh), not
    # whatever "python3" is on the machine.
    assert notebook.metadata["kernelspec"]["name"] == "auditlib"
    assert notebook.metadata["kernelspec"]["display_name"] == "auditlib (Python 3)"
    for index, cell in enumerate(notebook.cells):
        assert cell["id"] == f"cell-{index:02d}"
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None


@pytest.mark.parametrize("path", TUTORIALS, ids=lambda path: path.name)
def test_tutorial_runs(path: Path, tmp_path: Path) -> None:
    executed = execute_notebook(
        path, {"households": 2500, "townships": 3, "replicates": 8}, cwd=path.parent
    )
    outputs = [
        output for cell in executed.cells if cell.cell_type == "code" for output in cell.outputs
    ]
    assert outputs, "the tutorial shows results"
    assert not [output for output in outputs if output.output_type == "error"]
    text = "".join(output.get("text", "") for output in outputs)
    assert "true inclusion-error rate" in text
    solutions = [cell for cell in executed.cells if "solution" in cell.metadata.get("tags", [])]
    assert len(solutions) >= 3, "solutions for the exercises"
    assert all(cell.metadata["jupyter"]["source_hidden"] for cell in solutions), "hidden by default"
