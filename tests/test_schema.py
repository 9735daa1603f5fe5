"""The data contract: documentation in sync with code, aliases unambiguous."""

from __future__ import annotations

from pathlib import Path

from auditlib.data.contract import CONTRACT, contract_markdown
from auditlib.data.policy import DEFAULT_ACTIONS
from auditlib.data.schema import normalise_header

DOC = Path(__file__).resolve().parent.parent / "docs" / "data-contract.md"


def test_documentation_matches_the_contract_in_code() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert contract_markdown() in text, "run: python scripts/update_contract_doc.py"
    for code in DEFAULT_ACTIONS:
        assert f"`{code}`" in text


def test_every_spelling_maps_to_one_column() -> None:
    for spec in CONTRACT:
        seen: dict[str, str] = {}
        for column in spec.columns:
            for spelling in (column.name, column.label_zh, *column.aliases):
                key = normalise_header(spelling)
                assert seen.setdefault(key, column.name) == column.name, (spec.name, spelling)


def test_category_columns_have_labels_for_every_code() -> None:
    for spec in CONTRACT:
        for column in spec.columns:
            if column.kind == "category":
                assert column.values and set(column.value_labels_zh) == set(column.values)
