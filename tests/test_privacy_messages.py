"""No message shows a full ID number or name, whatever column the value sits in (issue 14.2).

Each case breaks the hand-made county of :mod:`tests.contract_fixtures` so that identities land
where a non-personal column is expected, runs ``auditlib validate --problems-csv`` through
:func:`run_guarded`, and checks the console, the problems CSV and the exception text. The
expected masks come from the rule of :mod:`auditlib.data.masking` applied by hand.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from auditlib.cli.common import EXIT_BAD_INPUT, run_guarded
from auditlib.cli.main import cli
from auditlib.data.loading import load_county
from auditlib.data.masking import mask_text
from auditlib.data.policy import ValidationPolicy
from auditlib.errors import DataError
from tests import contract_fixtures as fx

NAMES = ["张伟", "李红", "王小明", "阿不都·热合曼", "Ayşe Yılmaz"]
FULL_ID = re.compile(r"(?<![0-9*])[0-9]{17}[0-9Xx]")


def _leaks(text: str) -> list[str]:
    found = FULL_ID.findall(text)
    found += [name for name in NAMES if name in text]
    found += [identity for identity in (fx.HEAD_1, fx.HEAD_2, fx.HEAD_3) if identity in text]
    return found


def _validate(
    folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], code: int = EXIT_BAD_INPUT
) -> str:
    """Run ``auditlib validate``; return console, problems CSV and exception text together."""
    table = tmp_path / "problems.csv"
    assert run_guarded(cli, ["validate", str(folder), "--problems-csv", str(table)]) == code
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    exception = ""
    try:
        load_county(folder)
    except DataError as error:
        exception = str(error) + "\n".join(p.describe() for p in error.problems)
    text = captured.out + captured.err + table.read_text(encoding="utf-8") + exception
    return text


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("430522196001010012", "430522********0012"),
        ("see 43052219600101001X here", "see 430522********001X here"),
        ("6222021234567890", "62************90"),
        ("王小明", "王*明"),
        ("阿不都·热合曼", "阿*都·热*曼"),
        ("Ayşe Yılmaz", "A**e Y****z"),
        ("2025-03-01", "2025-03-01"),
        ("20250301", "20250301"),
        ("12.50", "12.50"),
        ("户主", "户主"),  # a category label of the contract (relation 'head')
        ("dibao", "dibao"),
        ("fewer fields than the header", "fewer fields than the header"),
    ],
)
def test_mask_text_masks_what_could_be_an_identity(text: str, shown: str) -> None:
    assert mask_text(text) == shown


def test_an_id_number_in_a_numeric_column_is_masked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = fx.write_county(tmp_path / "county")
    rows = [row.copy() for row in fx.HOUSEHOLDS]
    rows[0][fx.HOUSEHOLD_HEADER.index("declared_income")] = fx.HEAD_2
    rows[1][fx.HOUSEHOLD_HEADER.index("township_code")] = "阿不都·热合曼"
    fx.write_csv(folder / "households.csv", fx.HOUSEHOLD_HEADER, rows)
    text = _validate(folder, tmp_path, capsys)
    assert _leaks(text) == []
    assert fx.HEAD_2[:6] + "********" + fx.HEAD_2[-4:] in text


def test_swapped_name_and_id_headers_are_masked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = fx.write_county(tmp_path / "county")
    header = fx.HOUSEHOLD_HEADER.copy()
    name, number = header.index("head_name"), header.index("head_id_number")
    header[name], header[number] = header[number], header[name]
    fx.write_csv(folder / "households.csv", header, fx.HOUSEHOLDS)
    text = _validate(folder, tmp_path, capsys, code=0)  # loads, with warnings
    assert _leaks(text) == []
    assert "a valid resident ID number" in text


def test_a_registry_without_its_header_row_is_masked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = fx.write_county(tmp_path / "county")
    first, *rest = [[fx.HEAD_1, "Ayşe Yılmaz", "car", "2021-05-01", "80000"], *fx.VEHICLES]
    fx.write_csv(folder / "registry_vehicles.csv", first, rest)
    assert _leaks(_validate(folder, tmp_path, capsys)) == []


def test_a_truncated_line_is_masked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = fx.write_county(tmp_path / "county")
    path = folder / "members.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    cells = lines[-1].split(",")
    lines[-1] = ",".join(cells[:2]) + ",王小明,extra," + fx.HEAD_3 + ",x,y,z,w,v,u,t,s,r,q,p"
    lines.append(cells[0] + "," + fx.HEAD_3[:12])  # cut in the middle of the ID number
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    text = _validate(folder, tmp_path, capsys)
    assert _leaks(text) == []
    assert fx.HEAD_3[:12] not in text


def test_rejected_rows_do_not_quote_identities(tmp_path: Path) -> None:
    # a rejected row's reason quotes the cell: an ID number in a numeric column is masked there
    folder = fx.write_county(tmp_path / "county")
    rows = [row.copy() for row in fx.MEMBERS]
    rows[3][fx.MEMBER_HEADER.index("monthly_earnings")] = fx.HEAD_2
    fx.write_csv(folder / "members.csv", fx.MEMBER_HEADER, rows)
    policy = ValidationPolicy(actions={"bad_number": "reject"}, max_rejected_share=1)
    try:
        data = load_county(folder, policy)
    except DataError as error:
        text = "\n".join(p.describe() for p in error.problems)
    else:
        text = data.rejected.to_csv() + data.problems.to_csv()
        assert len(data.rejected) == 1
    assert _leaks(text) == []


def test_a_notebook_is_masked_with_one_pattern_build_per_county() -> None:
    # A notebook is masked string by string (thousands of output lines); building the pattern
    # of the county's other-script names each time took minutes for a real county.
    from auditlib.report import privacy

    names = frozenset({"阿不都·热合曼", "Ayşe Yılmaz", *(f"名字{n:05d}" for n in range(2000))})
    identities = privacy.Identities(names=names, numbers=frozenset())
    privacy._other_names.cache_clear()
    lines = [f"第{n}行: Ayşe Yılmaz 与 阿不都·热合曼" for n in range(300)]
    masked, findings = privacy._mask_notebook({"cells": [{"source": lines}]}, identities, "x")
    assert privacy._other_names.cache_info().misses == 1
    assert "Ayşe Yılmaz" not in str(masked) and "阿不都·热合曼" not in str(masked)
    assert findings
