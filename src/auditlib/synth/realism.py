"""Benign noise of real registries, added when ``SynthConfig.realism == "realistic"``.

The clean generator (:mod:`auditlib.synth.registries`) plants benign traces of eligible
recipients only *below* the rules' exemption thresholds, so every definitive rule hit on a
recipient is a planted error. Real registries are not like that. This module adds, for
**eligible** recipient households only (the ground truth is not touched: these households stay
eligible, and each record is exactly a false positive a rule must tolerate or a field visit
must clear):

==========================  ====================================================================
kind (rate field)           record
==========================  ====================================================================
``benign_car_rate``         a car worth 20–80k yuan in ``registry_vehicles`` under the head's ID:
                            sold without transfer of the registration (未过户) or registered in
                            a parent's name for a child working elsewhere. H04 fires.
``ended_payroll_rate``      a ``registry_payroll`` record of the head (代课教师, 临时聘用) whose
                            ``end_date`` is before the audit period. H03 must not fire.
``co_owned_property_rate``  commercial housing with ``ownership_share`` ½, ⅓ or ¼, co-owned with
                            a relative outside the household (inherited or co-signed). H05
                            ignores shares below ``RuleParameters.housing_share_minimum`` (½
                            by default), so equal halves remain hits a visit must clear.
``cancelled_business_rate`` a ``registry_business`` record with ``registration_status``
                            注销 and a ``cancellation_date`` before the audit period. H09
                            must not fire.
``erroneous_death_rate``    a ``registry_deaths`` record with the ID of a living member (someone
                            else's death typed under the wrong ID). H08 fires: irreducible.
``homonym_rate``            a car of a namesake of the head outside the household (same name,
                            other ID): matching by ID ignores it, matching by name would not.
==========================  ====================================================================

and, for everyone: name variants (interior space, full-width space, traditional characters,
:mod:`auditlib.synth.name_variants`) in the names of every registry
(``registry_name_variant_rate``) and in payment account-holder names
(``holder_name_variant_rate``); typing errors (``entry_error_rate``): registration dates off by
1–9 years (never after the reference date) and vehicle records without an assessed value. The
new optional columns (``end_date``, ``ownership_share``, ``registration_status``,
``cancellation_date``) are filled for every record: ``NaT`` for current payroll records, 1.0
for sole owners, 存续 (active) for businesses, a few of which (8% of those outside recipient
households) are cancelled too.

All draws come from the generator's ``realism`` stream, so the clean data's draws are untouched.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from auditlib.synth.config import SynthConfig
from auditlib.synth.households import Coded, Columns
from auditlib.synth.identity import decode_names, surnames_of
from auditlib.synth.name_variants import name_variants
from auditlib.synth.payments import period_start

__all__ = ["ACTIVE", "CANCELLED", "add_registry_noise", "vary_holder_names"]

IntArray = npt.NDArray[np.int64]

#: Business status values written to ``registry_business.registration_status``.
ACTIVE, CANCELLED = "存续", "注销"

_FORMER_JOBS = np.array(
    ["中心学校(代课教师)", "卫生院(临时聘用)", "人民政府(合同工)", "林业站(临时工)"]
)
_SHOP_KINDS = np.array(["商店", "农资店", "餐馆", "运输部", "五金店", "理发店", "服装店"])
_SHARES = np.array([0.5, 0.33, 0.25])
_SHARE_WEIGHTS = np.array([0.4, 0.3, 0.3])
_DATE_COLUMNS = ("registration_date",)


def _days_before(
    day: np.datetime64 | npt.NDArray[np.datetime64], days: npt.NDArray[np.float64]
) -> npt.NDArray[np.datetime64]:
    """``day`` minus ``days`` whole days, as ``datetime64[ns]``."""
    return (day - np.floor(days).astype("timedelta64[D]")).astype("datetime64[ns]")


def _append(table: Columns, rows: Columns) -> Columns:
    """``table`` with ``rows`` appended (columns missing from ``rows`` must not exist)."""
    return {name: np.concatenate([table[name], rows[name]]) for name in table}


def add_registry_noise(
    config: SynthConfig,
    frame: Columns,
    members: Columns,
    external: Columns,
    registries: dict[str, Columns],
    rng: np.random.Generator,
) -> dict[str, Columns]:
    """Registries with the benign records, name variants and typing errors of real data.

    Parameters
    ----------
    config : SynthConfig
        The rates (``*_rate`` fields).
    frame, members, external : dict of numpy arrays
        Households, members and people outside any household, as built by the generator.
    registries : dict of str to dict of numpy arrays
        The clean registries (:func:`auditlib.synth.registries.build_registries`); not modified.
    rng : numpy.random.Generator
        The ``realism`` stream.

    Returns
    -------
    dict of str to dict of numpy arrays
        The registries with rows added and the optional columns ``end_date``
        (``registry_payroll``), ``ownership_share`` (``registry_property``),
        ``registration_status`` and ``cancellation_date`` (``registry_business``).
    """
    reference = np.datetime64(config.reference_date, "D")
    start = period_start(config)
    size = frame["size"]
    head = np.cumsum(size) - size
    eligible = frame["recipient"] & (frame["error_type"] == "")
    township = frame["township"].astype(str)
    result = {name: dict(table) for name, table in registries.items()}

    def chosen(rate: float) -> IntArray:
        return np.flatnonzero(eligible & (rng.random(len(size)) < rate))

    def person(rows: IntArray) -> Columns:
        return {
            "id_number": members["id_number"][rows],
            "name": decode_names(members["name"][rows]),
        }

    # Cars registered to the head but not theirs (sold, not transferred; a child's car).
    rows = head[chosen(config.benign_car_rate)]
    result["registry_vehicles"] = _append(
        result["registry_vehicles"],
        person(rows)
        | {
            "vehicle_type": np.full(len(rows), "car"),
            "registration_date": _days_before(reference, rng.uniform(400, 4_000, len(rows))),
            "vehicle_value": np.round(rng.uniform(20_000, 80_000, len(rows)) / 100) * 100,
        },
    )

    # Payroll records that ended before the audit period.
    payroll = result["registry_payroll"]
    payroll["end_date"] = np.full(len(payroll["id_number"]), np.datetime64("NaT"), "datetime64[ns]")
    households = chosen(config.ended_payroll_rate)
    rows = head[households]
    jobs = _FORMER_JOBS[rng.integers(0, len(_FORMER_JOBS), len(rows))]
    result["registry_payroll"] = _append(
        payroll,
        person(rows)
        | {
            "employer": np.char.add(township[households], jobs),
            "monthly_salary": np.round(rng.uniform(1_500, 3_500, len(rows))),
            "end_date": _days_before(start, rng.uniform(30, 2_500, len(rows))),
        },
    )

    # Minority or equal shares of a relative's flat.
    estate = result["registry_property"]
    estate["ownership_share"] = np.ones(len(estate["id_number"]))
    rows = head[chosen(config.co_owned_property_rate)]
    result["registry_property"] = _append(
        estate,
        person(rows)
        | {
            "property_type": np.full(len(rows), "commercial_housing"),
            "registration_date": _days_before(reference, rng.uniform(200, 5_000, len(rows))),
            "area": np.round(rng.uniform(60, 130, len(rows)), 1),
            "ownership_share": rng.choice(_SHARES, len(rows), p=_SHARE_WEIGHTS),
        },
    )

    result["registry_business"] = _business(config, frame, members, result, rng, start)

    # Deaths of someone else registered under a living member's ID.
    households = chosen(config.erroneous_death_rate)
    rows = head[households] + np.floor(rng.random(len(households)) * size[households]).astype(
        np.int64
    )
    result["registry_deaths"] = _append(
        result["registry_deaths"],
        person(rows) | {"death_date": _days_before(reference, rng.uniform(30, 700, len(rows)))},
    )

    # A namesake of the head outside the household owns a car.
    rows = head[chosen(config.homonym_rate)]
    if len(external["id_number"]):
        others = rng.integers(0, len(external["id_number"]), len(rows))
        result["registry_vehicles"] = _append(
            result["registry_vehicles"],
            {
                "id_number": external["id_number"][others],
                "name": decode_names(members["name"][rows]),
                "vehicle_type": np.full(len(rows), "car"),
                "registration_date": _days_before(reference, rng.uniform(30, 3_000, len(rows))),
                "vehicle_value": np.round(rng.uniform(30_000, 200_000, len(rows)) / 100) * 100,
            },
        )

    for name in sorted(result):
        _vary_names(result[name], config.registry_name_variant_rate, rng)
        _mistype(result[name], config.entry_error_rate, reference, rng)
    return result


def _business(
    config: SynthConfig,
    frame: Columns,
    members: Columns,
    result: dict[str, Columns],
    rng: np.random.Generator,
    start: np.datetime64,
) -> Columns:
    """``registry_business`` with a status, cancelled licences of eligible recipients and a few
    cancelled businesses of other people."""
    reference = np.datetime64(config.reference_date, "D")
    table = result["registry_business"]
    count = len(table["id_number"])
    size = frame["size"]
    head = np.cumsum(size) - size
    planted = np.isin(table["id_number"], members["id_number"][head[frame["error_type"] != ""]])
    recipients = np.isin(table["id_number"], members["id_number"][head[frame["recipient"]]])
    closed = ~planted & ~recipients & (rng.random(count) < 0.08)
    registered = table["registration_date"].astype("datetime64[D]")
    span = (reference - registered).astype(np.int64)
    cancelled_on = registered + (span * rng.uniform(0.2, 1.0, count)).astype("timedelta64[D]")
    table["registration_status"] = np.where(closed, CANCELLED, ACTIVE)
    table["cancellation_date"] = np.where(
        closed, cancelled_on.astype("datetime64[ns]"), np.datetime64("NaT", "ns")
    )
    eligible = frame["recipient"] & (frame["error_type"] == "")
    households = np.flatnonzero(eligible & (rng.random(len(size)) < config.cancelled_business_rate))
    rows = head[households]
    cancelled = _days_before(start, rng.uniform(30, 2_000, len(rows)))
    kinds = _SHOP_KINDS[rng.integers(0, len(_SHOP_KINDS), len(rows))]
    names = np.char.add(
        np.char.add(
            np.char.add(
                config.county + frame["township"].astype(str)[households],
                surnames_of(members["name"][rows]),
            ),
            "记",
        ),
        kinds,
    )
    capital = (
        np.maximum(np.round(rng.lognormal(np.log(50_000), 0.8, len(rows)) / 1_000), 10) * 1_000
    )
    return _append(
        table,
        {
            "id_number": members["id_number"][rows],
            "name": decode_names(members["name"][rows]),
            "business_name": names,
            "registration_date": _days_before(
                cancelled.astype("datetime64[D]"), rng.uniform(300, 4_000, len(rows))
            ),
            "registered_capital": capital,
            "registration_status": np.full(len(rows), CANCELLED),
            "cancellation_date": cancelled,
        },
    )


def _vary_names(table: Columns, rate: float, rng: np.random.Generator) -> None:
    """Write a share ``rate`` of the names of ``table`` in a variant form (in place)."""
    names = np.asarray(table["name"], dtype=str)
    varied = rng.random(len(names)) < rate
    names = names.astype(f"<U{names.dtype.itemsize // 4 + 1}")
    names[varied] = name_variants(rng, names[varied])
    table["name"] = names


def _mistype(
    table: Columns, rate: float, reference: np.datetime64, rng: np.random.Generator
) -> None:
    """Typing errors (in place): registration dates off by 1–9 years, vehicle values missing."""
    for column in _DATE_COLUMNS:
        if column not in table:
            continue
        dates = table[column].astype("datetime64[D]")
        wrong = rng.random(len(dates)) < rate
        years = rng.integers(1, 10, len(dates)) * np.where(rng.random(len(dates)) < 0.5, -1, 1)
        shifted = dates + (years * 365).astype("timedelta64[D]")
        table[column] = np.where(wrong, np.minimum(shifted, reference), dates).astype(
            "datetime64[ns]"
        )
    if "vehicle_value" in table:
        values = np.asarray(table["vehicle_value"], dtype=float)
        table["vehicle_value"] = np.where(rng.random(len(values)) < rate, np.nan, values)


def vary_holder_names(
    payments: Columns, accounts: Columns, rate: float, rng: np.random.Generator
) -> tuple[Columns, Columns]:
    """Write a share ``rate`` of personal account-holder names in a variant form.

    The variant is per account (the ledger and the households table agree); accounts held by a
    care home (敬老院) keep their name.

    Parameters
    ----------
    payments, accounts : dict of numpy arrays
        As returned by :func:`auditlib.synth.payments.build_payments`; not modified.
    rate : float
        Share of personal account holders whose name is varied.
    rng : numpy.random.Generator
        The ``realism`` stream.

    Returns
    -------
    payments, accounts : dict of numpy arrays
        Copies with ``account_holder_name`` varied.
    """
    ledger_holder = payments["account_holder_name"]
    labels = np.asarray(ledger_holder.labels, dtype=str)
    personal = (labels != "") & ~np.char.endswith(labels, "敬老院")
    varied = personal & (rng.random(len(labels)) < rate)
    labels = labels.astype(f"<U{labels.dtype.itemsize // 4 + 1}")
    labels[varied] = name_variants(rng, labels[varied])
    current = np.asarray(accounts["account_holder_name"], dtype=str) != ""
    return (
        payments | {"account_holder_name": Coded(ledger_holder.codes, labels)},
        accounts | {"account_holder_name": np.where(current, labels, "")},
    )
