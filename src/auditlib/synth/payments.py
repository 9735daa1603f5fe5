"""The payments ledger of a synthetic county, with planted fund-flow anomalies.

Every Dibao and 特困 household is paid monthly, on a pay day fixed per township, into its own
account (held by the head, or for 15% by another member). Households that left Dibao during the
audit period are paid until they leave; new households are paid from the month after enrolment,
half of them with one month of back-pay in the first transfer (a benign large payment). A fifth of
特困 people live in a township care home (集中供养) whose account receives their support (a benign
shared account).

Planted anomalies (eligible Dibao recipients only) and their trace in the ledger:

=======================  ====================================================================
``holder_name_differs``  every transfer goes to an account held by someone outside the household
``shared_account``       3–6 households are paid into one account held by a third party
``duplicate_payment``    one or two monthly transfers are paid twice, 0–3 days apart
``oversized_payment``    one transfer is 3–8 times the monthly benefit
``payment_after_death``  the head (account holder) died during the period; transfers continue
=======================  ====================================================================

Only the transfers that carry the anomaly are labelled in the ground truth (``anomaly_type``):
all transfers of the first two kinds, the extra transfers, the oversized transfer, and the
transfers after the death.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from auditlib.synth.config import SynthConfig
from auditlib.synth.households import Coded, Columns
from auditlib.synth.identity import account_numbers, decode_names, numbered

__all__ = ["build_payments", "period_start"]


def period_start(config: SynthConfig) -> np.datetime64:
    """First day of the audit period (``months`` whole months ending with the reference month)."""
    reference_month = np.datetime64(config.reference_date, "M")
    return (reference_month - np.timedelta64(config.months - 1, "M")).astype("datetime64[D]")


def build_payments(
    config: SynthConfig,
    frame: Columns,
    members: Columns,
    external: Columns,
    rng: np.random.Generator,
) -> tuple[Columns, Columns]:
    """Build the ledger and the households' current account columns.

    Returns
    -------
    payments : dict of numpy arrays
        Ledger rows (``payment_id`` ... ``programme``) plus ``anomaly_type`` (``""`` if none).
    accounts : dict of numpy arrays
        One row per household: ``account_number`` and ``account_holder_name`` (``""`` for
        households not currently paid).
    """
    households = len(frame["size"])
    reference = np.datetime64(config.reference_date, "D")
    start = period_start(config)
    size = frame["size"]
    head = np.cumsum(size) - size
    recipient = frame["recipient"]
    tekun = frame["tekun"]
    anomaly = frame["anomaly_type"].astype(str)
    exit_date = frame["exit_date"].astype("datetime64[D]")
    exited = ~recipient & ~tekun & (exit_date >= start)
    paying = recipient | tekun | exited

    # Accounts: one per paying household, held by the head or (15%) another member.
    account = np.zeros(households, dtype="S19")
    holder = np.full(households, "", dtype="<U24")
    account[paying] = account_numbers(rng, int(paying.sum()))
    other_member = head + np.floor(rng.random(households) * size).astype(np.int64)
    by_other = (size >= 2) & (rng.random(households) < 0.15) & (anomaly != "payment_after_death")
    holder[paying] = decode_names(
        np.where(by_other, members["name"][other_member], members["name"][head])[paying]
    )
    township = frame["township"].astype(str)
    care_home = tekun & (rng.random(households) < 0.2)
    if care_home.any():
        care_townships, first = np.unique(township[care_home], return_inverse=True)
        home_accounts = account_numbers(rng, len(care_townships))
        account[care_home] = home_accounts[first]
        holder[care_home] = np.char.add(care_townships, "敬老院")[first]
    third_party = decode_names(external["name"])
    differs = anomaly == "holder_name_differs"
    holder[differs] = third_party[rng.integers(0, len(third_party), int(differs.sum()))]
    shared = np.flatnonzero(anomaly == "shared_account")
    if len(shared):
        sizes = rng.integers(3, 7, len(shared))
        group = np.repeat(np.arange(len(sizes)), sizes)[: len(shared)]
        if len(shared) >= 2 and np.sum(group == group[-1]) == 1:
            group[-1] = group[-2]
        leader = shared[np.r_[0, np.flatnonzero(np.diff(group)) + 1]]
        account[shared] = account[leader][group]
        group_holders = third_party[rng.integers(0, len(third_party), len(leader))]
        holder[shared] = group_holders[group]

    # Transfers: one per paying household and month, on the township's pay day.
    n_townships = int(frame["township_index"].max()) + 1
    pay_day = rng.integers(5, 16, n_townships)[frame["township_index"]]
    months = (start.astype("datetime64[M]") + np.arange(config.months)).astype("datetime64[D]")
    payers = np.flatnonzero(paying)
    row_household = np.repeat(payers, config.months)
    row_month = np.tile(np.arange(config.months), len(payers))
    date = months[row_month] + (pay_day[row_household] - 1).astype("timedelta64[D]")
    enrolment = frame["enrolment_date"].astype("datetime64[D]")[row_household]
    leaving = exit_date[row_household]
    keep = (date <= reference) & ~(enrolment >= date) & ~(leaving <= date)
    row_household, date = row_household[keep], date[keep]
    amount = np.where(
        exited[row_household],
        frame["past_benefit"][row_household],
        frame["monthly_benefit"][row_household],
    )
    first_ever = np.r_[True, row_household[1:] != row_household[:-1]] & (enrolment[keep] >= start)
    back_pay = first_ever & (rng.random(len(amount)) < 0.5)
    amount = np.where(back_pay, amount * 2, amount)
    label = np.full(len(amount), "", dtype=object)
    row_anomaly = anomaly[row_household]
    label[np.isin(row_anomaly, ("holder_name_differs", "shared_account"))] = row_anomaly[
        np.isin(row_anomaly, ("holder_name_differs", "shared_account"))
    ]
    death = members["death_date"].astype("datetime64[D]")[head][row_household]
    after_death = (row_anomaly == "payment_after_death") & (date > death)
    label[after_death] = "payment_after_death"

    # One oversized transfer per household with that anomaly (not a back-pay transfer).
    candidates = np.flatnonzero((row_anomaly == "oversized_payment") & ~back_pay)
    chosen = _one_per_household(rng, candidates, row_household)
    amount[chosen] = np.round(amount[chosen] * rng.uniform(3, 8, len(chosen)) / 10) * 10
    label[chosen] = "oversized_payment"

    # Duplicated transfers: one or two per household with that anomaly.
    candidates = np.flatnonzero(row_anomaly == "duplicate_payment")
    first = _one_per_household(rng, candidates, row_household)
    second = _one_per_household(rng, np.setdiff1d(candidates, first), row_household)
    second = second[rng.random(len(second)) < 0.4]
    duplicated = np.concatenate([first, second])
    base_rows = len(amount)
    extra_date = np.minimum(
        date[duplicated] + rng.integers(0, 4, len(duplicated)).astype("timedelta64[D]"), reference
    )
    row_household = np.concatenate([row_household, row_household[duplicated]])
    date = np.concatenate([date, extra_date])
    amount = np.concatenate([amount, amount[duplicated]])
    label = np.concatenate([label, np.full(len(duplicated), "duplicate_payment", dtype=object)])
    extra = np.r_[np.zeros(base_rows, dtype=bool), np.ones(len(duplicated), dtype=bool)]

    household_id = frame["household_id"]
    order = np.lexsort((extra, household_id[row_household], date))
    row_household, date, amount, label = (
        row_household[order],
        date[order],
        amount[order],
        label[order],
    )
    rows = len(order)
    payments: Columns = {
        "payment_id": numbered("P" + config.county_code, np.arange(1, rows + 1), 9),
        "household_id": Coded(row_household, household_id),
        "payment_date": date.astype("datetime64[ns]"),
        "amount": amount.astype(float),
        "account_number": Coded(row_household, account),
        "account_holder_name": Coded(row_household, holder),
        "payer": Coded(np.zeros(rows, dtype=np.int64), np.array([config.county + "民政局"])),
        "programme": Coded(tekun[row_household].astype(np.int64), np.array(["dibao", "tekun"])),
        "anomaly_type": label.astype(str),
    }
    current = recipient | tekun
    accounts: Columns = {
        "account_number": np.where(current, account, b""),
        "account_holder_name": np.where(current, holder, ""),
    }
    return payments, accounts


def _one_per_household(
    rng: np.random.Generator, rows: npt.NDArray[np.int64], row_household: npt.NDArray[np.int64]
) -> npt.NDArray[np.int64]:
    """Pick one of ``rows`` at random for each household they belong to."""
    if len(rows) == 0:
        return rows
    shuffled = rows[rng.permutation(len(rows))]
    _, first = np.unique(row_household[shuffled], return_index=True)
    return np.sort(shuffled[first])
