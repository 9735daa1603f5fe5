"""The red-flag rule catalogue (policy rules): codes, texts, clauses and weights.

One deterministic rule per item of the official removal list (清退情形) and per fund-flow check
of the payment ledger, and one per kind of cross-county finding. Each rule has a stable code
(``H01``–``H10`` household, ``P01``–``P06`` payment, ``X01``–``X04`` cross-county: the findings
of ``auditlib crosscheck``, :mod:`auditlib.risk.rules.cross_county`), a Chinese and
an English text, the clause of the notice it implements, and every hit names the record (table
and spreadsheet row) that triggered it. Rules are reported beside the isolation forest, never
fed into it; :mod:`auditlib.risk.rules.evaluate` applies them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["RULES", "RULE_CODES", "RuleSpec", "rule_catalogue"]

#: Source of the clauses (the seed notices of the special campaigns, as listed in DESIGN.md §1).
CAMPAIGN = "农村低保专项治理清退情形"
FUNDS = "低保资金发放监管"
CROSS = "跨地区信息比对"


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
    RuleSpec("X01", "enrolled_elsewhere", "家庭成员同时为其他县（市、区）保障家庭的成员",
             "a member is also a member of a household in another county",
             f"{CROSS}：重复享受、多地享受", ("income_above_standard",), ("crosscounty",)),
    RuleSpec("X02", "death_elsewhere", "家庭成员的死亡登记在其他县（市、区）",
             "a member's death is recorded in another county",
             f"{CAMPAIGN}：死亡人员未及时注销（跨地区）",
             ("deceased_member", "payment_after_death"), ("crosscounty",)),
    RuleSpec("X03", "registered_elsewhere",
             "家庭成员在其他县（市、区）登记有车辆、房产、财政供养、工商或村干部记录",
             "a member is in another county's vehicle, property, payroll, business or cadre "
             "register", f"{CROSS}：异地车辆、房产、工资、工商登记",
             ("car_owner", "commercial_housing", "salary_or_pension", "business_owner",
              "village_cadre"), ("crosscounty",), 0.5),
    RuleSpec("X04", "account_elsewhere", "收款账户同时用于其他县（市、区）的保障家庭",
             "the payment account is also used by a household in another county",
             f"{FUNDS}：多户共用一个收款账户（跨地区）", ("shared_account",), ("crosscounty",)),
)  # fmt: skip

_BY_CODE = {rule.code: rule for rule in RULES}


#: Every rule code, in catalogue order (the keys ``risk.rule_weights`` accepts).
RULE_CODES: tuple[str, ...] = tuple(rule.code for rule in RULES)


def rule_catalogue() -> pd.DataFrame:
    """The rules as a table (code, name, texts, clause, causes, sources) for docs and reports."""
    import pandas as pd  # pandas only here: the parameter file reads RULE_CODES without it

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


def rule_spec(code: str) -> RuleSpec:
    """The :class:`RuleSpec` of ``code`` (``KeyError`` naming the known codes otherwise)."""
    try:
        return _BY_CODE[code]
    except KeyError:
        raise KeyError(f"unknown rule code {code!r}; known: {', '.join(_BY_CODE)}") from None
