"""What each kind of data problem does when a county is loaded: the validation policy.

``"error"``   fatal: loading raises :class:`~auditlib.errors.DataError` listing every problem;
``"reject"``  the row is not loaded and is listed in ``CountyData.rejected`` with its reason;
``"warning"`` the row is loaded as it is and the problem is reported.

The defaults (:data:`DEFAULT_ACTIONS`) and their rule of thumb are explained in
:mod:`auditlib.data.validation`, which applies the policy.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

from auditlib.errors import ParamsError

__all__ = ["ACTIONS", "DEFAULT_ACTIONS", "ValidationPolicy"]


ACTIONS = ("error", "reject", "warning")


#: Default action of every check code.
DEFAULT_ACTIONS: dict[str, str] = {
    "file_missing": "error",
    "file_empty": "error",
    "file_encoding": "error",
    "file_truncated": "error",
    "file_corrupt": "error",
    "file_malformed": "error",
    "dup_col": "error",
    "missing_column": "error",
    "unknown_column": "warning",
    "short_row": "error",
    "extra_field": "error",
    "missing_value": "reject",
    "bad_number": "reject",
    "bad_date": "reject",
    "bad_bool": "reject",
    "bad_category": "reject",
    "out_of_range": "reject",
    "future_date": "reject",
    "id_invalid": "warning",
    "id_lost_precision": "error",
    "code_lost_precision": "error",
    "duplicate_key": "error",
    "orphan_key": "reject",
    "member_count": "warning",
    "no_members": "warning",
    "too_many_rejected": "error",
    "head_not_member": "warning",
    "registry_unknown_id": "warning",
    "county_mismatch": "error",
    "village_township": "error",
    "period_order": "error",
}


@dataclass(frozen=True)
class ValidationPolicy:
    """What each kind of problem does when loading (see the module docstring).

    Parameters
    ----------
    actions : dict of str to str
        Overrides of :data:`DEFAULT_ACTIONS`, e.g. ``{"id_invalid": "error"}``.
    max_rejected_share : float
        Largest share of a table's rows that may be rejected before loading fails.
    reference_date : datetime.date or None
        Dates after this are "in the future" (default: the county's reference date).
    """

    actions: dict[str, str] = field(default_factory=dict)
    max_rejected_share: float = 0.01
    reference_date: date | None = None

    def __post_init__(self) -> None:
        for code, action in self.actions.items():
            if code not in DEFAULT_ACTIONS:
                raise ParamsError(
                    f"validation policy: unknown check {code!r}; known checks: "
                    + ", ".join(sorted(DEFAULT_ACTIONS))
                )
            if action not in ACTIONS:
                raise ParamsError(
                    f"validation policy: action for {code!r} must be one of "
                    f"{', '.join(ACTIONS)} (got {action!r})"
                )
        if not 0 <= self.max_rejected_share <= 1:
            raise ParamsError(
                f"validation policy: max_rejected_share must be in [0, 1], "
                f"got {self.max_rejected_share}"
            )

    def action(self, code: str) -> str:
        """Action taken for problems with check code ``code``."""
        return self.actions.get(code, DEFAULT_ACTIONS.get(code, "error"))

    def with_reference_date(self, reference_date: date) -> ValidationPolicy:
        """This policy with ``reference_date`` filled in when it was not set."""
        if self.reference_date is not None:
            return self
        return replace(self, reference_date=reference_date)
