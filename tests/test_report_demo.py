"""The README's main job: ``auditlib demo`` produces every example county's report.

Slow (regenerates the three example counties and runs their reports): marked ``slow``; it still
runs in CI.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from auditlib.report.privacy import identities_in_folder, scan_files

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ("430522", "500102", "530621")

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp("demo")
    command = [
        sys.executable,
        "-m",
        "auditlib",
        "demo",
        "--out",
        str(output / "reports"),
        "--restricted",
        str(output / "restricted"),
    ]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=1500)
    (output / "demo.log").write_text(result.stdout + result.stderr, encoding="utf-8")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return output


def test_every_example_county_has_its_report(demo_output: Path) -> None:
    for code in EXAMPLES:
        folder = demo_output / "reports" / code
        for name in (
            "report.html",
            "report.pdf",
            "report.ipynb",
            "statistics_form.xlsx",
            "manifest.json",
        ):
            assert (folder / name).is_file(), f"{code}/{name}"
        assert list((demo_output / "restricted" / code / "worksheets").glob("worksheet_*.xlsx"))
    assert (demo_output / "reports" / "summary.xlsx").is_file()


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_pdfs_name_county_and_townships_in_the_bundled_font(demo_output: Path) -> None:
    for code in EXAMPLES:
        pdf = demo_output / "reports" / code / "report.pdf"
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
        households = pd.read_csv(
            ROOT / "data" / "example" / code / "households.csv", usecols=["county", "township"]
        )
        assert households["county"].iloc[0] in text
        for township in households["township"].unique():
            assert township in text, (code, township)
        fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout
        rows = fonts.splitlines()[2:]
        assert rows and all("Auditlib-Sans-SC" in row and " yes yes yes " in row for row in rows)


def test_reports_are_offline(demo_output: Path) -> None:
    for code in EXAMPLES:
        html = (demo_output / "reports" / code / "report.html").read_text(encoding="utf-8")
        assert "http://" not in html and "https://" not in html and "<script" not in html


def test_no_identity_in_any_report_notebook_or_log(demo_output: Path) -> None:
    logs = [*sorted((demo_output / "reports" / ".logs").glob("*.log")), demo_output / "demo.log"]
    for code in EXAMPLES:
        identities = identities_in_folder(ROOT / "data" / "example" / code)
        outputs = sorted((demo_output / "reports" / code).iterdir())
        assert scan_files([*outputs, *logs], identities) == [], code


def test_demo_report_is_reproduced_byte_for_byte(demo_output: Path) -> None:
    from auditlib.report.verify import verify_report

    result = verify_report(demo_output / "reports" / "530621")
    assert result.identical, [item.describe() for item in result.outputs]
