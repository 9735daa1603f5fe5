"""Charts carry a PNG next to their SVG, so an executed notebook shows them when not trusted.

JupyterLab drops SVG (inline in HTML, or as ``image/svg+xml``) from a notebook that is not
trusted and shows ``image/png``; the HTML report keeps the SVG alone (issue 17, point 4). The
report-notebook tests run one small synthetic county (as ``test_report_pipeline.py``), without
the PDF.
"""

from __future__ import annotations

import base64
import hashlib
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from auditlib.report.figures import PNG_DPI, SvgFigure, interval_plot, plotted_values, png_size
from auditlib.report.notebook_charts import PART_KEY, display_parts, merge_chart_parts

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
ROOT = Path(__file__).resolve().parents[1]


def _chart(labels: tuple[str, ...] = ("银洞镇", "团口镇", "水林镇")) -> SvgFigure:
    count = len(labels)
    return interval_plot(
        list(labels),
        [10.6, 1.5, 5.4][:count],
        [0.1, 0.0, 0.0][:count],
        [98.3, 97.1, 98.8][:count],
        [False, True, False][:count],
        title="三、分乡镇错保率",
        axis_label="错保率（%）",
        reliable_label="稳定",
        unreliable_label="不稳定",
        reference=5.4,
        reference_label="全县估计",
        name="townships",
    )


def _check_png(encoded: str) -> bytes:
    png = base64.b64decode(encoded, validate=True)
    assert png.startswith(PNG_SIGNATURE)
    width, height = png_size(png)
    assert width > 100 and height > 50
    return png


def test_png_rendering_is_byte_deterministic() -> None:
    first, second = _chart(), _chart()
    assert first.png.startswith(PNG_SIGNATURE) and len(first.png) > 1000
    assert first.png == second.png and first.svg == second.svg
    assert b"Software" not in first.png  # no matplotlib version text in the bytes
    # A fresh interpreter (font registered anew) draws the same bytes.
    script = (
        "import hashlib, sys; sys.path.insert(0, sys.argv[1]);"
        "from tests.test_figures_png import _chart;"
        "print(hashlib.sha256(_chart().png).hexdigest())"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(ROOT)], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == hashlib.sha256(first.png).hexdigest()


def test_chart_display_bundle_has_svg_and_png_at_the_svg_size() -> None:
    figure = _chart()
    data, metadata = figure._repr_mimebundle_()
    assert data["image/svg+xml"] == figure.svg
    assert _check_png(data["image/png"]) == figure.png
    width, height = png_size(figure.png)
    # shown at 96 pixels per inch, the size of the SVG (its points at 96/72 pixels)
    assert metadata["image/png"] == {
        "width": round(width * 96 / PNG_DPI),
        "height": round(height * 96 / PNG_DPI),
    }
    points = float(figure.svg.split('width="', 1)[1].split("pt", 1)[0])
    assert abs(metadata["image/png"]["width"] - points * 96 / 72) <= 2


def test_display_parts_cut_at_each_chart_and_join_back() -> None:
    first, second = _chart(), _chart(("甲镇", "乙镇"))
    html = (
        f'<h2>三</h2><figure class="figure">{first.svg}</figure><table></table>\n'
        f'<figure class="figure">{second.svg}</figure>'
    )
    parts = display_parts(html)
    kinds = ["image/png" in data for data, _ in parts]
    assert kinds == [False, True, False, True, False]
    for data, metadata in parts:
        assert metadata[PART_KEY]["count"] == 5
        if "image/png" in data:
            _check_png(data["image/png"])
            assert "<svg" in data["image/svg+xml"]
        else:
            assert "<svg" not in data["text/html"]
    joined = "".join(data.get("image/svg+xml", data.get("text/html", "")) for data, _ in parts)
    assert joined == html
    # an SVG this process did not draw, or no chart at all: one output, not marked
    assert display_parts("<p>无图</p>") == [({"text/html": "<p>无图</p>"}, {})]
    other = html.replace(first.svg, first.svg.replace("<svg", "<svg data-x='1'", 1))
    assert len(display_parts(other)) == 3


def _notebook_with(parts: list[tuple[dict[str, str], dict[str, object]]]) -> nbformat.NotebookNode:
    notebook = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("section(audit)")
    cell.outputs = [
        nbformat.v4.new_output("display_data", data=data, metadata=metadata)
        for data, metadata in parts
    ]
    notebook.cells = [cell, nbformat.v4.new_code_cell("x = 1")]
    return notebook


def test_merge_chart_parts_gives_the_fragment_back() -> None:
    html = f'<h2>三</h2><figure class="figure">{_chart().svg}</figure><table></table>'
    notebook = _notebook_with(display_parts(html))
    merged = merge_chart_parts(notebook)
    assert len(notebook.cells[0].outputs) == 3  # the notebook itself is left as it is
    assert [output.data for output in merged.cells[0].outputs] == [{"text/html": html}]
    assert merged.cells[0].outputs[0].metadata == {}
    with pytest.raises(ValueError, match="complete and in order"):
        merge_chart_parts(_notebook_with(display_parts(html)[1:]))
    with pytest.raises(ValueError, match="last part is missing"):
        merge_chart_parts(_notebook_with(display_parts(html)[:2]))


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from auditlib.report.produce import produce_report
    from tests.test_report_pipeline import make_county

    root = tmp_path_factory.mktemp("png")
    result = produce_report(
        make_county(root / "data"),
        root / "reports",
        restricted_root=root / "restricted",
        verification="simulate",
        pdf=False,
    )
    return result.folder


def test_every_chart_of_the_executed_report_notebook_has_a_png(report: Path) -> None:
    notebook = nbformat.read(report / "report.ipynb", as_version=4)
    charts = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            assert "<svg" not in data.get("text/html", ""), "a chart inline in HTML"
            if "image/svg+xml" in data:
                assert output.output_type == "display_data"
                _check_png(data["image/png"])
                charts.append(data["image/svg+xml"])
    records = [record for svg in charts for record in plotted_values(svg)]
    names = {record["figure"] for record in records}
    assert {"townships", "error_types", "score_histogram", "fairness_ratios"} <= names
    # The HTML report has the same charts, as SVG only.
    html = (report / "report.html").read_text(encoding="utf-8")
    assert plotted_values(html) == records
    assert html.count("<svg") == len(charts) and "image/png" not in html


def _chart_notebook(tmp_path: Path, svg: str, png: str) -> Path:
    notebook = _notebook_with([({"image/svg+xml": svg, "image/png": png, "text/plain": "c"}, {})])
    path = tmp_path / "report.ipynb"
    nbformat.write(notebook, str(path))
    return path


def test_privacy_guard_drops_the_png_of_a_chart_it_masks(tmp_path: Path) -> None:
    from auditlib.report.privacy import Identities, guard_outputs

    png = base64.b64encode(_chart().png).decode("ascii")
    path = _chart_notebook(tmp_path, "<svg><text>张小明</text></svg>", png)
    outcome = guard_outputs([path], Identities(names=frozenset({"张小明"}), numbers=frozenset()))
    assert [finding.masked for finding in outcome.masked] == ["张*明"]
    data = nbformat.read(path, as_version=4).cells[0].outputs[0].data
    # the PNG would still show the name: only the masked SVG is kept
    assert data["image/svg+xml"] == "<svg><text>张*明</text></svg>" and "image/png" not in data


def test_privacy_scan_reads_no_png_as_text(tmp_path: Path) -> None:
    from auditlib.report.privacy import Identities, guard_outputs, scan_files

    number = "430522199001011234"
    png = "iVBORw0KGgo" + number + "AAAA"  # base64 whose letters happen to hold a digit run
    path = _chart_notebook(tmp_path, "<svg><text>银洞镇</text></svg>", png)
    identities = Identities(names=frozenset(), numbers=frozenset({number}))
    assert scan_files([path], identities) == []
    assert guard_outputs([path], identities).masked == ()
    assert nbformat.read(path, as_version=4).cells[0].outputs[0].data["image/png"] == png
