"""The two PDF engines (WeasyPrint, headless Chromium), the choice between them, and the
privacy guard reading PDF text with pypdf (no poppler).

The Chromium tests need a Chromium, Chrome or Edge (CI installs ``chromium``, see
``scripts/setup.sh``) and are skipped without one; WeasyPrint is made unimportable with
``sys.modules["weasyprint"] = None`` (in this process) or with a ``weasyprint.py`` that raises
:class:`OSError` put first on ``PYTHONPATH`` (in a child process), as a machine without Pango
behaves.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from auditlib.errors import ReportError
from auditlib.report import render
from auditlib.report.fonts import font_path
from auditlib.report.pdf_chromium import find_browser
from auditlib.report.pdf_text import pdf_text, pdf_text_digest, pypdf_text
from auditlib.report.privacy import Identities, guard_outputs, scan_files
from auditlib.report.render import html_to_pdf, resolve_pdf_engine, weasyprint_problem

needs_chromium = pytest.mark.skipif(
    find_browser() is None, reason="no Chromium, Chrome or Edge installed (scripts/setup.sh)"
)
needs_weasyprint = pytest.mark.skipif(
    weasyprint_problem() is not None, reason=f"WeasyPrint not usable: {weasyprint_problem()}"
)

#: Short lines only: each engine breaks long lines at other places, which would split words.
HTML = (
    "<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'><title>测试报告</title>"
    "</head><body><h1>新邵县低保专项核查报告</h1>"
    "<p>酿溪镇 严塘镇 陈家坊镇</p>"
    "<table><tr><th>指标</th><th>估计</th><th>95% 区间</th></tr>"
    "<tr><td>错保率</td><td>12.5%</td><td>[3.1%, 20.0%]</td></tr>"
    "<tr><td>违规金额</td><td>1,234,567 元</td><td>[987,654, 1,480,000]</td></tr></table>"
    "<p><code>auditlib verify</code> 430522</p></body></html>"
)


def _words(path: Path) -> set[str]:
    """The PDF's words, whitespace normalised (pypdf)."""
    return set(pypdf_text(path).split())


def _font_names(path: Path) -> set[str]:
    """``/FontName`` of every font descriptor of the PDF's pages (Type 3 fonts included)."""
    names: set[str] = set()
    for page in PdfReader(path).pages:
        fonts = page["/Resources"].get_object().get("/Font", {})
        for font in fonts.get_object().values():
            font = font.get_object()
            descendants = [d.get_object() for d in font.get("/DescendantFonts", [])]
            for item in [font, *descendants]:
                descriptor = item.get("/FontDescriptor")
                if descriptor is not None:
                    names.add(str(descriptor.get_object()["/FontName"]))
    return names


def _blocked_weasyprint(folder: Path) -> Path:
    """A folder whose ``weasyprint.py`` fails as WeasyPrint does without Pango."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "weasyprint.py").write_text(
        "raise OSError(\"cannot load library 'libpango-1.0-0': error 0x7e (test double)\")\n",
        encoding="utf-8",
    )
    return folder


# ------------------------------------------------------------------------ both engines


@needs_chromium
@needs_weasyprint
def test_both_engines_print_the_same_words(tmp_path: Path) -> None:
    weasy, chromium = tmp_path / "weasyprint.pdf", tmp_path / "chromium.pdf"
    assert html_to_pdf(HTML, weasy, engine="weasyprint") == "weasyprint"
    assert html_to_pdf(HTML, chromium, engine="chromium") == "chromium"
    words = _words(weasy)
    assert {"新邵县低保专项核查报告", "12.5%", "[987,654,", "1,480,000]", "430522"} <= words
    assert _words(chromium) == words
    # both A4 (595.3 x 841.9 pt; Chromium rounds to its device pixels)
    for path in (weasy, chromium):
        box = PdfReader(path).pages[0].mediabox
        assert abs(float(box.width) - 595.28) < 1 and abs(float(box.height) - 841.89) < 1


@needs_chromium
def test_chromium_embeds_the_bundled_font(tmp_path: Path) -> None:
    target = tmp_path / "report.pdf"
    html_to_pdf(HTML, target, engine="chromium")
    names = _font_names(target)
    # Chromium (Skia) embeds the OpenType font as Type 3 glyphs named after it; no other font
    assert names and all(name.split("+")[-1] == "AuditlibSansSC-Regular" for name in names)
    assert font_path().name == "AuditlibSansSC-Regular.otf"


@needs_chromium
def test_chromium_leaves_no_temporary_file_and_replaces_the_target(tmp_path: Path) -> None:
    target = tmp_path / "report.pdf"
    target.write_bytes(b"old")
    html_to_pdf(HTML, target, engine="chromium")
    assert target.read_bytes().startswith(b"%PDF-")
    assert sorted(path.name for path in tmp_path.iterdir()) == ["report.pdf"]


@needs_chromium
def test_chromium_pdf_text_digest_ignores_its_date(tmp_path: Path) -> None:
    # What verify compares for a Chromium PDF: the same text twice, other bytes.
    first, second = tmp_path / "a.pdf", tmp_path / "b.pdf"
    html_to_pdf(HTML, first, engine="chromium")
    html_to_pdf(HTML, second, engine="chromium")
    assert pdf_text_digest(first) == pdf_text_digest(second)
    html_to_pdf(HTML.replace("12.5%", "12.6%"), second, engine="chromium")
    assert pdf_text_digest(first) != pdf_text_digest(second)


# ------------------------------------------------------------------------ the choice


@needs_chromium
def test_auto_falls_back_to_chromium_without_weasyprint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # "import weasyprint" fails
    assert weasyprint_problem() is not None
    assert resolve_pdf_engine("auto") == "chromium"
    target = tmp_path / "report.pdf"
    assert html_to_pdf(HTML, target) == "chromium"
    assert "新邵县低保专项核查报告" in pdf_text(target)
    with pytest.raises(ReportError, match=r"'weasyprint' cannot be loaded .*--no-pdf"):
        resolve_pdf_engine("weasyprint")


@needs_weasyprint
def test_auto_takes_weasyprint_when_it_loads() -> None:
    assert resolve_pdf_engine("auto") == "weasyprint"


def test_no_engine_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "weasyprint", None)
    monkeypatch.setattr(render, "find_browser", lambda: None)
    with pytest.raises(ReportError, match="no PDF engine is available") as raised:
        resolve_pdf_engine("auto")
    assert "Pango" in raised.value.message and "--no-pdf" in raised.value.message
    with pytest.raises(ReportError, match=r"'chromium' needs Chromium.*--no-pdf"):
        resolve_pdf_engine("chromium")
    with pytest.raises(ReportError, match=r"pdf_engine must be one of .*got 'prince'"):
        resolve_pdf_engine("prince")


@pytest.mark.parametrize("command", ["report", "batch", "demo"])
def test_cli_without_any_engine_exits_2_without_a_traceback(tmp_path: Path, command: str) -> None:
    # WeasyPrint without its libraries, and no browser on PATH (nor in the usual places).
    params = tmp_path / "430522.yaml"
    params.write_text("county_code: '430522'\n", encoding="utf-8")
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in ("PROGRAMFILES", "PROGRAMFILES(X86)", "LOCALAPPDATA")
    }
    environment["PYTHONPATH"] = str(_blocked_weasyprint(tmp_path / "blocked"))
    environment["PATH"] = str(tmp_path / "empty")
    arguments = ["--params", str(tmp_path)] if command == "demo" else [str(params)]
    result = subprocess.run(
        [sys.executable, "-m", "auditlib", command, *arguments, "--out", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        env=environment,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    said = " ".join((result.stdout + result.stderr).split())
    assert result.returncode == 2, said
    assert "no PDF engine is available" in said and "--no-pdf" in said
    assert "Traceback" not in said and "internal error" not in said
    assert not (tmp_path / "out" / "430522").exists()


# ------------------------------------------------------------------------ privacy scan


@pytest.fixture
def no_poppler(monkeypatch: pytest.MonkeyPatch) -> None:
    """Hide poppler's pdftotext from anything that looks for it."""
    real = shutil.which

    def which(name: str, mode: int = os.F_OK | os.X_OK, path: str | None = None) -> str | None:
        return None if Path(name).name.startswith("pdftotext") else real(name, mode, path)

    monkeypatch.setattr(shutil, "which", which)


@pytest.mark.skipif(
    weasyprint_problem() is not None and find_browser() is None, reason="no PDF engine"
)
def test_privacy_scan_reads_pdf_text_without_poppler(tmp_path: Path, no_poppler: None) -> None:
    assert shutil.which("pdftotext") is None
    identities = Identities(names=frozenset({"王小明"}), numbers=frozenset({"43052219800101123X"}))
    leaking = tmp_path / "report.pdf"
    html_to_pdf(HTML.replace("430522</p>", "户主 王小明 43052219800101123X</p>"), leaking)
    found = sorted((f.kind, f.masked) for f in scan_files([leaking], identities))
    assert found == [("ID number", "430522********123X"), ("name", "王*明")]
    outcome = guard_outputs([leaking], identities)  # a PDF cannot be masked: refused
    assert [f.kind for f in outcome.refused] == ["ID number", "name"]
    clean = tmp_path / "clean.pdf"
    html_to_pdf(HTML.replace("430522</p>", "户主 王*明 430522********123X</p>"), clean)
    assert scan_files([clean], identities) == []


@pytest.mark.skipif(
    shutil.which("pdftotext") is None or weasyprint_problem() is not None,
    reason="needs poppler's pdftotext and WeasyPrint",
)
def test_privacy_scan_with_pdftotext_finds_the_same(tmp_path: Path) -> None:
    identities = Identities(names=frozenset({"王小明"}), numbers=frozenset({"43052219800101123X"}))
    leaking = tmp_path / "report.pdf"
    html_to_pdf(HTML.replace("430522</p>", "户主 王小明 43052219800101123X</p>"), leaking)
    found = sorted((f.kind, f.masked) for f in scan_files([leaking], identities))
    assert found == [("ID number", "430522********123X"), ("name", "王*明")]


@pytest.mark.parametrize("poppler", [False, True])
def test_an_unreadable_pdf_is_an_error_not_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, poppler: bool
) -> None:
    if poppler and shutil.which("pdftotext") is None:
        pytest.skip("poppler's pdftotext not installed")
    if not poppler:
        real = shutil.which
        monkeypatch.setattr(
            shutil, "which", lambda name, *a: None if "pdftotext" in name else real(name, *a)
        )
    broken = tmp_path / "report.pdf"
    broken.write_bytes(b"%PDF-1.7\n this is not a PDF body")
    identities = Identities(names=frozenset(), numbers=frozenset({"43052219800101123X"}))
    with pytest.raises(ReportError, match=r"could not read the text of .*report\.pdf"):
        scan_files([broken], identities)


# ------------------------------------------------------------------------ report and verify


@pytest.mark.slow
@needs_chromium
def test_chromium_report_is_recorded_and_verified_by_its_text(tmp_path: Path) -> None:
    from auditlib.report.manifest import read_manifest
    from auditlib.report.produce import produce_report
    from auditlib.report.verify import report_is_current, verify_report
    from tests.test_report_pipeline import make_county

    params = make_county(tmp_path, households=1500)
    root = params.parent.parent
    result = produce_report(
        params,
        root / "reports",
        restricted_root=root / "restricted",
        verification="simulate",
        pdf_engine="chromium",
    )
    assert result.pdf_engine == "chromium"
    manifest = read_manifest(result.folder)
    assert manifest["options"]["pdf_engine"] == "chromium"
    assert manifest["pdf_text"] == {"report.pdf": pdf_text_digest(result.folder / "report.pdf")}
    assert manifest["platform"]["pdf_browser"] != "unknown"
    assert "示例县" in pdf_text(result.folder / "report.pdf")
    current = {"verification": "simulate", "language": ""}
    assert report_is_current(params, root / "reports", pdf_engine="chromium", **current)
    assert not report_is_current(params, root / "reports", pdf_engine="weasyprint", **current)
    verified = verify_report(result.folder)
    assert verified.identical, [item.describe() for item in verified.differences]
    pdf = next(item for item in verified.outputs if item.name == "report.pdf")
    assert pdf.detail == "identical (its text: a Chromium PDF is not byte-reproducible)"
