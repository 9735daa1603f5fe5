"""A county's ``estimates.json`` read into a :class:`~auditlib.estimation.province.CountyResult`.

Every problem of the record (a missing key, a detail that is not an estimate, a value of the
wrong type) is collected and raised at once as a :class:`~auditlib.errors.DataError` whose
problems name the file and the key.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields
from typing import Any

from auditlib.errors import DataError, Problem
from auditlib.estimation.province import ESTIMANDS, CountyResult
from auditlib.estimation.results import Estimate

__all__ = ["county_result"]

_NUMBERS = (
    *("estimate", "standard_error", "lower", "upper", "upper_one_sided", "level"),
    *("degrees_of_freedom", "n", "effective_n"),
)
_ESTIMATE_FIELDS = tuple(item.name for item in fields(Estimate))


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _estimate(name: str, record: Any, source: str, problems: list[Problem]) -> Estimate | None:
    key = f"details.{name}"
    if record is None:
        return None
    if not isinstance(record, Mapping):
        problems.append(Problem(source, None, key, repr(record)[:60], "an estimate (an object)"))
        return None
    missing = [part for part in _NUMBERS if not _number(record.get(part))]
    if missing:
        for part in missing:
            value = repr(record.get(part, "<missing>"))[:60]
            problems.append(Problem(source, None, f"{key}.{part}", value, "a number"))
        return None
    values: dict[str, Any] = {part: record.get(part) for part in _ESTIMATE_FIELDS}
    values["design_effect"] = float(values["design_effect"] or float("nan"))
    values["degrees_of_freedom"] = int(values["degrees_of_freedom"])
    values["n"] = int(values["n"])
    values["statistic"] = str(values["statistic"] or "")
    values["variable"] = str(values["variable"] or name)
    values["method"] = str(values["method"] or "")
    values["reliable"] = bool(values["reliable"])
    values["presentation"] = str(values["presentation"] or "")
    return Estimate(**values)


def county_result(record: Any, source: str) -> CountyResult:
    """Read one county's ``estimates.json`` content (already parsed JSON).

    Parameters
    ----------
    record : object
        The parsed content of the file.
    source : str
        The file's path (named in every problem).

    Raises
    ------
    DataError
        Listing every key of the record that is missing or of the wrong shape.

    Examples
    --------
    >>> try:
    ...     county_result({"county_code": "1", "county": "A"}, "x/estimates.json")
    ... except DataError as error:
    ...     print(error.problems[0].describe())
    x/estimates.json, column 'details': got 'None'; expected an object of estimates
    """
    problems: list[Problem] = []
    if not isinstance(record, Mapping):
        problems.append(Problem(source, None, None, type(record).__name__, "a JSON object"))
        record = {}
    for key in ("county_code", "county"):
        if not isinstance(record.get(key), str):
            problems.append(Problem(source, None, key, repr(record.get(key))[:60], "text"))
    details = record.get("details")
    if not isinstance(details, Mapping):
        problems.append(
            Problem(source, None, "details", repr(details)[:60], "an object of estimates")
        )
        details = {}
    populations = record.get("populations")
    if not isinstance(populations, Mapping):
        problems.append(
            Problem(
                source,
                None,
                "populations",
                repr(populations)[:60],
                "the county's population sizes (written by auditlib report since issue 16; "
                "re-run the county's report)",
            )
        )
        populations = {}
    sizes: dict[str, float | None] = {}
    for key, value in populations.items():
        if value is not None and not _number(value):
            problems.append(Problem(source, None, f"populations.{key}", repr(value), "a number"))
        sizes[str(key)] = None if value is None or not _number(value) else float(value)
    estimates = {name: _estimate(name, details.get(name), source, problems) for name in ESTIMANDS}
    if problems:
        raise DataError(
            f"{source} is not a county's estimates.json as auditlib report writes it "
            f"({len(problems)} problem(s)): "
            + "; ".join(
                f"{p.column or 'file'}: {p.value} (expected {p.expected})" for p in problems[:5]
            ),
            problems,
        )
    return CountyResult(
        county_code=str(record["county_code"]),
        county=str(record["county"]),
        estimates=estimates,
        populations=sizes,
        source=source,
    )
