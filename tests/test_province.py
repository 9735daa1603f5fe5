"""Provincial estimates (issue 16): the county estimates combined as independent strata.

Expected values are computed here independently of :mod:`auditlib.estimation.province`, from
the county records with plain numpy/scipy sums: the weighted mean of the county rates with the
register populations as weights, Σ (N_c/N)² v_c, Σ totals, Σ variances, Satterthwaite's
degrees of freedom written out, the t interval from ``scipy.stats.t`` and the Korn–Graubard
interval from ``scipy.stats.beta`` quantiles (Clopper–Pearson on the df-adjusted effective
size), the three-stage ultimate-cluster variance from its textbook formula.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from scipy import stats

from auditlib.cli.common import run_guarded
from auditlib.cli.main import cli
from auditlib.data.codes import ERROR_TYPES
from auditlib.errors import AuditError, DataError, DesignError
from auditlib.estimation.province import CountyResult, province_estimates
from auditlib.estimation.province_compare import (
    exceedance_probability,
    funnel_limits,
    rank_intervals,
    targeted_selection,
)
from auditlib.estimation.province_records import county_result
from auditlib.estimation.results import Estimate
from auditlib.estimation.summary import estimate_record
from auditlib.report.forms import FormCounts, write_statistics_form
from auditlib.report.province_form import read_county_form
from auditlib.report.province_inputs import read_batch, read_county_folder
from auditlib.report.province_outputs import ProvinceParams, write_province
from auditlib.report.province_report import verify_province
from auditlib.report.render import network_references

RATES = ("error_rate", "improper_rate", "omission_rate", "tekun_error_rate")


def _estimate(
    statistic: str, value: float, se: float, df: int, n: int, neff: float, method: str
) -> Estimate:
    return Estimate(
        statistic,
        "x",
        None,
        value,
        se,
        value - se,
        value + se,
        value + se,
        0.95,
        method,
        df,
        n,
        neff,
        float("nan"),
        True,
    )


def _record(code: str, rng: np.random.Generator) -> dict[str, Any]:
    """A county's estimates.json with random but plausible figures."""
    dibao = int(rng.integers(2_000, 9_000))
    paid = float(dibao * rng.uniform(5_000, 7_000))
    eligible = float(dibao * rng.uniform(1.0, 1.3))
    df = int(rng.integers(8, 30))
    n = int(rng.integers(300, 700))
    details: dict[str, Any] = {}
    for name in RATES:
        p = float(rng.uniform(0.02, 0.25))
        details[name] = _estimate(
            "proportion",
            p,
            p * rng.uniform(0.15, 0.3),
            df,
            n,
            float(rng.uniform(100, 300)),
            "korn-graubard",
        )
    for name, rate in (("overpayment_rate", 0.09), ("underpayment_rate", 0.01)):
        details[name] = _estimate("ratio", rate, rate * 0.25, df, n, 150.0, "korn-graubard")
    for name, rate in (
        ("improper_amount", "improper_rate"),
        ("overpayment", "overpayment_rate"),
        ("underpayment", "underpayment_rate"),
    ):
        r = details[rate]
        details[name] = _estimate(
            "total",
            r.estimate * paid,
            r.standard_error * paid,
            df,
            n,
            r.effective_n,
            "korn-graubard",
        )
    ineligible = details["error_rate"].estimate * dibao
    details["ineligible_households"] = _estimate(
        "total", ineligible, ineligible * 0.2, df, n, 200.0, "t"
    )
    details["total_paid"] = _estimate("total", paid * 1.01, paid * 0.05, df + 3, n, 150.0, "t")
    for name in ("error_rate_lower_bound", "error_rate_upper_bound"):
        details[name] = details["error_rate"]
    return {
        "county_code": code,
        "county": f"县{code}",
        "province": "测试省",
        "details": {name: estimate_record(value) for name, value in details.items()},
        "populations": {
            "dibao_households": dibao,
            "tekun_households": int(dibao * 0.1),
            "paid": paid,
            "eligible_households": eligible,
        },
        "response_rates": [{"level": "county", "sampled": n, "respondents": n}],
    }


@pytest.fixture
def records() -> list[dict[str, Any]]:
    rng = np.random.default_rng(16_001)  # the records' figures (arbitrary seed)
    return [_record(str(430_501 + k), rng) for k in range(6)]


def _column(records: list[dict[str, Any]], name: str, part: str) -> np.ndarray:
    return np.array([r["details"][name][part] for r in records], dtype=float)


def _satterthwaite(parts: np.ndarray, df: np.ndarray) -> float:
    return float(parts.sum() ** 2 / np.sum(parts**2 / df))


POPULATION = {
    "error_rate": "dibao_households",
    "tekun_error_rate": "tekun_households",
    "omission_rate": "eligible_households",
    "improper_rate": "paid",
}


@pytest.mark.parametrize("name", RATES)
def test_rate_agrees_with_an_independent_computation(records: list[dict], name: str) -> None:
    combined = province_estimates([county_result(r, "mem") for r in records])[name]
    assert combined is not None
    result = combined.estimate
    weights = np.array([r["populations"][POPULATION[name]] for r in records], dtype=float)
    p = _column(records, name, "estimate")
    v = _column(records, name, "standard_error") ** 2
    df = _column(records, name, "degrees_of_freedom")
    share = weights / weights.sum()
    expected = float(np.sum(share * p))
    variance = float(np.sum(share**2 * v))
    nu = int(np.floor(_satterthwaite(share**2 * v, df)))
    assert result.estimate == pytest.approx(expected, rel=1e-12)
    assert result.standard_error == pytest.approx(np.sqrt(variance), rel=1e-12)
    assert result.degrees_of_freedom == nu
    # Korn–Graubard by hand: effective size p(1-p)/v, capped at N²/Σ N_c²/n*_c, times
    # (t_{cap-1}/t_df)², then Clopper–Pearson on x = n_e·p successes.
    cap = 1.0 / np.sum(share**2 / _column(records, name, "effective_n"))
    size = min(expected * (1 - expected) / variance, cap)
    ratio = min(stats.t.ppf(0.025, max(cap - 1, 1)) / stats.t.ppf(0.025, nu), 1.0)
    size *= ratio**2
    x = size * expected
    assert result.lower == pytest.approx(stats.beta.ppf(0.025, x, size - x + 1), rel=1e-8)
    assert result.upper == pytest.approx(stats.beta.ppf(0.975, x + 1, size - x), rel=1e-8)
    assert result.lower <= result.estimate <= result.upper_one_sided <= result.upper


def test_the_yuan_paid_is_the_registers_sum_without_sampling_error(records: list[dict]) -> None:
    counties = [county_result(r, "mem") for r in records]
    paid = province_estimates(counties)["total_paid"]
    assert paid is not None
    known = sum(r["populations"]["paid"] for r in records)
    assert paid.estimate.estimate == pytest.approx(known, rel=1e-12)
    assert paid.estimate.lower == paid.estimate.upper == paid.estimate.estimate
    assert paid.estimate.standard_error == 0.0 and paid.estimate.method == "register"
    # a three-stage design does not know the counties not drawn: estimated like any total
    drawn = {c.county_code: 0.5 for c in counties}
    sampled = province_estimates(counties, inclusion_probabilities=drawn)["total_paid"]
    assert sampled is not None and sampled.estimate.standard_error > 0


@pytest.mark.parametrize("name", ["ineligible_households"])
def test_totals_and_variances_add(records: list[dict], name: str) -> None:
    result = province_estimates([county_result(r, "mem") for r in records])[name]
    assert result is not None
    t = _column(records, name, "estimate")
    v = _column(records, name, "standard_error") ** 2
    nu = int(np.floor(_satterthwaite(v, _column(records, name, "degrees_of_freedom"))))
    assert result.estimate.estimate == pytest.approx(t.sum(), rel=1e-12)
    assert result.estimate.standard_error == pytest.approx(np.sqrt(v.sum()), rel=1e-12)
    assert result.estimate.degrees_of_freedom == nu
    half = stats.t.ppf(0.975, nu) * np.sqrt(v.sum())
    assert result.estimate.lower == pytest.approx(t.sum() - half, rel=1e-10)
    assert result.estimate.upper == pytest.approx(t.sum() + half, rel=1e-10)


def test_yuan_total_is_the_sum_and_its_interval_the_rate_times_the_yuan_paid(
    records: list[dict],
) -> None:
    combined = province_estimates([county_result(r, "mem") for r in records])
    amount, rate = combined["improper_amount"], combined["improper_rate"]
    assert amount is not None and rate is not None
    paid = sum(r["populations"]["paid"] for r in records)
    t = _column(records, "improper_amount", "estimate")
    v = _column(records, "improper_amount", "standard_error") ** 2
    assert amount.estimate.estimate == pytest.approx(t.sum(), rel=1e-10)
    assert amount.estimate.standard_error == pytest.approx(np.sqrt(v.sum()), rel=1e-10)
    assert amount.estimate.lower == pytest.approx(rate.estimate.lower * paid, rel=1e-12)
    assert amount.estimate.upper == pytest.approx(rate.estimate.upper * paid, rel=1e-12)
    assert amount.estimate.lower > 0


def test_no_error_anywhere_gives_a_meaningful_upper_limit() -> None:
    zero = _estimate("proportion", 0.0, 0.0, 10, 400, 120.0, "korn-graubard")
    counties = [
        CountyResult(str(k), "A", {"error_rate": zero}, {"dibao_households": 1000.0})
        for k in range(3)
    ]
    result = province_estimates(counties)["error_rate"]
    assert result is not None
    assert result.estimate.lower == 0.0
    assert 0 < result.estimate.upper < 0.05  # about 3.7/360 with 30 degrees of freedom
    assert result.estimate.degrees_of_freedom == 30  # Σ ν_c when nothing varies


def test_three_stage_design_for_a_province_that_drew_its_counties(records: list[dict]) -> None:
    counties = [county_result(r, "mem") for r in records]
    pi = {c.county_code: 0.2 + 0.1 * k for k, c in enumerate(counties)}
    result = province_estimates(counties, inclusion_probabilities=pi)
    inverse = np.array([1 / pi[c.county_code] for c in counties])
    t = _column(records, "ineligible_households", "estimate")
    m = len(counties)
    z = inverse * t
    total = result["ineligible_households"]
    assert total is not None
    assert total.estimate.estimate == pytest.approx(z.sum(), rel=1e-12)
    assert total.estimate.standard_error**2 == pytest.approx(
        m / (m - 1) * np.sum((z - z.mean()) ** 2), rel=1e-10
    )
    assert total.estimate.degrees_of_freedom == m - 1
    n = np.array([r["populations"]["dibao_households"] for r in records], dtype=float)
    p = _column(records, "error_rate", "estimate")
    rate = float(np.sum(inverse * n * p) / np.sum(inverse * n))
    scores = inverse * n * (p - rate) / np.sum(inverse * n)
    error = result["error_rate"]
    assert error is not None
    assert error.estimate.estimate == pytest.approx(rate, rel=1e-12)
    assert error.estimate.standard_error**2 == pytest.approx(
        m / (m - 1) * np.sum((scores - scores.mean()) ** 2), rel=1e-10
    )


def test_the_estimate_speaks_for_the_audited_counties(records: list[dict], tmp_path: Path) -> None:
    batch = _batch(tmp_path, records[:3])
    params = ProvinceParams(counties={r["county_code"]: r["county"] for r in records})
    write_province(batch, tmp_path / "province", params)
    content = json.loads((tmp_path / "province" / "estimates.json").read_text("utf-8"))
    assert content["design"] == "stratified"
    assert content["speaks_for"] == sorted(r["county_code"] for r in records[:3])
    assert sorted(content["not_audited"]) == sorted(r["county_code"] for r in records[3:])


def test_mixed_levels_are_refused(records: list[dict]) -> None:
    records[1]["details"]["error_rate"]["level"] = 0.9
    with pytest.raises(DesignError, match="level"):
        province_estimates([county_result(r, f"c{k}.json") for k, r in enumerate(records)])


def test_a_malformed_record_names_the_file_and_the_key(records: list[dict]) -> None:
    del records[0]["details"]["error_rate"]["standard_error"]
    records[0]["populations"]["paid"] = "many"
    with pytest.raises(DataError) as caught:
        county_result(records[0], "reports/430501/estimates.json")
    places = {(p.file, p.column) for p in caught.value.problems}
    assert ("reports/430501/estimates.json", "details.error_rate.standard_error") in places
    assert ("reports/430501/estimates.json", "populations.paid") in places


def test_a_record_without_populations_says_how_to_fix_it(records: list[dict]) -> None:
    del records[0]["populations"]
    with pytest.raises(DataError, match="populations") as caught:
        county_result(records[0], "x/estimates.json")
    assert "re-run" in caught.value.problems[0].expected


def _batch(root: Path, records: list[dict]) -> Path:
    batch = root / "reports"
    for record in records:
        folder = batch / record["county_code"]
        folder.mkdir(parents=True)
        (folder / "estimates.json").write_text(json.dumps(record, ensure_ascii=False), "utf-8")
        (folder / "manifest.json").write_text(
            json.dumps({"county_code": record["county_code"]}), "utf-8"
        )
    return batch


def test_a_published_folder_without_estimates_is_an_error(
    records: list[dict], tmp_path: Path
) -> None:
    batch = _batch(tmp_path, records[:2])
    (batch / records[0]["county_code"] / "estimates.json").unlink()
    with pytest.raises(DataError, match=r"estimates\.json is missing") as caught:
        read_county_folder(batch / records[0]["county_code"])
    assert caught.value.problems[0].file.endswith("estimates.json")


def test_unpublished_folders_are_listed_not_combined(records: list[dict], tmp_path: Path) -> None:
    batch = _batch(tmp_path, records[:3])
    (batch / records[2]["county_code"] / "manifest.json").unlink()
    (batch / "430999").mkdir()
    (batch / "430999" / "manifest-interim.json").write_text("{}", "utf-8")
    (batch / "logs").mkdir()
    read = read_batch(batch)
    assert [c.result.county_code for c in read.counties] == [r["county_code"] for r in records[:2]]
    assert set(read.skipped) == {records[2]["county_code"], "430999", "logs"}
    assert "interim" in read.skipped["430999"]
    assert "not published" in read.skipped[records[2]["county_code"]]
    assert "not a county report folder" in read.skipped["logs"]


def test_cli_writes_estimates_and_manifest_and_verifies(
    records: list[dict], tmp_path: Path
) -> None:
    batch = _batch(tmp_path, records)
    out = tmp_path / "province"
    runner = CliRunner()
    result = runner.invoke(
        cli, ["province", str(batch), "--out", str(out), "--target", "0.1", "--no-pdf"]
    )
    assert result.exit_code == 0, result.output
    content = json.loads((out / "estimates.json").read_text("utf-8"))
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    assert set(content["details"]) >= {"error_rate", "improper_amount", "omission_rate"}
    assert (
        content["estimates"]["error_rate_estimate"] == content["details"]["error_rate"]["estimate"]
    )
    assert manifest["kind"] == "province"
    assert set(manifest["inputs"]["counties"]) == {r["county_code"] for r in records}
    check = ["province", str(batch), "--out", str(out), "--no-pdf", "--target", "0.1", "--verify"]
    assert run_guarded(cli, check) == 0
    assert run_guarded(cli, ["verify", str(out)]) == 0  # auditlib verify knows a province
    assert run_guarded(cli, [*check[:-3], "--verify"]) == 1  # another target: other parameters
    (out / "estimates.json").write_text("{}", "utf-8")
    assert run_guarded(cli, check) == 1
    assert run_guarded(cli, ["verify", str(out)]) == 1


def test_cli_refuses_a_folder_with_foreign_files(records: list[dict], tmp_path: Path) -> None:
    batch = _batch(tmp_path, records[:2])
    out = tmp_path / "province"
    out.mkdir()
    (out / "estimates.json").write_text("mine", "utf-8")
    result = CliRunner().invoke(cli, ["province", str(batch), "--out", str(out), "--no-pdf"])
    assert result.exit_code != 0
    assert (out / "estimates.json").read_text("utf-8") == "mine"


def test_cli_bad_input_exits_2_naming_the_file(records: list[dict], tmp_path: Path) -> None:
    records[1]["details"]["error_rate"] = "broken"
    batch = _batch(tmp_path, records[:2])
    code = run_guarded(cli, ["province", str(batch), "--out", str(tmp_path / "p"), "--no-pdf"])
    assert code == 2
    with pytest.raises(AuditError, match=str(batch / records[1]["county_code"])):
        read_batch(batch)


# ----------------------------------------------------------------- county comparisons, report
def test_exceedance_probability_is_the_t_tail() -> None:
    p, se, df = np.array([0.04, 0.09, 0.12]), np.array([0.01, 0.02, 0.03]), np.array([9, 14, 30])
    expected = stats.t.sf((0.08 - p) / se, df)  # P(p̂ + se·T > target) under the t approximation
    assert exceedance_probability(p, se, df, 0.08) == pytest.approx(expected, rel=1e-10)


def test_rank_intervals_are_reproducible_and_sensible() -> None:
    p, se, df = [0.30, 0.10, 0.11, 0.02], [0.01, 0.02, 0.02, 0.005], [20, 20, 20, 20]
    first, again = rank_intervals(p, se, df), rank_intervals(p, se, df)
    assert first.equals(again)
    assert first.loc[0, ["rank_lower", "rank_upper"]].tolist() == [1, 1]
    assert first.loc[3, ["rank_lower", "rank_upper"]].tolist() == [4, 4]
    assert first.loc[1, "rank_lower"] == 2 and first.loc[1, "rank_upper"] == 3


def test_funnel_limits_closed_form() -> None:
    low, high = funnel_limits(0.1, [100.0], (0.95,))[0.95]
    half = 1.959963984540054 * np.sqrt(0.1 * 0.9 / 100)
    assert (low[0], high[0]) == pytest.approx((0.1 - half, 0.1 + half), rel=1e-9)


def test_targeted_selection_picks_unusual_coverage_and_likely_exceedance() -> None:
    indicator = np.array([10, 12, 14, 16, 18, 20, 22, 24.0])
    coverage = 0.12 - 0.003 * indicator + np.array([0, 0.001, -0.001, 0.03, 0, 0.001, -0.001, 0])
    table = pd.DataFrame(
        {
            "county_code": [str(k) for k in range(8)],
            "coverage": coverage,
            "indicator": indicator,
            "exceedance": [0.1, 0.2, 0.9, 0.1, 0.1, 0.1, 0.1, 0.1],
        }
    )
    picked = targeted_selection(table)
    reasons = dict(zip(picked["county_code"], picked["reason"], strict=True))
    assert reasons["3"] == "coverage_high"
    assert reasons["2"] == "exceeds_target"
    assert picked["picked"].sum() == 2


def test_report_has_league_table_funnel_and_summed_form(
    records: list[dict], tmp_path: Path
) -> None:
    batch = _batch(tmp_path, records[:4])
    for record in records[:4]:
        row = FormCounts(record["county"], 40, 10, 3, dict.fromkeys(ERROR_TYPES, 0), 0, 1)
        write_statistics_form(
            [row],
            batch / record["county_code"] / "statistics_form.xlsx",
            county=record["county"],
            province="测试省",
            period="2025-01-01 至 2025-12-31",
            seed=1,
        )
    out = tmp_path / "province"
    indicator = tmp_path / "indicator.csv"
    indicator.write_text(
        "county_code,indicator,households\n"
        + "".join(f"{r['county_code']},{10000 + 1000 * k},90000\n" for k, r in enumerate(records)),
        "utf-8",
    )
    code = run_guarded(
        cli,
        [
            "province",
            str(batch),
            "--out",
            str(out),
            "--target",
            "0.1",
            "--indicator",
            str(indicator),
            "--no-pdf",
        ],
    )
    assert code == 0
    html = (out / "report.html").read_text("utf-8")
    for record in records[:4]:
        assert record["county"] in html
    assert "漏斗图" in html and "靶向督查" in html and "P(错保率 &gt; 10.0%)" in html
    assert network_references(html) == []
    form, _ = read_county_form(out / "statistics_form.xlsx")
    assert form.verified_recipients == 160 and form.newly_enrolled == 4
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    assert set(manifest["outputs"]) == {"estimates.json", "report.html", "statistics_form.xlsx"}
    assert manifest["inputs"]["indicator"]["file"] == str(indicator)
    assert verify_province(out).differences == ()
    indicator.write_text(indicator.read_text("utf-8").replace("10000", "10500"), "utf-8")
    assert any("indicator" in line for line in verify_province(out).differences)
