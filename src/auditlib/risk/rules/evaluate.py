"""Evaluating the red-flag rules on one county: parameters, the hits table and its summaries.

:func:`evaluate_rules` runs every rule of the catalogue (:mod:`auditlib.risk.rules.catalogue`)
through its household or payment implementation and returns :class:`RuleHits`, where every hit
names the record (table and spreadsheet row) that triggered it.

Examples
--------
>>> hits = evaluate_rules(data)  # doctest: +SKIP
>>> hits.per_household(recipient_ids)  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from auditlib.data.bundle import CountyData
from auditlib.data.table_keys import positions_in
from auditlib.errors import ParamsError, Problem
from auditlib.risk.crosscheck import CrossCheckResult, cross_check
from auditlib.risk.payment_ledger import payment_frame
from auditlib.risk.rules import holder_names, household, payment
from auditlib.risk.rules.catalogue import RULES, rule_catalogue
from auditlib.risk.rules.cross_county import cross_county_hits
from auditlib.risk.rules.hits import NAME_ONLY_WEIGHT


@dataclass(frozen=True)
class RuleParameters:
    """Thresholds of the parameterised rules.

    Parameters
    ----------
    shared_account_households : int
        P01 fires when an account is paid for at least this many recipient households (≥ 2).
    oversized_multiple : float
        P04 fires for a payment at least this many times the household's median (> 1). The
        default 2.5 lets one month of arrears (a doubled first transfer) pass.
    entitlement_tolerance : float
        P06 fires when total paid exceeds the entitlement by more than this share of it and
        by more than one month's benefit (≥ 0).
    luxury_storeys : int
        H06 fires for decorated houses of at least this many storeys (≥ 1).
    vehicle_value_minimum : float
        H04 ignores vehicles assessed below this value in yuan (old, nearly worthless cars;
        the notices exempt low-value and mobility vehicles); a missing value counts (≥ 0).
    business_capital_minimum : float
        H09 ignores businesses registered with less capital (subsistence stalls, 维持基本生活
        的小微个体户); a missing capital counts (≥ 0).
    housing_share_minimum : float
        H05 ignores commercial housing of which the member owns a smaller share
        (``ownership_share`` of ``registry_property``: a minority share of a flat co-owned with
        a relative outside the household, e.g. inherited); a missing share counts as sole
        ownership. The default ½ keeps equal co-ownership a hit (in [0, 1]).
    payroll_exempt_keywords : tuple of str
        H03 ignores payroll records whose employer contains one of these (public-welfare posts,
        公益性岗位, whose pay is disregarded by the notices).
    """

    shared_account_households: int = 2
    oversized_multiple: float = 2.5
    entitlement_tolerance: float = 0.10
    luxury_storeys: int = 3
    vehicle_value_minimum: float = 20_000.0
    business_capital_minimum: float = 10_000.0
    housing_share_minimum: float = 0.5
    payroll_exempt_keywords: tuple[str, ...] = ("公益性岗位",)

    def validate(self) -> None:
        """Raise :class:`ParamsError` naming the parameter, its range and the value received."""
        checks = [
            ("shared_account_households", self.shared_account_households >= 2, "an integer ≥ 2"),
            ("oversized_multiple", self.oversized_multiple > 1, "a number > 1"),
            ("entitlement_tolerance", self.entitlement_tolerance >= 0, "a number ≥ 0"),
            ("luxury_storeys", self.luxury_storeys >= 1, "an integer ≥ 1"),
            ("vehicle_value_minimum", self.vehicle_value_minimum >= 0, "a number ≥ 0"),
            ("business_capital_minimum", self.business_capital_minimum >= 0, "a number ≥ 0"),
            (
                "housing_share_minimum",
                0 <= self.housing_share_minimum <= 1,
                "a number in [0, 1]",
            ),
            (
                "payroll_exempt_keywords",
                all(isinstance(word, str) and word for word in self.payroll_exempt_keywords),
                "a tuple of non-empty strings",
            ),
        ]
        for name, ok, expected in checks:
            if not ok:
                raise ParamsError(f"{name} must be {expected}, got {getattr(self, name)!r}")


def recipient_ids(data: CountyData, programmes: tuple[str, ...] = ("dibao",)) -> pd.Series:
    """Household ids of recipient households (programme in ``programmes``), in table order."""
    households = data.households
    recipient = households["programme"].astype("string").isin(programmes)
    return (
        households.loc[recipient.fillna(False).to_numpy(dtype=bool), "household_id"]
        .astype("string")
        .reset_index(drop=True)
    )


@dataclass(frozen=True)
class RuleHits:
    """Every rule hit of one county.

    Attributes
    ----------
    hits : pandas.DataFrame
        One row per hit: ``household_id, rule_code, source, source_row, evidence_zh,
        evidence_en, strength`` (``"full"``, or ``"name_only"`` for a registry record linked
        by name only), ordered by household then catalogue order.
    name_variants : pandas.DataFrame
        Near matches that were *not* hits: P02 payments whose account holder is a member's
        name written differently (columns of
        :data:`auditlib.risk.rules.holder_names.NAME_VARIANT_COLUMNS`).
    """

    hits: pd.DataFrame
    name_variants: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=list(holder_names.NAME_VARIANT_COLUMNS))
    )

    @property
    def problems(self) -> tuple[Problem, ...]:
        """One warning per near match (``name_variants``), names masked."""
        return holder_names.name_variant_problems(self.name_variants)

    def to_frame(self) -> pd.DataFrame:
        """Hits joined with the rule texts and clauses."""
        return self.hits.merge(rule_catalogue(), left_on="rule_code", right_on="code").drop(
            columns=["code"]
        )

    def summary(self) -> pd.DataFrame:
        """Households hit per rule (every rule listed, zero included).

        Columns ``code, name, text_en, households`` (hit by the rule), ``name_only``
        (households hit by the rule through name-only links alone) and ``name_variants``
        (households not hit because a name matched after normalisation: P02 near matches).
        """
        hits = self.hits
        counts = hits.groupby("rule_code")["household_id"].nunique()
        full = hits[_strength(hits) != "name_only"]
        weak = hits[~hits.set_index(["household_id", "rule_code"]).index.isin(
            full.set_index(["household_id", "rule_code"]).index
        )]  # fmt: skip
        name_only = weak.groupby("rule_code")["household_id"].nunique()
        variants = self.name_variants.groupby("rule_code")["household_id"].nunique()
        table = rule_catalogue()[["code", "name", "text_en"]]
        return table.assign(
            households=table["code"].map(counts).fillna(0).astype(int),
            name_only=table["code"].map(name_only).fillna(0).astype(int),
            name_variants=table["code"].map(variants).fillna(0).astype(int),
        )

    def per_household(
        self, household_ids: pd.Series, weights: Mapping[str, float] | None = None
    ) -> pd.DataFrame:
        """Distinct rules hit by each household.

        Parameters
        ----------
        household_ids : pandas.Series
            Households to report (in this order).
        weights : mapping of str to float, optional
            Weights overriding the catalogue's (:attr:`RuleSpec.weight`) by rule code.

        Returns
        -------
        pandas.DataFrame
            ``household_id, rule_count, rule_codes`` (";"-joined, sorted),
            ``definitive_weight`` (summed weights of distinct rules of weight ≥ 1) and
            ``prompt_weight`` (summed weights of distinct rules of weight < 1). A rule hit
            through name-only links alone weighs ``min(weight, NAME_ONLY_WEIGHT)`` (0.25):
            always a prompt.
        """
        table = {rule.code: rule.weight for rule in RULES} | dict(weights or {})
        weights_of_hits = self.hits["rule_code"].map(table).astype(float)
        weak = (_strength(self.hits) == "name_only").to_numpy(dtype=bool)
        weights_of_hits = weights_of_hits.where(
            ~weak, np.minimum(weights_of_hits, NAME_ONLY_WEIGHT)
        )
        # The strongest hit of each household and rule counts.
        distinct = (
            self.hits.assign(_weight=weights_of_hits.to_numpy())
            .sort_values("_weight", ascending=False, kind="stable")
            .drop_duplicates(["household_id", "rule_code"])
        )
        weight = distinct["_weight"]
        owners = distinct["household_id"].to_numpy()
        definitive = weight.where(weight >= 1, 0.0).groupby(owners).sum()
        prompt = weight.where(weight < 1, 0.0).groupby(owners).sum()
        # Codes of each household, sorted and joined (a few hundred hits: a plain loop).
        listed: dict[str, list[str]] = {}
        for owner, code in zip(
            distinct["household_id"].tolist(), distinct["rule_code"].tolist(), strict=True
        ):
            if not pd.isna(owner):
                listed.setdefault(owner, []).append(code)
        names = pd.Series(list(listed), dtype="string")
        ids = household_ids.astype("string")
        at = positions_in(ids, names)
        hit = at >= 0
        counts = np.array([len(codes) for codes in listed.values()], dtype=np.int64)
        joined = np.array([";".join(sorted(codes)) for codes in listed.values()], dtype=object)
        return pd.DataFrame(
            {
                "household_id": ids.to_numpy(),
                "rule_count": np.where(hit, counts[np.maximum(at, 0)] if len(counts) else 0, 0),
                "rule_codes": pd.array(
                    np.where(hit, joined[np.maximum(at, 0)] if len(joined) else "", ""),
                    dtype="string",
                ).to_numpy(),
                "definitive_weight": _take(definitive, ids),
                "prompt_weight": _take(prompt, ids),
            }
        )


def _strength(hits: pd.DataFrame) -> pd.Series:
    """The ``strength`` column of a hit frame (``"full"`` for frames made without one)."""
    if "strength" in hits:
        return hits["strength"].astype("string").fillna("full")
    return pd.Series("full", index=hits.index, dtype="string")


def _take(values: pd.Series, ids: pd.Series) -> np.ndarray:
    """``values`` (indexed by household id) for each of ``ids``, 0 where absent."""
    at = positions_in(ids, pd.Series(values.index, dtype="string"))
    numbers = values.to_numpy(dtype=float)
    return np.where(at >= 0, numbers[np.maximum(at, 0)] if len(numbers) else 0.0, 0.0)


def _evaluators(
    data: CountyData,
    crosscheck: CrossCheckResult,
    parameters: RuleParameters,
    ledger: pd.DataFrame,
    holder_states: pd.Series,
) -> dict[str, Callable[[], pd.DataFrame]]:
    return {
        "H01": lambda: household.cadre_hits("H01", data, crosscheck),
        "H02": lambda: household.relative_hits("H02", data, crosscheck),
        "H03": lambda: household.payroll_hits(
            "H03", data, crosscheck, parameters.payroll_exempt_keywords
        ),
        "H04": lambda: household.car_owner_hits(
            "H04", data, crosscheck, parameters.vehicle_value_minimum
        ),
        "H05": lambda: household.commercial_housing_hits(
            "H05", data, crosscheck, parameters.housing_share_minimum
        ),
        "H06": lambda: household.luxury_house_hits("H06", data, parameters.luxury_storeys),
        "H07": lambda: household.adult_student_hits("H07", data),
        "H08": lambda: household.deceased_member_hits("H08", data, crosscheck),
        "H09": lambda: household.business_owner_hits(
            "H09", data, crosscheck, parameters.business_capital_minimum
        ),
        "H10": lambda: household.income_above_standard_hits("H10", data),
        "P01": lambda: payment.shared_account_hits(
            "P01", ledger, parameters.shared_account_households
        ),
        "P02": lambda: holder_names.holder_name_hits("P02", data, ledger, holder_states),
        "P03": lambda: payment.duplicate_payment_hits("P03", ledger),
        "P04": lambda: payment.oversized_payment_hits(
            "P04", data, ledger, parameters.oversized_multiple
        ),
        "P05": lambda: payment.payment_after_death_hits("P05", data, crosscheck, ledger),
        "P06": lambda: payment.overpaid_hits("P06", data, ledger, parameters.entitlement_tolerance),
    }


def evaluate_rules(
    data: CountyData,
    crosscheck: CrossCheckResult | None = None,
    parameters: RuleParameters | None = None,
    *,
    recipients_only: bool = True,
    programmes: tuple[str, ...] = ("dibao",),
    ledger: pd.DataFrame | None = None,
    cross_county: pd.DataFrame | None = None,
) -> RuleHits:
    """Run every rule of :data:`RULES` on a county.

    Parameters
    ----------
    data : CountyData
        The county (validated inputs: see :func:`auditlib.risk.inputs.check_risk_inputs`).
    crosscheck : CrossCheckResult, optional
        Registry matches (computed when not given).
    parameters : RuleParameters, optional
        Rule thresholds (defaults when not given).
    recipients_only : bool
        Keep hits of recipient households only (default), the population risk scoring ranks.
    programmes : tuple of str
        Programmes whose households count as recipients (default Dibao only).
    ledger : pandas.DataFrame, optional
        ``auditlib.risk.payment_ledger.payment_frame(data)`` when already computed.
    cross_county : pandas.DataFrame, optional
        Findings of ``auditlib crosscheck`` involving the county
        (:func:`auditlib.risk.rules.cross_county.read_cross_county_findings`): its own become
        hits of rules X01–X04. Without them, those rules have no hits.

    Returns
    -------
    RuleHits
    """
    parameters = parameters or RuleParameters()
    parameters.validate()
    crosscheck = crosscheck if crosscheck is not None else cross_check(data)
    ledger = ledger if ledger is not None else payment_frame(data)
    holder_states = holder_names.holder_name_states(data, ledger)
    evaluators = _evaluators(data, crosscheck, parameters, ledger, holder_states)
    frames = [evaluate() for evaluate in evaluators.values()]
    if cross_county is not None:
        frames.append(cross_county_hits(cross_county, data.info.county_code))
    hits = pd.concat([frame for frame in frames if len(frame)] or frames[:1], ignore_index=True)
    variants = holder_names.holder_name_variants("P02", data, ledger, holder_states)
    if recipients_only:
        recipients = recipient_ids(data, programmes)
        hits = hits[positions_in(hits["household_id"], recipients) >= 0]
        variants = variants[positions_in(variants["household_id"], recipients) >= 0]
    order = {code: position for position, code in enumerate(rule.code for rule in RULES)}
    hits = hits.assign(_order=hits["rule_code"].map(order)).sort_values(
        ["household_id", "_order", "source_row"], kind="stable"
    )
    return RuleHits(
        hits=hits.drop(columns=["_order"]).reset_index(drop=True),
        name_variants=variants.reset_index(drop=True),
    )
