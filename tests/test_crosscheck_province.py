"""Cross-county checks (DuckDB over the county folders): planted cases are found, nothing else.

Three synthetic counties (seeds 6101-6103) with distinct county codes share no ID number or
account by construction (ID numbers carry the county's address code, accounts are random 19
digits), so every finding must come from what the fixture plants: one person enrolled in
counties A and B, one member of A in B's death registry, one account of A paid to a household
of C.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from auditlib.cli.common import EXIT_BAD_INPUT, EXIT_OK, run_guarded
from auditlib.cli.main import cli
from auditlib.errors import DataError
from auditlib.risk.crosscounty import FINDING_COLUMNS, cross_county_check
from auditlib.synth.config import SynthConfig
from auditlib.synth.generator import generate_county
from auditlib.synth.output import write_county

CODES = ("431102", "431103", "431121")


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def _write(frame: pd.DataFrame, path: Path) -> None:
    frame.to_csv(path, index=False)


@pytest.fixture(scope="module")
def province(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    root = tmp_path_factory.mktemp("province")
    folders = []
    for code, seed in zip(CODES, (6101, 6102, 6103), strict=True):
        config = SynthConfig(
            county_code=code,
            households=600,
            township_count=2,
            seed=seed,
            reference_date=date(2025, 3, 31),
        )
        write_county(generate_county(config), root / code)
        folders.append(root / code)
    a, b, c = folders
    members_a, members_b = _read(a / "members.csv"), _read(b / "members.csv")
    # 1. a person of county A also enrolled in a household of county B
    twice = members_a.iloc[10]
    extra = members_b.iloc[[0]].copy()
    extra["id_number"] = twice["id_number"]
    _write(pd.concat([members_b, extra]), b / "members.csv")
    # 2. another member of A recorded dead in county B's death registry
    dead = members_a.iloc[20]
    deaths_b = _read(b / "registry_deaths.csv")
    row = deaths_b.iloc[[0]].copy()
    row["id_number"], row["name"] = dead["id_number"], dead["name"]
    # as parquet: files are read as they come (CSV or parquet)
    pd.concat([deaths_b, row]).to_parquet(b / "registry_deaths.parquet", index=False)
    (b / "registry_deaths.csv").unlink()
    # 3. a recipient household of C paid into an account of a household of A
    households_a, households_c = _read(a / "households.csv"), _read(c / "households.csv")
    paid_a = households_a[households_a["account_number"] != ""].iloc[0]
    paid_c = households_c.index[households_c["account_number"] != ""][0]
    households_c.loc[paid_c, "account_number"] = paid_a["account_number"]
    # county C exports Chinese file names, headers and codes, with a BOM
    households_c["programme"] = households_c["programme"].map(
        {"dibao": "低保", "tekun": "特困供养", "none": "无"}
    )
    households_c.rename(columns={"programme": "救助类型", "account_number": "收款账号"}).to_csv(
        c / "households.csv", index=False, encoding="utf-8-sig"
    )
    members_c = _read(c / "members.csv").rename(columns={"id_number": "身份证号"})
    members_c.to_csv(c / "家庭成员信息.csv", index=False, encoding="utf-8-sig")
    (c / "members.csv").unlink()
    return {
        "folders": folders,
        "twice": (twice["id_number"], twice["household_id"], extra["household_id"].iloc[0]),
        "dead": (dead["id_number"], dead["household_id"]),
        "account": (
            paid_a["account_number"],
            paid_a["household_id"],
            households_c.loc[paid_c, "household_id"],
        ),
    }


def test_the_planted_cases_and_nothing_else_are_found(province: dict[str, object]) -> None:
    result = cross_county_check(province["folders"])  # type: ignore[arg-type]
    findings = result.findings
    assert tuple(findings.columns) == FINDING_COLUMNS
    assert result.counties == CODES
    person = province["twice"][0]  # type: ignore[index]
    # B's new member keeps whatever A's registries hold on them (their vehicle, property):
    # findings for B too, and the only registry findings besides the planted death
    echoes = findings[~findings["check"].isin(["cross_county_member", "cross_county_account"])]
    echoes = echoes[echoes["check"] != "cross_county_death"]
    assert set(echoes["id_number"]) <= {person}
    assert set(zip(echoes["county_code"], echoes["other_county_code"], strict=True)) <= {
        (CODES[1], CODES[0])
    }

    person, household_a, household_b = province["twice"]  # type: ignore[misc]
    enrolled = findings[findings["check"] == "cross_county_member"]
    assert set(enrolled["id_number"]) == {person}
    pairs = set(
        zip(
            enrolled["county_code"],
            enrolled["household_id"],
            enrolled["other_county_code"],
            enrolled["other_household_id"],
            strict=True,
        )
    )
    assert pairs == {
        (CODES[0], household_a, CODES[1], household_b),
        (CODES[1], household_b, CODES[0], household_a),
    }

    dead, household = province["dead"]  # type: ignore[misc]
    deaths = findings[findings["check"] == "cross_county_death"]
    assert deaths[
        ["county_code", "household_id", "id_number", "other_county_code", "registry"]
    ].values.tolist() == [[CODES[0], household, dead, CODES[1], "registry_deaths"]]

    account, household_a, household_c = province["account"]  # type: ignore[misc]
    shared = findings[findings["check"] == "cross_county_account"]
    assert set(shared["account_number"]) == {account}
    assert set(zip(shared["county_code"], shared["household_id"], strict=True)) >= {
        (CODES[0], household_a),
        (CODES[2], household_c),
    }
    assert set(shared["county_code"]) == {CODES[0], CODES[2]}
    programmes = set(findings["programme"].dropna()) | set(findings["other_programme"].dropna())
    assert programmes <= {"dibao", "tekun", "none"} and "dibao" in programmes


def test_summary_counts_and_masking(province: dict[str, object]) -> None:
    result = cross_county_check(province["folders"], threads=1)  # type: ignore[arg-type]
    summary = result.summary()
    member = summary[summary["check"] == "cross_county_member"]
    assert member[["county_code", "other_county_code", "keys"]].values.tolist() == [
        [CODES[0], CODES[1], 1],
        [CODES[1], CODES[0], 1],
    ]
    masked = result.masked()
    person = province["twice"][0]  # type: ignore[index]
    shown = masked.to_csv(index=False)
    assert person not in shown and province["account"][0] not in shown  # type: ignore[index]
    assert person[:6] + "********" + person[-4:] in shown


def test_the_command_writes_the_restricted_table_and_prints_no_identity(
    province: dict[str, object], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folders = [str(folder) for folder in province["folders"]]  # type: ignore[attr-defined]
    code = run_guarded(cli, ["crosscheck", *folders, "--out", str(tmp_path / "out")])
    printed = "".join(capsys.readouterr())
    assert code == EXIT_OK, printed
    table = _read(tmp_path / "out" / "crosscounty.csv")
    assert province["twice"][0] in set(table["id_number"])  # type: ignore[index]
    assert "cross_county_death" in printed
    for secret in (province["twice"][0], province["dead"][0], province["account"][0]):  # type: ignore[index]
        assert secret not in printed


def test_a_folder_without_members_is_a_clear_error(
    province: dict[str, object], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "999999"
    empty.mkdir()
    (empty / "county.yaml").write_text("county_code: '999999'\n", encoding="utf-8")
    first = str(province["folders"][0])  # type: ignore[index]
    code = run_guarded(cli, ["crosscheck", first, str(empty), "--out", str(tmp_path / "o")])
    printed = "".join(capsys.readouterr())
    assert code == EXIT_BAD_INPUT
    assert "households" in printed and "Traceback" not in printed
    with pytest.raises(DataError, match="at least 2 county folders"):
        cross_county_check([first])
