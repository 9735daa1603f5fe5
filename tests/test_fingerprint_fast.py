"""The Arrow CSV digests equal the pure-Python reference's, or defer to it (issue 16 point 4).

The reference (:func:`auditlib.data.fingerprint.python_csv_digests`, the :mod:`csv` module) is
the definition of the digests recorded in every manifest; the Arrow path must give the same
values byte for byte or return ``FALLBACK``. Expected values here are the reference's, computed
in the same test.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from auditlib.data import fingerprint_fast
from auditlib.data.fingerprint import (
    CACHE_MIN_BYTES,
    ROW_BLOCK,
    csv_digests,
    file_sha256,
    folder_fingerprint,
    python_csv_digests,
)
from auditlib.data.fingerprint_fast import FALLBACK, arrow_csv_digests


def _reference(data: bytes, row_block: int) -> dict[str, Any] | str | None:
    try:
        return python_csv_digests(data, row_block)
    except csv.Error:
        return "csv.Error"


def _check(data: bytes, row_block: int = 3) -> dict[str, Any] | str | None:
    """The Arrow answer, after checking it against the reference."""
    fast = arrow_csv_digests(data, row_block)
    reference = _reference(data, row_block)
    if fast != FALLBACK:
        assert fast == reference
    return fast


def _written(rows: list[list[str]], line_end: str = "\n") -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator=line_end).writerows(rows)
    return buffer.getvalue()


# Cases the Arrow path must answer itself (the speed-up), each equal to the reference.
FAST_CASES = {
    "plain": "a,b\n1,2\n3,4\n",
    "quotes": 'a,b\n"x, y","say ""hi"""\n"",2\n',
    "embedded newlines": 'a,b\n"line 1\nline 2",2\n"x\r\ny",3\n',
    "CRLF": "a,b\r\n1,2\r\n3,4\r\n",
    "no final newline": "a,b\n1,2",
    "header only": "a,b\n",
    "empty fields": "a,b,c\n,,\n1,,\n",
    "duplicate header": "a,a\n1,2\n",
    "odd quoting": 'a,b\nx"y,"p"q\n "s",t\n',
    "separators in values": "a,b\n\x1f,\x1e\n",
    "Chinese": "姓名,身份证号\n张小明,43052219800101123X\n",
}


@pytest.mark.parametrize("name", sorted(FAST_CASES))
def test_arrow_digests_equal_the_reference(name: str) -> None:
    data = FAST_CASES[name].encode("utf-8")
    assert _check(data) != FALLBACK
    assert _check(data, ROW_BLOCK) != FALLBACK


def test_byte_order_mark_and_gb18030_take_the_arrow_path() -> None:
    text = FAST_CASES["Chinese"] + "李红,430522198001011234\n"
    assert _check(b"\xef\xbb\xbf" + text.encode("utf-8")) != FALLBACK
    gb18030 = text.encode("gb18030")
    assert _check(gb18030) != FALLBACK
    assert _check(gb18030) == _check(text.encode("utf-8"))


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\xef\xbb\xbf",
        b"a,b",  # header only, no final newline
        b"\n",
        b"a,b\n\n1,2\n",  # a blank line: csv gives [], Arrow two empty fields
        b"a,b\n1,2\n\n",
        b"a\n\n1\n",
        b"a,b\n1\n1,2,3\n",  # ragged rows
        b"a,b\r1,2\r",  # carriage returns alone: csv refuses them
        b"a,b\n1,\x00\n",
        b'a,b\n"unclosed,2\n',
        b"\xef\xbb\xbf\xef\xbb\xbfa,b\n1,2\n",  # two byte-order marks
        b"a,b\n\xed\xa0\x80,1\n",  # a surrogate: not UTF-8, read as GB18030 by both
        b"\x81\x30\x81",  # neither UTF-8 nor GB18030
        b"a\n" + b"x" * (csv.field_size_limit() + 1) + b"\n",
    ],
)
def test_edge_cases_are_answered_the_same_or_deferred(data: bytes) -> None:
    fast = _check(data)
    if _reference(data, ROW_BLOCK) == "csv.Error":
        assert fast == FALLBACK
        with pytest.raises(csv.Error):
            csv_digests(data)
    else:
        assert csv_digests(data) == python_csv_digests(data)


_CELL = st.text(alphabet=st.sampled_from(list('ab ,"\n\r中\x1f')), max_size=6)
_TEXT = st.text(alphabet=st.sampled_from(list('ab,"\n\r中 ')), max_size=60)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(st.lists(_CELL, min_size=1, max_size=4), min_size=0, max_size=12),
    line_end=st.sampled_from(["\n", "\r\n"]),
    bom=st.booleans(),
    encoding=st.sampled_from(["utf-8", "gb18030"]),
)
def test_written_csv_gives_the_reference_digests(
    rows: list[list[str]], line_end: str, bom: bool, encoding: str
) -> None:
    data = (("\ufeff" if bom else "") + _written(rows, line_end)).encode(encoding)
    _check(data)
    _check(data, 2)


@settings(max_examples=500, deadline=None)
@given(text=_TEXT)
def test_any_text_gives_the_reference_digests_or_defers(text: str) -> None:
    fast = _check(text.encode("utf-8"))
    if _reference(text.encode("utf-8"), 3) == "csv.Error":
        assert fast == FALLBACK


def test_rows_across_arrow_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    rows = [["id", "name", "note"]] + [[str(i), f"名{i}", "x, y" * (i % 3)] for i in range(2500)]
    data = _written(rows).encode("utf-8")
    monkeypatch.setattr(fingerprint_fast, "BLOCK_BYTES", 4096)
    for row_block in (1, 7, ROW_BLOCK):
        assert _check(data, row_block) != FALLBACK


def test_cache_keeps_values_and_stays_outside_the_data_folder(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    rows = [["household_id", "income"]] + [[f"H{i:07d}", str(i % 977)] for i in range(100_000)]
    (folder / "households.csv").write_text(_written(rows), encoding="utf-8")
    (folder / "county.yaml").write_text("county_code: '430522'\n", encoding="utf-8")
    assert (folder / "households.csv").stat().st_size >= CACHE_MIN_BYTES
    data = (folder / "households.csv").read_bytes()
    expected = {
        "county.yaml": {
            "sha256": file_sha256(folder / "county.yaml"),
            "bytes": (folder / "county.yaml").stat().st_size,
        },
        "households.csv": {
            "sha256": file_sha256(folder / "households.csv"),
            "bytes": len(data),
            **(python_csv_digests(data) or {}),
        },
    }
    before = sorted(path.name for path in folder.rglob("*"))
    cache = tmp_path / "cache"
    assert folder_fingerprint(folder, cache=False) == expected
    assert folder_fingerprint(folder, cache=cache) == expected  # fills the cache
    entries = list(cache.rglob("*.json"))
    assert len(entries) == 1 and entries[0].stem == expected["households.csv"]["sha256"]
    assert folder_fingerprint(folder, cache=cache) == expected  # read from the cache
    assert sorted(path.name for path in folder.rglob("*")) == before
    entries[0].write_text("{not json", encoding="utf-8")  # a damaged entry is recomputed
    assert folder_fingerprint(folder, cache=cache) == expected
    assert json.loads(entries[0].read_text(encoding="utf-8"))["rows"] == 100_000


def test_cache_folder_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from auditlib.data.fingerprint import fingerprint_cache_folder

    monkeypatch.setenv("AUDITLIB_CACHE_DIR", str(tmp_path))
    assert fingerprint_cache_folder() == tmp_path / "fingerprints"
    monkeypatch.setenv("AUDITLIB_CACHE_DIR", "off")
    assert fingerprint_cache_folder() is None


def test_trusting_file_stat_skips_reading_unchanged_files(tmp_path: Path) -> None:
    import os

    folder = tmp_path / "data"
    folder.mkdir()
    rows = [["household_id", "income"]] + [[f"H{i:07d}", str(i % 977)] for i in range(100_000)]
    path = folder / "households.csv"
    path.write_text(_written(rows), encoding="utf-8")
    cache = tmp_path / "cache"
    expected = folder_fingerprint(folder, cache=False)
    assert folder_fingerprint(folder, cache=cache, trust_stat=True) == expected
    assert len(list((cache).rglob("stat/*/*.json"))) == 1
    assert folder_fingerprint(folder, cache=cache, trust_stat=True) == expected
    # a change that moves the modification time is seen
    data = path.read_bytes()
    changed = data.replace(b"\nH0050000,", b"\nH0050001,", 1)  # a middle row, same size
    assert len(changed) == len(data) and changed != data
    stat = path.stat()
    path.write_bytes(changed)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    now = folder_fingerprint(folder, cache=cache, trust_stat=True)
    assert now == folder_fingerprint(folder, cache=False) != expected
    # the documented limit: same size and time, changed only in the middle: trusted as before
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    path.write_bytes(data)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert folder_fingerprint(folder, cache=cache, trust_stat=True) == expected
    path.write_bytes(changed)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert folder_fingerprint(folder, cache=cache, trust_stat=True) == expected
    assert folder_fingerprint(folder, cache=cache) != expected  # without trust: read and seen
