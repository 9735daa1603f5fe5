"""Simulated fieldwork: what verification teams would return for a sample of households.

:func:`simulate_verification` reads the ground truth and returns a table conforming to
:data:`auditlib.data.contract.VERIFICATION`. With ``verifier_error_rate = r`` each household's
verdict is wrong with probability ``r``, independently: an eligible household is reported
ineligible (for a recipient with one of the judgement-based reasons ``income_above_standard``,
``wealthy_children`` or ``connections``) and an ineligible one eligible (with its current benefit,
or for a non-recipient the benefit its declared income implies).

Each verified household's ``payment_anomaly`` (发放异常) is ``yes`` when the ground truth lists
payment anomaly types for it (``payment_anomaly_types`` not empty) and ``no`` otherwise; with
``verifier_error_rate = r`` it too is wrong with probability ``r``, drawn independently of the
verdict's error.

With ``nonresponse_rate = q`` each household is a non-respondent with probability ``q``,
independently of everything else (missing completely at random, hence at random within any
weighting class): its ``status`` is ``not_found``, ``moved`` or ``refused`` (shares
:data:`NONRESPONSE_SHARES`) and it has no verdict (``eligible``, ``error_type``,
``correct_benefit`` and ``payment_anomaly`` empty); the visit (verifier, date) is still
recorded. With ``q = 0`` every column but ``status`` is exactly what it was before non-response
existed.

The random draws of a household depend only on ``seed`` and its ``household_id`` (a BLAKE2b hash),
so a household gets the same verdict whatever else is in the sample and in whatever order.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import date, timedelta

import numpy as np
import pandas as pd

from auditlib.data.bundle import CountyData
from auditlib.data.codes import ERROR_TYPES
from auditlib.data.contract import VERIFICATION
from auditlib.errors import FieldworkError, ParamsError, Problem
from auditlib.synth.households import benefit_per_person
from auditlib.synth.identity import person_names
from auditlib.synth.output import GroundTruth

__all__ = ["NONRESPONSE_SHARES", "simulate_verification"]

#: Share of each non-response status among simulated non-respondents.
NONRESPONSE_SHARES: dict[str, float] = {"not_found": 0.4, "moved": 0.3, "refused": 0.3}
_STATUS_NOTES = {"not_found": "未找到", "moved": "已迁出", "refused": "拒绝配合"}

_JUDGEMENT_ERRORS = np.array(["income_above_standard", "wealthy_children", "connections"])


def _uniforms(seed: int, household_ids: list[str], purpose: str) -> np.ndarray:
    values = []
    for household_id in household_ids:
        digest = hashlib.blake2b(f"{seed}|{purpose}|{household_id}".encode(), digest_size=8)
        values.append(int.from_bytes(digest.digest(), "big") / 2.0**64)
    return np.array(values, dtype=float)


def simulate_verification(
    data: CountyData,
    truth: GroundTruth,
    household_ids: Iterable[str],
    *,
    verifier_error_rate: float = 0.0,
    nonresponse_rate: float = 0.0,
    seed: int,
    visit_dates: tuple[date, date] | None = None,
) -> pd.DataFrame:
    """Simulate the verification results field teams would return for ``household_ids``.

    Parameters
    ----------
    data : CountyData
        The county's tables (for programme, benefit, declared income and township).
    truth : GroundTruth
        Its ground truth.
    household_ids : iterable of str
        Sampled households (each once).
    verifier_error_rate : float
        Probability in [0, 0.5] that a verdict is wrong.
    nonresponse_rate : float
        Probability in [0, 1) that a household does not respond (at random).
    seed : int
        Seed of the verifier errors, verifier names and visit dates.
    visit_dates : (date, date), optional
        First and last day of the visits; default the 28 days starting a week after the
        county's reference date.

    Returns
    -------
    pandas.DataFrame
        Columns of :data:`~auditlib.data.contract.VERIFICATION` in contract order, one row per
        household in the order given: ``status`` (``verified`` or a non-response code),
        ``eligible`` ``"yes"``/``"no"``, ``error_type`` (code or ``<NA>``), ``correct_benefit``
        (yuan/month; 0 if ineligible), ``payment_anomaly`` ``"yes"``/``"no"`` (``<NA>`` if the
        truth has no ``payment_anomaly_types``), ``verifier``, ``verification_date``,
        ``notes``. If the contract has no ``status`` column, ``status`` is appended when
        ``nonresponse_rate > 0`` and left out otherwise.
    """
    if isinstance(verifier_error_rate, bool) or not 0 <= verifier_error_rate <= 0.5:
        raise ParamsError(
            f"verifier_error_rate must be in [0, 0.5], got {verifier_error_rate!r}",
            [
                Problem(
                    "simulate_verification",
                    None,
                    "verifier_error_rate",
                    repr(verifier_error_rate),
                    "a number in [0, 0.5]",
                )
            ],
        )
    if isinstance(nonresponse_rate, bool) or not 0 <= nonresponse_rate < 1:
        raise ParamsError(
            f"nonresponse_rate must be in [0, 1), got {nonresponse_rate!r}",
            [
                Problem(
                    "simulate_verification",
                    None,
                    "nonresponse_rate",
                    repr(nonresponse_rate),
                    "a number in [0, 1)",
                )
            ],
        )
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ParamsError(f"seed must be a non-negative whole number, got {seed!r}")
    ids = [str(value) for value in household_ids]
    duplicated = sorted(pd.Index(ids)[pd.Index(ids).duplicated()].unique())
    truth_table = truth.households.set_index("household_id")
    unknown = [value for value in ids if value not in truth_table.index]
    problems = [
        Problem("sample", None, "household_id", value, "a household of the county, once")
        for value in [*duplicated, *unknown][:100]
    ]
    if problems:
        raise FieldworkError(
            f"{len(duplicated)} duplicated and {len(unknown)} unknown household ids in the "
            "sample to verify; expected each household of the county at most once",
            problems,
        )
    start, end = visit_dates or (
        data.info.reference_date + timedelta(days=7),
        data.info.reference_date + timedelta(days=34),
    )
    if end < start:
        raise ParamsError(
            f"visit_dates must be (first, last) with first <= last, got {visit_dates}"
        )
    households = data.households.set_index("household_id").loc[ids]
    rows = truth_table.loc[ids]
    programme = households["programme"].to_numpy().astype(str)
    recipient = rows["recipient"].to_numpy(dtype=bool)
    eligible = rows["eligible"].to_numpy(dtype=bool) | (programme == "tekun")
    error_type = rows["error_type"].astype(object).where(rows["error_type"].notna(), "").to_numpy()
    correct = rows["correct_benefit"].to_numpy(dtype=float)

    flip = _uniforms(seed, ids, "flip") < verifier_error_rate
    wrong_reason = _JUDGEMENT_ERRORS[
        np.minimum((_uniforms(seed, ids, "reason") * 3).astype(int), 2)
    ]
    size = households["members"].to_numpy()
    ratio = households["declared_income"].to_numpy() / (size * data.info.rural_standard)
    implied, _ = benefit_per_person(ratio, data.info.rural_standard)
    benefit = households["monthly_benefit"].to_numpy()
    reported_eligible = eligible ^ flip
    reported_type = np.where(eligible, "", error_type)
    reported_type = np.where(flip & eligible & recipient, wrong_reason, reported_type)
    reported_type = np.where(flip & ~eligible, "", reported_type)
    reported_benefit = np.where(eligible, correct, 0.0)
    reported_benefit = np.where(
        flip & ~eligible,
        np.where(recipient, benefit, np.where(ratio < 1, implied * size, 0.0)),
        reported_benefit,
    )
    reported_benefit = np.where(flip & eligible, 0.0, reported_benefit)
    if "payment_anomaly_types" in rows.columns:
        types = rows["payment_anomaly_types"].astype("string").fillna("").str.strip()
        anomaly = (types != "").to_numpy(bool)
        anomaly_flip = _uniforms(seed, ids, "payment_flip") < verifier_error_rate
        reported_anomaly = pd.array(np.where(anomaly ^ anomaly_flip, "yes", "no"), dtype="string")
    else:
        reported_anomaly = pd.array([pd.NA] * len(ids), dtype="string")

    team_names = person_names(
        np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(6,))),
        np.full(40, "汉族"),
        np.arange(40) % 3 != 0,
    )
    team = np.floor(_uniforms(seed, list(households["township"].astype(str)), "team") * 20).astype(
        int
    )
    verifier = np.char.add(np.char.add(team_names[2 * team], "、"), team_names[2 * team + 1])
    span = (end - start).days + 1
    offsets = np.floor(_uniforms(seed, ids, "date") * span).astype(int)
    visit = [start + timedelta(days=int(offset)) for offset in offsets]
    notes = np.where(
        reported_eligible,
        np.where(recipient | (programme == "tekun"), "", "符合条件未纳入保障"),
        np.where(recipient, "核查发现:", ""),
    ).astype(object)
    labels = np.array([ERROR_TYPES.get(code, "") for code in reported_type], dtype=object)
    notes = notes + labels
    result = pd.DataFrame(
        {
            "household_id": pd.array(ids, dtype="string"),
            "eligible": pd.array(np.where(reported_eligible, "yes", "no"), dtype="string"),
            "error_type": pd.array(reported_type, dtype="string"),
            "correct_benefit": reported_benefit.astype("float64"),
            "payment_anomaly": reported_anomaly,
            "verifier": pd.array(verifier, dtype="string"),
            "verification_date": pd.to_datetime(pd.Series(visit)).astype("datetime64[ns]"),
            "notes": pd.array(notes, dtype="string"),
        }
    )
    for name in ("error_type", "notes"):
        result[name] = result[name].mask(result[name] == "")
    result.insert(1, "status", _statuses(seed, ids, nonresponse_rate))
    absent = (result["status"] != "verified").to_numpy(bool)
    if absent.any():
        for name in ("eligible", "error_type", "correct_benefit", "payment_anomaly"):
            result[name] = result[name].mask(absent)
        result["notes"] = result["notes"].mask(absent, result["status"].map(_STATUS_NOTES))
    columns = list(VERIFICATION.column_names)
    if "status" not in columns and nonresponse_rate > 0:
        columns.append("status")
    return result[columns]


def _statuses(seed: int, ids: list[str], nonresponse_rate: float) -> pd.Series:
    """``verified``, or for a non-respondent (probability ``nonresponse_rate``) its status."""
    status = np.full(len(ids), "verified", dtype=object)
    if nonresponse_rate > 0:
        absent = _uniforms(seed, ids, "response") < nonresponse_rate
        bounds = np.cumsum(list(NONRESPONSE_SHARES.values()))
        which = np.searchsorted(bounds, _uniforms(seed, ids, "status") * bounds[-1], side="right")
        codes = np.array(list(NONRESPONSE_SHARES), dtype=object)
        status[absent] = codes[np.minimum(which, len(codes) - 1)][absent]
    return pd.Series(pd.array(status, dtype="string"))
