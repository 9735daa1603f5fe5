"""Page 1's conclusion (auditlib.report.conclusion): the verdict against the tolerable rate, the
change since a previous round (another seed of the same county) with its interval, next steps;
and the previous round's file refused with a clear error when it cannot be used."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from auditlib.errors import ParamsError
from auditlib.estimation.change import change_between_rounds
from auditlib.estimation.results import Estimate
from auditlib.pipeline.earlier_round import load_earlier_round
from auditlib.report.conclusion import verdict
from auditlib.report.figures import plotted_values
from auditlib.report.produce import ReportResult, produce_report
from auditlib.report.text import error_type_label, priority_group_label
from auditlib.report.verify import verify_report
from auditlib.synth.config import SynthConfig
from auditlib.synth.generator import write_practice_county
from tests.test_report_pipeline import COUNTY_CODE

RATE = Estimate(
    statistic="proportion",
    variable="ineligible",
    domain=None,
    estimate=0.06,
    standard_error=0.01,
    lower=0.041,
    upper=0.083,
    upper_one_sided=0.079,
    level=0.95,
    method="korn-graubard",
    degrees_of_freedom=20,
    n=400,
    effective_n=300.0,
    design_effect=1.3,
    reliable=True,
)


@pytest.mark.parametrize(
    ("tolerable", "expected"),
    [(None, "none"), (0.08, "within"), (0.079, "within"), (0.07, "undecided"), (0.04, "above")],
)
def test_verdict_uses_the_one_sided_upper_limit(tolerable: float | None, expected: str) -> None:
    assert verdict(RATE, tolerable) == expected


def test_verdict_at_the_lower_limit_is_not_above() -> None:
    assert verdict(replace(RATE, lower=0.05), 0.05) == "undecided"


def _report_json(folder: Path, **changes: object) -> Path:
    content = {
        "county_code": COUNTY_CODE,
        "seed": 5,
        "sample": {"households": 300},
        "details": {
            "error_rate": {"estimate": 0.1, "lower": 0.07, "upper": 0.14, "level": 0.95},
            "improper_amount": None,
        },
    }
    content.update(changes)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "estimates.json").write_text(json.dumps(content), encoding="utf-8")
    return folder


def test_earlier_round_is_read_from_folder_or_file(tmp_path: Path) -> None:
    folder = _report_json(tmp_path / "r")
    for path in (folder, folder / "estimates.json"):
        earlier = load_earlier_round(path, COUNTY_CODE)
        assert earlier.figures == {"error_rate": (0.1, 0.07, 0.14)}
        assert earlier.seed == 5 and earlier.households == 300


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"county_code": "999999"}, r"key 'county_code' is '999999'; expected '410101'"),
        ({"details": {}}, r"details\.error_rate"),
        (
            {
                "details": {
                    "error_rate": {"estimate": 0.1, "lower": 0.2, "upper": 0.3, "level": 0.95}
                }
            },
            r"lower <= estimate <= upper",
        ),
        (
            {"details": {"error_rate": {"estimate": "x", "lower": 0, "upper": 1, "level": 0.95}}},
            r"details\.error_rate\.estimate' is 'x'; expected a finite number",
        ),
    ],
)
def test_unusable_earlier_round_is_refused_naming_file_and_key(
    tmp_path: Path, changes: dict[str, object], message: str
) -> None:
    folder = _report_json(tmp_path / "r", **changes)
    with pytest.raises(ParamsError, match=message) as raised:
        load_earlier_round(folder, COUNTY_CODE)
    assert str(folder / "estimates.json") in str(raised.value)


def test_missing_or_broken_earlier_round_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ParamsError, match=r"an earlier report folder or its estimates\.json"):
        load_earlier_round(tmp_path / "nowhere", COUNTY_CODE)
    broken = tmp_path / "estimates.json"
    broken.write_text('{"county_code": ', encoding="utf-8")
    with pytest.raises(ParamsError, match=r"not valid JSON \(line 1"):
        load_earlier_round(broken, COUNTY_CODE)


def _params_with(params: Path, name: str, **report: object) -> Path:
    content = yaml.safe_load(params.read_text(encoding="utf-8"))
    content.setdefault("report", {}).update(report)
    if "seed" in report:
        content["seed"] = content["report"].pop("seed")
    # A plan with non-recipients of the priority groups (the omission chart).
    content.setdefault("sampling", {})["plan"] = "notice-2021"
    target = params.with_name(name)
    target.write_text(yaml.safe_dump(content, allow_unicode=True), encoding="utf-8")
    return target


def _county(root: Path) -> Path:
    """Six townships (the township model is fitted from five), 6,000 households."""
    config = SynthConfig(
        county_code=COUNTY_CODE,
        county="示例县",
        province="测试省",
        seed=41,
        households=6000,
        township_count=6,
        village_households=150,
    )
    return write_practice_county(config, root, sample_seed=7)


@pytest.fixture(scope="module")
def two_rounds(tmp_path_factory: pytest.TempPathFactory) -> tuple[ReportResult, ReportResult]:
    params = _county(tmp_path_factory.mktemp("county"))
    root = params.parent.parent
    earlier = produce_report(
        _params_with(params, "earlier.yaml", tolerable_error_rate=0.05),
        root / "reports-earlier",
        audit_root=root / "audits-earlier",
        restricted_root=root / "restricted-earlier",
        verification="simulate",
    )
    current = produce_report(
        _params_with(
            params,
            "current.yaml",
            tolerable_error_rate=0.05,
            previous_round=str(Path("..") / "reports-earlier" / COUNTY_CODE),
            seed=424_242,
        ),
        root / "reports-current",
        audit_root=root / "audits-current",
        restricted_root=root / "restricted-current",
        verification="simulate",
    )
    return earlier, current


def _plain(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.slow
def test_page_one_concludes_and_shows_the_change(
    two_rounds: tuple[ReportResult, ReportResult],
) -> None:
    earlier, current = two_rounds
    before = json.loads((earlier.folder / "estimates.json").read_text(encoding="utf-8"))
    now = json.loads((current.folder / "estimates.json").read_text(encoding="utf-8"))
    html = (current.folder / "report.html").read_text(encoding="utf-8")
    text = _plain(html)
    assert (before["seed"], now["seed"]) == (7, 424_242)  # two independent draws
    # The conclusion comes before the key figures (page 1).
    assert html.index("结论") < html.index("主要结论") if "主要结论" in html else True
    record = now["details"]["error_rate"]
    state = verdict(replace(RATE, **{k: record[k] for k in ("lower", "upper_one_sided")}), 0.05)
    words = {"within": "在可容忍错保率以内", "undecided": "不能确认在可容忍错保率以内",
             "above": "高于可容忍错保率"}  # fmt: skip
    assert words[state] in text
    assert "与上一轮核查相比" in text
    old = before["details"]["error_rate"]
    change = change_between_rounds(
        (record["estimate"], record["lower"], record["upper"]),
        (old["estimate"], old["lower"], old["upper"]),
    )
    shown = f"{change.change * 100:+.1f} 个百分点"
    assert shown in text
    assert f"{change.lower * 100:+.1f} 个百分点 – {change.upper * 100:+.1f} 个百分点" in text
    reading = {"down": "下降，超出抽样误差", "up": "上升，超出抽样误差",
               "unclear": "变化在抽样误差范围内"}[change.direction]  # fmt: skip
    assert reading in text
    assert "随机种子 " + str(before["seed"]) in text
    assert "下一步" in text


@pytest.mark.slow
def test_report_with_previous_round_verifies(two_rounds: tuple[ReportResult, ReportResult]) -> None:
    _, current = two_rounds
    result = verify_report(current.folder)
    assert result.inputs == ()
    manifest = json.loads((current.folder / "manifest.json").read_text(encoding="utf-8"))
    assert "estimates.json" in json.dumps(manifest["inputs"])


def _expected_rows(content: dict, figure: str) -> list[list[object]]:
    if figure == "error_types":
        table = content["error_types"]
        labels = [error_type_label(row["code"], "zh") for row in table]
    elif figure == "omission_groups":
        table = content["omission_groups"]
        labels = [priority_group_label(row["code"], "zh") for row in table]
    else:
        names = {str(row["township_code"]): row["township"] for row in content["townships"]}
        table = content["township_model"] if figure == "townships_model" else content["townships"]
        table = [row for row in table if row["estimate"] is not None]
        labels = [names[str(row["township_code"])] for row in table]
    return sorted(
        [label, 100 * row["estimate"], 100 * row["lower"], 100 * row["upper"]]
        for label, row in zip(labels, table, strict=True)
    )


@pytest.mark.slow
def test_every_chart_of_estimates_plots_the_published_weighted_estimates(
    two_rounds: tuple[ReportResult, ReportResult],
) -> None:
    _, current = two_rounds
    content = json.loads((current.folder / "estimates.json").read_text(encoding="utf-8"))
    html = (current.folder / "report.html").read_text(encoding="utf-8")
    estimate_charts = {"error_types", "omission_groups", "townships", "townships_model"}
    records = plotted_values(html)
    charts = {r["figure"]: r["rows"] for r in records if r["figure"] in estimate_charts}
    # The risk section's charts (ratios, score histogram) record theirs too; checked elsewhere.
    assert {r["figure"] for r in records} - estimate_charts <= {
        "fairness_ratios",
        "score_histogram",
    }
    assert {"error_types", "omission_groups"} <= set(charts)
    assert "townships_model" in set(charts)
    assert html.count("<figure") >= len(charts)
    for figure, rows in charts.items():
        expected = _expected_rows(content, figure)
        assert [row[0] for row in sorted(rows)] == [row[0] for row in expected], figure
        for got, want in zip(sorted(rows), expected, strict=True):
            assert got[1:] == pytest.approx(want[1:], rel=1e-12, abs=1e-12), (figure, got[0])
    # The sample counts stay in the tables, labelled as such.
    assert "发现问题户（样本，未加权）" in html
    # The yuan card says its unit.
    assert '<span class="unit">元</span>' in html
