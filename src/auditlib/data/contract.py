"""The whole data contract: the verification table and its rules, every table, its Markdown.

``docs/data-contract.md`` documents the contract for people; :func:`contract_markdown` renders
it from these definitions so the two cannot drift apart (a test compares them).
"""

from __future__ import annotations

from auditlib.data.codes import ERROR_TYPES, FIELD_STATUSES, VERIFICATION_ELIGIBILITY, YES_NO
from auditlib.data.register_tables import HOUSEHOLDS, MEMBERS, PAYMENTS
from auditlib.data.registry_tables import REGISTRY_TABLES
from auditlib.data.schema import ColumnSpec, TableSpec, category_spec, text_spec

__all__ = ["CONTRACT", "FORMULA_PREFIXES", "VERIFICATION", "contract_markdown", "table_spec"]


VERIFICATION = TableSpec(
    name="verification",
    label_zh="入户核查结果",
    description=(
        "Verification results returned by field teams for sampled households. An empty or "
        "absent `status` means `verified`. Rules across columns, checked on import "
        "(`auditlib.fieldwork`: worksheets and `read_verification`) by "
        "`auditlib.data.verification_rules.verification_rule_breaches`: a verified answer needs "
        "`eligible`, `verifier` and `verification_date`; an answer of any other status carries "
        "no finding (`eligible`, `error_type`, `correct_benefit` and `payment_anomaly` empty); "
        "a verified answer may leave the optional `payment_anomaly` empty (payments not "
        "checked); a recipient household found not eligible needs its `error_type`, an "
        "eligible one has none; the visit date lies between the audit period's start and "
        "today. Text answers starting with `=`, `+`, `-` or `@` are refused (a spreadsheet "
        "would run them as formulas)."
    ),
    key=("household_id",),
    required=False,
    columns=(
        text_spec("household_id", "户编号", "Sampled household.", unique=True),
        category_spec(
            "status",
            "核查状态",
            "Outcome of the field visit; empty means verified.",
            FIELD_STATUSES,
            required=False,
            nullable=True,
        ),
        category_spec(
            "eligible",
            "是否符合条件",
            "Whether the household is eligible for the programme (when verified).",
            VERIFICATION_ELIGIBILITY,
            nullable=True,
        ),
        category_spec(
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
        category_spec(
            "payment_anomaly",
            "发放异常",
            "Whether the visit found a payment irregularity (money paid to a non-member's "
            "account, an account shared with other households, a duplicate or oversized "
            "transfer, payment after a death); empty if not checked.",
            YES_NO,
            required=False,
            nullable=True,
        ),
        text_spec(
            "verifier", "核查人", "Who verified (when verified).", personal=True, nullable=True
        ),
        ColumnSpec(
            "verification_date",
            "核查日期",
            "date",
            "Date of the visit (after the registers' extraction, not after today; when verified).",
            latest="today",
            nullable=True,
        ),
        text_spec("notes", "备注", "Free notes.", required=False, nullable=True),
    ),
)

#: First characters that make a spreadsheet program read a text cell as a formula
#: (formula injection): such text is refused in every text answer.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


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
