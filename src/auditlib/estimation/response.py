"""Who answered: the selection reason of each sampled household and the response rates.

Response rates are reported for the county, each township and each selection reason,
unweighted and design-weighted (the weighted rate is the share of the population the
respondents stand for before any adjustment).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from auditlib.estimation.analysis_table import (
    NONRESPONSE_STATUSES,
    SINGLE_STAGE_PREFIXES,
    field_status,
    respondents,
)

__all__ = ["RESPONSE_RATE_COLUMNS", "SELECTION_REASONS", "response_rates", "selection_reasons"]

#: Selection reasons of the sample table, in report (and tie-breaking) order.
SELECTION_REASONS: tuple[str, ...] = (
    *("random", "risk_oversample", "temporary_assistance", "non_recipient"),
    *("certainty_relative", "certainty_risk", "new_approval"),
)
#: Columns of the response-rate table.
RESPONSE_RATE_COLUMNS: tuple[str, ...] = (
    *("level", "code", "sampled", "respondents", *NONRESPONSE_STATUSES),
    *("weighted_sampled", "weighted_respondents", "response_rate", "weighted_response_rate"),
)
_FROM_STRATUM = {"C:relative": "certainty_relative", "C:risk": "certainty_risk"}


def selection_reasons(table: pd.DataFrame) -> npt.NDArray[np.object_]:
    """``selection_reason`` of each row (from ``stratum``/``ssu_stratum`` when absent)."""
    if "selection_reason" in table.columns:
        return table["selection_reason"].astype(str).to_numpy(dtype=object)
    stratum = table["stratum"].astype(str).to_numpy(dtype=object)
    ssu = table["ssu_stratum"].astype(str).to_numpy(dtype=object)
    reasons = [
        _FROM_STRATUM.get(s, s[2:]) if s.startswith(SINGLE_STAGE_PREFIXES) else t
        for s, t in zip(stratum, ssu, strict=True)
    ]
    return np.array(reasons, dtype=object)


def response_rates(analysis: pd.DataFrame) -> pd.DataFrame:
    """Unweighted and design-weighted response rates of an analysis table.

    One row (columns :data:`RESPONSE_RATE_COLUMNS`) for the county, then one per township and
    one per selection reason; a table without ``status`` counts every row as verified.
    """
    status = field_status(analysis).to_numpy(dtype=object)
    frame = pd.DataFrame(
        {
            "township": analysis["township_code"].astype(str).to_numpy(),
            "reason": selection_reasons(analysis),
            "weight": analysis["weight"].to_numpy(dtype=float),
            "respondent": respondents(analysis),
        }
    )
    for code in NONRESPONSE_STATUSES:
        frame[code] = status == code
    order = {reason: index for index, reason in enumerate(SELECTION_REASONS)}
    reasons = sorted(set(frame["reason"]), key=lambda value: (order.get(value, 99), value))
    rows = [
        _rate_row("county", "county", frame),
        *(_rate_row("township", str(code), part) for code, part in frame.groupby("township")),
        *(_rate_row("selection_reason", r, frame[frame["reason"] == r]) for r in reasons),
    ]
    return pd.DataFrame(rows, columns=list(RESPONSE_RATE_COLUMNS))


def _rate_row(level: str, code: str, part: pd.DataFrame) -> dict[str, object]:
    weighted = float(part["weight"].sum())
    answered = float(part["weight"].to_numpy()[part["respondent"].to_numpy()].sum())
    return {
        "level": level,
        "code": code,
        "sampled": len(part),
        "respondents": int(part["respondent"].sum()),
        **{status: int(part[status].sum()) for status in NONRESPONSE_STATUSES},
        "weighted_sampled": weighted,
        "weighted_respondents": answered,
        "response_rate": float(part["respondent"].mean()),
        "weighted_response_rate": answered / weighted,
    }
