"""Continuous, per-capita features of recipient households for the isolation forest.

Every feature is a number a case worker can read (yuan per person, storeys, payments per
month, households per account, ...). None is a rule flag and none is a protected attribute:
sex, ethnicity, disability and age never enter (they are used only by the fairness audit).

Features are then normalised within the household's peer group (its township, or the whole
county) by a robust z-score: ``(transform(x) − peer median) / peer scale``, the scale being
IQR/1.349 of the peers, falling back to the county scale when a township has fewer than
``min_peers`` recipient households or no spread. ``transform`` is ``log`` for positive,
right-skewed quantities (money, areas, ratios) so that ordinary skew does not look anomalous.
A missing value (e.g. no payments) is imputed at the peer median (z = 0: no evidence).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from auditlib.data.bundle import CountyData
from auditlib.data.table_keys import key_codes, positions_in
from auditlib.risk.payment_ledger import account_households, entitled_months, payment_frame

__all__ = [
    "DEFAULT_BENEFIT_FLOORS",
    "FEATURES",
    "FeatureSpec",
    "build_features",
    "feature_spec",
    "formula_benefit",
    "normalise_features",
    "peer_statistics",
]

#: Offset added before the log transform of quantities that may be zero.
LOG_OFFSET = 0.01


@dataclass(frozen=True)
class FeatureSpec:
    """One forest feature.

    Attributes
    ----------
    name : str
        Column name.
    label_zh, label_en : str
        Reason templates with ``{value}`` (the household's value, formatted).
    value_format : str
        Python format of the value (e.g. ``"{:.0f}"``).
    log : bool
        Whether the feature is log-transformed before normalisation.
    causes : tuple of str
        Planted error or anomaly types a high value points to (for the evaluation of reasons).
    """

    name: str
    label_zh: str
    label_en: str
    value_format: str
    log: bool
    causes: tuple[str, ...]


FEATURES: tuple[FeatureSpec, ...] = (
    FeatureSpec("income_per_capita", "人均申报月收入{value}元", "declared income {value} "
                "yuan/person/month", "{:,.0f}", True,
                ("income_above_standard", "wealthy_children", "salary_or_pension")),
    FeatureSpec("benefit_above_gap", "保障金超出按申报收入核定金额{value}%（按标准计）",
                "benefit exceeds the formula amount for the declared income by {value}% of the "
                "standard", "{:.0f}", False,
                ("wealthy_children", "connections", "income_above_standard")),
    FeatureSpec("earnings_per_capita", "成员人均月收入{value}元",
                "members' earnings {value} yuan/person/month", "{:,.0f}", True,
                ("salary_or_pension", "income_above_standard", "business_owner")),
    FeatureSpec("assets_per_capita", "人均金融资产{value}元", "financial assets {value} "
                "yuan/person", "{:,.0f}", True,
                ("income_above_standard", "business_owner", "wealthy_children")),
    FeatureSpec("housing_area_per_capita", "人均住房面积{value}平方米",
                "housing {value} m²/person", "{:.0f}", True,
                ("luxury_house", "commercial_housing")),
    FeatureSpec("housing_storeys", "住房{value}层", "house of {value} storeys", "{:.0f}", False,
                ("luxury_house",)),
    FeatureSpec("payments_per_month", "每月发放{value}笔", "{value} payments per month",
                "{:.2f}", False, ("duplicate_payment",)),
    FeatureSpec("largest_to_median_payment", "最大单笔为中位数的{value}倍",
                "largest payment {value} × the median payment", "{:.1f}", True,
                ("oversized_payment",)),
    FeatureSpec("paid_to_entitlement", "发放总额为应发金额的{value}倍",
                "total paid {value} × the entitlement", "{:.2f}", True,
                ("duplicate_payment", "oversized_payment", "payment_after_death")),
    FeatureSpec("households_per_account", "收款账户由{value}户保障对象共用",
                "account shared by {value} recipient households", "{:.0f}", True,
                ("shared_account",)),
    FeatureSpec("accounts_used", "审计期内使用{value}个收款账户",
                "{value} accounts used in the audit period", "{:.0f}", False,
                ("holder_name_differs", "shared_account")),
)  # fmt: skip

_BY_NAME = {spec.name: spec for spec in FEATURES}


def feature_spec(name: str) -> FeatureSpec:
    """The :class:`FeatureSpec` called ``name``."""
    try:
        return _BY_NAME[name]
    except KeyError:
        raise KeyError(f"unknown feature {name!r}; known: {', '.join(_BY_NAME)}") from None


def _payment_features(
    data: CountyData, household_ids: pd.Index, ledger: pd.DataFrame | None
) -> pd.DataFrame:
    """Payment-pattern features; one month of arrears (补发) for households enrolled during the
    audit period is routine and is allowed for, as in rules P04 and P06: their first transfer
    is left out of the largest/median ratio and one month's benefit is added to their
    entitlement.

    Households are handled as integer positions in ``household_ids`` (one Arrow lookup), so the
    groupings below never hash the text ids again; the aggregations are pandas' own (same
    summation order as grouping by the text id).
    """
    payments = ledger if ledger is not None else payment_frame(data)
    owner = positions_in(payments["household_id"], household_ids.to_series())
    if (owner < 0).any():
        payments = payments[owner >= 0]
        owner = owner[owner >= 0]
    account = key_codes(payments["account_number"]).astype(float)
    account[account < 0] = np.nan  # a missing account number is not counted as an account
    payments = pd.DataFrame(
        {
            "amount": payments["amount"].to_numpy(),
            "sharing": account_households(payments).to_numpy(),
            "account": account,
        }
    ).assign(payment_date=payments["payment_date"].to_numpy(), row=payments["row"].to_numpy())
    count = len(household_ids)
    households = data.households
    at = positions_in(household_ids.to_series(), households["household_id"])
    known = at >= 0
    take = np.maximum(at, 0)
    enrolled = pd.to_datetime(households["enrolment_date"], errors="coerce")
    new_all = (enrolled >= pd.Timestamp(data.info.audit_period_start)).fillna(False)
    new = new_all.to_numpy(dtype=bool)[take] & known
    benefit_all = pd.to_numeric(households["monthly_benefit"], errors="coerce").to_numpy(float)
    benefit = pd.Series(np.where(known, benefit_all[take], np.nan), index=household_ids)
    months_all = entitled_months(data).to_numpy(dtype=float)
    months = pd.Series(np.where(known, months_all[take], np.nan), index=household_ids)
    # First transfer of each household in (payment date, row) order, missing dates last.
    dates = payments["payment_date"].to_numpy()
    missing = pd.isna(dates)
    stamp = np.where(missing, np.iinfo(np.int64).max, dates.view(np.int64))
    order = np.lexsort((payments["row"].to_numpy(), stamp, missing, owner))
    first = np.zeros(len(payments), dtype=bool)
    if len(order):
        sorted_owner = owner[order]
        first[order[np.r_[True, sorted_owner[1:] != sorted_owner[:-1]]]] = True
    arrears = first & new[owner]
    grouped = payments.groupby(owner, sort=False)
    table = pd.DataFrame(
        {
            "count": grouped["amount"].size(),
            "total": grouped["amount"].sum(),
            "sharing": grouped["sharing"].max(),
            "accounts": grouped["account"].nunique(),
        }
    ).reindex(np.arange(count))
    regular = payments["amount"][~arrears].groupby(owner[~arrears], sort=False)
    usual = pd.DataFrame({"max": regular.max(), "median": regular.median()})
    usual = usual.reindex(np.arange(count))
    allowance = benefit.where(new, 0.0)
    months_positive = months.where(months > 0)
    entitlement = (benefit * months + allowance).where(lambda value: value > 0)
    median = usual["median"].to_numpy()
    return pd.DataFrame(
        {
            "payments_per_month": table["count"].fillna(0).to_numpy() / months_positive,
            "largest_to_median_payment": usual["max"].to_numpy()
            / np.where(median > 0, median, np.nan),
            "paid_to_entitlement": table["total"].fillna(0).to_numpy() / entitlement,
            "households_per_account": table["sharing"].to_numpy(),
            "accounts_used": table["accounts"].to_numpy(),
        },
        index=household_ids,
    )


#: The benefit formula of the notices' categories (the data contract's A/B/C): declared income
#: per person below 20 % of the standard → the full standard (A); 20–60 % → the income gap (B);
#: 60 % and above → the gap, but at least 20 % of the standard (C). As bands of
#: ``(lowest income ÷ standard, floor ÷ standard)``.
DEFAULT_BENEFIT_FLOORS: tuple[tuple[float, float], ...] = ((0.0, 1.0), (0.2, 0.0), (0.6, 0.2))


def formula_benefit(
    income_per_person: npt.ArrayLike,
    standard: float,
    floors: tuple[tuple[float, float], ...] = DEFAULT_BENEFIT_FLOORS,
    rounding: float = 10.0,
) -> npt.NDArray[np.float64]:
    """Monthly benefit per person the formula gives for a declared income per person.

    The income gap ``max(standard − income, 0)``, raised to the floor of the income's band
    (``floors``: ``(lowest income ÷ standard, floor ÷ standard)``, bands sorted by their
    lower bound; no bands: the plain gap), rounded *up* to ``rounding`` yuan (benefits are
    paid in whole 10 yuan), so that a benefit the formula explains is never above it.

    Examples
    --------
    >>> formula_benefit([0.0, 100.0, 300.0, 390.0], 400.0).tolist()
    [400.0, 300.0, 100.0, 80.0]
    >>> formula_benefit([390.0], 400.0, floors=()).tolist()
    [10.0]
    """
    income = np.asarray(income_per_person, dtype=np.float64)
    gap = np.clip(standard - income, 0.0, None)
    floor = np.zeros_like(income)
    for lower, share in sorted(floors):
        floor = np.where(income / standard >= lower, share * standard, floor)
    amount = np.maximum(gap, floor)
    if rounding > 0:
        amount = np.ceil(np.round(amount / rounding, 9)) * rounding
    return np.asarray(np.where(np.isfinite(income), amount, np.nan), dtype=np.float64)


def build_features(
    data: CountyData,
    household_ids: pd.Series,
    ledger: pd.DataFrame | None = None,
    *,
    benefit_floors: tuple[tuple[float, float], ...] = DEFAULT_BENEFIT_FLOORS,
    benefit_rounding: float = 10.0,
) -> pd.DataFrame:
    """Raw feature values of the given households.

    Parameters
    ----------
    data : CountyData
        The county.
    household_ids : pandas.Series
        Households to describe (recipients), in output order.
    ledger : pandas.DataFrame, optional
        ``auditlib.risk.payment_ledger.payment_frame(data)`` when already computed.
    benefit_floors, benefit_rounding
        The county's benefit formula (:func:`formula_benefit`): ``benefit_above_gap`` is the
        benefit above what the formula gives for the declared income, so that a category
        floor (A: the full standard; C: 20 % of it) is not read as an anomaly.

    Returns
    -------
    pandas.DataFrame
        Index ``household_id``; column ``township_code`` then one column per :data:`FEATURES`
        entry (``NaN`` where undefined, e.g. no payments).
    """
    ids = pd.Index(household_ids.astype("string"), name="household_id")
    households = data.households.assign(
        household_id=data.households["household_id"].astype("string")
    ).set_index("household_id")
    households = households.reindex(ids)
    standard = float(data.info.rural_standard)
    size = pd.to_numeric(households["members"], errors="coerce").astype(float)
    size = size.where(size > 0)
    income = pd.to_numeric(households["declared_income"], errors="coerce").astype(float)
    benefit = pd.to_numeric(households["monthly_benefit"], errors="coerce").astype(float)
    explained = formula_benefit(income / size, standard, benefit_floors, benefit_rounding) * size
    members = data.members
    alive = pd.to_datetime(members["death_date"], errors="coerce").isna().to_numpy()
    earnings = (
        pd.to_numeric(members["monthly_earnings"], errors="coerce")[alive]
        .groupby(members["household_id"].astype("string")[alive])
        .sum()
        .reindex(ids)
        .fillna(0.0)
    )
    frame = pd.DataFrame(
        {
            "township_code": households["township_code"].astype("string"),
            "income_per_capita": income / size,
            "benefit_above_gap": 100.0 * (benefit - explained) / (standard * size),
            "earnings_per_capita": earnings / size,
            "assets_per_capita": pd.to_numeric(households["financial_assets"], errors="coerce")
            / size,
            "housing_area_per_capita": pd.to_numeric(households["housing_area"], errors="coerce")
            / size,
            "housing_storeys": pd.to_numeric(households["housing_storeys"], errors="coerce"),
        },
        index=ids,
    )
    frame = frame.join(_payment_features(data, ids, ledger))
    numeric = [spec.name for spec in FEATURES]
    frame[numeric] = frame[numeric].astype(float)
    return frame


def _robust_scale(values: np.ndarray) -> float | None:
    """IQR/1.349, else 1.4826·MAD, else the standard deviation; ``None`` without spread."""
    finite = values[np.isfinite(values)]
    if finite.size < 2:
        return None
    low, high = np.percentile(finite, [25, 75])
    if high > low:
        return float((high - low) / 1.349)
    mad = float(np.median(np.abs(finite - np.median(finite)))) * 1.4826
    if mad > 0:
        return mad
    deviation = float(np.std(finite))
    return deviation if deviation > 0 else None


def normalise_features(
    raw: pd.DataFrame, names: tuple[str, ...], *, within: str, min_peers: int
) -> pd.DataFrame:
    """Robust z-scores of ``names`` within township (or county), missing values at 0.

    Parameters
    ----------
    raw : pandas.DataFrame
        Output of :func:`build_features`.
    names : tuple of str
        Features to normalise.
    within : {"township", "county"}
        Peer group.
    min_peers : int
        Townships with fewer recipient households use the county's median and scale.

    Returns
    -------
    pandas.DataFrame
        Same index, one float column per feature.
    """
    groups = _peer_groups(raw, within, min_peers)
    codes, labels = pd.factorize(groups)
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(len(labels) + 1))
    peer_rows = [(str(label), order[bounds[k] : bounds[k + 1]]) for k, label in enumerate(labels)]
    result = {}
    for name in names:
        values = raw[name].to_numpy(dtype=float)
        if feature_spec(name).log:
            values = np.log(np.clip(values, 0, None) + LOG_OFFSET)
        county_median = float(np.nanmedian(values)) if np.isfinite(values).any() else 0.0
        county_scale = _robust_scale(values) or 1.0
        normalised = np.zeros(len(values))
        for group, members in peer_rows:
            part = values[members]
            local = group != "__county__" and np.isfinite(part).sum() >= min_peers
            median = float(np.nanmedian(part)) if local else county_median
            scale = (_robust_scale(part) if local else None) or county_scale
            normalised[members] = (part - median) / scale
        result[name] = np.where(np.isfinite(normalised), normalised, 0.0)
    return pd.DataFrame(result, index=raw.index)


def _peer_groups(raw: pd.DataFrame, within: str, min_peers: int) -> np.ndarray:
    if within == "county":
        return np.full(len(raw), "__county__", dtype=object)
    townships = raw["township_code"].astype("string").fillna("__county__")
    sizes = townships.map(townships.value_counts())
    return np.where(sizes >= min_peers, townships, "__county__").astype(object)


def peer_statistics(
    raw: pd.DataFrame, names: tuple[str, ...], *, within: str, min_peers: int
) -> tuple[pd.DataFrame, pd.DataFrame, pd.Series]:
    """Peer median and percentile of each household's raw feature values (for reasons).

    Returns
    -------
    medians : pandas.DataFrame
        Peer-group median of each feature, per household.
    percentiles : pandas.DataFrame
        Share (0-100) of peers with a strictly lower value, per household and feature.
    peer : pandas.Series
        ``"township"`` or ``"county"``: the peer group each household was compared with.
    """
    groups = pd.Series(_peer_groups(raw, within, min_peers), index=raw.index)
    values = raw[list(names)]
    medians = values.groupby(groups.to_numpy()).transform("median")
    lower = values.groupby(groups.to_numpy()).rank(method="min", na_option="keep") - 1
    counts = values.groupby(groups.to_numpy()).transform("count")
    percentiles = 100.0 * lower / counts
    peer = groups.map(lambda group: "county" if group == "__county__" else "township")
    return medians, percentiles, peer.astype("string")
