"""Code lists of the data contract: programmes, categories, relations, error types, ...

English codes as keys, the Chinese labels accepted on input and shown in reports as values.
"""

from __future__ import annotations

__all__ = [
    "DIBAO_CATEGORIES",
    "EMPLOYMENT",
    "ERROR_TYPES",
    "FIELD_STATUSES",
    "PAYMENT_ANOMALY_TYPES",
    "PRIORITY_GROUPS",
    "PROGRAMMES",
    "RELATIONS",
    "SEXES",
    "VERIFICATION_ELIGIBILITY",
    "YES_NO",
]


PROGRAMMES: dict[str, str] = {"dibao": "低保", "tekun": "特困供养", "none": "无"}


DIBAO_CATEGORIES: dict[str, str] = {
    "A": "A类(全额保障)",
    "B": "B类(差额保障)",
    "C": "C类(补差保障)",
}


RELATIONS: dict[str, str] = {
    "head": "户主",
    "spouse": "配偶",
    "child": "子女",
    "parent": "父母",
    "grandchild": "孙子女",
    "sibling": "兄弟姐妹",
    "other": "其他",
}


SEXES: dict[str, str] = {"M": "男", "F": "女"}


EMPLOYMENT: dict[str, str] = {
    "none": "无业",
    "farming": "务农",
    "migrant_work": "外出务工",
    "wage": "固定工资",
    "self_employed": "个体经营",
    "pension": "领取退休金",
    "student": "在校学生",
    "child": "学龄前儿童",
}


#: The official removal list (清退情形) used for inclusion errors (错保) and verification results.
ERROR_TYPES: dict[str, str] = {
    "village_cadre": "村干部家庭",
    "official_relative": "经办人员或公职人员近亲属",
    "salary_or_pension": "家庭成员有固定工资或退休金",
    "car_owner": "拥有机动车辆",
    "commercial_housing": "购买商品房",
    "luxury_house": "三层以上装修豪华住房",
    "wealthy_children": "子女生活明显高于当地水平",
    "adult_student_no_proof": "18周岁以上无就学证明按学生计",
    "deceased_member": "死亡人员未及时注销",
    "business_owner": "经营企业或个体工商户",
    "income_above_standard": "家庭收入超过保障标准",
    "connections": "关系保、人情保",
}


#: Fund-flow anomalies planted by the generator and looked for by the payment rules.
PAYMENT_ANOMALY_TYPES: dict[str, str] = {
    "holder_name_differs": "收款账户户名与保障对象不符",
    "shared_account": "多户共用一个收款账户",
    "duplicate_payment": "重复发放",
    "oversized_payment": "单笔发放金额异常偏大",
    "payment_after_death": "死亡后仍发放",
}


#: Priority groups in which omission (漏保) is looked for.
PRIORITY_GROUPS: dict[str, str] = {
    "severe_disability": "重度残疾人",
    "serious_illness": "重病患者",
    "registered_poor": "建档立卡贫困户",
    "recently_exited": "近两年退出低保",
    "refused": "近两年申请被拒",
}


VERIFICATION_ELIGIBILITY: dict[str, str] = {"yes": "符合", "no": "不符合"}


#: A yes/no answer of the verification (是/否), e.g. whether a payment anomaly (发放异常) was found.
YES_NO: dict[str, str] = {"yes": "是", "no": "否"}


#: Outcome of a field visit (核查状态): only ``verified`` households carry an eligibility finding;
#: the others are non-respondents of the survey (the estimates adjust for them). A household
#: without an answer yet is *pending*, which is not a code of this list.
FIELD_STATUSES: dict[str, str] = {
    "verified": "已核查",
    "not_found": "未找到",
    "moved": "已迁出",
    "refused": "拒绝配合",
}
