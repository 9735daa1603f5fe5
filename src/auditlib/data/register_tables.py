"""The civil-affairs registers of the data contract: households, members and payments."""

from __future__ import annotations

from auditlib.data.codes import DIBAO_CATEGORIES, EMPLOYMENT, PROGRAMMES, RELATIONS, SEXES
from auditlib.data.schema import ColumnSpec, TableSpec, category_spec, text_spec

__all__ = ["HOUSEHOLDS", "MEMBERS", "PAYMENTS"]


HOUSEHOLDS = TableSpec(
    name="households",
    label_zh="家庭户信息",
    description="Every rural household of the county (recipients and non-recipients).",
    key=("household_id",),
    columns=(
        text_spec(
            "county_code", "县区代码", "6-digit administrative code of the county.", digit_code=True
        ),
        text_spec("county", "县区", "County name."),
        text_spec(
            "township_code", "乡镇代码", "Code of the township (乡镇/街道).", digit_code=True
        ),
        text_spec("township", "乡镇", "Township name; the stratum of the sample."),
        text_spec(
            "village_code",
            "村代码",
            "Code of the village (村/社区); the PSU of the sample.",
            digit_code=True,
        ),
        text_spec("village", "村", "Village name."),
        text_spec(
            "household_id",
            "户编号",
            "Household identifier, unique in the county.",
            unique=True,
            digit_code=True,
        ),
        text_spec("head_name", "户主姓名", "Name of the household head.", personal=True),
        ColumnSpec(
            "head_id_number",
            "户主身份证号",
            "id_number",
            "Resident ID number of the household head.",
            personal=True,
        ),
        ColumnSpec(
            "members", "家庭人口", "int", "Household size (persons).", minimum=1, maximum=30
        ),
        category_spec("programme", "救助类型", "Programme the household receives.", PROGRAMMES),
        category_spec(
            "dibao_category",
            "低保类别",
            "Dibao category (A full, B partial, C top-up); empty for non-recipients.",
            DIBAO_CATEGORIES,
            nullable=True,
        ),
        ColumnSpec(
            "monthly_benefit",
            "月保障金额",
            "float",
            "Benefit paid per month to the household (yuan); 0 for non-recipients.",
            minimum=0,
            maximum=100_000,
        ),
        ColumnSpec(
            "enrolment_date",
            "纳入保障日期",
            "date",
            "Date the household was enrolled; empty for non-recipients.",
            nullable=True,
        ),
        ColumnSpec(
            "declared_income",
            "家庭月收入",
            "float",
            "Declared household income per month (yuan).",
            minimum=0,
            maximum=10_000_000,
        ),
        ColumnSpec(
            "financial_assets",
            "家庭金融资产",
            "float",
            "Declared deposits and other financial assets (yuan).",
            minimum=0,
            maximum=1_000_000_000,
        ),
        ColumnSpec(
            "housing_area",
            "住房面积",
            "float",
            "Floor area of the household's housing (square metres).",
            minimum=0,
            maximum=10_000,
        ),
        ColumnSpec(
            "housing_storeys",
            "住房层数",
            "int",
            "Storeys of the household's house.",
            minimum=0,
            maximum=50,
        ),
        ColumnSpec(
            "housing_decorated",
            "住房豪华装修",
            "bool",
            "Whether the house is well decorated (as recorded at the last home visit).",
        ),
        ColumnSpec(
            "registered_poor",
            "建档立卡贫困户",
            "bool",
            "Registered poor household (建档立卡).",
        ),
        ColumnSpec(
            "temporary_assistance",
            "临时救助",
            "bool",
            "Received temporary assistance (临时救助) in the last 12 months.",
        ),
        ColumnSpec(
            "exit_date",
            "退出低保日期",
            "date",
            "Date the household last left Dibao; empty if never.",
            nullable=True,
        ),
        ColumnSpec(
            "refusal_date",
            "申请被拒日期",
            "date",
            "Date of the last refused application; empty if none.",
            nullable=True,
        ),
        text_spec(
            "account_number",
            "收款账号",
            "Bank account benefits are paid into; empty for non-recipients.",
            nullable=True,
            personal=True,
            digit_code=True,
        ),
        text_spec(
            "account_holder_name",
            "账户户名",
            "Name of the holder of that account.",
            nullable=True,
            personal=True,
        ),
    ),
)


MEMBERS = TableSpec(
    name="members",
    label_zh="家庭成员信息",
    description="Every member of every household in the households table.",
    key=("id_number",),
    columns=(
        text_spec("household_id", "户编号", "Household the member belongs to.", digit_code=True),
        ColumnSpec(
            "id_number",
            "身份证号",
            "id_number",
            "Resident ID number of the member.",
            unique=True,
            personal=True,
        ),
        text_spec("name", "姓名", "Name of the member.", personal=True),
        category_spec("relation", "与户主关系", "Relation to the household head.", RELATIONS),
        ColumnSpec("age", "年龄", "int", "Age in completed years.", minimum=0, maximum=120),
        category_spec("sex", "性别", "Sex.", SEXES),
        text_spec("ethnicity", "民族", "Ethnicity (民族), e.g. 汉族, 回族, 彝族."),
        ColumnSpec(
            "disability_grade",
            "残疾等级",
            "int",
            "Disability grade 1 (most severe) to 4; 0 = none. Grades 1-2 are 'severe'.",
            minimum=0,
            maximum=4,
        ),
        ColumnSpec("serious_illness", "重病", "bool", "Has a serious illness (重特大疾病)."),
        ColumnSpec("student", "在校学生", "bool", "Counted as a student."),
        ColumnSpec(
            "student_proof",
            "就学证明",
            "bool",
            "A school enrolment proof is on file (relevant for students aged 18+).",
        ),
        category_spec("employment", "就业状况", "Employment or pension status.", EMPLOYMENT),
        ColumnSpec(
            "monthly_earnings",
            "月收入",
            "float",
            "Declared own earnings or pension per month (yuan).",
            minimum=0,
            maximum=10_000_000,
        ),
        ColumnSpec(
            "death_date",
            "死亡日期",
            "date",
            "Date of death as recorded in the register; empty if alive.",
            nullable=True,
        ),
    ),
)


PAYMENTS = TableSpec(
    name="payments",
    label_zh="资金发放明细",
    description="Payments ledger: one row per transfer to a household.",
    key=("payment_id",),
    columns=(
        text_spec(
            "payment_id", "发放流水号", "Identifier of the transfer.", unique=True, digit_code=True
        ),
        text_spec("household_id", "户编号", "Household the payment is for.", digit_code=True),
        ColumnSpec("payment_date", "发放日期", "date", "Date of the transfer."),
        ColumnSpec(
            "amount", "发放金额", "float", "Amount transferred (yuan).", minimum=0, maximum=1e7
        ),
        text_spec(
            "account_number", "收款账号", "Account paid into.", personal=True, digit_code=True
        ),
        text_spec("account_holder_name", "账户户名", "Name on that account.", personal=True),
        text_spec("payer", "发放单位", "Paying unit (e.g. county civil-affairs bureau)."),
        category_spec("programme", "救助类型", "Programme the payment belongs to.", PROGRAMMES),
    ),
)
