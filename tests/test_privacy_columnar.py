"""The columnar identity scan finds exactly what the row-by-row scan found (issue 16 point 4).

:func:`reference_identities_in_folder` is the implementation before the change (sets over
every row of every column), kept here as the expected value; ``benchmarks/bench_fixed_costs.py``
times both.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from auditlib.report.identity_columns import distinct_values, not_in_text, values_at_least
from auditlib.report.privacy import Identities, identities_in_folder, identity_columns
from auditlib.synth.config import SynthConfig
from auditlib.synth.generator import generate_county
from auditlib.synth.output import write_county
from tests import contract_fixtures as fx


def reference_identities_in_folder(folder: str | Path) -> Identities:
    """The row-by-row scan this change replaced (same result, Python sets over every row of
    the same columns)."""
    names: set[str] = set()
    numbers: set[str] = set()
    places: set[str] = set()
    for kind, column in identity_columns(folder):
        values = {str(value).strip() for value in column.tolist()}
        values.discard("")
        if kind == "place":
            places |= values
        elif kind == "id_number":
            numbers |= {value.upper() for value in values}
        elif kind == "account":
            numbers |= {value for value in values if len(value) >= 8}
        else:
            names |= {value for value in values if len(value) >= 2}
    place_text = "|".join(places)
    return Identities(
        names=frozenset(name for name in names if name not in place_text),
        numbers=frozenset(numbers),
    )


def test_generated_county_gives_the_same_identities(tmp_path: Path) -> None:
    folder = tmp_path / "county"
    write_county(
        generate_county(SynthConfig(households=3_000, township_count=4, seed=7301)), folder
    )
    expected = reference_identities_in_folder(folder)
    assert len(expected.names) > 1_000 and len(expected.numbers) > 3_000
    assert identities_in_folder(folder) == expected


def test_names_found_in_place_names_and_odd_cells_are_treated_alike(tmp_path: Path) -> None:
    folder = fx.write_county(tmp_path / "county")
    members = (folder / "members.csv").read_text(encoding="utf-8")
    # a name padded with spaces, one of a single character, one inside a village's name
    village = fx.HOUSEHOLDS[0][fx.HOUSEHOLD_HEADER.index("village")]
    replaced = members.replace("张小华", " 阿不都·热合曼 ", 1).replace("王大力", "王", 1)
    (folder / "members.csv").write_text(replaced.replace("李红", village[:2], 1), "utf-8")
    expected = reference_identities_in_folder(folder)
    assert "阿不都·热合曼" in expected.names and village[:2] not in expected.names
    assert identities_in_folder(folder) == expected


@pytest.mark.parametrize("dtype", ["str", "string[pyarrow]", "string[python]", object])
def test_column_values_equal_python_sets(dtype: object) -> None:
    cells = ["王小明", " 王小明", "\u3000李红\x1f", "\x85ß\u2028", "", "  ", "4305x", "abcdefgh"]
    cells += ["ǅ", "Ayşe Yılmaz\t", None, "王", "ﬀ"] * 3  # type: ignore[list-item]
    series = pd.Series(cells, dtype=dtype)  # type: ignore[call-overload]
    expected = {str(value).strip() for value in series.tolist()} - {""}
    distinct = distinct_values(series)
    assert values_at_least(distinct, upper=True) == {value.upper() for value in expected}
    for shortest in (0, 2, 8):
        assert values_at_least(distinct, shortest) == {
            value for value in expected if len(value) >= shortest
        }


def test_names_inside_place_names() -> None:
    names = {"光明", "明村", "王小明", "村|酿", "酿溪镇光"}
    text = "|".join(["光明村", "酿溪镇"])
    assert not_in_text(names, text) == frozenset(n for n in names if n not in text)
