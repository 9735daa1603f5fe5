"""The previous audit round of a county (``report.previous_round``), read from its report.

Only the earlier report's ``estimates.json`` is read (the figures, their intervals, the seed and
the sample size): nothing of that round is re-run or rewritten. A folder or file that is missing,
unreadable, of another county or without the figures is a :class:`~auditlib.errors.ParamsError`
naming the file, the key and what was expected.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from auditlib.errors import ParamsError, Problem

__all__ = ["CHANGE_ESTIMANDS", "EarlierRound", "load_earlier_round"]

#: The figures whose change since the previous round the report shows.
CHANGE_ESTIMANDS: tuple[str, ...] = (
    "error_rate",
    "improper_amount",
    "improper_rate",
    "omission_rate",
)


@dataclass(frozen=True)
class EarlierRound:
    """The figures of a county's previous audit round.

    Attributes
    ----------
    file : pathlib.Path
        The ``estimates.json`` read.
    county_code : str
        Its county (checked against the current one).
    seed : int or None
        Its sample seed.
    households : int or None
        Households it sampled.
    figures : mapping
        Estimand → ``(estimate, lower, upper)`` for the :data:`CHANGE_ESTIMANDS` it has.
    levels : mapping
        Estimand → confidence level of that interval.
    """

    file: Path
    county_code: str
    seed: int | None
    households: int | None
    figures: Mapping[str, tuple[float, float, float]]
    levels: Mapping[str, float]


def _problem(file: Path, key: str, value: Any, expected: str) -> ParamsError:
    return ParamsError(
        f"{file}: report.previous_round: key '{key}' is {value!r}; expected {expected}",
        [Problem(str(file), None, key, repr(value), expected)],
    )


def _figure(file: Path, name: str, record: Any) -> tuple[tuple[float, float, float], float]:
    if not isinstance(record, Mapping):
        raise _problem(file, f"details.{name}", record, "an estimate record (a mapping)")
    values = []
    for part in ("estimate", "lower", "upper", "level"):
        value = record.get(part)
        if (
            not isinstance(value, int | float)
            or isinstance(value, bool)
            or not math.isfinite(value)
        ):
            raise _problem(file, f"details.{name}.{part}", value, "a finite number")
        values.append(float(value))
    estimate, lower, upper, level = values
    if not lower <= estimate <= upper:
        raise _problem(
            file, f"details.{name}", (lower, estimate, upper), "lower <= estimate <= upper"
        )
    return (estimate, lower, upper), level


def load_earlier_round(path: str | Path, county_code: str) -> EarlierRound:
    """Read the previous round's ``estimates.json`` (``path`` is its report folder or the file).

    Parameters
    ----------
    path : str or pathlib.Path
        The earlier report folder (holding ``estimates.json``) or the file itself.
    county_code : str
        The current county: the earlier round must be of the same county.

    Returns
    -------
    EarlierRound

    Raises
    ------
    ParamsError
        Missing or unreadable file, invalid JSON, another county, no figures.
    """
    given = Path(path)
    file = given / "estimates.json" if given.is_dir() else given
    try:
        content = json.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise _problem(
            file,
            "report.previous_round",
            str(given),
            "an earlier report folder or its estimates.json",
        ) from None
    except (OSError, UnicodeDecodeError) as error:
        raise ParamsError(f"{file}: report.previous_round: cannot read it ({error})") from None
    except json.JSONDecodeError as error:
        raise ParamsError(
            f"{file}: report.previous_round: not valid JSON (line {error.lineno}: {error.msg})",
            [Problem(str(file), error.lineno, None, error.msg, "estimates.json of a report")],
        ) from None
    if not isinstance(content, Mapping):
        raise _problem(file, "(top level)", type(content).__name__, "a JSON object")
    code = content.get("county_code")
    if str(code) != county_code:
        raise _problem(file, "county_code", code, f"{county_code!r}, the county of this report")
    details = content.get("details")
    if not isinstance(details, Mapping):
        raise _problem(file, "details", details, "the estimate records of a report")
    figures: dict[str, tuple[float, float, float]] = {}
    levels: dict[str, float] = {}
    for name in CHANGE_ESTIMANDS:
        if details.get(name) is not None:
            figures[name], levels[name] = _figure(file, name, details[name])
    if "error_rate" not in figures:
        raise _problem(file, "details.error_rate", None, "the 错保率 of the earlier round")
    seed = content.get("seed")
    sample = content.get("sample")
    households = sample.get("households") if isinstance(sample, Mapping) else None
    return EarlierRound(
        file=file,
        county_code=county_code,
        seed=seed if isinstance(seed, int) else None,
        households=households if isinstance(households, int) else None,
        figures=figures,
        levels=levels,
    )
