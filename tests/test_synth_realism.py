"""``SynthConfig.realism``: clean data unchanged; realistic data plant benign registry noise at
the configured rates, on eligible households only, with the ground truth unchanged; H03, H05 and
H09 tolerate the ended, co-owned and cancelled records."""

from __future__ import annotations

import dataclasses
import hashlib
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from auditlib.cli.main import cli
from auditlib.data.bundle import CountyData
from auditlib.errors import ParamsError
from auditlib.risk.rules.evaluate import RuleParameters, evaluate_rules
from auditlib.synth.config import SynthConfig
from auditlib.synth.generator import generate_county
from auditlib.synth.identity import name_labels
from auditlib.synth.name_variants import name_variants
from auditlib.synth.output import SyntheticCounty, write_county

# SHA-256 over (relative path, bytes) of every CSV written by write_county (sorted by path;
# ground_truth/config.yaml and county.yaml excluded because the config gained fields), computed
# on 2026-12-02 with the generator as it was BEFORE the realism setting existed, by
# /tmp/realism_pre/hash_county.py — the same computation as _table_hash below — for these two
# configs. ``realism="clean"`` must reproduce them byte for byte (same numpy/pyarrow versions:
# docs/example-data.md, "Determinism").
CLEAN_HASHES = {
    "small": (
        {"households": 2_000, "township_count": 2, "seed": 7},
        "14eb527f1c6658df0df16474da5fde25ab1304f78b1fc065d3e86ec782ee235d",
    ),
    "minority": (
        {
            "households": 3_000,
            "township_count": 3,
            "seed": 11,
            "months": 18,
            "ethnicity_shares": {"汉族": 0.6, "回族": 0.2, "彝族": 0.2},
        },
        "ce66ef99f6e8384322e593872ca94e9e99af5707c5cc0fb60d9b46891f749e50",
    ),
}

# Rates raised well above the defaults so that each kind is planted often enough to test its
# rate (about 480 eligible recipient households: 8% is ~38 ± 6). Typing errors off, so that the
# planted values can be recognised.
RATES = {
    "benign_car_rate": 0.08,
    "ended_payroll_rate": 0.08,
    "co_owned_property_rate": 0.08,
    "cancelled_business_rate": 0.08,
    "erroneous_death_rate": 0.05,
    "homonym_rate": 0.08,
    "holder_name_variant_rate": 0.10,
    "registry_name_variant_rate": 0.05,
    "entry_error_rate": 0.0,
}
REALISTIC = SynthConfig(
    households=8_000, township_count=2, village_households=200, seed=21, **RATES
)


def _table_hash(config: SynthConfig, folder: Path) -> str:
    write_county(generate_county(config), folder)
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*.csv")):
        digest.update(str(path.relative_to(folder)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


@pytest.mark.parametrize("label", sorted(CLEAN_HASHES))
def test_clean_reproduces_the_earlier_generator(tmp_path: Path, label: str) -> None:
    values, expected = CLEAN_HASHES[label]
    config = SynthConfig(**values, realism="clean")  # type: ignore[arg-type]
    assert _table_hash(config, tmp_path) == expected


def test_realism_is_validated() -> None:
    with pytest.raises(ParamsError, match="realism"):
        SynthConfig(realism="messy")
    with pytest.raises(ParamsError, match="benign_car_rate"):
        SynthConfig(benign_car_rate=0.5)
    config = SynthConfig.from_mapping({"realism": "clean", "homonym_rate": 0.01})
    assert config.realism == "clean" and config.homonym_rate == 0.01
    assert SynthConfig().realism == "realistic"


@pytest.fixture(scope="module")
def realistic() -> SyntheticCounty:
    return generate_county(REALISTIC)


@pytest.fixture(scope="module")
def clean() -> SyntheticCounty:
    return generate_county(dataclasses.replace(REALISTIC, realism="clean"))


def _eligible_heads(county: SyntheticCounty) -> pd.Series:
    """ID number → household id of the heads of eligible recipient households."""
    truth = county.truth.households
    eligible = set(truth.loc[truth["recipient"] & truth["eligible"], "household_id"])
    members = county.data.members
    heads = members[(members["relation"] == "head") & members["household_id"].isin(eligible)]
    return heads.set_index("id_number")["household_id"]


def _eligible_count(county: SyntheticCounty) -> int:
    truth = county.truth.households
    return int((truth["recipient"] & truth["eligible"]).sum())


def _assert_rate(count: int, trials: int, rate: float) -> None:
    """``count`` successes in ``trials`` within 4 binomial standard errors of ``rate``."""
    tolerance = 4 * math.sqrt(trials * rate * (1 - rate))
    assert abs(count - trials * rate) <= tolerance, (count, trials * rate, tolerance)


def test_truth_and_registers_are_those_of_clean_data(
    realistic: SyntheticCounty, clean: SyntheticCounty
) -> None:
    pd.testing.assert_frame_equal(realistic.truth.households, clean.truth.households)
    pd.testing.assert_frame_equal(realistic.truth.payments, clean.truth.payments)
    pd.testing.assert_frame_equal(realistic.data.members, clean.data.members)
    columns = [c for c in clean.data.households.columns if c != "account_holder_name"]
    pd.testing.assert_frame_equal(
        realistic.data.households[columns], clean.data.households[columns]
    )


def test_benign_records_are_planted_at_their_rates_on_eligible_households_only(
    realistic: SyntheticCounty,
) -> None:
    registries = realistic.data.registries
    start = pd.Timestamp(realistic.data.info.audit_period_start)
    heads = _eligible_heads(realistic)
    trials = _eligible_count(realistic)

    vehicles = registries["registry_vehicles"]
    cars = vehicles[(vehicles["vehicle_type"] == "car") & (vehicles["vehicle_value"] >= 20_000)]
    recipients_cars = cars[cars["id_number"].isin(heads.index)]
    _assert_rate(recipients_cars["id_number"].nunique(), trials, RATES["benign_car_rate"])

    payroll = registries["registry_payroll"]
    ended = payroll[payroll["end_date"].notna()]
    assert ended["id_number"].isin(heads.index).all()
    assert (ended["end_date"] < start).all()
    _assert_rate(ended["id_number"].nunique(), trials, RATES["ended_payroll_rate"])

    estate = registries["registry_property"]
    shared = estate[estate["ownership_share"] < 1]
    assert shared["id_number"].isin(heads.index).all()
    assert set(shared["ownership_share"].round(2)) <= {0.5, 0.33, 0.25}
    assert (shared["property_type"] == "commercial_housing").all()
    _assert_rate(shared["id_number"].nunique(), trials, RATES["co_owned_property_rate"])

    business = registries["registry_business"]
    assert set(business["registration_status"]) == {"存续", "注销"}
    cancelled = business[business["registration_status"] == "注销"]
    assert cancelled["cancellation_date"].notna().all()
    assert (cancelled["cancellation_date"] >= cancelled["registration_date"]).all()
    mine = cancelled[cancelled["id_number"].isin(heads.index)]
    assert (mine["cancellation_date"] < start).all()
    assert (mine["registered_capital"] >= 10_000).all()  # above H09's capital exemption
    _assert_rate(mine["id_number"].nunique(), trials, RATES["cancelled_business_rate"])


def test_erroneous_deaths_name_living_members_of_eligible_households(
    realistic: SyntheticCounty,
) -> None:
    truth = realistic.truth.households.set_index("household_id")
    members = realistic.data.members
    deaths = realistic.data.registries["registry_deaths"]
    living = members[members["death_date"].isna()].merge(deaths[["id_number"]], on="id_number")
    recipients = living[living["household_id"].isin(truth.index[truth["recipient"]])]
    wrong = recipients[
        ~recipients["household_id"].isin(truth.index[truth["error_type"] == "deceased_member"])
    ]
    assert truth.loc[wrong["household_id"], "eligible"].all()
    _assert_rate(
        wrong["household_id"].nunique(), _eligible_count(realistic), RATES["erroneous_death_rate"]
    )


def test_homonyms_own_cars_under_other_ids(realistic: SyntheticCounty) -> None:
    heads = _eligible_heads(realistic)
    members = realistic.data.members
    head_names = set(members.loc[members["id_number"].isin(heads.index), "name"])
    vehicles = realistic.data.registries["registry_vehicles"]
    namesakes = vehicles[
        ~vehicles["id_number"].isin(set(members["id_number"]))
        & vehicles["name"].isin(head_names)
        & (vehicles["vehicle_type"] == "car")
    ]
    expected = _eligible_count(realistic) * RATES["homonym_rate"]
    # A lower bound: other people outside households may share a common name by chance.
    assert len(namesakes) >= expected - 4 * math.sqrt(expected)


def test_holder_and_registry_names_are_varied_at_their_rates(realistic: SyntheticCounty) -> None:
    known = set(name_labels().tolist())
    households = realistic.data.households
    holders = households["account_holder_name"].dropna()
    personal = holders[~holders.str.endswith("敬老院")]
    varied = ~personal.isin(known)
    _assert_rate(int(varied.sum()), len(personal), RATES["holder_name_variant_rate"])
    # Ledger and households table agree on the holder of each account.
    ledger = realistic.data.payments.drop_duplicates("household_id").set_index("household_id")
    current = households.dropna(subset=["account_holder_name"]).set_index("household_id")
    both = current.index.intersection(ledger.index)
    assert (
        ledger.loc[both, "account_holder_name"] == current.loc[both, "account_holder_name"]
    ).all()
    names = pd.concat([table["name"] for table in realistic.data.registries.values()])
    odd = ~names.isin(known)
    # 1% of registry names also have a changed last character (still a generated name).
    _assert_rate(int(odd.sum()), len(names), RATES["registry_name_variant_rate"])


def test_name_variants_differ_only_in_form() -> None:
    names = np.array(["刘建国", "周明", "王芳", "马丽"] * 50)
    varied = name_variants(np.random.default_rng(3), names)
    assert (varied != names).all()
    simplified = str.maketrans("劉國馬麗", "刘国马丽")
    restored = [v.translate(simplified).replace(" ", "").replace("\u3000", "") for v in varied]
    assert restored == names.tolist()
    kinds = {("space" if " " in v else "full" if "\u3000" in v else "trad") for v in varied}
    assert kinds == {"space", "full", "trad"}


def _with_registry(data: CountyData, name: str, table: pd.DataFrame) -> CountyData:
    return dataclasses.replace(data, registries={**data.registries, name: table})


def _households_hit(data: CountyData, code: str, **parameters: float) -> set[str]:
    hits = evaluate_rules(data, parameters=RuleParameters(**parameters)).hits  # type: ignore[arg-type]
    return set(hits.loc[hits["rule_code"] == code, "household_id"])


def _households_of(data: CountyData, ids: pd.Series) -> set[str]:
    members = data.members
    return set(members.loc[members["id_number"].isin(set(ids)), "household_id"])


def test_h03_ignores_payroll_records_that_ended_before_the_audit_period(
    realistic: SyntheticCounty,
) -> None:
    data = realistic.data
    payroll = data.registries["registry_payroll"]
    ended = payroll["end_date"].notna()
    targets = _households_of(data, payroll.loc[ended, "id_number"])
    assert targets and not targets & _households_hit(data, "H03")
    # The same records still paid, or ended inside the audit period, fire.
    for end in (pd.NaT, pd.Timestamp(data.info.audit_period_start) + pd.Timedelta(days=40)):
        table = payroll.assign(end_date=payroll["end_date"].where(~ended, end))
        assert targets <= _households_hit(_with_registry(data, "registry_payroll", table), "H03")


def test_h09_ignores_businesses_cancelled_before_the_audit_period(
    realistic: SyntheticCounty,
) -> None:
    data = realistic.data
    business = data.registries["registry_business"]
    heads = _eligible_heads(realistic)
    cancelled = (business["registration_status"] == "注销") & business["id_number"].isin(
        heads.index
    )
    targets = _households_of(data, business.loc[cancelled, "id_number"])
    assert targets and not targets & _households_hit(data, "H09")
    inside = pd.Timestamp(data.info.audit_period_start) + pd.Timedelta(days=40)
    variants = [
        business.assign(
            registration_status=business["registration_status"].where(~cancelled, "存续")
        ),
        business.assign(cancellation_date=business["cancellation_date"].where(~cancelled, inside)),
        business.assign(cancellation_date=business["cancellation_date"].where(~cancelled, pd.NaT)),
    ]
    for table in variants:
        assert targets <= _households_hit(_with_registry(data, "registry_business", table), "H09")


def test_h05_ignores_minority_shares(realistic: SyntheticCounty) -> None:
    data = realistic.data
    estate = data.registries["registry_property"]
    shares = estate["ownership_share"]
    minority = _households_of(data, estate.loc[shares < 0.5, "id_number"])
    half = _households_of(data, estate.loc[shares == 0.5, "id_number"])
    assert minority and half
    hit = _households_hit(data, "H05")
    assert half <= hit
    # A minority-share household is hit only if it also owns housing outright (none planted).
    assert not (minority - half) & hit
    assert minority <= _households_hit(data, "H05", housing_share_minimum=0.0)


def test_cli_realism_option(tmp_path: Path) -> None:
    arguments = ["synth", "county", "--seed", "7", "--households", "2000", "--townships", "2"]
    runner = CliRunner()
    for realism in ("clean", "realistic"):
        folder = tmp_path / realism
        result = runner.invoke(cli, [*arguments, "--realism", realism, "--out", str(folder)])
        assert result.exit_code == 0, result.output
    payroll = pd.read_csv(tmp_path / "clean" / "registry_payroll.csv")
    assert "end_date" not in payroll.columns
    assert "end_date" in pd.read_csv(tmp_path / "realistic" / "registry_payroll.csv").columns
    digest = hashlib.sha256()
    for path in sorted((tmp_path / "clean").rglob("*.csv")):
        digest.update(str(path.relative_to(tmp_path / "clean")).encode())
        digest.update(path.read_bytes())
    assert digest.hexdigest() == CLEAN_HASHES["small"][1]
