"""The red-flag rule catalogue (policy rules) and its evaluation on one county.

One deterministic rule per item of the official removal list (清退情形) and per fund-flow check
of the payment ledger. Each rule has a stable code (``H01``–``H10`` household, ``P01``–``P06``
payment), a Chinese and an English text, the clause of the notice it implements, and every hit
names the record (table and spreadsheet row) that triggered it. Rules are reported beside the
isolation forest, never fed into it.

Examples
--------
>>> hits = evaluate_rules(data)  # doctest: +SKIP
>>> hits.per_household(recipient_ids)  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from auditlib import rules_household as household, rules_payment as payment
from auditlib.bundle import CountyData
from auditlib.crosscheck import CrossCheckResult, cross_check, positions_in
from auditlib.errors import ParamsError

__all__ = [
    "RULES",
    "RuleHits",
    "RuleParameters",
    "RuleSpec",
    "evaluate_rules",
    "recipient_ids",
    "rule_catalogue",
]

#: Source of the clauses (the seed notices of the special campaigns, as listed in DESIGN.md §1).
CAMPAIGN = "农村低保专项治理清退情形"
FUNDS = "低保资金发放监管"


@dataclass(frozen=True)
class RuleSpec:
    """One red-flag rule.

    Attributes
    ----------
    code : str
        Stable code (``H..`` household rule, ``P..`` payment rule).
    name : str
        Short English identifier.
    text_zh, text_en : str
        What the rule flags, in Chinese and English.
    clause : str
        The clause of the notice the rule implements.
    causes : tuple of str
        Error types (``schema.ERROR_TYPES``) or payment anomaly types
        (``schema.PAYMENT_ANOMALY_TYPES``) a hit points to.
    sources : tuple of str
        Tables the rule reads.
    weight : float
        Weight in the combined ranking. A *definitive* rule (weight ≥ 1) contradicts
        eligibility on its own: each lifts the household above every household with fewer
        definitive hits. A *prompt* (weight < 1) often has an innocent explanation (a registered
        relative may be eligible, and all of them are verified anyway through the certainty
        stratum; a total above the entitlement may be arrears): its weight is added to the
        household's forest percentile (as a share, capped at 1), so 0.25 is worth a quarter of
        the forest's range.
    """

    code: str
    name: str
    text_zh: str
    text_en: str
    clause: str
    causes: tuple[str, ...]
    sources: tuple[str, ...]
    weight: float = 1.0


RULES: tuple[RuleSpec, ...] = (
    RuleSpec("H01", "village_cadre", "家庭成员为在任村干部", "a member is a serving village cadre",
             f"{CAMPAIGN}：村干部家庭", ("village_cadre",), ("registry_cadres",)),
    RuleSpec("H02", "official_relative", "家庭成员为经办人员或公职人员近亲属（已备案）",
             "a member is a registered close relative of a caseworker or public servant",
             f"{CAMPAIGN}：低保经办人员或公职人员近亲属", ("official_relative",),
             ("registry_relatives",), 0.25),
    RuleSpec("H03", "salary_or_pension",
             "家庭成员领取财政供养工资或退休金，或申报有固定工资、退休金",
             "a member draws a public salary or pension, or declares a wage or pension",
             f"{CAMPAIGN}：家庭成员有固定工资或退休金", ("salary_or_pension",),
             ("registry_payroll", "members")),
    RuleSpec("H04", "car_owner", "家庭成员名下登记有机动车辆（农用车、摩托车、低值旧车除外）",
             "a member owns a motor vehicle (farm vehicles, motorcycles, low-value cars exempt)",
             f"{CAMPAIGN}：拥有机动车辆", ("car_owner",), ("registry_vehicles",)),
    RuleSpec("H05", "commercial_housing", "家庭成员名下有商品房",
             "a member owns commercial housing", f"{CAMPAIGN}：购买商品房",
             ("commercial_housing",), ("registry_property",)),
    RuleSpec("H06", "luxury_house", "住房三层及以上且装修豪华",
             "lives in a well-decorated house of three or more storeys",
             f"{CAMPAIGN}：居住三层以上装修豪华住房", ("luxury_house",), ("households",)),
    RuleSpec("H07", "adult_student_no_proof", "18周岁以上成员按在校学生计但无就学证明",
             "a member aged 18+ is counted as a student without school proof",
             f"{CAMPAIGN}：18周岁以上无就学证明按学生计", ("adult_student_no_proof",),
             ("members",)),
    RuleSpec("H08", "deceased_member", "已死亡人员仍计入保障人口",
             "a deceased person is still counted as a member",
             f"{CAMPAIGN}：死亡人员未及时注销", ("deceased_member", "payment_after_death"),
             ("registry_deaths", "members")),
    RuleSpec("H09", "business_owner", "家庭成员经营企业或个体工商户（维持生计的小摊除外）",
             "a member runs a registered enterprise or business (subsistence stalls exempt)",
             f"{CAMPAIGN}：经营企业或个体工商户", ("business_owner",), ("registry_business",)),
    RuleSpec("H10", "income_above_standard", "申报人均收入高于低保标准",
             "declared income per person is above the Dibao standard",
             f"{CAMPAIGN}：家庭收入超过保障标准", ("income_above_standard",), ("households",)),
    RuleSpec("P01", "shared_account", "多户保障对象共用一个收款账户",
             "several recipient households are paid into one account",
             f"{FUNDS}：多户共用一个收款账户", ("shared_account",), ("payments",)),
    RuleSpec("P02", "holder_name_differs", "收款账户户名不是本户成员",
             "the account paid into is held by a non-member",
             f"{FUNDS}：收款账户户名与保障对象不符（无代管备案）", ("holder_name_differs",),
             ("payments", "members")),
    RuleSpec("P03", "duplicate_payment", "发放笔数多于月份数（同月重复发放）",
             "more payments than months (two payments in one month)",
             f"{FUNDS}：重复发放、频繁发放", ("duplicate_payment",), ("payments",)),
    RuleSpec("P04", "oversized_payment", "单笔发放金额为该户通常金额的数倍",
             "a payment several times the household's usual amount",
             f"{FUNDS}：单笔发放金额异常偏大", ("oversized_payment",), ("payments",)),
    RuleSpec("P05", "payment_after_death", "死亡后仍发放",
             "paid after the death of the head, the account holder or every member",
             f"{FUNDS}：死亡后仍发放", ("payment_after_death", "deceased_member"),
             ("payments", "registry_deaths", "members")),
    RuleSpec("P06", "overpaid", "审计期内发放总额超过应发金额",
             "total paid in the audit period exceeds the entitlement",
             f"{FUNDS}：发放金额与核定保障金额不符",
             ("duplicate_payment", "oversized_payment", "payment_after_death"),
             ("payments", "households"), 0.5),
)  # fmt: skip

_BY_CODE = {rule.code: rule for rule in RULES}


def rule_catalogue() -> pd.DataFrame:
    """The rules as a table (code, name, texts, clause, causes, sources) for docs and reports."""
    return pd.DataFrame(
        [
            {
                "code": rule.code,
                "name": rule.name,
                "text_zh": rule.text_zh,
                "text_en": rule.text_en,
                "clause": rule.clause,
                "causes": ";".join(rule.causes),
                "sources": ";".join(rule.sources),
                "weight": rule.weight,
            }
            for rule in RULES
        ]
    )


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
        evidence_en``, ordered by household then catalogue order.
    """

    hits: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        """Hits joined with the rule texts and clauses."""
        return self.hits.merge(rule_catalogue(), left_on="rule_code", right_on="code").drop(
            columns=["code"]
        )

    def summary(self) -> pd.DataFrame:
        """Households hit per rule (every rule listed, zero included)."""
        counts = self.hits.groupby("rule_code")["household_id"].nunique()
        table = rule_catalogue()[["code", "name", "text_en"]]
        return table.assign(households=table["code"].map(counts).fillna(0).astype(int))

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
            ``prompt_weight`` (summed weights of distinct rules of weight < 1).
        """
        distinct = self.hits.drop_duplicates(["household_id", "rule_code"])
        table = {rule.code: rule.weight for rule in RULES} | dict(weights or {})
        weight = distinct["rule_code"].map(table).astype(float)
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
        "H05": lambda: household.commercial_housing_hits("H05", data, crosscheck),
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
        "P02": lambda: payment.holder_name_hits("P02", data, ledger),
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
) -> RuleHits:
    """Run every rule of :data:`RULES` on a county.

    Parameters
    ----------
    data : CountyData
        The county (validated inputs: see :func:`auditlib.crosscheck.check_risk_inputs`).
    crosscheck : CrossCheckResult, optional
        Registry matches (computed when not given).
    parameters : RuleParameters, optional
        Rule thresholds (defaults when not given).
    recipients_only : bool
        Keep hits of recipient households only (default), the population risk scoring ranks.
    programmes : tuple of str
        Programmes whose households count as recipients (default Dibao only).
    ledger : pandas.DataFrame, optional
        ``auditlib.rules_payment.payment_frame(data)`` when already computed.

    Returns
    -------
    RuleHits
    """
    parameters = parameters or RuleParameters()
    parameters.validate()
    crosscheck = crosscheck if crosscheck is not None else cross_check(data)
    ledger = ledger if ledger is not None else payment.payment_frame(data)
    evaluators = _evaluators(data, crosscheck, parameters, ledger)
    frames = [evaluate() for evaluate in evaluators.values()]
    hits = pd.concat([frame for frame in frames if len(frame)] or frames[:1], ignore_index=True)
    if recipients_only:
        hits = hits[positions_in(hits["household_id"], recipient_ids(data, programmes)) >= 0]
    order = {code: position for position, code in enumerate(_BY_CODE)}
    hits = hits.assign(_order=hits["rule_code"].map(order)).sort_values(
        ["household_id", "_order", "source_row"], kind="stable"
    )
    return RuleHits(hits=hits.drop(columns=["_order"]).reset_index(drop=True))


def rule_spec(code: str) -> RuleSpec:
    """The :class:`RuleSpec` of ``code`` (``KeyError`` naming the known codes otherwise)."""
    try:
        return _BY_CODE[code]
    except KeyError:
        raise KeyError(f"unknown rule code {code!r}; known: {', '.join(_BY_CODE)}") from None
