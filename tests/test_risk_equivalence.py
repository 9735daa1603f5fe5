"""The fast paths of the risk preparation agree with the plain pandas formulation they replace.

Each test states the slower reference (a pandas merge, ``birth_dates`` + ``.dt``) in the test
itself and compares on inputs that include the awkward cases: missing keys (a pandas merge
matches a missing key with a missing key), impossible dates, duplicated spreadsheet rows.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
from hypothesis import given, settings, strategies as st

from auditlib.data.idcard import birth_dates
from auditlib.data.table_keys import repeated_keys, text_column
from auditlib.risk.crosscheck import _id_ages, cross_check, member_frame
from auditlib.risk.payment_ledger import pairs_in, payment_frame, present_in
from auditlib.risk.rules.hits import linked_registry
from tests.risk_fixtures import make_county


def _reference_ages(id_numbers: pd.Series, reference: pd.Timestamp) -> np.ndarray:
    """The former implementation: pandas dates and the ``.dt`` accessors."""
    born = birth_dates(id_numbers)
    years = reference.year - born.dt.year
    before_birthday = (born.dt.month > reference.month) | (
        (born.dt.month == reference.month) & (born.dt.day > reference.day)
    )
    return (years - before_birthday.astype("Int64")).to_numpy(dtype=float, na_value=np.nan)


_DATES = st.tuples(st.integers(0, 9999), st.integers(0, 13), st.integers(0, 32)).map(
    lambda parts: f"{parts[0]:04d}{parts[1]:02d}{parts[2]:02d}"
)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.one_of(
            _DATES.map(lambda date: f"110105{date}0011"),
            st.from_regex(r"\A[0-9]{17}[0-9X]\Z"),
            st.none(),
        ),
        max_size=30,
    ),
    st.dates(),
)
def test_ages_from_id_numbers_match_pandas_dates(values, day) -> None:  # type: ignore[no-untyped-def]
    # Domain: 18-character ID numbers (only those pass the shape check before ages are read;
    # on shorter text pandas' lenient %Y%m%d parsing would accept e.g. "000111").
    ids = pd.Series(values, dtype="string")
    reference = pd.Timestamp(day)
    np.testing.assert_array_equal(_id_ages(ids, reference), _reference_ages(ids, reference))


def test_leap_days_and_impossible_dates() -> None:
    # 2000-02-29 exists, 1900-02-29 and 2000-02-30 do not (Gregorian calendar): hand check.
    ids = pd.Series(
        ["110105200002290011", "110105190002290011", "110105200002300011"], dtype="string"
    )
    ages = _id_ages(ids, pd.Timestamp("2025-02-28"))
    assert ages[0] == 24  # birthday (29 Feb) not reached on 28 Feb 2025
    assert np.isnan(ages[1]) and np.isnan(ages[2])


_KEYS = st.lists(st.one_of(st.sampled_from(["a", "b", "a b", ""]), st.none()), max_size=12)


@settings(max_examples=60, deadline=None)
@given(_KEYS, _KEYS, _KEYS, _KEYS)
def test_pair_membership_is_a_left_merge(left_a, left_b, right_a, right_b) -> None:  # type: ignore[no-untyped-def]
    size = min(len(left_a), len(left_b))
    other = min(len(right_a), len(right_b))
    left = pd.DataFrame({"x": left_a[:size], "y": left_b[:size]}, dtype="str")
    right = pd.DataFrame({"x": right_a[:other], "y": right_b[:other]}, dtype="str")
    merged = left.merge(right.drop_duplicates().assign(hit=True), on=["x", "y"], how="left")
    np.testing.assert_array_equal(pairs_in(left, right, ("x", "y")), merged["hit"].notna())
    single = left[["x"]].merge(right[["x"]].drop_duplicates().assign(hit=1), on="x", how="left")
    np.testing.assert_array_equal(present_in(left["x"], right["x"]), single["hit"].notna())


def test_linked_registry_by_position_equals_the_merge() -> None:
    county = make_county(n_households=80)
    result = cross_check(county)
    for name in sorted(county.registries):
        fast = linked_registry(county, result, name)
        # Repeated row numbers force the merge path; the first copy of each row is kept.
        table = county.registries[name]
        doubled = pd.concat([table, table.iloc[:1]])
        slow_county = dataclasses.replace(county, registries={**county.registries, name: doubled})
        slow = linked_registry(slow_county, cross_check(slow_county), name)
        slow = slow[slow["registry_row"].isin(fast["registry_row"])]
        slow = slow.drop_duplicates("registry_row").reset_index(drop=True)
        pd.testing.assert_frame_equal(fast, slow, check_exact=True)


_IDS = st.lists(
    st.one_of(
        st.sampled_from(
            [
                "11010519491231002X",
                "11010519491231002x",
                " 11010519491231002X",
                "110105194912310021",
                "999999999999999999",
                "12345",
                "A10105194912310021",
            ]
        ),
        st.none(),
    ),
    min_size=1,
    max_size=12,
)


@settings(max_examples=80, deadline=None)
@given(_IDS)
def test_repeated_id_numbers_match_pandas_duplicated(values) -> None:  # type: ignore[no-untyped-def]
    ids = pd.Series(values, dtype="string")
    normalised = ids.str.strip().str.upper()
    expected = (normalised.duplicated(keep=False) & normalised.notna()).to_numpy(dtype=bool)
    np.testing.assert_array_equal(repeated_keys(ids, id_numbers=True), expected)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(["a", " b", "", "张三"]), st.none()), max_size=6))
def test_text_columns_are_typed_as_pandas_infers_them(values) -> None:  # type: ignore[no-untyped-def]
    series = pd.Series(values, dtype="string")
    inferred = pd.DataFrame({"column": series.to_numpy()})
    pd.testing.assert_frame_equal(pd.DataFrame({"column": text_column(series)}), inferred)


def test_member_and_payment_frames_are_unchanged() -> None:
    county = make_county(n_households=60)
    members = county.members
    expected = pd.DataFrame(
        {
            "household_id": members["household_id"].astype("string").to_numpy(),
            "id_number": members["id_number"].astype("string").str.strip().str.upper().to_numpy(),
            "name": members["name"].astype("string").str.strip().to_numpy(),
            "age": pd.to_numeric(members["age"], errors="coerce").to_numpy(dtype=float),
            "member_row": np.arange(len(members)) + 2,
        }
    )
    pd.testing.assert_frame_equal(member_frame(county), expected, check_exact=True)
    payments = county.payments
    ledger = payment_frame(county)
    assert ledger["account_holder_name"].dtype == "str"
    pd.testing.assert_series_equal(
        ledger["account_number"],
        pd.Series(
            payments["account_number"].astype("string").str.strip().to_numpy(),
            name="account_number",
        ),
        check_exact=True,
    )
