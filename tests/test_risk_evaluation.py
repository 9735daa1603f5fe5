"""Evaluation metrics of the risk ranking, and the ``auditlib risk`` commands."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from auditlib.cli.common import run_guarded
from auditlib.cli.main import cli
from auditlib.evaluation.risk_ranking import (
    _jaccard,
    evaluate_assessment,
    evaluate_risk,
    planted_types,
)
from auditlib.risk.rules.catalogue import RULES
from auditlib.risk.scorer import RiskScorer
from auditlib.synth.config import SynthConfig
from auditlib.synth.generator import generate_county
from auditlib.synth.output import write_county
from tests.risk_fixtures import make_county

#: Planted type of each planted household of risk_fixtures (its module docstring).
PLANTED = {
    "HH0001": "village_cadre",
    "HH0002": "official_relative",
    "HH0003": "salary_or_pension",
    "HH0004": "car_owner",
    "HH0005": "commercial_housing",
    "HH0006": "luxury_house",
    "HH0007": "adult_student_no_proof",
    "HH0008": "deceased_member",
    "HH0009": "business_owner",
    "HH0010": "income_above_standard",
    "HH0011": "holder_name_differs",
    "HH0012": "shared_account",
    "HH0013": "shared_account",
    "HH0014": "shared_account",
    "HH0015": "duplicate_payment",
    "HH0016": "oversized_payment",
    "HH0017": "payment_after_death",
}


def _truth(ids: pd.Series) -> pd.DataFrame:
    payment_types = {rule.name for rule in RULES if rule.code.startswith("P")}
    error = [PLANTED.get(i, "") if PLANTED.get(i) not in payment_types else "" for i in ids]
    payment = [PLANTED.get(i, "") if PLANTED.get(i) in payment_types else "" for i in ids]
    return pd.DataFrame(
        {
            "household_id": ids,
            "anomaly": [i in PLANTED for i in ids],
            "error_type": pd.array([e or pd.NA for e in error], dtype="string"),
            "payment_anomaly_types": payment,
        }
    )


def test_metrics_on_the_hand_made_county() -> None:
    county = make_county(n_households=160)
    assessment = RiskScorer(n_estimators=100, min_peers=20).fit_assess(county)
    truth = _truth(assessment.scores["household_id"])
    metrics, by_type = evaluate_assessment(assessment, truth, budget=0.05)
    # 120 recipients, 17 anomalies; budget ceil(0.05 x 120) = 6 households, all of them
    # among the 16 definitive rule hits that rank first (test_risk.py): precision 6/6,
    # recall 6/17, lift 1 / (17/120).
    assert metrics["precision_at_budget"] == 1.0
    assert metrics["recall_at_budget"] == pytest.approx(6 / 17)
    assert metrics["lift"] == pytest.approx(120 / 17)
    assert metrics["top_reason_correct"] == 1.0
    # the 16 definitive hits rank above all 103 normal households; only HH0002 (a prompt)
    # can rank below some: AUC >= (16 * 103 + 0) / (17 * 103).
    assert metrics["roc_auc"] >= 16 / 17
    assert by_type.set_index("type").loc["shared_account", "anomalies"] == 3
    assert by_type["detected"].sum() == 6


def test_jaccard_by_hand() -> None:
    # {a, b} vs {b, c}: 1/3; {a, b} vs {a, b}: 1; {b, c} vs {a, b}: 1/3 -> mean 5/9.
    assert _jaccard([{"a", "b"}, {"b", "c"}, {"a", "b"}]) == pytest.approx(5 / 9)


def test_planted_types_split_both_columns() -> None:
    truth = pd.DataFrame(
        {
            "household_id": ["A", "B", "C"],
            "error_type": pd.array(["car_owner", pd.NA, pd.NA], dtype="string"),
            "payment_anomaly_types": ["", "shared_account;holder_name_differs", ""],
        }
    )
    types = planted_types(truth)
    assert types["A"] == frozenset({"car_owner"})
    assert types["B"] == frozenset({"shared_account", "holder_name_differs"})
    assert types["C"] == frozenset()


def test_evaluate_risk_on_a_small_generated_county() -> None:
    config = SynthConfig(households=4000, township_count=2, village_households=200)
    evaluation = evaluate_risk(
        config, generator_seeds=(11,), scorer_seeds=(0, 1), scorer=RiskScorer(n_estimators=100)
    )
    runs = evaluation.runs()
    assert len(runs) == 1 and runs.loc[0, "anomalies"] > 0
    summary = evaluation.summary().set_index("metric")
    for metric in ("roc_auc", "average_precision", "recall_at_budget", "jaccard"):
        assert 0 <= summary.loc[metric, "mean"] <= 1
    assert summary["sd"].isna().all()  # one generator seed: no SD
    by_type = evaluation.by_type()
    assert (by_type["detected"] <= by_type["anomalies"]).all()


def test_cli_score_writes_scores_and_reasons(tmp_path: Path) -> None:
    county = generate_county(
        SynthConfig(households=3000, township_count=2, village_households=200, seed=5)
    )
    folder = tmp_path / "county"
    write_county(county, folder)
    out, reasons = tmp_path / "scores.csv", tmp_path / "reasons.csv"
    code = run_guarded(
        cli,
        ["risk", "score", str(folder), "--n-estimators", "50", "--out", str(out),
         "--reasons", str(reasons), "--top", "3", "--fairness"],
    )  # fmt: skip
    assert code == 0
    scores = pd.read_csv(out, dtype={"household_id": str})
    assert list(scores.columns) == [
        "household_id", "forest_score", "forest_percentile", "rule_count", "rule_codes",
        "risk_percentile", "tier",
    ]  # fmt: skip
    high = set(scores.loc[scores["tier"] == "high", "household_id"])
    assert set(pd.read_csv(reasons, dtype={"household_id": str})["household_id"]) == high


def test_cli_score_bad_input_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    county = generate_county(
        SynthConfig(households=3000, township_count=2, village_households=200, seed=5)
    )
    folder = tmp_path / "county"
    write_county(county, folder)
    path = folder / "payments.csv"
    with path.open(encoding="utf-8-sig", newline="") as stream:
        rows = list(csv.reader(stream))
    rows[1][rows[0].index("amount")] = "-100"
    with path.open("w", encoding="utf-8", newline="") as stream:
        csv.writer(stream).writerows(rows)
    # Loading rejects the row (nothing is dropped silently: data.rejected lists it); scoring
    # reports it, and refuses to score with --strict.
    code = run_guarded(cli, ["risk", "score", str(folder), "--n-estimators", "50", "--top", "0"])
    assert code == 0
    assert "1 row(s) rejected by loading are not scored" in capsys.readouterr().out
    code = run_guarded(cli, ["risk", "score", str(folder), "--n-estimators", "50", "--strict"])
    assert code == 2
    error = capsys.readouterr().err
    assert "payments.csv, row 2" in error and "amount" in error


def test_cli_evaluate_prints_metrics_and_writes_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "runs.csv"
    code = run_guarded(
        cli,
        ["risk", "evaluate", "--households", "3000", "--generator-seeds", "1",
         "--scorer-seeds", "2", "--out", str(out)],
    )  # fmt: skip
    assert code == 0
    printed = capsys.readouterr().out
    assert "roc_auc" in printed and "Recall at the budget by planted type" in printed
    runs = pd.read_csv(out)
    assert len(runs) == 1 and {"roc_auc", "jaccard", "lift"} <= set(runs.columns)


def test_cli_evaluate_unknown_county_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = Path("data/example/counties.yaml")
    if not spec.is_file():
        pytest.skip("example specs not present")
    code = run_guarded(cli, ["risk", "evaluate", "--spec", str(spec), "--county", "999999"])
    assert code == 2
    assert "--county '999999' is not in" in capsys.readouterr().err


def test_cli_evaluate_strategies_side_by_side(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "strategies.csv"
    code = run_guarded(
        cli,
        ["risk", "evaluate", "--strategies", "--households", "3000", "--generator-seeds", "1",
         "--first-seed", "4415", "--anomaly-share", "0.2", "--out", str(out)],
    )  # fmt: skip
    assert code == 0
    printed = capsys.readouterr().out
    assert "Precision at the 5% budget" in printed and "learned-2" in printed
    assert "learned-1 − rules+forest" in printed and "(best single feature)" in printed
    table = pd.read_csv(out)
    assert set(table["generator_seed"]) == {4415}
    strategies = set(table["strategy"])
    assert {"rules", "forest", "rules+forest", "learned-1", "learned-2"} <= strategies
    assert "rules+benefit_above_gap" in strategies
    assert table["precision_at_budget"].between(0, 1).all()


def test_strategy_gains_are_the_per_county_differences() -> None:
    """Hand-made results of three counties: the differences, their mean and SD, and the best
    single-feature baseline picked by mean precision."""
    from auditlib.evaluation.strategies import StrategyResult, strategy_gains

    precision = {
        1: {"rules+forest": 0.70, "learned-1": 0.80, "rules+a": 0.72, "rules+b": 0.60},
        2: {"rules+forest": 0.50, "learned-1": 0.52, "rules+a": 0.49, "rules+b": 0.70},
        3: {"rules+forest": 0.90, "learned-1": 0.85, "rules+a": 0.91, "rules+b": 0.70},
    }
    results = [
        StrategyResult(
            generator_seed=seed,
            precision=pd.DataFrame(
                {"strategy": list(values), "precision_at_budget": list(values.values())}
            ),
            by_type=pd.DataFrame(columns=["strategy", "type", "anomalies", "detected"]),
            training={},
        )
        for seed, values in precision.items()
    ]
    gains = strategy_gains(results).set_index("comparison")
    learned = gains.loc["learned-1 − rules+forest"]
    assert learned["mean"] == pytest.approx((0.10 + 0.02 - 0.05) / 3)
    assert learned["sd"] == pytest.approx(pd.Series([0.10, 0.02, -0.05]).std())
    assert (learned["min"], learned["negative"], learned["counties"]) == (
        pytest.approx(-0.05),
        1,
        3,
    )
    # rules+a: mean 0.7067 > rules+b: 0.6667
    single = gains.loc["rules+forest − rules+a (best single feature)"]
    assert single["mean"] == pytest.approx((-0.02 + 0.01 - 0.01) / 3)


def test_output_files_are_never_overwritten(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--out``, ``--reasons``, ``--problems-csv``: a file that exists is refused before any
    work (exit 2, no traceback) and left byte for byte as it was."""
    existing = tmp_path / "someone's.csv"
    existing.write_text("kept\n", encoding="utf-8")
    folder = tmp_path / "county"
    folder.mkdir()
    for argv in (
        ["risk", "evaluate", "--strategies", "--out", str(existing)],
        ["risk", "evaluate", "--out", str(existing)],
        ["risk", "score", str(folder), "--out", str(existing)],
        ["risk", "score", str(folder), "--reasons", str(existing)],
        ["validate", str(folder), "--problems-csv", str(existing)],
        ["simulate", "--output", str(existing)],
    ):
        assert run_guarded(cli, argv) == 2, argv
        error = capsys.readouterr().err
        assert "already exists; auditlib never overwrites" in error and "Traceback" not in error
        assert existing.read_text(encoding="utf-8") == "kept\n"
