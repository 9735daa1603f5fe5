"""The risk section's figures and tables read correctly (issue 17, item 2, risk part).

Inputs are built directly, without running a report: the fairness table of the hand-made county
of tests/risk_fixtures.py with the flags and hand-made verified sample of tests/test_fairness.py
(its expected numbers are hand counts there); score tables drawn from a seeded generator.
"""

from __future__ import annotations

import math
import re
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from auditlib.evaluation.fairness import fairness_table
from auditlib.report.fairness_figure import MARK, RATIO_COLUMNS
from auditlib.report.fairness_section import fairness_html
from auditlib.report.figures import plotted_values
from auditlib.report.score_figure import forest_cut, score_section
from auditlib.report.sections_risk import _top_households
from auditlib.risk.fairness import BAND, INTERSECTION_SEPARATOR
from tests.risk_fixtures import make_county
from tests.test_fairness import FLAGGED, _analysis


@pytest.fixture(scope="module")
def county():  # type: ignore[no-untyped-def]
    return make_county()


@pytest.fixture(scope="module")
def table(county) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    ids = [f"HH{n:04d}" for n in range(1, 61)]
    scores = pd.DataFrame(
        {"household_id": ids, "tier": ["high" if i in FLAGGED else "low" for i in ids]}
    )
    analysis, verification = _analysis(county)
    # minimum_verified=1 so that precision and recall ratios exist and are drawn too.
    return fairness_table(
        county,
        scores,
        analysis,
        verification=verification,
        part="random",
        minimum_verified=1,
        minimum_households=10,
    )


def _record(html: str, name: str) -> dict:  # type: ignore[type-arg]
    records = [record for record in plotted_values(html) if record.get("figure") == name]
    assert len(records) == 1, f"one {name} chart expected, found {len(records)}"
    return records[0]


def _chart_order(table: pd.DataFrame) -> pd.DataFrame:
    crossed = table["attribute"].str.contains(INTERSECTION_SEPARATOR, regex=False)
    return pd.concat([table[~crossed], table[crossed]])


def test_ratio_chart_plots_every_ratio_of_the_table(table: pd.DataFrame) -> None:
    record = _record(fairness_html(table, "en", level=0.95).html, "fairness_ratios")
    rows = _chart_order(table)
    assert len(record["rows"]) == len(rows) > 15  # groups and intersections alike
    assert rows["attribute"].str.contains(INTERSECTION_SEPARATOR, regex=False).any()
    drawn = 0
    for (_, expected), plotted in zip(rows.iterrows(), record["rows"], strict=True):
        assert plotted["households"] == expected["households"]
        assert f"({int(expected['households']):,} households)" in plotted["label"]
        for column in RATIO_COLUMNS:
            value = float(expected[column])
            if math.isfinite(value):
                assert plotted[column] == pytest.approx(value, abs=1e-12), (column, plotted)
                drawn += 1
            else:
                assert plotted[column] is None, (column, plotted)
    # the fixture has precision and recall ratios, not only flag-rate ratios
    assert drawn > rows["ratio_to_overall"].notna().sum()


def test_four_fifths_band_is_drawn(table: pd.DataFrame) -> None:
    html = fairness_html(table, "zh", level=0.95).html
    record = _record(html, "fairness_ratios")
    assert record["band"] == pytest.approx(list(BAND))
    assert "0.8–1.25 区间（五分之四规则）" in html


def test_groups_outside_the_band_are_marked_in_chart_and_table(table: pd.DataFrame) -> None:
    html = fairness_html(table, "en", level=0.95).html
    record = _record(html, "fairness_ratios")
    rows = _chart_order(table)
    marked = rows["outside_band"].to_numpy(dtype=bool)
    assert marked.any() and not marked.all(), "the fixture needs groups on both sides"
    assert [row["label_outside"] for row in record["rows"]] == list(marked)
    assert [row["label"].startswith(MARK) for row in record["rows"]] == list(marked)
    for plotted in record["rows"]:
        for column in RATIO_COLUMNS:
            if plotted[column] is not None:
                outside = not BAND[0] <= plotted[column] <= BAND[1]
                assert plotted[f"{column}_outside"] == outside, (column, plotted)
    # table: the shaded rows are the groups outside the band, and each names its ratios
    shaded = re.findall(r'<tr class="outside-band">(.*?)</tr>', html)
    assert len(shaded) == int(marked.sum())
    minority = table[(table["attribute"] == "head_ethnicity") & (table["group"] == "苗族")].iloc[0]
    # 3 of 12 flagged against 4 of 60 (tests/test_fairness.py): ratio 3.75
    assert minority["ratio_to_overall"] == pytest.approx(3.75)
    assert any("flag rate ÷ county 3.75" in row for row in shaded)


def _scores(rng_seed: int = 3, households: int = 400) -> pd.DataFrame:
    rng = np.random.default_rng(rng_seed)
    forest = rng.beta(2, 5, households)
    tier = np.full(households, "low", dtype=object)
    # the high tier mixes the top forest scores with rule hits of modest score
    order = np.argsort(-forest)
    tier[order[:12]] = "high"
    tier[order[200:208]] = "high"
    return pd.DataFrame(
        {"household_id": [f"H{n}" for n in range(households)], "forest_score": forest, "tier": tier}
    )


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("zh", ("阅读说明", "孤立森林异常分数", "前 5%", "20 户", "绝不是问题认定")),
        ("en", ("How to read", "anomaly score", "top 5%", "20 households", "never a finding")),
    ],
)
def test_score_histogram_has_a_reading_guide(language: str, words: tuple[str, ...]) -> None:
    scores = _scores()
    html = score_section(scores, language, high_share=0.05)
    caption = re.search(r'<figcaption class="reading-guide">(.*?)</figcaption>', html, re.S)
    assert caption is not None, "the histogram has a caption"
    cut = forest_cut(scores)
    for expected in (*words, f"{cut:.2f}"):
        assert expected in caption.group(1), expected
    record = _record(html, "score_histogram")
    # the dashed line sits at the 20th highest score: 20 households in the high tier
    assert record["cut"] == pytest.approx(np.sort(scores["forest_score"])[-20])
    assert sum(record["high"]) == 20 and sum(record["other"]) == len(scores) - 20


def test_reasons_render_as_one_list_item_per_reason(county) -> None:  # type: ignore[no-untyped-def]
    households = county.households
    ids = households["household_id"].astype(str).head(3).tolist()
    scores = pd.DataFrame(
        {"household_id": ids, "tier": "high", "risk_percentile": [99.9, 99.5, 99.0]}
    )
    # texts with "；" inside, as the reasons of auditlib.risk.reasons have
    texts = {
        ids[0]: ["户主为在任村干部；村主任", "人均金融资产9,000元；全县中位数100元；高于99.0%"],
        ids[1]: ["每月发放2.00笔；全县中位数1；高于99.9%"],
        ids[2]: ["甲；乙", "丙", "丁；戊"],
    }
    reasons = pd.DataFrame(
        [
            {"household_id": household, "order": order, "text": text}
            for household, items in texts.items()
            for order, text in reversed(list(enumerate(items, start=1)))
        ]
    )
    run = SimpleNamespace(
        language="zh",
        params=SimpleNamespace(report=SimpleNamespace(top_households=10)),
        assessment=SimpleNamespace(scores=scores),
        data=SimpleNamespace(households=households),
        reasons=reasons,
    )
    html = _top_households(run)
    lists = re.findall(r'<ul class="cell-list">(.*?)</ul>', html)
    assert len(lists) == 3
    for household, found in zip(ids, lists, strict=True):
        assert re.findall(r"<li>(.*?)</li>", found) == texts[household]  # in order
    for name, number in zip(
        households["head_name"].head(3), households["head_id_number"].head(3), strict=True
    ):
        assert name not in html and number not in html, "identities stay masked"
