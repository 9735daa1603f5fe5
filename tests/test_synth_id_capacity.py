"""ID numbers of a very large synthetic county (5,000,000 households; issue 16 point 4).

One address code holds 499 people of one sex per birth date (sequence codes 999 down to 001
for men, 998 down to 000 for women, GB 11643); beyond that the generator uses the next
address codes. Counties within the capacity keep the county's own code for every person.
"""

from __future__ import annotations

import numpy as np
import pytest

from auditlib.data.idcard import is_valid_id_number
from auditlib.errors import ParamsError
from auditlib.synth.identity import id_numbers


def _ids(count: int, county_code: str = "430522") -> list[str]:
    births = np.array(["1980-01-01"] * count, dtype="datetime64[D]")
    male = np.arange(count) % 2 == 0
    return [
        value.decode()
        for value in id_numbers(np.random.default_rng(7301), county_code, births, male)
    ]


def test_within_capacity_every_number_has_the_county_code() -> None:
    ids = _ids(998)  # 499 men and 499 women born on one day
    assert len(set(ids)) == 998 and {value[:6] for value in ids} == {"430522"}
    assert all(is_valid_id_number(value) for value in ids)


@pytest.mark.parametrize("county_code", ["430522", "430599", "430500"])
def test_beyond_capacity_the_next_address_codes_are_used(county_code: str) -> None:
    ids = _ids(2 * 499 * 3, county_code)
    assert len(set(ids)) == len(ids) and all(is_valid_id_number(value) for value in ids)
    codes = sorted({value[:6] for value in ids})
    assert len(codes) == 3 and county_code in codes
    assert all(
        code[:4] == county_code[:4] and code[4:] != "00" for code in codes if code != county_code
    )


def test_more_than_the_address_codes_hold_is_refused() -> None:
    with pytest.raises(ParamsError, match="too many people born on one day"):
        _ids(2 * 499 * 4 + 2)
