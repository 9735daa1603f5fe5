"""Resident ID numbers (GB 11643-1999): check characters, validation and masking."""

from __future__ import annotations

import pandas as pd
from hypothesis import given, strategies as st

from auditlib.data.idcard import (
    check_character,
    id_number_problems,
    is_valid_id_number,
    mask_id_number,
    mask_name,
)

# The standard's own example (GB 11643-1999, appendix): 11010519491231002X.
STANDARD_EXAMPLE = "11010519491231002X"


def test_standard_example() -> None:
    assert check_character(STANDARD_EXAMPLE[:17]) == "X"
    assert is_valid_id_number(STANDARD_EXAMPLE)
    assert is_valid_id_number(STANDARD_EXAMPLE.lower())  # a lower-case x is accepted


def test_check_character_by_hand() -> None:
    # 43052219600101001: weighted sum by hand = 4*7+3*9+0*10+5*5+2*8+2*4+1*2+9*1+6*6+0*3
    # +0*7+1*9+0*10+1*5+0*8+0*4+1*2 = 167; 167 mod 11 = 2 -> "X"
    assert check_character("43052219600101001") == "X"


@given(
    region=st.integers(110000, 659999),
    born=st.dates(
        min_value=pd.Timestamp("1900-01-01").date(), max_value=pd.Timestamp("2024-12-31").date()
    ),
    sequence=st.integers(0, 999),
    corrupt=st.booleans(),
)
def test_vectorised_check_agrees_with_the_scalar_rule(
    region: int, born: object, sequence: int, corrupt: bool
) -> None:
    first17 = f"{region}{pd.Timestamp(born).strftime('%Y%m%d')}{sequence:03d}"
    right = check_character(first17)
    wrong = "0" if right != "0" else "1"
    number = first17 + (wrong if corrupt else right)
    reason = id_number_problems(pd.Series([number]), "2025-12-31").iloc[0]
    assert (reason == "") is (not corrupt)
    if corrupt:
        assert reason == f"check digit should be {right} (GB 11643)"


def test_reasons_for_each_kind_of_bad_number() -> None:
    reasons = id_number_problems(
        pd.Series(["1234", None, "11010519491331002X", "1101051949123100AX", "11010530001231002X"]),
        "2025-12-31",
    ).tolist()
    assert reasons == [
        "must have 18 characters",
        "missing",
        "birth date (characters 7-14) is not a valid date",
        "must be 17 digits followed by a digit or X",
        "birth date (characters 7-14) is not a valid date",  # born in the year 3000
    ]


def test_masking() -> None:
    assert mask_id_number("430522196001010013") == "430522********0013"
    assert mask_name("张小明") == "张*明"
    assert mask_name("王五") == "王*"
    assert mask_name("欧阳小明") == "欧**明"
