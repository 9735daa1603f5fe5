"""Sample-size planner: closed forms, allocation, reverse margin."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from click.testing import CliRunner
from scipy import stats

from auditlib.errors import DesignError
from auditlib.sampling.planner import (
    achieved_margin,
    design_effect,
    frame_counts,
    plan_sample_size,
    required_sample_size,
)
from tests.sampling_fixtures import make_county

COUNTS = pd.DataFrame(
    {
        "township_code": ["t1", "t2", "t3"],
        "households": [600, 300, 100],
        "villages": [20, 10, 4],
    }
)


def test_required_sample_size_closed_form() -> None:
    # hand calculation: z = 1.959964, n0 = z²·0.05·0.95/0.03² = 3.841459·0.0475/0.0009 = 202.744
    assert required_sample_size(0.05, 0.03) == 203
    # FPC with N = 1000: 202.744 / (1 + 201.744/1000) = 168.71 → 169
    assert required_sample_size(0.05, 0.03, population=1000) == 169
    # deff 1.4 (m = 5, ρ = 0.1): n0 = 283.84 → 284
    assert required_sample_size(0.05, 0.03, deff=1.4) == 284
    z = stats.norm.ppf(0.995)
    assert required_sample_size(0.1, 0.05, level=0.99) == math.ceil(z * z * 0.09 / 0.0025)


def test_design_effect() -> None:
    assert design_effect(5, 0.1) == pytest.approx(1.4)  # 1 + (5-1)·0.1
    assert design_effect(1, 0.5) == 1.0
    with pytest.raises(DesignError):
        design_effect(0, 0.1)


def test_allocations() -> None:
    proportional = plan_sample_size(COUNTS, rate=0.05, margin=0.03, icc=0.1)
    assert proportional.deff == pytest.approx(1.4)
    # N = 1000, deff 1.4: n0 = 283.84, n = 283.84 / (1 + 282.84/1000) = 221.26 → 222
    assert proportional.households == 222
    allocated = proportional.townships["allocated_households"].to_numpy()
    assert allocated == pytest.approx([222 * 0.6, 222 * 0.3, 222 * 0.1])
    # villages = ceil(n_h / 5), at least 2, at most the township's villages:
    # 133.2/5 → 27 capped at 20; 66.6/5 → 14 capped at 10; 22.2/5 → 5 capped at 4
    assert proportional.townships["villages_to_draw"].tolist() == [20, 10, 4]
    equal = plan_sample_size(COUNTS, rate=0.05, margin=0.03, allocation="equal")
    # N = 1000, deff 1: n = 202.744 / (1 + 201.744/1000) = 168.71 → 169, split 169/3 each
    assert equal.households == 169
    assert equal.townships["allocated_households"].tolist() == pytest.approx([169 / 3] * 3)
    neyman_flat = plan_sample_size(COUNTS, rate=0.05, margin=0.03, allocation="neyman")
    flat = plan_sample_size(COUNTS, rate=0.05, margin=0.03)
    # with equal township rates Neyman weights N_h·S_h are proportional to N_h
    assert neyman_flat.townships["allocated_households"].tolist() == pytest.approx(
        flat.townships["allocated_households"].tolist()
    )
    neyman = plan_sample_size(
        COUNTS, rate=0.05, margin=0.03, allocation="neyman", township_rates={"t3": 0.5}
    )
    shares = neyman.townships["allocated_households"] / neyman.households
    weights = [600 * math.sqrt(0.0475), 300 * math.sqrt(0.0475), 100 * 0.5]
    assert shares.tolist() == pytest.approx([w / sum(weights) for w in weights])


def test_reverse_margin_single_township_hand_computed() -> None:
    counts = pd.DataFrame({"township_code": ["t"], "households": [500], "villages": [30]})
    result = achieved_margin(counts, "notice-2019", rate=0.1, deff=1.2)
    # notice-2019 draws 3 villages (30 ≥ 10) × 5 = 15 households;
    # V = 0.1·0.9·1.2/15·(1 − 15/500) = 0.0069840; d = 1.959964·√V = 0.163795
    assert result.households == 15 and result.villages == 3
    assert result.margin == pytest.approx(
        1.959964 * math.sqrt(0.1 * 0.9 * 1.2 / 15 * 0.97), rel=1e-6
    )


def test_plan_then_reverse_meets_margin() -> None:
    counts = pd.DataFrame(
        {"township_code": list("abcdef"), "households": [400] * 6, "villages": [40] * 6}
    )
    planned = plan_sample_size(counts, rate=0.08, margin=0.04, icc=0.05)
    assert planned.margin <= 0.04 + 1e-12
    assert planned.villages == int(planned.townships["villages_to_draw"].sum())


def test_errors() -> None:
    with pytest.raises(DesignError, match="either deff or icc"):
        plan_sample_size(COUNTS, rate=0.05, margin=0.03, deff=1.2, icc=0.1)
    with pytest.raises(DesignError, match="expected rate"):
        required_sample_size(0.0, 0.03)
    with pytest.raises(DesignError, match="confidence level"):
        required_sample_size(0.05, 0.03, level=1.2)
    with pytest.raises(DesignError, match="allocation"):
        plan_sample_size(COUNTS, rate=0.05, margin=0.03, allocation="optimal")  # type: ignore[arg-type]


def test_frame_counts_from_county() -> None:
    data = make_county((4, 12, 6), households_per_village=10)
    counts = frame_counts(data)
    assert counts["township_code"].tolist() == ["430522101", "430522102", "430522103"]
    assert counts["villages"].tolist() == [4, 12, 6]
    recipients = data.households["programme"] != "none"
    assert counts["households"].sum() <= recipients.sum()


def test_cli_size_and_margin(tmp_path) -> None:  # type: ignore[no-untyped-def]

    from auditlib.cli.main import cli
    from auditlib.synth.config import SynthConfig
    from auditlib.synth.generator import generate_county
    from auditlib.synth.output import write_county

    # a small county of its own (the example counties may not be generated yet)
    write_county(generate_county(SynthConfig(households=4_000, seed=3)), tmp_path / "county")
    params = tmp_path / "430522.yaml"
    params.write_text(
        "county_code: '430522'\ndata: county\nseed: 1\nsampling: {plan: notice-2019}\n",
        encoding="utf-8",
    )
    runner = CliRunner()
    result = runner.invoke(
        cli, ["plan", "size", str(params), "--rate", "0.08", "--margin", "0.03", "--icc", "0.1"]
    )
    assert result.exit_code == 0, result.output
    assert "after FPC" in result.output
    result = runner.invoke(cli, ["plan", "margin", str(params), "--rate", "0.08", "--icc", "0.1"])
    assert result.exit_code == 0, result.output
    assert "margin ±" in result.output
    assert "design effect 1 assumed" not in result.output
    result = runner.invoke(cli, ["plan", "margin", str(params), "--rate", "0.08"])
    assert result.exit_code == 0, result.output
    assert "deff 1.000" in result.output and "design effect 1 assumed" in result.output
