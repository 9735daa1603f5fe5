"""Dibao, 特困, omission and yuan estimands against R ``survey``, and the entitlement rules.

The dataset ``tests/r/programmes_data.csv`` comes from ``tests/r/make_programmes.py`` (fixed
seed); every expected number from ``tests/r/programmes.R`` (R ``survey``), stored in
``tests/r/programmes_reference.csv``. ``test_live_r`` re-runs the script when ``Rscript`` is
installed. Relative tolerance 1e-8 on estimates and standard errors, with the R-compatible
options (``method="korn-graubard-nchs"``, ``df_method="design"``, ``payment_interval="t"``).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from auditlib.estimation.analysis_table import DERIVED_COLUMNS, prepare
from auditlib.estimation.areas import AuditEstimates, county_estimates
from auditlib.estimation.entitlement import entitled_months, paid_months, payment_columns
from auditlib.estimation.estimands import audit_design

HERE = Path(__file__).parent / "r"
#: Yuan paid to Dibao recipients by township (as KNOWN_PAID in programmes.R).
PAID = {"tw1": 301234.5, "tw2": 287650.25, "tw3": 402118.0, "tw4": 251997.75}
TEXT: tuple[str, ...] = ("household_id", "county_code", "township_code", "village_code")
TEXT += ("programme", "stratum", "psu", "ssu_stratum", "eligible", "error_type")


def _data() -> pd.DataFrame:
    return pd.read_csv(
        HERE / "programmes_data.csv",
        keep_default_na=False,
        na_values=[""],
        dtype={name: str for name in TEXT},
    )


def _reference(path: Path = HERE / "programmes_reference.csv") -> dict[str, float]:
    frame = pd.read_csv(path)
    return dict(zip(frame["quantity"], frame["value"].astype(float), strict=True))


def _estimates(paid: dict[str, float] | None = PAID) -> AuditEstimates:
    return county_estimates(
        prepare(_data()),
        method="korn-graubard-nchs",
        df_method="design",
        payment_interval="t",
        paid=paid,
    )


def _ours() -> dict[str, float]:
    result = _estimates()
    out: dict[str, float] = {"known_total_paid": float(sum(PAID.values()))}
    out["dibao_error_rate"] = result.inclusion_error.estimate
    out["dibao_error_rate_se"] = result.inclusion_error.standard_error
    # R's degf of the domain counts the PSUs with rows in it; of the whole design, all PSUs
    out["dibao_df"] = result.inclusion_error.degrees_of_freedom
    out["design_df"] = audit_design(prepare(_data()), df_method="design").degrees_of_freedom()
    assert result.tekun_error is not None
    out["tekun_error_rate"] = result.tekun_error.estimate
    out["tekun_error_rate_se"] = result.tekun_error.standard_error
    assert result.omission is not None
    out["omission_rate"] = result.omission.rate.estimate
    out["omission_rate_se"] = result.omission.rate.standard_error
    out["eligible_non_recipients"] = result.omission.eligible_non_recipients.estimate
    out["eligible_non_recipients_se"] = result.omission.eligible_non_recipients.standard_error
    out["eligible_recipients"] = result.omission.eligible_recipients.estimate
    out["eligible_recipients_se"] = result.omission.eligible_recipients.standard_error
    out["omission_cov_E_R"] = result.omission.covariance
    assert result.improper_payment_rate is not None
    assert result.overpayment is not None and result.underpayment is not None
    assert result.overpayment.rate is not None and result.underpayment.rate is not None
    parts = {
        "improper_amount": (result.improper_payment_rate, result.improper_payment_total),
        "overpayment": (result.overpayment.rate, result.overpayment.total),
        "underpayment": (result.underpayment.rate, result.underpayment.total),
    }
    for name, (rate, total) in parts.items():
        out[f"{name}_rate"] = rate.estimate
        out[f"{name}_rate_se"] = rate.standard_error
        out[f"{name}_total"] = total.estimate
        out[f"{name}_total_se"] = total.standard_error
    horvitz_thompson = _estimates(paid=None)
    assert horvitz_thompson.overpayment is not None and horvitz_thompson.underpayment is not None
    totals = {
        "improper_amount": horvitz_thompson.improper_payment_total,
        "overpayment": horvitz_thompson.overpayment.total,
        "underpayment": horvitz_thompson.underpayment.total,
    }
    for name, total in totals.items():
        out[f"{name}_ht_total"] = total.estimate
        out[f"{name}_ht_total_se"] = total.standard_error
    return out


def _compare(reference: dict[str, float]) -> list[str]:
    ours = _ours()
    failures = []
    assert set(ours) == set(reference), set(ours) ^ set(reference)
    for quantity, expected in reference.items():
        got = ours[quantity]
        if not np.isclose(got, expected, rtol=1e-8, atol=0):
            failures.append(f"{quantity}: auditlib {got!r}, R {expected!r}")
    return failures


def test_matches_committed_r_reference() -> None:
    failures = _compare(_reference())
    assert not failures, "\n".join(failures)


def test_reference_is_not_degenerate() -> None:
    reference = _reference()
    for name in ("dibao_error_rate", "tekun_error_rate", "omission_rate"):
        assert 0 < reference[name] < 1
        assert reference[f"{name}_se"] > 0
    for name in ("improper_amount", "overpayment", "underpayment"):
        assert reference[f"{name}_rate_se"] > 0
        assert reference[f"{name}_total"] == pytest.approx(
            reference[f"{name}_rate"] * reference["known_total_paid"], rel=1e-12
        )


def test_r_compatible_intervals_are_symmetric_t() -> None:
    result = _estimates()
    assert result.improper_payment_rate is not None
    rate = result.improper_payment_rate
    assert rate.method == "t"
    half = rate.upper - rate.estimate
    assert rate.estimate - rate.lower == pytest.approx(half, rel=1e-10)
    total = result.improper_payment_total
    assert total.upper - total.lower == pytest.approx(
        (rate.upper - rate.lower) * sum(PAID.values()), rel=1e-10
    )
    assert result.inclusion_error.method == "korn-graubard-nchs"


def test_default_options_keep_estimates_and_standard_errors() -> None:
    table = prepare(_data())
    default = county_estimates(table, paid=PAID)
    r_like = _estimates()
    assert default.inclusion_error.estimate == pytest.approx(r_like.inclusion_error.estimate)
    assert default.inclusion_error.standard_error == pytest.approx(
        r_like.inclusion_error.standard_error, rel=1e-12
    )
    assert default.improper_payment_rate is not None
    assert default.improper_payment_rate.lower >= 0
    assert default.improper_payment_total.lower >= 0
    assert default.overpayment is not None and default.overpayment.total.lower >= 0


def test_derived_columns_follow_the_definitions() -> None:
    data = _data()
    table = prepare(data)
    assert all(name in table.columns for name in DERIVED_COLUMNS)
    recipient = data["recipient"].to_numpy() == 1
    no = data["eligible"].to_numpy() == "no"
    programme = data["programme"].to_numpy()
    np.testing.assert_array_equal(table["ineligible"], (recipient & no).astype(float))
    np.testing.assert_array_equal(table["dibao"], (programme == "dibao").astype(float))
    np.testing.assert_array_equal(table["tekun"], (programme == "tekun").astype(float))
    np.testing.assert_array_equal(
        table["eligible_recipient"], (~no & (programme == "dibao")).astype(float)
    )
    np.testing.assert_array_equal(table["eligible_non_recipient"], (~no & ~recipient).astype(float))
    unknown = recipient & ~no & data["correct_benefit"].isna().to_numpy()
    np.testing.assert_array_equal(table["entitlement_unknown"], unknown.astype(float))
    assert unknown.sum() >= 1  # the dataset exercises the rule
    assert (table["underpayment"] > 0).sum() >= 1 and (table["overpayment"] > 0).sum() >= 1


# ---------------------------------------------------------------------- entitlement rules
def test_payment_columns_closed_form() -> None:
    # rows: ineligible recipient; eligible exact; eligible underpaid; eligible overpaid;
    # eligible with missing correct_benefit; eligible with missing months; non-recipient;
    # non-respondent recipient
    recipient = [True, True, True, True, True, True, False, True]
    respondent = [True, True, True, True, True, True, True, False]
    ineligible = [1.0, 0, 0, 0, 0, 0, 0, 0]
    paid = [3600.0, 4800.0, 3000.0, 5000.0, 2400.0, 1200.0, 0.0, 900.0]
    benefit = [np.nan, 400.0, 300.0, 400.0, np.nan, 100.0, np.nan, 300.0]
    months = [np.nan, 12.0, 12.0, 12.0, 12.0, np.nan, np.nan, 3.0]
    columns = payment_columns(recipient, respondent, ineligible, paid, benefit, months)
    np.testing.assert_array_equal(
        columns["entitlement"], [0.0, 4800.0, 3600.0, 4800.0, 2400.0, 1200.0, 0.0, 0.0]
    )
    np.testing.assert_array_equal(
        columns["overpayment"], [3600.0, 0.0, 0.0, 200.0, 0.0, 0.0, 0.0, 0.0]
    )
    np.testing.assert_array_equal(
        columns["underpayment"], [0.0, 0.0, 600.0, 0.0, 0.0, 0.0, 0.0, 0.0]
    )
    np.testing.assert_array_equal(
        columns["entitlement_unknown"], [0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 0.0, 0.0]
    )


def test_ineligible_household_is_overpaid_everything_even_with_a_benefit() -> None:
    columns = payment_columns([True], [True], [1.0], [1234.5], [300.0], [12.0])
    assert columns["overpayment"][0] == 1234.5
    assert columns["underpayment"][0] == 0.0
    assert columns["entitlement"][0] == 0.0
    assert columns["entitlement_unknown"][0] == 0.0


def test_entitled_months_closed_form() -> None:
    frame = pd.DataFrame(
        {
            "household_id": [1, 2, 3, 4, 5, 6],
            "enrolment_date": pd.to_datetime(
                [None, "2025-05-20", "2024-03-01", "2025-02-01", "2026-02-01", "2025-06-30"]
            ),
            "exit_date": pd.to_datetime(
                ["2025-03-02", None, None, "2025-02-28", None, "2024-12-31"]
            ),
        }
    )
    months = entitled_months(frame, "2025-01-01", "2025-12-31")
    assert months.index.tolist() == ["1", "2", "3", "4", "5", "6"]
    # enrolment before the period or missing: from January; exit month counts; a household
    # enrolled after the period or exited before enrolment: 0
    assert months.tolist() == [3, 8, 12, 1, 0, 0]


def test_paid_months_counts_distinct_months() -> None:
    ledger = pd.DataFrame(
        {
            "household_id": ["a", "a", "a", "b", 7],
            "payment_date": ["2025-01-05", "2025-01-25", "2025-03-05", "2025-12-31", "2025-06-01"],
            "amount": [1.0, 1.0, 1.0, 1.0, 1.0],
        }
    )
    months = paid_months(ledger)
    assert months.to_dict() == {"7": 1, "a": 2, "b": 1}


@pytest.mark.r
@pytest.mark.skipif(shutil.which("Rscript") is None, reason="Rscript not installed")
def test_live_r(tmp_path: Path) -> None:
    output = tmp_path / "programmes_reference.csv"
    subprocess.run(
        ["Rscript", str(HERE / "programmes.R"), str(output)], check=True, capture_output=True
    )
    live = _reference(output)
    failures = _compare(live)
    assert not failures, "\n".join(failures)
    committed = _reference()
    assert list(live) == list(committed)
    np.testing.assert_allclose(list(live.values()), list(committed.values()), rtol=1e-12)
