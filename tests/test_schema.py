"""The data contract: documentation in sync with code, aliases unambiguous."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from auditlib.data.codes import FIELD_STATUSES
from auditlib.data.contract import (
    CONTRACT,
    VERIFICATION,
    contract_markdown,
)
from auditlib.data.policy import DEFAULT_ACTIONS
from auditlib.data.schema import normalise_header
from auditlib.data.verification_rules import (
    verification_rule_breaches,
)

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


def test_verification_status_is_an_optional_column_of_four_codes() -> None:
    status = VERIFICATION.column("status")
    assert status.values == ("verified", "not_found", "moved", "refused")
    assert dict(status.value_labels_zh) == FIELD_STATUSES
    assert list(FIELD_STATUSES.values()) == ["已核查", "未找到", "已迁出", "拒绝配合"]
    # older verification files have no status column: it is neither required nor filled
    assert not status.required and status.nullable
    for name in ("eligible", "verifier", "verification_date"):  # required only when verified
        assert VERIFICATION.column(name).nullable and VERIFICATION.column(name).required
    assert VERIFICATION.column_names.index("status") == 1


VERIFIED = {
    "status": None,
    "eligible": "yes",
    "error_type": None,
    "correct_benefit": 300.0,
    "verifier": "王核查",
    "verification_date": date(2021, 3, 1),
}


@pytest.mark.parametrize(
    ("changes", "recipient", "expected"),
    [
        ({}, True, []),
        ({"status": "verified"}, True, []),
        ({"eligible": None}, True, [("eligible", "answer_missing")]),
        (
            {"verifier": None, "verification_date": None},
            True,
            [("verifier", "answer_missing"), ("verification_date", "answer_missing")],
        ),
        ({"eligible": "no"}, True, [("error_type", "answer_missing")]),
        ({"eligible": "no"}, False, []),  # a non-recipient found not eligible: not omitted
        ({"eligible": "no"}, None, []),  # unknown: the reason cannot be required
        ({"error_type": "car_owner"}, True, [("error_type", "answer_inconsistent")]),
        (
            {"status": "not_found"},
            True,
            [("eligible", "answer_inconsistent"), ("correct_benefit", "answer_inconsistent")],
        ),
        (
            {"status": "refused", "eligible": None, "correct_benefit": None, "verifier": None},
            True,
            [],
        ),
        ({"verification_date": date(2019, 12, 31)}, True, [("verification_date", "answer_date")]),
        ({"verification_date": date(2030, 1, 1)}, True, [("verification_date", "answer_date")]),
    ],
)
def test_verification_rules_across_columns(
    changes: dict[str, object], recipient: bool | None, expected: list[tuple[str, str]]
) -> None:
    breaches = verification_rule_breaches(
        {**VERIFIED, **changes},
        recipient=recipient,
        period_start=date(2020, 1, 1),
        today=date(2025, 1, 1),
    )
    assert [(b.column, b.code) for b in breaches] == expected
