"""Unit tests of the report machinery that need no notebook kernel.

Fonts, figures, the HTML network check, the papermill guards, the statistics form, the
manifest comparisons and the PDF font embedding.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import openpyxl
import pandas as pd
import pytest

from auditlib.data.fingerprint import file_sha256
from auditlib.errors import ParamsError, ReportError
from auditlib.report.figures import interval_plot
from auditlib.report.fonts import (
    CSS_FONT_STACK,
    FONT_FAMILY,
    font_path,
    missing_characters,
    register_matplotlib_font,
)
from auditlib.report.forms import form_counts, write_statistics_form
from auditlib.report.manifest import input_fingerprint
from auditlib.report.manifest_compare import compare_estimates, compare_inputs, compare_outputs
from auditlib.report.notebook_runner import (
    execute_notebook,
    normalise_notebook,
    notebook_parameters,
    parameters_source,
)
from auditlib.report.privacy import (
    Identities,
    guard_outputs,
    identities_in_folder,
    scan_files,
    scan_text,
)
from auditlib.report.render import html_to_pdf, network_references, notebook_to_html
from tests import contract_fixtures as fx

# ---------------------------------------------------------------------- fonts and figures


def test_bundled_font_resolves_to_the_package_file() -> None:
    from matplotlib import font_manager

    family = register_matplotlib_font()
    assert family == FONT_FAMILY
    found = font_manager.findfont(
        font_manager.FontProperties(family=family), fallback_to_default=False
    )
    assert Path(found).resolve() == font_path().resolve()


def test_font_covers_example_county_and_township_names() -> None:
    spec = Path(__file__).resolve().parents[1] / "data" / "example" / "counties.yaml"
    if not spec.is_file():
        pytest.skip("data/example/counties.yaml not present")
    text = spec.read_text(encoding="utf-8")
    names = "".join(ch for ch in text if ord(ch) > 0x2E80)
    assert missing_characters(names) == []
    assert missing_characters("错保率漏保率工作情况统计表（）：；、“”") == []


def test_svg_figures_are_byte_identical_and_carry_no_date() -> None:
    def draw() -> str:
        return interval_plot(
            ["酿溪镇", "严塘镇"],
            [3.0, 5.0],
            [1.0, 0.0],
            [6.0, 12.0],
            [True, False],
            title="分乡镇错保率",
            axis_label="%",
            reliable_label="可靠",
            unreliable_label="不稳定",
            reference=4.0,
            reference_label="全县",
        ).svg

    first, second = draw(), draw()
    assert first == second
    assert "<dc:date>" not in first
    # Labels stay text in the report's font list (searchable in the PDF), not glyph paths.
    assert ">酿溪镇</text>" in first
    assert "font-family: " + CSS_FONT_STACK in first


# ---------------------------------------------------------------------- network references


@pytest.mark.parametrize(
    "html",
    [
        '<script src="https://cdn.example.org/require.js"></script>',
        '<link rel="stylesheet" href="http://example.org/a.css">',
        "<style>@import url('https://fonts.example.org/x.css');</style>",
        '<div style="background: url(//example.org/a.png)"></div>',
        '<img srcset="https://example.org/a.png 2x">',
    ],
)
def test_network_references_are_found(html: str) -> None:
    assert network_references(html)


def test_plain_text_and_local_anchors_are_not_network_references() -> None:
    html = (
        '<p>see https://example.org in text</p><a href="#top">top</a>'
        '<img src="data:image/png;base64,AA">'
    )
    assert network_references(html) == []


def _notebook(cells: list[object], kernel: str = "python3") -> object:
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {
        "name": kernel,
        "display_name": "Python 3",
        "language": "python",
    }
    return notebook


def test_report_template_hides_code_and_renders_outputs_inline() -> None:
    code = nbformat.v4.new_code_cell("secret_code_marker = 1")
    code.outputs = [
        nbformat.v4.new_output(
            "execute_result",
            data={"text/html": "<p>visible 可见</p>", "text/plain": "x"},
            execution_count=1,
        ),
        nbformat.v4.new_output("stream", name="stderr", text="warning text"),
    ]
    note = nbformat.v4.new_markdown_cell("analyst only")
    note.metadata["tags"] = ["analyst-note"]
    html = notebook_to_html(_notebook([code, note]), title="t")
    assert "visible 可见" in html
    assert "secret_code_marker" not in html
    assert "analyst only" not in html
    assert "warning text" not in html
    assert "<script" not in html
    assert "http://" not in html and "https://" not in html


# ---------------------------------------------------------------------- papermill guards


def test_notebook_without_parameters_cell_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "no_parameters.ipynb"
    nbformat.write(_notebook([nbformat.v4.new_code_cell("x = 1")]), path)
    with pytest.raises(ReportError, match="no cell tagged 'parameters'"):
        notebook_parameters(path)


def test_unknown_parameter_is_refused_naming_the_known_ones(tmp_path: Path) -> None:
    cell = nbformat.v4.new_code_cell("county = 'a'\nseed = 1")
    cell.metadata["tags"] = ["parameters"]
    path = tmp_path / "template.ipynb"
    nbformat.write(_notebook([cell]), path)
    assert set(notebook_parameters(path)) == {"county", "seed"}
    with pytest.raises(ReportError, match=r"unknown parameter\(s\) 'sede'.*county, seed"):
        execute_notebook(path, {"sede": 2}, cwd=tmp_path)


def test_parameters_are_injected_readably() -> None:
    source = parameters_source({"county": "新邵县", "seed": 7, "flags": [True, None]})
    assert "county = '新邵县'" in source
    assert "\\u" not in source
    with pytest.raises(ReportError, match="parameter 'when' has type"):
        parameters_source({"when": object()})


def test_normalised_notebook_has_deterministic_ids_and_no_timings() -> None:
    cell = nbformat.v4.new_code_cell("x")
    cell.metadata["tags"] = ["parameters"]
    cell.metadata["execution"] = {"iopub.execute_input": "2026-01-01T00:00:00"}
    cell.metadata["papermill"] = {
        "start_time": "a",
        "end_time": "b",
        "duration": 1.0,
        "status": "ok",
    }
    notebook = _notebook([cell, nbformat.v4.new_markdown_cell("m")])
    notebook.metadata["papermill"] = {"start_time": "a", "environment_variables": {}}
    normalise_notebook(notebook)
    assert [c["id"] for c in notebook.cells] == ["cell-00-parameters", "cell-01"]
    assert "execution" not in notebook.cells[0].metadata
    assert notebook.cells[0].metadata["papermill"] == {"status": "ok"}
    assert notebook.metadata["papermill"] == {}


# ---------------------------------------------------------------------- statistics form


def _verified() -> pd.DataFrame:
    # four verified households of two townships, counted by hand below
    return pd.DataFrame(
        {
            "household_id": ["a", "b", "c", "d", "e"],
            "township_code": ["430522101", "430522101", "430522201", "430522201", "430522201"],
            "township": ["甲镇", "甲镇", "乙乡", "乙乡", "乙乡"],
            "recipient": [True, True, True, True, False],
            "eligible": ["no", "yes", "no", "no", "yes"],
            "error_type": ["car_owner", None, "deceased_member", "car_owner", None],
        }
    )


def test_form_counts_by_hand() -> None:
    rows = form_counts(_verified(), "新邵县")
    assert [row.area for row in rows] == ["甲镇", "乙乡", "新邵县"]  # by code, as the report
    county = rows[-1]
    # hand count: recipients a-d (4), non-recipient e (1); ineligible a, c, d; e eligible
    assert county.verified_recipients == 4
    assert county.verified_non_recipients == 1
    assert county.removals["car_owner"] == 2
    assert county.deaths_removed == 1
    assert county.removed_total == 3
    assert county.newly_enrolled == 1
    assert county.problems_found == 4


def test_form_refuses_unknown_error_type() -> None:
    table = _verified()
    table.loc[0, "error_type"] = "rich_uncle"
    with pytest.raises(ReportError, match="rich_uncle"):
        form_counts(table, "新邵县")


def test_form_xlsx_is_reproducible_and_leaves_manual_cells_empty(tmp_path: Path) -> None:
    rows = form_counts(_verified(), "新邵县")
    paths = [tmp_path / "a.xlsx", tmp_path / "b.xlsx"]
    for path in paths:
        write_statistics_form(rows, path, county="新邵县", province="湖南省", period="2025", seed=7)
    assert paths[0].read_bytes() == paths[1].read_bytes()
    sheet = openpyxl.load_workbook(paths[0]).active
    headers = [cell.value for cell in sheet[4]]
    total = [cell.value for cell in sheet[5 + len(rows) - 1]]
    assert total[headers.index("应清退户数合计")] == 3
    assert total[headers.index("应新纳入户数")] == 1
    assert total[headers.index("受理问题线索(条)")] is None  # only the bureau knows it
    assert total[headers.index("立案(件)")] is None


# ---------------------------------------------------------------------- manifest


def _county_folder(root: Path) -> tuple[Path, Path, Path]:
    data = root / "data"
    data.mkdir()
    rows = ["household_id,declared_income"] + [f"H{i:04d},{100 + i}" for i in range(2500)]
    (data / "households.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (data / "county.yaml").write_text("county_code: '430522'\n", encoding="utf-8")
    params = root / "params.yaml"
    params.write_text("seed: 1\n", encoding="utf-8")
    template = root / "t.ipynb"
    template.write_text("{}", encoding="utf-8")
    return params, data, template


def test_compare_inputs_names_file_column_and_rows(tmp_path: Path) -> None:
    params, data, template = _county_folder(tmp_path)
    before = input_fingerprint(params, data, [template])
    assert compare_inputs(before, before) == []
    path = data / "households.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("H1500,1600", "H1500,9999"), "utf-8")
    (data / "extra.csv").write_text("a\n1\n", encoding="utf-8")
    differences = compare_inputs(before, input_fingerprint(params, data, [template]))
    described = [item.describe() for item in differences]
    # H1500 is data row 1501, i.e. file row 1502: in the second block of 1,000 rows
    assert described == [
        "input extra.csv: file added",
        "input households.csv: values changed in column(s) declared_income; in file rows 1002-2001",
    ]


def test_the_previous_round_is_an_input_of_its_own(tmp_path: Path) -> None:
    params, data, template = _county_folder(tmp_path)
    earlier = tmp_path / "estimates.json"
    earlier.write_text('{"error_rate": 0.1}', encoding="utf-8")
    before = input_fingerprint(params, data, [template], earlier)
    assert set(before["notebooks"]) == {"t.ipynb"}
    assert before["previous_round"]["sha256"] == file_sha256(earlier)
    assert compare_inputs(before, before) == []
    # a manifest written before the key existed kept the file among the notebooks
    books = {**before["notebooks"], "estimates.json": file_sha256(earlier)}
    legacy = {**before, "notebooks": books}
    del legacy["previous_round"]
    assert compare_inputs(legacy, before) == []
    earlier.write_text('{"error_rate": 0.2}', encoding="utf-8")
    changed = compare_inputs(before, input_fingerprint(params, data, [template], earlier))
    assert [item.describe() for item in changed] == [
        f"input {earlier}: previous round's estimates changed"
    ]
    dropped = compare_inputs(before, input_fingerprint(params, data, [template]))
    assert [item.describe() for item in dropped] == [
        f"input {earlier}: previous round no longer compared with"
    ]


def test_compare_outputs_and_estimates() -> None:
    outputs = compare_outputs({"a": "1", "b": "2", "c": "3"}, {"a": "1", "b": "9", "d": "4"})
    assert [(item.name, item.detail) for item in outputs] == [
        ("a", "identical"),
        ("b", "differs"),
        ("c", "missing in the re-run"),
        ("d", "new in the re-run"),
    ]
    changed = compare_estimates({"rate": 0.1, "n": None}, {"rate": 0.2, "n": None})
    assert [(item.name, item.detail) for item in changed] == [("rate", "0.1 -> 0.2")]


# ---------------------------------------------------------------------- PDF


@pytest.mark.skipif(shutil.which("pdffonts") is None, reason="poppler-utils not installed")
def test_pdf_embeds_only_the_bundled_font(tmp_path: Path) -> None:
    html = (
        "<!DOCTYPE html><html><head><meta charset='utf-8'></head><body>"
        "<h1>新邵县低保专项核查报告</h1>"
        "<p>酿溪镇 严塘镇 <code>auditlib verify</code></p><pre>code</pre></body></html>"
    )
    first, second = tmp_path / "a.pdf", tmp_path / "b.pdf"
    html_to_pdf(html, first)
    html_to_pdf(html, second)
    assert first.read_bytes() == second.read_bytes()
    fonts = subprocess.run(["pdffonts", str(first)], capture_output=True, text=True, check=True)
    names = [line.split()[0] for line in fonts.stdout.splitlines()[2:]]
    assert names and all(name.split("+")[-1].startswith("Auditlib-Sans-SC") for name in names)
    assert all(" yes yes yes " in line for line in fonts.stdout.splitlines()[2:])
    text = subprocess.run(["pdftotext", str(first), "-"], capture_output=True, text=True).stdout
    assert "新邵县低保专项核查报告" in text and "严塘镇" in text


def test_manifest_json_roundtrip(tmp_path: Path) -> None:
    from auditlib.report.manifest import read_manifest, write_manifest

    write_manifest(tmp_path / "manifest.json", {"county": "新邵县"})
    assert "新邵县" in (tmp_path / "manifest.json").read_text(encoding="utf-8")
    assert read_manifest(tmp_path)["county"] == "新邵县"
    (tmp_path / "manifest.json").write_text(json.dumps({"format": 99}), encoding="utf-8")
    with pytest.raises(ReportError, match="unknown manifest format"):
        read_manifest(tmp_path)


def test_missing_verification_source_fails_before_any_kernel(tmp_path: Path) -> None:
    from auditlib.report.produce import produce_report

    (tmp_path / "data").mkdir()
    params = tmp_path / "params.yaml"
    params.write_text('county_code: "430522"\ndata: data\nseed: 1\n', encoding="utf-8")
    with pytest.raises(ReportError, match="no ground_truth"):
        produce_report(params, tmp_path / "reports", verification="simulate")
    with pytest.raises(ReportError, match="no verification table"):
        produce_report(params, tmp_path / "reports", verification="data")
    with pytest.raises(ReportError, match=r"'auto' but nothing was imported .* no verification"):
        produce_report(params, tmp_path / "reports", verification="auto")
    with pytest.raises(ReportError, match="does not exist"):
        produce_report(params, tmp_path / "reports", verification=str(tmp_path / "nowhere"))
    assert not (tmp_path / "reports").exists() or not any((tmp_path / "reports").iterdir())


def test_report_css_uses_the_font_list_of_the_charts() -> None:
    # Chart text (SVG <text>) and body text must fall back to the same system fonts in a browser.
    from auditlib.report.fonts import CSS_FONT_STACK
    from auditlib.report.package_data import asset_path

    css = asset_path("templates", "report.css").read_text(encoding="utf-8")
    assert CSS_FONT_STACK in " ".join(css.split())


def test_every_preloaded_module_exists() -> None:
    # A renamed module would make the kernel's preload fail silently (and reports slower).
    import importlib.util

    from auditlib.report.report_kernel import REPORT_PRELOAD

    missing = [name for name in REPORT_PRELOAD if importlib.util.find_spec(name) is None]
    assert missing == []


def test_worker_start_up_keeps_the_slow_iri_checker_out() -> None:
    # rfc3987_syntax compiles ~35 grammars at import (1-2 s per process); nbformat never needs it.
    code = (
        "import sys, auditlib.batch.worker_startup, nbformat, jsonschema\n"
        "print(sys.modules.get('rfc3987_syntax', 'absent'))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert result in ("None", "absent")


def test_unknown_kernel_is_a_clear_error(tmp_path: Path) -> None:
    from auditlib.report.kernel import start_kernel

    with pytest.raises(ReportError, match=r"no Jupyter kernel named 'no-such-kernel'.*installed"):
        start_kernel("no-such-kernel", cwd=tmp_path)


def test_bad_parameter_file_fails_before_a_kernel_starts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from auditlib.report import kernel
    from auditlib.report.produce import produce_report

    def no_kernel(*args: object, **kwargs: object) -> None:
        raise AssertionError("a kernel was started for a parameter file that cannot be read")

    monkeypatch.setattr(kernel, "start_kernel", no_kernel)
    params = tmp_path / "params.yaml"
    params.write_text('county_code: "430522"\ndata: data\nseed: -3\n', encoding="utf-8")
    with pytest.raises(ParamsError, match="seed"):
        produce_report(params, tmp_path / "reports")
    assert not (tmp_path / "reports").exists()


def test_unknown_kernel_leaves_no_partial_report(tmp_path: Path) -> None:
    from auditlib.report.produce import produce_report
    from auditlib.synth.config import SynthConfig
    from auditlib.synth.generator import write_practice_county

    config = SynthConfig(
        county_code="419901", county="练习县", seed=3, households=400, township_count=2
    )
    params = write_practice_county(config, tmp_path, sample_seed=5)
    with pytest.raises(ReportError, match="no Jupyter kernel named 'no-such-kernel'"):
        produce_report(params, tmp_path / "reports", kernel_name="no-such-kernel")
    # only the county's lock file (released) is left: no partial report
    assert [path.name for path in (tmp_path / "reports").iterdir()] == [".419901.lock"]


def test_fresh_kernel_runs_its_preload_before_the_notebook(tmp_path: Path) -> None:
    # The cells must queue behind the preload (which pauses and freezes the collector), not race
    # it; the preload is sent without waiting for the kernel to be ready.
    from auditlib.report.kernel import start_kernel

    parameters = nbformat.v4.new_code_cell("module = ''")
    parameters.metadata["tags"] = ["parameters"]
    probe = nbformat.v4.new_code_cell("import sys\nprint(module in sys.modules)")
    path = tmp_path / "probe.ipynb"
    nbformat.write(_notebook([parameters, probe]), path)
    manager = start_kernel(cwd=tmp_path, preload=("json.tool",))
    try:
        executed = execute_notebook(
            path, {"module": "json.tool"}, cwd=tmp_path, kernel_manager=manager, fresh_kernel=True
        )
    finally:
        manager.shutdown_kernel(now=True)
    assert executed.cells[-1].outputs[0]["text"].strip() == "True"


# ------------------------------------------------------------------------- privacy guard


_IDENTITIES = Identities(
    names=frozenset({"王小明", "李红", "阿不都·热合曼", "Ayşe Yılmaz"}),
    numbers=frozenset({"43052219800101123X", "6222021234567890"}),
)


def test_identities_of_any_script_are_found_in_a_folder(tmp_path: Path) -> None:
    # the fixture county plus members written with a middle dot and in Latin letters
    folder = fx.write_county(tmp_path / "county")
    members = (folder / "members.csv").read_text(encoding="utf-8")
    (folder / "members.csv").write_text(
        members.replace("张小华", "阿不都·热合曼", 1).replace("王大力", "Ayşe Yılmaz", 1),
        encoding="utf-8",
    )
    identities = identities_in_folder(folder)
    assert {"阿不都·热合曼", "Ayşe Yılmaz"} <= identities.names
    assert fx.HEAD_1 in identities.numbers


def test_scan_finds_names_of_every_script_and_numbers() -> None:
    text = "<td>阿不都·热合曼</td><td>Ayşe Yılmaz</td><td>李红</td> 43052219800101123x 王小明家"
    kinds = sorted((f.kind, f.masked) for f in scan_text(text, _IDENTITIES, "report.html"))
    assert kinds == [
        ("ID number", "430522********123X"),
        ("name", "A**e Y****z"),
        ("name", "李*"),
        ("name", "王*明"),
        ("name", "阿*都·热*曼"),
    ]
    # the masked forms and ordinary words are not findings
    assert scan_text("王*明 李* 红色 Ayşe 6222********7890 2025-12-31", _IDENTITIES) == []


def test_guard_masks_html_and_notebook_instead_of_refusing(tmp_path: Path) -> None:
    html = tmp_path / "report.html"
    html.write_text("<p>户主 王小明 (43052219800101123X), Ayşe Yılmaz</p>", encoding="utf-8")
    notebook = tmp_path / "report.ipynb"
    cells = [{"cell_type": "markdown", "metadata": {}, "source": ["阿不都·热合曼 的户\n"]}]
    notebook.write_text(json.dumps({"cells": cells}, ensure_ascii=False), encoding="utf-8")
    clean = tmp_path / "estimates.json"
    clean.write_text('{"rate": 0.12}', encoding="utf-8")
    before = clean.read_bytes()
    outcome = guard_outputs([html, notebook, clean], _IDENTITIES)
    assert outcome.refused == ()
    assert html.read_text(encoding="utf-8") == "<p>户主 王*明 (430522********123X), A**e Y****z</p>"
    assert "阿*都·热*曼 的户" in notebook.read_text(encoding="utf-8")
    assert clean.read_bytes() == before  # nothing found: not rewritten
    assert scan_files([html, notebook, clean], _IDENTITIES) == []
    assert outcome.record() == [
        "report.html: the privacy guard masked 3 personal value(s) shown in clear "
        "(1 ID number, 2 name)",
        "report.ipynb: the privacy guard masked 1 personal value(s) shown in clear (1 name)",
    ]


def test_guard_refuses_what_it_cannot_mask(tmp_path: Path) -> None:
    form = tmp_path / "form.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active.append(["王小明", 3])
    workbook.save(form)
    before = form.read_bytes()
    outcome = guard_outputs([form], _IDENTITIES)
    assert [(f.file, f.kind, f.masked) for f in outcome.refused] == [("form.xlsx", "name", "王*明")]
    assert outcome.masked == () and form.read_bytes() == before
