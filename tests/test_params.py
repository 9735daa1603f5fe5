"""The params/<county>.yaml model: strict validation with clear messages."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditlib.errors import ParamsError
from auditlib.pipeline.params import load_params, params_from_mapping
from auditlib.sampling.plan import PRESETS, resolve_plan

ROOT = Path(__file__).resolve().parents[1]
MINIMAL = "county_code: '430522'\ndata: ../data/example/430522\nseed: 7\n"


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "430522.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("code", ["430522", "530621", "500102"])
def test_committed_params_files_validate(code: str) -> None:
    params = load_params(ROOT / "params" / f"{code}.yaml")
    assert params.county_code == code
    assert params.data == (ROOT / "params" / ".." / "data" / "example" / code)
    plan = params.sampling_plan()
    assert plan.name in PRESETS


def test_defaults_and_relative_data(tmp_path: Path) -> None:
    params = load_params(_write(tmp_path, MINIMAL))
    assert params.seed == 7
    assert params.data == tmp_path / ".." / "data" / "example" / "430522"
    assert params.sampling_plan().name == "notice-2019"
    assert params.risk.tiers == (0.05, 0.20)
    assert params.report.language == "zh"


def test_unknown_key_names_file_path_and_value(tmp_path: Path) -> None:
    path = _write(tmp_path, MINIMAL + "report:\n  langauge: en\n")
    with pytest.raises(ParamsError) as caught:
        load_params(path)
    message = str(caught.value)
    assert str(path) in message and "report.langauge" in message and "unknown keys" in message
    assert "pydantic" not in message and "For further information" not in message
    assert caught.value.problems[0].column == "report.langauge"


def test_bad_values_all_listed(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "county_code: '4305'\ndata: x\nseed: -3\nestimation: {level: 1.5}\n"
        "risk: {tiers: [0.3, 0.1]}\n",
    )
    with pytest.raises(ParamsError) as caught:
        load_params(path)
    keys = {p.column for p in caught.value.problems}
    assert keys == {"county_code", "seed", "estimation.level", "risk.tiers"}
    values = {p.column: p.value for p in caught.value.problems}
    assert values["seed"] == "-3" and values["estimation.level"] == "1.5"


def test_plan_errors(tmp_path: Path) -> None:
    with pytest.raises(ParamsError, match=r"not a known preset.*notice-2019"):
        load_params(_write(tmp_path, MINIMAL + "sampling: {plan: notice-2020}\n"))
    with pytest.raises(ParamsError) as caught:
        load_params(
            _write(tmp_path, MINIMAL + "sampling:\n  overrides: {housholds_per_village: 4}\n")
        )
    assert caught.value.problems[0].column == "sampling.overrides.housholds_per_village"
    with pytest.raises(ParamsError) as caught:
        load_params(_write(tmp_path, MINIMAL + "sampling:\n  plan: {psu_selection: systematic}\n"))
    assert caught.value.problems[0].column == "sampling.plan.psu_selection"
    assert caught.value.problems[0].value == "systematic"
    with pytest.raises(ParamsError, match="risk_oversample_per_village"):
        resolve_plan({"risk_oversample_share": 0.1})


def test_explicit_plan_from_preset_with_overrides(tmp_path: Path) -> None:
    text = MINIMAL + (
        "sampling:\n  plan: {preset: notice-2021, psu_selection: pps}\n"
        "  overrides: {households_per_village: 6}\n"
    )
    plan = load_params(_write(tmp_path, text)).sampling_plan()
    assert plan.psu_selection == "pps" and plan.households_per_village == 6
    assert plan.non_recipients_per_village == 5  # from notice-2021


def test_yaml_syntax_error_has_line(tmp_path: Path) -> None:
    # line 4 is the fourth line of the file: "report: a: b" (mapping values not allowed)
    with pytest.raises(ParamsError, match="line 4"):
        load_params(_write(tmp_path, MINIMAL + "report: a: b\n"))
    with pytest.raises(ParamsError, match="not found"):
        load_params(tmp_path / "missing.yaml")
    with pytest.raises(ParamsError, match="mapping"):
        load_params(_write(tmp_path, "- a\n- b\n"))


def test_source_key_refused() -> None:
    with pytest.raises(ParamsError, match="source"):
        params_from_mapping({"county_code": "430522", "data": "x", "seed": 1, "source": "y"})
