"""Generator basics: determinism, the data contract's dtypes, ID numbers, writing, the CLI."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings, strategies as st

from auditlib.cli.common import run_guarded
from auditlib.cli.main import cli
from auditlib.data.idcard import birth_dates, id_number_problems
from auditlib.data.register_tables import HOUSEHOLDS, MEMBERS, PAYMENTS
from auditlib.data.registry_tables import REGISTRY_TABLES
from auditlib.data.schema import TableSpec
from auditlib.errors import ParamsError
from auditlib.synth.config import SynthConfig
from auditlib.synth.generator import generate_county
from auditlib.synth.output import SyntheticCounty, read_ground_truth, write_county

SMALL = SynthConfig(households=3_000, township_count=3, village_households=150, seed=11)

EXPECTED_DTYPES = {
    "string": "string",
    "id_number": "string",
    "category": "string",
    "int": "int64",
    "float": "float64",
    "date": "datetime64[ns]",
    "bool": "bool",
}


@pytest.fixture(scope="module")
def county() -> SyntheticCounty:
    return generate_county(SMALL)


def _digests(folder: Path) -> dict[str, str]:
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def test_same_seed_gives_identical_bytes(tmp_path: Path) -> None:
    write_county(generate_county(SMALL), tmp_path / "a")
    write_county(generate_county(SMALL), tmp_path / "b")
    first, second = _digests(tmp_path / "a"), _digests(tmp_path / "b")
    assert first == second
    assert "ground_truth/households.csv" in first and "registry_relatives.csv" in first


def test_different_seed_gives_different_data(county: SyntheticCounty) -> None:
    other = generate_county(replace(SMALL, seed=12))
    assert not county.data.members["name"].equals(other.data.members["name"])
    assert not county.truth.households["inclusion_error"].equals(
        other.truth.households["inclusion_error"]
    )


def test_components_use_independent_streams() -> None:
    # Changing only the payment anomaly rate must not move the planted inclusion errors: the
    # statuses stream draws errors before anomalies and the other streams are separate.
    base = generate_county(SMALL)
    changed = generate_county(replace(SMALL, payment_anomaly_rate=0.05))
    assert base.truth.households["error_type"].equals(changed.truth.households["error_type"])
    assert base.data.members["name"].equals(changed.data.members["name"])


def _check_table(frame: pd.DataFrame, spec: TableSpec) -> None:
    assert list(frame.columns) == list(spec.column_names), spec.name
    for column in spec.columns:
        assert str(frame[column.name].dtype) == EXPECTED_DTYPES[column.kind], (
            spec.name,
            column.name,
        )
        if not column.nullable:
            assert frame[column.name].notna().all(), (spec.name, column.name)
        if column.kind == "category":
            assert set(frame[column.name].dropna()) <= set(column.values), column.name
        if column.minimum is not None and column.kind in ("int", "float"):
            assert (frame[column.name].dropna() >= column.minimum).all(), column.name
        if column.maximum is not None and column.kind in ("int", "float"):
            assert (frame[column.name].dropna() <= column.maximum).all(), column.name
        if column.unique:
            assert frame[column.name].is_unique, column.name


def test_tables_follow_the_contract(county: SyntheticCounty) -> None:
    data = county.data
    _check_table(data.households, HOUSEHOLDS)
    _check_table(data.members, MEMBERS)
    _check_table(data.payments, PAYMENTS)
    assert set(data.registries) == {spec.name for spec in REGISTRY_TABLES}
    for spec in REGISTRY_TABLES:
        _check_table(data.registries[spec.name], spec)
        assert len(data.registries[spec.name]) > 0, spec.name


def test_cross_table_keys(county: SyntheticCounty) -> None:
    households, members = county.data.households, county.data.members
    known = set(households["household_id"])
    assert set(members["household_id"]) == known
    assert set(county.data.payments["household_id"]) <= known
    counts = members.groupby("household_id").size()
    assert (households.set_index("household_id")["members"] == counts).all()
    assert set(households["head_id_number"]) <= set(members["id_number"])
    truth = county.truth
    assert truth.households["household_id"].tolist() == households["household_id"].tolist()
    assert truth.payments["payment_id"].tolist() == county.data.payments["payment_id"].tolist()


def test_every_id_number_is_valid_and_consistent(county: SyntheticCounty) -> None:
    data = county.data
    reference = str(data.info.reference_date)
    numbers = pd.concat(
        [data.members["id_number"], *(t["id_number"] for t in data.registries.values())],
        ignore_index=True,
    )
    assert (id_number_problems(numbers, reference) == "").all()
    assert numbers.str.startswith(data.info.county_code).all()
    members = data.members
    assert members["id_number"].is_unique
    born = birth_dates(members["id_number"])
    when = pd.Timestamp(reference)
    before_birthday = (born.dt.month * 100 + born.dt.day) > (when.month * 100 + when.day)
    age = when.year - born.dt.year - before_birthday.astype(int)
    assert (age == members["age"]).all()
    # Sex is encoded in the parity of the 17th digit (odd = male, GB 11643).
    odd = members["id_number"].str.slice(16, 17).astype(int) % 2 == 1
    assert (odd == (members["sex"] == "M")).all()
    # Clearly synthetic: sequence codes run down from 999/998, so in a small county all are 9xx.
    assert members["id_number"].str.slice(14, 15).eq("9").all()


def test_written_files_read_back(tmp_path: Path, county: SyntheticCounty) -> None:
    write_county(county, tmp_path)
    text = (tmp_path / "households.csv").read_text(encoding="utf-8")
    header = text.splitlines()[0]
    assert header == ",".join(HOUSEHOLDS.column_names)
    row = text.splitlines()[1].split(",")
    assert row[HOUSEHOLDS.column_names.index("housing_decorated")] in {"0", "1"}
    assert "\r" not in text
    truth = read_ground_truth(tmp_path)
    pd.testing.assert_frame_equal(truth.households, county.truth.households, check_dtype=False)
    assert (
        truth.households["payment_anomaly_types"]
        .eq(county.truth.households["payment_anomaly_types"])
        .all()
    )
    pd.testing.assert_frame_equal(truth.payments, county.truth.payments, check_dtype=False)


def test_written_county_loads_clean(tmp_path: Path, county: SyntheticCounty) -> None:
    loading = pytest.importorskip("auditlib.data.loading")
    write_county(county, tmp_path)
    data = loading.load_county(tmp_path)
    errors = data.problems[data.problems["severity"] == "error"]
    assert errors.empty, errors.head().to_string()
    pd.testing.assert_frame_equal(
        data.households.reset_index(drop=True), county.data.households, check_dtype=False
    )
    assert data.info == county.data.info


def test_config_errors_name_the_parameter() -> None:
    with pytest.raises(ParamsError, match="dibao_share"):
        SynthConfig(dibao_share=0.9)
    with pytest.raises(ParamsError, match="county_code"):
        SynthConfig(county_code="43052")
    with pytest.raises(ParamsError, match="error_type_weights"):
        SynthConfig(error_type_weights={"bribery": 1.0})
    with pytest.raises(ParamsError, match="a known key"):
        SynthConfig.from_mapping({"households": 1000, "colour": "red"})
    with pytest.raises(ParamsError, match="households"):
        SynthConfig(households=300, township_count=10)
    with pytest.raises(ParamsError, match="share"):
        SMALL.with_anomaly_share(0.8)


def test_config_round_trips_through_a_mapping() -> None:
    config = replace(
        SMALL, townships=("甲镇", "乙乡", "丙镇"), ethnicity_shares={"汉族": 0.9, "回族": 0.1}
    )
    assert SynthConfig.from_mapping(config.to_mapping()) == config


def test_cli_county_and_examples(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(
        cli,
        [
            "synth",
            "county",
            "--seed",
            "5",
            "--households",
            "1500",
            "--townships",
            "2",
            "--out",
            str(tmp_path / "custom"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "custom" / "members.csv").is_file()
    spec = tmp_path / "counties.yaml"
    spec.write_text(
        "counties:\n"
        "  - {county_code: '530621', county: 鲁甸县, province: 云南省, seed: 3, households: 1500,\n"
        "     townships: [文屏镇, 龙头山镇], village_households: 120, rural_standard: 455}\n",
        encoding="utf-8",
    )
    for target in ("one", "two"):
        result = runner.invoke(
            cli, ["synth", "examples", "--spec", str(spec), "--out", str(tmp_path / target)]
        )
        assert result.exit_code == 0, result.output
    assert _digests(tmp_path / "one") == _digests(tmp_path / "two")
    assert "530621" in result.output


def test_cli_bad_spec_exits_2_without_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = tmp_path / "counties.yaml"
    spec.write_text("counties:\n  - {county_code: '530621', households: -5}\n", encoding="utf-8")
    code = run_guarded(cli, ["synth", "examples", "--spec", str(spec), "--out", str(tmp_path)])
    captured = capsys.readouterr()
    assert code == 2
    assert "households" in captured.err and "Traceback" not in captured.err


def test_generated_names_look_chinese(county: SyntheticCounty) -> None:
    names = county.data.members["name"]
    assert names.str.len().between(2, 3).all()
    assert names.str.fullmatch(r"[\u4e00-\u9fff]+").all()
    assert np.mean(names.str.len() == 3) > 0.5


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**32 - 1),
    households=st.integers(480, 2_500),
    townships=st.integers(1, 4),
    inclusion=st.floats(0, 0.5),
    payment=st.floats(0, 0.2),
    omission=st.floats(0, 0.5),
    months=st.integers(12, 24),
)
def test_truth_invariants_hold_for_any_config(
    seed: int,
    households: int,
    townships: int,
    inclusion: float,
    payment: float,
    omission: float,
    months: int,
) -> None:
    config = SynthConfig(
        households=households,
        township_count=townships,
        village_households=100,
        inclusion_error_rate=inclusion,
        payment_anomaly_rate=payment,
        omission_rate=omission,
        months=months,
        seed=seed,
    )
    county = generate_county(config)
    truth = county.truth.households
    data = county.data
    assert len(data.households) == households
    assert truth["recipient"].eq(data.households["programme"].eq("dibao").to_numpy()).all()
    assert (truth["inclusion_error"] == (truth["recipient"] & truth["error_type"].notna())).all()
    assert (
        truth["eligible"] == ((truth["recipient"] & ~truth["inclusion_error"]) | truth["omitted"])
    ).all()
    assert (truth["anomaly"] == (truth["inclusion_error"] | truth["payment_anomaly"])).all()
    assert not (truth["payment_anomaly"] & truth["inclusion_error"]).any()
    not_paid = ~truth["eligible"] & data.households["programme"].ne("tekun").to_numpy()
    assert (truth.loc[not_paid, "correct_benefit"] == 0).all()
    assert data.members["id_number"].is_unique
    payments = data.payments
    assert (
        payments["payment_date"]
        .between(
            pd.Timestamp(data.info.audit_period_start), pd.Timestamp(data.info.audit_period_end)
        )
        .all()
    )
    assert (payments["amount"] > 0).all()
