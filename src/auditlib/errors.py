"""Exception tree of auditlib.

Every error a user can cause derives from :class:`AuditError`. The command line turns
an ``AuditError`` into a readable message and exit code 2, never a traceback.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "AuditError",
    "DataError",
    "DesignError",
    "FieldworkError",
    "ParamsError",
    "Problem",
    "ReportError",
]


@dataclass(frozen=True)
class Problem:
    """One problem found in an input: where it is, what was found, what was expected.

    Parameters
    ----------
    file : str
        File (or worksheet, or parameter file) the problem is in.
    row : int or None
        1-based row number as a spreadsheet program would show it (the header is row 1),
        or ``None`` when the problem concerns the whole file or column.
    column : str or None
        Column (or parameter key) concerned.
    value : str
        The offending value, as text. Problems leaving the data layer are masked by what the
        value looks like, whatever its column (:func:`auditlib.data.masking.mask_problem`).
    expected : str
        What was expected instead, in words.
    severity : str
        ``"error"`` (fatal under the active policy) or ``"warning"``.
    code : str
        Stable machine-readable code of the check (e.g. ``"id_check_digit"``).
    """

    file: str
    row: int | None
    column: str | None
    value: str
    expected: str
    severity: str = "error"
    code: str = ""

    def describe(self) -> str:
        """Return a one-line human description of the problem."""
        place = self.file
        if self.row is not None:
            place += f", row {self.row}"
        if self.column:
            place += f", column '{self.column}'"
        return f"{place}: got {self.value!r}; expected {self.expected}"


class AuditError(Exception):
    """Root of every error auditlib raises for bad input, parameters or designs."""

    def __init__(self, message: str, problems: Sequence[Problem] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.problems: tuple[Problem, ...] = tuple(problems)

    def __str__(self) -> str:
        return self.message


class DataError(AuditError):
    """An input data file is malformed or breaks the data contract."""


class ParamsError(AuditError):
    """A parameter file or a parameter value is invalid."""


class DesignError(AuditError):
    """A survey design cannot be built or used as asked."""


class FieldworkError(AuditError):
    """A fieldwork worksheet is malformed or does not reconcile with the drawn sample."""


class ReportError(AuditError):
    """A report could not be produced (notebook failed, missing parameters cell, ...)."""


@dataclass
class ProblemCollector:
    """Accumulates :class:`Problem` records so that every problem is reported in one pass."""

    problems: list[Problem] = field(default_factory=list)

    def add(self, problem: Problem) -> None:
        """Record one problem."""
        self.problems.append(problem)

    def extend(self, problems: Sequence[Problem]) -> None:
        """Record several problems."""
        self.problems.extend(problems)

    @property
    def errors(self) -> list[Problem]:
        """Problems with severity ``"error"``."""
        return [p for p in self.problems if p.severity == "error"]

    def as_records(self) -> list[dict[str, Any]]:
        """Problems as a list of plain dicts (for a DataFrame or a report appendix)."""
        return [p.__dict__.copy() for p in self.problems]
