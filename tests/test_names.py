"""Names compared after normalisation (issue 15, point 2): the normalisation itself, rule P02
and P05 on names written differently, the registry cross-check's ``variant`` names and the
weak ``name_only`` links.

Expected values are hand-derived: normalised names by applying the documented steps by hand
(NFKC, no whitespace, no separators, OpenCC t2s per character), spreadsheet rows as the frame
position + 2 (header = row 1), masks by :func:`auditlib.data.idcard.mask_name`'s rule (first and
last character kept), weights from the catalogue (H04 weighs 1) and ``NAME_ONLY_WEIGHT``.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from auditlib.data.bundle import CountyData
from auditlib.data.names import (
    group_name_matches,
    name_differences,
    name_match,
    name_matches,
    normalise_name,
    normalise_names,
)
from auditlib.risk.crosscheck import cross_check
from auditlib.risk.rules.evaluate import evaluate_rules
from auditlib.risk.rules.hits import NAME_ONLY_WEIGHT
from tests.risk_fixtures import make_county

# ---------------------------------------------------------------- normalisation


@pytest.mark.parametrize(
    ("written", "normalised"),
    [
        ("陈小明", "陈小明"),
        ("陈 小明", "陈小明"),  # interior space
        ("陈\u3000小明", "陈小明"),  # ideographic space U+3000
        ("陈\u00a0小明", "陈小明"),  # no-break space
        ("陈\u200b小明", "陈小明"),  # zero-width space
        (" 陈小明\t", "陈小明"),
        ("陳小明", "陈小明"),  # traditional surname
        ("歐陽震華", "欧阳震华"),  # every character traditional
        ("張偉", "张伟"),
        ("ＺＨＡＮＧ Ｗｅｉ", "ZHANGWei"),  # full-width Latin letters
        ("阿不都·热合曼", "阿不都热合曼"),  # U+00B7 middle dot
        ("阿不都•热合曼", "阿不都热合曼"),  # U+2022 bullet
        ("阿不都・热合曼", "阿不都热合曼"),  # U+30FB katakana middle dot
        ("阿不都･热合曼", "阿不都热合曼"),  # U+FF65 half-width katakana middle dot
        ("阿不都‧热合曼", "阿不都热合曼"),  # U+2027 hyphenation point
        ("阿不都.热合曼", "阿不都热合曼"),
        ("阿不都．热合曼", "阿不都热合曼"),  # U+FF0E full-width full stop
        ("阿不都-热合曼", "阿不都热合曼"),
        ("阿不都热合曼", "阿不都热合曼"),
        ("阿不都·熱合曼", "阿不都热合曼"),  # separator and a traditional character
    ],
)
def test_normalise_name(written: str, normalised: str) -> None:
    assert normalise_name(written) == normalised


@pytest.mark.parametrize("empty", [None, np.nan, pd.NA, "", "   ", "\u3000", "·", " - "])
def test_missing_or_empty_names_normalise_to_none_and_never_match(empty: object) -> None:
    assert normalise_name(empty) is None
    assert name_match(empty, "张伟") == "different"
    assert name_match(empty, empty) == "different"  # two unknown names: no evidence of one person


def test_name_match_states() -> None:
    assert name_match("陈小明", "陈小明") == "exact"
    assert name_match(" 陈小明 ", "陈小明") == "exact"  # surrounding spaces only: exact
    assert name_match("陳小明", "陈小明") == "variant"
    assert name_match("阿不都•热合曼", "阿不都热合曼") == "variant"
    assert name_match("陈晓明", "陈小明") == "different"
    assert name_match("王五", "陈小明") == "different"


def test_name_differences_say_what_differs() -> None:
    assert name_differences("陳 小明", "陈小明") == ("spacing", "traditional characters")
    assert name_differences("阿不都•热合曼", "阿不都·热合曼") == ("separator",)
    assert name_differences("ＷＡＮＧ", "WANG") == ("width",)


def test_vectorised_forms_agree_with_the_scalar_ones() -> None:
    left = pd.Series(["陳偉", "张伟", None, "李 四", "王五"], index=[10, 11, 12, 13, 14])
    right = pd.Series(["陈伟", "张伟", None, "李四", "赵六"])
    assert normalise_names(left).tolist() == ["陈伟", "张伟", pd.NA, "李四", "王五"]
    states = name_matches(left, right)
    assert list(states.index) == [10, 11, 12, 13, 14]
    assert states.tolist() == ["variant", "exact", "different", "variant", "different"]
    expected = [name_match(a, b) for a, b in zip(left, right, strict=True)]
    assert states.tolist() == expected


def test_group_name_matches_takes_the_best_state_within_the_group() -> None:
    states = group_name_matches(
        pd.Series(["H1", "H1", "H1", "H2", None]),
        pd.Series(["陳偉", "李四", "张伟", "张伟", "张伟"]),
        pd.Series(["H1", "H1", "H2"]),
        pd.Series(["陈伟", "张伟", "王五"]),
    )
    # 张伟 is a name of H1, not of H2; a missing group matches nothing.
    assert states.tolist() == ["variant", "different", "exact", "different", "different"]


# ---------------------------------------------------------------- rules P02 and P05


@pytest.fixture(scope="module")
def county() -> CountyData:
    return make_county()


def _rename_head(data: CountyData, household_id: str, name: str) -> CountyData:
    """``data`` with the head of ``household_id`` called ``name`` (members and households)."""
    members = data.members.copy()
    households = data.households.copy()
    head = members.index[(members["household_id"] == household_id)][0]
    members.loc[head, "name"] = name
    households.loc[households["household_id"] == household_id, "head_name"] = name
    return dataclasses.replace(data, members=members, households=households)


def _holder(data: CountyData, household_id: str, name: str) -> CountyData:
    payments = data.payments.copy()
    payments.loc[payments["household_id"] == household_id, "account_holder_name"] = name
    return dataclasses.replace(data, payments=payments)


@pytest.fixture(scope="module")
def written_differently(county: CountyData) -> CountyData:
    """HH0020-22: holder is the head written differently; HH0023: a really different holder."""
    data = _rename_head(county, "HH0020", "陈建华")
    data = _holder(data, "HH0020", "陳建華")  # traditional characters
    data = _rename_head(data, "HH0021", "王小明")
    data = _holder(data, "HH0021", "王\u3000小明")  # ideographic space
    data = _rename_head(data, "HH0022", "阿不都·热合曼")
    data = _holder(data, "HH0022", "阿不都•热合曼")  # another separator
    return _holder(data, "HH0023", "李大海")


def test_p02_does_not_fire_on_names_written_differently(written_differently) -> None:  # type: ignore[no-untyped-def]
    result = evaluate_rules(written_differently)
    p02 = result.hits[result.hits["rule_code"] == "P02"]
    # HH0011 is the planted non-member holder (risk_fixtures), HH0023 the one added here.
    assert set(p02["household_id"]) == {"HH0011", "HH0023"}
    assert set(result.name_variants["household_id"]) == {"HH0020", "HH0021", "HH0022"}
    summary = result.summary().set_index("code")
    assert summary.loc["P02", "households"] == 2
    assert summary.loc["P02", "name_variants"] == 3
    assert summary.loc["H01", "name_variants"] == 0


def test_near_match_warning_names_file_row_column_and_is_masked(written_differently) -> None:  # type: ignore[no-untyped-def]
    result = evaluate_rules(written_differently)
    problems = {p.value: p for p in result.problems}
    assert set(problems) == {"陳*華", "王**明", "阿*****曼"}  # masked holder names
    payments = written_differently.payments
    first = int(np.flatnonzero(payments["household_id"] == "HH0020")[0])
    traditional = problems["陳*華"]
    assert (traditional.file, traditional.row, traditional.column) == (
        "payments",
        first + 2,  # frame position + 2: header = row 1
        "account_holder_name",
    )
    assert traditional.severity == "warning" and traditional.code == "holder_name_variant"
    assert "陈*华" in traditional.expected  # the member it matched, masked
    assert "traditional characters" in traditional.expected
    assert "5 further payments row(s)" in traditional.expected  # 6 monthly payments
    assert "spacing" in problems["王**明"].expected
    assert "separator" in problems["阿*****曼"].expected
    shown = " ".join(p.describe() for p in result.problems)
    for name in ("陈建华", "陳建華", "王小明", "阿不都·热合曼", "阿不都•热合曼", "热合曼"):
        assert name not in shown


def test_p05_joins_the_dead_holder_by_normalised_name(county: CountyData) -> None:
    # HH0008's spouse died on 2024-11-02 (registry_deaths); pay the 2025 benefit into her
    # account, her name written with an interior space: paid after the holder's death.
    spouse = county.members[county.members["household_id"] == "HH0008"].iloc[1]["name"]
    data = _holder(county, "HH0008", spouse[0] + " " + spouse[1:])
    hits = evaluate_rules(data).hits
    p05 = hits[(hits["rule_code"] == "P05") & (hits["household_id"] == "HH0008")]
    assert len(p05) == 1
    assert "2024-11-02" in p05["evidence_en"].iloc[0]
    assert spouse not in p05["evidence_en"].iloc[0]
    assert "HH0008" not in set(hits.loc[hits["rule_code"] == "P02", "household_id"])


# ---------------------------------------------------------------- registry cross-check


def _with_registry(data: CountyData, name: str, frame: pd.DataFrame) -> CountyData:
    return dataclasses.replace(data, registries={**data.registries, name: frame})


def test_crosscheck_variant_name_is_matched_and_counted_not_a_conflict(
    county: CountyData,
) -> None:
    cadres = county.registries["registry_cadres"].copy()
    head = county.members[county.members["household_id"] == "HH0001"].iloc[0]["name"]
    cadres.loc[0, "name"] = head[0] + "\u3000" + head[1:]  # same ID, name with a wide space
    payroll = county.registries["registry_payroll"].copy()
    payroll.loc[0, "name"] = "完全不同"  # same ID as HH0003's head, really another name
    data = _with_registry(
        _with_registry(county, "registry_cadres", cadres), "registry_payroll", payroll
    )
    result = cross_check(data)
    summary = result.summary.set_index("registry")
    assert summary.loc["registry_cadres", "matched"] == 1
    assert summary.loc["registry_cadres", "conflict"] == 0
    assert summary.loc["registry_cadres", "name_variant"] == 1
    assert summary.loc["registry_payroll", "conflict"] == 1
    assert summary.loc["registry_payroll", "name_variant"] == 0
    by_registry = result.matches.set_index(["registry", "registry_row"])
    assert by_registry.loc[("registry_cadres", 2), "name_match"] == "variant"
    assert not by_registry.loc[("registry_cadres", 2), "name_conflict"]
    assert by_registry.loc[("registry_payroll", 2), "name_match"] == "different"
    assert by_registry.loc[("registry_payroll", 2), "name_conflict"]
    assert by_registry.loc[("registry_vehicles", 2), "name_match"] == "exact"
    assert pd.isna(by_registry.loc[("registry_cadres", 3), "name_match"])  # unmatched outsider
    assert [p.file for p in result.problems] == ["registry_payroll"]


def _wrong_check_digit(id_number: str) -> str:
    return id_number[:17] + ("0" if id_number[17] != "0" else "1")


def _head(data: CountyData, household_id: str) -> pd.Series:
    return data.members[data.members["household_id"] == household_id].iloc[0]


def _car(person: pd.Series, id_number: str, name: str) -> dict[str, object]:
    return {
        "id_number": id_number,
        "name": name,
        "vehicle_type": "car",
        "registration_date": "2024-03-01",
        "vehicle_value": 90000.0,
    }


def test_name_only_link_is_a_prompt_not_a_definitive_hit(county: CountyData) -> None:
    vehicles = county.registries["registry_vehicles"].copy()
    head30 = _head(county, "HH0030")
    head04 = _head(county, "HH0004")
    # Row 4: invalid ID, HH0030's head's name written in another width -> name_only link.
    # Row 5: invalid ID, HH0004's head (already ID-linked to a car) -> still one definitive hit.
    vehicles.loc[2] = _car(head30, _wrong_check_digit(head30["id_number"]), head30["name"])
    vehicles.loc[3] = _car(head04, _wrong_check_digit(head04["id_number"]), head04["name"])
    data = _with_registry(county, "registry_vehicles", vehicles)
    crosscheck = cross_check(data)
    records = crosscheck.matches[crosscheck.matches["registry"] == "registry_vehicles"]
    assert records["status"].tolist() == ["matched", "matched", "name_only", "name_only"]
    assert records["household_id"].tolist() == ["HH0004", "HH0004", "HH0030", "HH0004"]
    assert crosscheck.summary.set_index("registry").loc["registry_vehicles", "name_only"] == 2
    # The invalid ID is still reported, saying the record was linked by name only.
    invalid = [p for p in crosscheck.problems if p.code == "registry_invalid_id"]
    assert [p.row for p in invalid] == [4, 5]
    assert "linked by name only" in invalid[0].expected
    # Rules used by the ID (P05's death dates) ignore name-only links by default.
    assert len(crosscheck.linked("registry_vehicles")) == 2
    assert len(crosscheck.linked("registry_vehicles", name_only=True)) == 4

    result = evaluate_rules(data, crosscheck)
    h04 = result.hits[result.hits["rule_code"] == "H04"].set_index("household_id")
    assert h04.loc["HH0030", "strength"] == "name_only"
    assert "matched by name only" in h04.loc["HH0030", "evidence_en"]
    assert head30["name"] not in h04.loc["HH0030", "evidence_en"]
    table = result.per_household(pd.Series(["HH0030", "HH0004"])).set_index("household_id")
    # H04 weighs 1 (definitive); by name only it weighs min(1, NAME_ONLY_WEIGHT) = 0.25.
    assert NAME_ONLY_WEIGHT == 0.25
    assert table.loc["HH0030", "definitive_weight"] == 0.0
    assert table.loc["HH0030", "prompt_weight"] == 0.25
    assert table.loc["HH0030", "rule_codes"] == "H04"
    # HH0004: the ID-linked car counts once, at full weight; the name-only copy adds nothing.
    assert table.loc["HH0004", "definitive_weight"] == 1.0
    assert table.loc["HH0004", "prompt_weight"] == 0.0
    assert result.summary().set_index("code").loc["H04", "name_only"] == 1


def test_name_only_needs_one_member_of_that_name_and_a_consistent_village(
    county: CountyData,
) -> None:
    # Two members called like HH0030's head: the name cannot tell them apart -> invalid_id.
    head30 = _head(county, "HH0030")
    twin = _rename_head(county, "HH0031", str(head30["name"]))
    vehicles = county.registries["registry_vehicles"].copy()
    vehicles.loc[2] = _car(head30, _wrong_check_digit(head30["id_number"]), head30["name"])
    statuses = cross_check(_with_registry(twin, "registry_vehicles", vehicles)).matches
    assert statuses["status"].iloc[-1] == "invalid_id"
    # Village cadres carry a village: linked by name only in the member's village, not elsewhere.
    village = county.households.set_index("household_id").loc["HH0030", "village_code"]
    other = "T9V9"
    cadres = county.registries["registry_cadres"].copy()
    wrong_id = _wrong_check_digit(head30["id_number"])
    cadres.loc[2] = {"id_number": wrong_id, "name": head30["name"], "village_code": village,
                     "position": "委员"}  # fmt: skip
    cadres.loc[3] = {"id_number": wrong_id, "name": head30["name"], "village_code": other,
                     "position": "委员"}  # fmt: skip
    result = cross_check(_with_registry(county, "registry_cadres", cadres)).matches
    cadre_status = result.loc[result["registry"] == "registry_cadres", "status"].tolist()
    assert cadre_status == ["matched", "unmatched", "name_only", "invalid_id"]


def test_death_and_payroll_registers_are_used_by_id_only(county: CountyData) -> None:
    # H08/H03 let a registry record stand for the member's own record, so a name-only link
    # there would downgrade a definitive hit: those registers ignore name-only links.
    head30 = _head(county, "HH0030")
    wrong_id = _wrong_check_digit(head30["id_number"])
    deaths = county.registries["registry_deaths"].copy()
    deaths.loc[2] = {"id_number": wrong_id, "name": head30["name"], "death_date": "2025-01-05"}
    payroll = county.registries["registry_payroll"].copy()
    payroll.loc[1] = {"id_number": wrong_id, "name": head30["name"], "employer": "县医院",
                      "monthly_salary": 5000.0}  # fmt: skip
    data = _with_registry(_with_registry(county, "registry_deaths", deaths), "registry_payroll",
                          payroll)  # fmt: skip
    crosscheck = cross_check(data)
    summary = crosscheck.summary.set_index("registry")
    assert summary.loc["registry_deaths", "name_only"] == 1
    assert summary.loc["registry_payroll", "name_only"] == 1
    hits = evaluate_rules(data, crosscheck).hits
    assert "HH0030" not in set(hits["household_id"])
