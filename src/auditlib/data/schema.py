"""The data contract as code: every table a county audit reads, its columns and their rules.

Column names are English; each column carries its Chinese field label (``label_zh``), which is
accepted on input as an alias, together with any further ``aliases``. ``docs/data-contract.md``
documents the same contract for people; :func:`contract_markdown` renders it from this module so
the two cannot drift apart (a test compares them).

Kinds of column
---------------
``string``      free text (names, codes).
``id_number``   18-character resident ID number (GB 11643-1999), checked for length, birth date
                and check digit.
``int``         whole number; ``minimum``/``maximum`` bound it.
``float``       real number (yuan, square metres); ``minimum``/``maximum`` bound it.
``date``        calendar date, ISO ``YYYY-MM-DD`` (also ``YYYY/MM/DD``, ``YYYYMMDD``); never in the
                future of the data's reference date.
``bool``        yes/no: ``1/0``, ``true/false``, ``yes/no``, ``y/n``, ``是/否``.
``category``    one of ``values`` (English codes; the Chinese labels in ``value_labels_zh`` are
                accepted too).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

__all__ = [
    "BOOL_FALSE",
    "BOOL_TRUE",
    "CONTRACT",
    "ERROR_TYPES",
    "PAYMENT_ANOMALY_TYPES",
    "PRIORITY_GROUPS",
    "REGISTRY_TABLES",
    "ColumnSpec",
    "TableSpec",
    "contract_markdown",
    "table_spec",
]

BOOL_TRUE = frozenset({"1", "true", "yes", "y", "t", "是", "有", "1.0"})
BOOL_FALSE = frozenset({"0", "false", "no", "n", "f", "否", "无", "0.0"})


@dataclass(frozen=True)
class ColumnSpec:
    """One column of the contract.

    Parameters
    ----------
    name : str
        English column name (what the library uses).
    label_zh : str
        Chinese field label as in the information system's exports; accepted as an alias.
    kind : str
        One of ``string``, ``id_number``, ``int``, ``float``, ``date``, ``bool``, ``category``.
    description : str
        What the column holds, in English.
    required : bool
        Whether the column must be present in the file.
    nullable : bool
        Whether an empty cell is allowed.
    minimum, maximum : float or None
        Bounds of numeric columns (inclusive).
    values : tuple of str
        Allowed codes of a ``category`` column.
    value_labels_zh : mapping
        Chinese label of each code (accepted on input).
    aliases : tuple of str
        Further accepted spellings of the column name.
    unique : bool
        Whether values must be unique within the table.
    latest : str
        For dates, the latest date allowed: ``"reference_date"`` (the registers' extraction
        date) or ``"today"`` (events recorded after the extraction, such as field visits).
    personal : bool
        Whether the column identifies a person (name, ID number, account): masked in reports.
    """

    name: str
    label_zh: str
    kind: str
    description: str
    required: bool = True
    nullable: bool = False
    minimum: float | None = None
    maximum: float | None = None
    values: tuple[str, ...] = ()
    value_labels_zh: Mapping[str, str] = field(default_factory=dict)
    aliases: tuple[str, ...] = ()
    unique: bool = False
    personal: bool = False
    latest: str = "reference_date"


@dataclass(frozen=True)
class TableSpec:
    """One table of the contract: its file stem, key and columns."""

    name: str
    label_zh: str
    description: str
    columns: tuple[ColumnSpec, ...]
    key: tuple[str, ...] = ()
    required: bool = True

    def column(self, name: str) -> ColumnSpec:
        """Return the spec of column ``name``."""
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(f"table {self.name!r} has no column {name!r}")

    @property
    def column_names(self) -> tuple[str, ...]:
        """English names of all columns, in contract order."""
        return tuple(column.name for column in self.columns)

    def alias_map(self) -> dict[str, str]:
        """Map every accepted spelling (English, Chinese label, aliases) to the English name."""
        mapping: dict[str, str] = {}
        for column in self.columns:
            for spelling in (column.name, column.label_zh, *column.aliases):
                mapping[_normalise_header(spelling)] = column.name
        return mapping


def _normalise_header(header: str) -> str:
    return "".join(str(header).split()).lower().replace("（", "(").replace("）", ")")


# --------------------------------------------------------------------------- code lists

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


def _text(name: str, label: str, description: str, **options: object) -> ColumnSpec:
    return ColumnSpec(name, label, "string", description, **options)  # type: ignore[arg-type]


def _category(
    name: str, label: str, description: str, codes: Mapping[str, str], **options: object
) -> ColumnSpec:
    return ColumnSpec(
        name,
        label,
        "category",
        description,
        values=tuple(codes),
        value_labels_zh=dict(codes),
        **options,  # type: ignore[arg-type]
    )


# --------------------------------------------------------------------------- tables

HOUSEHOLDS = TableSpec(
    name="households",
    label_zh="家庭户信息",
    description="Every rural household of the county (recipients and non-recipients).",
    key=("household_id",),
    columns=(
        _text("county_code", "县区代码", "6-digit administrative code of the county."),
        _text("county", "县区", "County name."),
        _text("township_code", "乡镇代码", "Code of the township (乡镇/街道)."),
        _text("township", "乡镇", "Township name; the stratum of the sample."),
        _text("village_code", "村代码", "Code of the village (村/社区); the PSU of the sample."),
        _text("village", "村", "Village name."),
        _text("household_id", "户编号", "Household identifier, unique in the county.", unique=True),
        _text("head_name", "户主姓名", "Name of the household head.", personal=True),
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
        _category("programme", "救助类型", "Programme the household receives.", PROGRAMMES),
        _category(
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
        _text(
            "account_number",
            "收款账号",
            "Bank account benefits are paid into; empty for non-recipients.",
            nullable=True,
            personal=True,
        ),
        _text(
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
        _text("household_id", "户编号", "Household the member belongs to."),
        ColumnSpec(
            "id_number",
            "身份证号",
            "id_number",
            "Resident ID number of the member.",
            unique=True,
            personal=True,
        ),
        _text("name", "姓名", "Name of the member.", personal=True),
        _category("relation", "与户主关系", "Relation to the household head.", RELATIONS),
        ColumnSpec("age", "年龄", "int", "Age in completed years.", minimum=0, maximum=120),
        _category("sex", "性别", "Sex.", SEXES),
        _text("ethnicity", "民族", "Ethnicity (民族), e.g. 汉族, 回族, 彝族."),
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
        _category("employment", "就业状况", "Employment or pension status.", EMPLOYMENT),
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
        _text("payment_id", "发放流水号", "Identifier of the transfer.", unique=True),
        _text("household_id", "户编号", "Household the payment is for."),
        ColumnSpec("payment_date", "发放日期", "date", "Date of the transfer."),
        ColumnSpec(
            "amount", "发放金额", "float", "Amount transferred (yuan).", minimum=0, maximum=1e7
        ),
        _text("account_number", "收款账号", "Account paid into.", personal=True),
        _text("account_holder_name", "账户户名", "Name on that account.", personal=True),
        _text("payer", "发放单位", "Paying unit (e.g. county civil-affairs bureau)."),
        _category("programme", "救助类型", "Programme the payment belongs to.", PROGRAMMES),
    ),
)


def _registry(
    name: str, label: str, description: str, *extra: ColumnSpec, date_label: str = ""
) -> TableSpec:
    return TableSpec(
        name=name,
        label_zh=label,
        description=description,
        required=False,
        columns=(
            ColumnSpec(
                "id_number",
                "身份证号",
                "id_number",
                "Resident ID number of the registered person.",
                personal=True,
            ),
            _text("name", "姓名", "Name as recorded by the other department.", personal=True),
            *extra,
        ),
    )


REGISTRY_DEATHS = _registry(
    "registry_deaths",
    "死亡登记(公安/卫健/殡葬)",
    "Deaths recorded by public security, health or funeral services.",
    ColumnSpec("death_date", "死亡日期", "date", "Date of death."),
)
REGISTRY_VEHICLES = _registry(
    "registry_vehicles",
    "机动车登记(公安交管)",
    "Motor vehicles registered by the traffic police.",
    _text("vehicle_type", "车辆类型", "Type of vehicle (car, truck, motorcycle ...)."),
    ColumnSpec("registration_date", "登记日期", "date", "Date of registration."),
    ColumnSpec(
        "vehicle_value",
        "车辆价值",
        "float",
        "Assessed value (yuan).",
        minimum=0,
        maximum=1e8,
        required=False,
        nullable=True,
    ),
)
REGISTRY_PROPERTY = _registry(
    "registry_property",
    "不动产登记(自然资源)",
    "Real estate registered by the natural-resources bureau.",
    _text("property_type", "房产类型", "commercial_housing, self_built, shop, ..."),
    ColumnSpec("registration_date", "登记日期", "date", "Date of registration."),
    ColumnSpec("area", "面积", "float", "Floor area (square metres).", minimum=0, maximum=1e5),
)
REGISTRY_BUSINESS = _registry(
    "registry_business",
    "市场主体登记(市场监管)",
    "Enterprises and individual businesses registered by market regulation.",
    _text("business_name", "市场主体名称", "Name of the business."),
    ColumnSpec("registration_date", "登记日期", "date", "Date of registration."),
    ColumnSpec(
        "registered_capital",
        "注册资本",
        "float",
        "Registered capital (yuan).",
        minimum=0,
        maximum=1e12,
    ),
)
REGISTRY_PAYROLL = _registry(
    "registry_payroll",
    "财政供养人员(工资统发)",
    "Public employees and pensioners paid from the public payroll.",
    _text("employer", "单位", "Employing unit."),
    ColumnSpec("monthly_salary", "月工资", "float", "Monthly salary or pension (yuan).", minimum=0),
)
REGISTRY_CADRES = _registry(
    "registry_cadres",
    "村(社区)干部名册",
    "Serving village (community) cadres.",
    _text("village_code", "村代码", "Village where the cadre serves."),
    _text("position", "职务", "Position (村支书, 村主任, 村委委员 ...)."),
)
REGISTRY_RELATIVES = _registry(
    "registry_relatives",
    "近亲属备案",
    "Registered close relatives of officials and Dibao caseworkers (近亲属备案).",
    _text("official_name", "关联干部姓名", "Official or caseworker related to.", personal=True),
    _text("official_position", "关联干部职务", "Position of that official."),
    _text("relationship", "亲属关系", "Relationship to the official."),
)

VERIFICATION = TableSpec(
    name="verification",
    label_zh="入户核查结果",
    description="Verification results returned by field teams for sampled households.",
    key=("household_id",),
    required=False,
    columns=(
        _text("household_id", "户编号", "Sampled household.", unique=True),
        _category(
            "eligible",
            "是否符合条件",
            "Whether the household is eligible for the programme.",
            VERIFICATION_ELIGIBILITY,
        ),
        _category(
            "error_type",
            "不符合情形",
            "Reason the household is not eligible (official removal list); empty if eligible.",
            ERROR_TYPES,
            nullable=True,
        ),
        ColumnSpec(
            "correct_benefit",
            "核定保障金额",
            "float",
            "Benefit per month the household should receive (yuan); 0 if ineligible.",
            minimum=0,
            maximum=100_000,
            nullable=True,
        ),
        _text("verifier", "核查人", "Who verified.", personal=True),
        ColumnSpec(
            "verification_date",
            "核查日期",
            "date",
            "Date of the visit (after the registers' extraction, not after today).",
            latest="today",
        ),
        _text("notes", "备注", "Free notes.", required=False, nullable=True),
    ),
)

REGISTRY_TABLES: tuple[TableSpec, ...] = (
    REGISTRY_DEATHS,
    REGISTRY_VEHICLES,
    REGISTRY_PROPERTY,
    REGISTRY_BUSINESS,
    REGISTRY_PAYROLL,
    REGISTRY_CADRES,
    REGISTRY_RELATIVES,
)

#: All tables of a county, in loading order.
CONTRACT: tuple[TableSpec, ...] = (HOUSEHOLDS, MEMBERS, PAYMENTS, *REGISTRY_TABLES, VERIFICATION)


def table_spec(name: str) -> TableSpec:
    """Return the :class:`TableSpec` called ``name``."""
    for spec in CONTRACT:
        if spec.name == name:
            return spec
    known = ", ".join(spec.name for spec in CONTRACT)
    raise KeyError(f"unknown table {name!r}; the contract has: {known}")


def _kind_text(column: ColumnSpec) -> str:
    text = column.kind
    if column.kind == "category":
        text += ": " + ", ".join(
            f"`{code}` {column.value_labels_zh[code]}" for code in column.values
        )
    bounds = []
    if column.minimum is not None:
        bounds.append(f"≥ {column.minimum:g}")
    if column.maximum is not None:
        bounds.append(f"≤ {column.maximum:g}")
    if bounds:
        text += " (" + ", ".join(bounds) + ")"
    return text


def contract_markdown() -> str:
    """Render the contract as the Markdown tables of ``docs/data-contract.md``."""
    lines: list[str] = []
    for spec in CONTRACT:
        presence = "required" if spec.required else "optional"
        lines += [
            f"### `{spec.name}` — {spec.label_zh} ({presence})",
            "",
            spec.description,
            "",
            "| column | 中文字段 | kind | required | empty allowed | description |",
            "|---|---|---|---|---|---|",
        ]
        for column in spec.columns:
            flags = ["yes" if column.required else "no", "yes" if column.nullable else "no"]
            description = column.description
            if column.unique:
                description += " Unique."
            if column.personal:
                description += " Personal: masked in reports."
            lines.append(
                f"| `{column.name}` | {column.label_zh} | {_kind_text(column)} | "
                f"{flags[0]} | {flags[1]} | {description} |"
            )
        lines.append("")
    return "\n".join(lines)
