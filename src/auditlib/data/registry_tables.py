"""Other departments' registries of the data contract (deaths, vehicles, property, business,
payroll, village cadres, registered close relatives): ID number, name and the fields of each.
"""

from __future__ import annotations

from auditlib.data.schema import ColumnSpec, TableSpec, text_spec

__all__ = [
    "REGISTRY_BUSINESS",
    "REGISTRY_CADRES",
    "REGISTRY_DEATHS",
    "REGISTRY_PAYROLL",
    "REGISTRY_PROPERTY",
    "REGISTRY_RELATIVES",
    "REGISTRY_TABLES",
    "REGISTRY_VEHICLES",
    "registry_spec",
]


def registry_spec(
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
            text_spec("name", "姓名", "Name as recorded by the other department.", personal=True),
            *extra,
        ),
    )


REGISTRY_DEATHS = registry_spec(
    "registry_deaths",
    "死亡登记(公安/卫健/殡葬)",
    "Deaths recorded by public security, health or funeral services.",
    ColumnSpec("death_date", "死亡日期", "date", "Date of death."),
)


REGISTRY_VEHICLES = registry_spec(
    "registry_vehicles",
    "机动车登记(公安交管)",
    "Motor vehicles registered by the traffic police.",
    text_spec("vehicle_type", "车辆类型", "Type of vehicle (car, truck, motorcycle ...)."),
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


REGISTRY_PROPERTY = registry_spec(
    "registry_property",
    "不动产登记(自然资源)",
    "Real estate registered by the natural-resources bureau.",
    text_spec("property_type", "房产类型", "commercial_housing, self_built, shop, ..."),
    ColumnSpec("registration_date", "登记日期", "date", "Date of registration."),
    ColumnSpec("area", "面积", "float", "Floor area (square metres).", minimum=0, maximum=1e5),
    ColumnSpec(
        "ownership_share",
        "产权份额",
        "float",
        "Share of the property the person owns (按份共有, e.g. 0.5 of a flat co-owned with a "
        "relative); empty means sole owner.",
        minimum=0,
        maximum=1,
        required=False,
        nullable=True,
    ),
)


REGISTRY_BUSINESS = registry_spec(
    "registry_business",
    "市场主体登记(市场监管)",
    "Enterprises and individual businesses registered by market regulation.",
    text_spec("business_name", "市场主体名称", "Name of the business."),
    ColumnSpec("registration_date", "登记日期", "date", "Date of registration."),
    ColumnSpec(
        "registered_capital",
        "注册资本",
        "float",
        "Registered capital (yuan).",
        minimum=0,
        maximum=1e12,
    ),
    text_spec(
        "registration_status",
        "登记状态",
        "存续 (active) or 注销 (cancelled; also 'active'/'cancelled'); empty means active.",
        required=False,
        nullable=True,
    ),
    ColumnSpec(
        "cancellation_date",
        "注销日期",
        "date",
        "Date the registration was cancelled (with status 注销).",
        required=False,
        nullable=True,
    ),
)


REGISTRY_PAYROLL = registry_spec(
    "registry_payroll",
    "财政供养人员(工资统发)",
    "Public employees and pensioners paid from the public payroll.",
    text_spec("employer", "单位", "Employing unit."),
    ColumnSpec("monthly_salary", "月工资", "float", "Monthly salary or pension (yuan).", minimum=0),
    ColumnSpec(
        "end_date",
        "停发日期",
        "date",
        "Last day the salary or pension was paid (left the post); empty means still paid.",
        required=False,
        nullable=True,
    ),
)


REGISTRY_CADRES = registry_spec(
    "registry_cadres",
    "村(社区)干部名册",
    "Serving village (community) cadres.",
    text_spec("village_code", "村代码", "Village where the cadre serves.", digit_code=True),
    text_spec("position", "职务", "Position (村支书, 村主任, 村委委员 ...)."),
)


REGISTRY_RELATIVES = registry_spec(
    "registry_relatives",
    "近亲属备案",
    "Registered close relatives of officials and Dibao caseworkers (近亲属备案).",
    text_spec("official_name", "关联干部姓名", "Official or caseworker related to.", personal=True),
    text_spec("official_position", "关联干部职务", "Position of that official."),
    text_spec("relationship", "亲属关系", "Relationship to the official."),
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
