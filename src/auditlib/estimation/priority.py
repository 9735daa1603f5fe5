"""Priority groups of the omission estimate (漏保率 by group), from the register.

A household belongs to every group whose definition it meets (groups overlap); the
definitions are the sampling frame's (:mod:`auditlib.sampling`).
"""

from __future__ import annotations

import pandas as pd

__all__ = ["priority_groups"]


def priority_groups(
    households: pd.DataFrame, members: pd.DataFrame, reference: pd.Timestamp, months: int = 24
) -> pd.DataFrame:
    """Boolean membership of each household in each priority group (groups overlap).

    Same definitions as the sampling frame: a member with disability grade 1–2; a seriously
    ill member; registered poor; left Dibao or refused within ``months`` before ``reference``.
    """
    since = reference - pd.DateOffset(months=months)
    result = pd.DataFrame({"household_id": households["household_id"].astype(str).to_numpy()})
    grade = members["disability_grade"].to_numpy()
    disabled = set(members.loc[(grade >= 1) & (grade <= 2), "household_id"].astype(str))
    ill = set(members.loc[members["serious_illness"].to_numpy(bool), "household_id"].astype(str))
    result["severe_disability"] = result["household_id"].isin(disabled)
    result["serious_illness"] = result["household_id"].isin(ill)
    result["registered_poor"] = households["registered_poor"].to_numpy(bool)
    for group, column in (("recently_exited", "exit_date"), ("refused", "refusal_date")):
        dates = pd.to_datetime(households[column])
        result[group] = ((dates >= since) & (dates <= reference)).to_numpy(bool)
    return result
