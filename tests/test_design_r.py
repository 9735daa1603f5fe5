"""auditlib against R ``survey`` on the committed datasets of tests/r/.

Every expected number comes from ``tests/r/reference.R`` (survey 4.1.1), stored in
``tests/r/reference.csv``; ``test_live_r`` re-runs the script when ``Rscript`` is installed
and compares with a fresh output. Relative tolerance 1e-8.
"""

from __future__ import annotations

import math
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from auditlib.estimation.design import SurveyDesign

HERE = Path(__file__).parent / "r"
LEVELS = (0.95, 0.90)
#: R name of the interval -> auditlib method
INTERVALS = {
    "svyciprop_beta": "korn-graubard-nchs",
    "svyciprop_logit": "logit",
    "svyciprop_xlogit": "logit",
    "svyciprop_mean": "wald",
    "formula_kg": "korn-graubard-nchs",
    "formula_cp": "clopper-pearson",
    "formula_wilson": "wilson",
}


def _read(name: str) -> pd.DataFrame:
    frame = pd.read_csv(HERE / name, keep_default_na=False, na_values=[""])
    return frame


def _proportion_block(design: SurveyDesign, prefix: str, out: dict[str, float]) -> None:
    estimate = design.proportion("y", method="korn-graubard-nchs")
    p, variance = estimate.estimate, estimate.variance
    out[f"{prefix}_mean"] = p
    out[f"{prefix}_se"] = estimate.standard_error
    out[f"{prefix}_deff"] = estimate.design_effect
    out[f"{prefix}_n"] = estimate.n
    out[f"{prefix}_df"] = estimate.degrees_of_freedom
    for level in LEVELS:
        tag = f"{prefix}_{round(level * 100)}"
        for name, method in INTERVALS.items():
            result = design.proportion("y", method=method, level=level)
            out[f"{tag}_{name}_lower"] = result.lower
            out[f"{tag}_{name}_upper"] = result.upper
        out[f"{tag}_neff_uncapped"] = p * (1 - p) / variance
        # The one-sided 95% upper limit is the upper end of the two-sided 90% interval.
        if level == 0.95:
            out[f"{prefix}_one_sided_95"] = estimate.upper_one_sided


def _design_block(design: SurveyDesign, out: dict[str, float]) -> None:
    _proportion_block(design, "y", out)
    total = design.total("y")
    out.update(
        total_y=total.estimate,
        total_y_se=total.standard_error,
        total_y_deff=total.design_effect,
        total_y_lower=total.lower,
        total_y_upper=total.upper,
    )
    amount = design.total("amount_paid")
    out.update(total_amount=amount.estimate, total_amount_se=amount.standard_error)
    amount = design.mean("amount_paid")
    out.update(
        mean_amount=amount.estimate,
        mean_amount_se=amount.standard_error,
        mean_amount_deff=amount.design_effect,
    )
    ratio = design.ratio("improper_amount", "amount_paid")
    out.update(
        ratio_improper=ratio.estimate,
        ratio_improper_se=ratio.standard_error,
        ratio_improper_lower=ratio.lower,
        ratio_improper_upper=ratio.upper,
    )
    weight = design.weight
    scores = np.column_stack(
        [weight * design.data["y"].to_numpy(float), weight * design.data["amount_paid"]]
    )
    out["cov_total_y_amount"] = float(design.covariance(scores)[0, 1])
    female = design.subset(design.data["female"].to_numpy() == 1)
    _proportion_block(female, "female_y", out)
    amount = female.total("amount_paid")
    out.update(female_total_amount=amount.estimate, female_total_amount_se=amount.standard_error)
    ratio = female.ratio("improper_amount", "amount_paid")
    out.update(female_ratio_improper=ratio.estimate, female_ratio_improper_se=ratio.standard_error)
    means = design.mean("y", by="group")
    betas = design.proportion("y", by="group", method="korn-graubard-nchs")
    logits = design.proportion("y", by="group", method="logit")
    ratios = design.ratio("improper_amount", "amount_paid", by="group")
    for group in means:
        out[f"by_{group}_mean"] = means[group].estimate
        out[f"by_{group}_se"] = means[group].standard_error
        out[f"by_{group}_df"] = means[group].degrees_of_freedom
        out[f"by_{group}_beta_lower"] = betas[group].lower
        out[f"by_{group}_beta_upper"] = betas[group].upper
        out[f"by_{group}_logit_lower"] = logits[group].lower
        out[f"by_{group}_logit_upper"] = logits[group].upper
        out[f"by_{group}_ratio"] = ratios[group].estimate
        out[f"by_{group}_ratio_se"] = ratios[group].standard_error
        _proportion_block(
            design.subset(design.data["group"].to_numpy() == group), f"by_{group}_y", out
        )


def _two_stage(frame: pd.DataFrame, **options: object) -> SurveyDesign:
    return SurveyDesign(
        frame,
        strata="stratum",
        psu="psu",
        ssu="household_id",
        ssu_strata="ssu_stratum",
        psu_population="psu_population",
        ssu_population="ssu_population",
        **options,  # type: ignore[arg-type]
    )


def python_values() -> dict[tuple[str, str], float]:
    """The quantities of tests/r/reference.R, computed by auditlib."""
    results: dict[str, dict[str, float]] = {}
    two = _read("two_stage.csv")
    two["eligible_nonrecipient"] = two["eligible_yes"] * (1 - two["recipient"])
    two["eligible_recipient"] = two["eligible_yes"] * two["recipient"]
    full = _two_stage(two)
    out: dict[str, float] = {}
    _design_block(full, out)
    recipients = full.subset(two["recipient"].to_numpy() == 1)
    _proportion_block(recipients, "recipient_y", out)
    improper = recipients.total("improper_amount")
    out.update(
        recipient_improper_total=improper.estimate,
        recipient_improper_total_se=improper.standard_error,
    )
    rate = recipients.ratio("improper_amount", "amount_paid")
    out.update(
        recipient_improper_rate=rate.estimate, recipient_improper_rate_se=rate.standard_error
    )
    omission = full.ratio("eligible_nonrecipient", "eligible_yes")
    out.update(omission_rate=omission.estimate, omission_rate_se=omission.standard_error)
    weight = full.weight
    joint = full.covariance(
        np.column_stack([weight * two["eligible_nonrecipient"], weight * two["eligible_recipient"]])
    )
    out.update(omission_cov_E_R=joint[0, 1], omission_var_E=joint[0, 0], omission_var_R=joint[1, 1])
    results["two_stage"] = out

    out = {}
    _proportion_block(_two_stage(two, weights="weight"), "y", out)
    results["two_stage_weights"] = out

    out = {}
    uc = SurveyDesign(two, strata="stratum", psu="psu", weights="weight", ultimate_cluster=True)
    _design_block(uc, out)
    results["ultimate_cluster"] = out

    out = {}
    pps = _read("pps.csv")
    _design_block(SurveyDesign(pps, strata="stratum", psu="psu", weights="weight"), out)
    results["pps"] = out

    lonely = _read("lonely.csv")
    for option in ("adjust", "certainty"):
        out = {}
        _design_block(_two_stage(lonely, lonely_psu=option), out)
        results[f"lonely_{option}"] = out
        out = {}
        design = SurveyDesign(
            lonely, strata="stratum", psu="psu", weights="weight", lonely_psu=option
        )
        _design_block(design, out)
        results[f"lonely_uc_{option}"] = out
    return {(case, key): value for case, block in results.items() for key, value in block.items()}


def _reference(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype={"case": str, "quantity": str, "value": float})


def _compare(reference: pd.DataFrame) -> list[str]:
    ours = python_values()
    failures = []
    checked = 0
    values = {(row.case, row.quantity): row.value for row in reference.itertuples()}
    for row in reference.itertuples():
        key = (row.case, row.quantity)
        if "beta" in row.quantity:
            # R's beta method does not cap n_eff at n; compare only where the cap is inactive
            # (the capped form is checked against formula_kg).
            by_group = re.match(r"^(by_[A-Z])_beta_", row.quantity)
            block = re.match(r"^(.*)_(95|90)_svyciprop_beta_", row.quantity)
            if by_group:
                prefix = by_group.group(1) + "_y"
            elif block:
                prefix = block.group(1)
            else:
                raise AssertionError(f"unexpected quantity {row.quantity}")
            if values[(row.case, f"{prefix}_95_neff_uncapped")] > values[(row.case, f"{prefix}_n")]:
                continue
        if key not in ours:
            failures.append(f"{key}: not computed by auditlib")
            continue
        checked += 1
        # svyciprop(method="logit") fits svyglm by IRLS (convergence 1e-8 on the deviance),
        # so its limits carry ~1e-8 relative noise; "xlogit" (same formula, closed form) is
        # held to 1e-8.
        tolerance = 1e-6 if "logit" in row.quantity and "xlogit" not in row.quantity else 1e-8
        if not math.isclose(ours[key], row.value, rel_tol=tolerance, abs_tol=1e-13):
            failures.append(f"{key}: auditlib {ours[key]!r} vs R {row.value!r}")
    assert checked > 600
    return failures


def test_reference_file_matches() -> None:
    # Expected values: tests/r/reference.csv, written by tests/r/reference.R.
    failures = _compare(_reference(HERE / "reference.csv"))
    assert not failures, "\n".join(failures[:40])


def test_one_sided_is_upper_end_of_two_sided_90() -> None:
    ours = python_values()
    for case in ("two_stage", "pps", "ultimate_cluster"):
        assert ours[(case, "y_one_sided_95")] == ours[(case, "y_90_formula_kg_upper")]


@pytest.mark.r
@pytest.mark.skipif(shutil.which("Rscript") is None, reason="Rscript not installed")
def test_live_r(tmp_path: Path) -> None:
    output = tmp_path / "reference.csv"
    subprocess.run(
        ["Rscript", str(HERE / "reference.R"), str(output)], check=True, capture_output=True
    )
    live = _reference(output)
    failures = _compare(live)
    assert not failures, "\n".join(failures[:40])
    committed = _reference(HERE / "reference.csv")
    assert live["quantity"].tolist() == committed["quantity"].tolist()
    np.testing.assert_allclose(live["value"], committed["value"], rtol=1e-12)
