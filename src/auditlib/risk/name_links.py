"""Name-only links (姓名弱匹配): registry records with an invalid ID number tied to a member by
name, a weaker signal than the ID number used by :mod:`auditlib.risk.crosscheck`.

A record whose ID number is not a well-formed GB 11643 number cannot be matched by ID. It is
linked to a member *by name only* when

* its name, normalised (:func:`auditlib.data.names.normalise_name`), equals the normalised
  name of exactly one member of the county (two members of that name: no link, the record
  cannot tell them apart), and
* where the registry records a village (``village_code``, e.g. the village cadres' register)
  and the record's village is given, it is the village of that member's household.

Such a link is a prompt for verification, never proof: the rules weigh it as one
(:func:`auditlib.risk.rules.hits.registry_hits`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from auditlib.data.bundle import CountyData
from auditlib.data.names import normalise_names
from auditlib.data.table_keys import positions_in, spreadsheet_rows

__all__ = ["name_candidates", "name_only_positions"]


def name_candidates(data: CountyData) -> pd.DataFrame:
    """Members a registry record may be linked to by name, one row per member.

    Returns
    -------
    pandas.DataFrame
        Columns ``household_id, name, member_row, village_code, normalised_name`` (all
        ``"string"`` but ``member_row``); ``normalised_name`` is ``<NA>`` for a member whose
        normalised name is shared with another member of the county (never linked by name).
    """
    members = data.members
    households = data.households
    household_id = members["household_id"].astype("string")
    villages = (
        households["village_code"].astype("string").str.strip()
        if "village_code" in households
        else pd.Series(pd.NA, index=households.index, dtype="string")
    )
    at = positions_in(household_id, households["household_id"].astype("string"))
    village = villages.array.take(np.where(at >= 0, at, -1), allow_fill=True)
    normalised = normalise_names(members["name"])
    repeated = normalised.duplicated(keep=False) & normalised.notna()
    return pd.DataFrame(
        {
            "household_id": household_id.array,
            "name": members["name"].astype("string").str.strip().array,
            "member_row": spreadsheet_rows(members),
            "village_code": village,
            "normalised_name": normalised.mask(repeated).array,
        }
    )


def name_only_positions(
    registry: pd.DataFrame, candidates: pd.DataFrame, invalid: np.ndarray
) -> np.ndarray:
    """Position in ``candidates`` of the member each record is linked to by name, ``-1`` if none.

    Parameters
    ----------
    registry : pandas.DataFrame
        One registry table (``name`` column, optionally ``village_code``).
    candidates : pandas.DataFrame
        :func:`name_candidates` of the county.
    invalid : numpy.ndarray of bool
        Records eligible for a name-only link (those whose ID number is invalid).

    Returns
    -------
    numpy.ndarray of int64
    """
    position = np.full(len(registry), -1, dtype=np.int64)
    if "name" not in registry or not invalid.any() or candidates.empty:
        return position
    unique = candidates["normalised_name"]
    keep = unique.notna().to_numpy(dtype=bool)
    index = pd.Index(unique[keep].astype(str).to_numpy())
    names = normalise_names(registry["name"][invalid])
    found = index.get_indexer(names.fillna("").astype(str).to_numpy())
    found[names.isna().to_numpy(dtype=bool)] = -1
    at = np.where(found >= 0, np.flatnonzero(keep)[np.maximum(found, 0)], -1)
    if "village_code" in registry:
        stated = registry["village_code"][invalid].astype("string").str.strip().replace("", pd.NA)
        lives = candidates["village_code"].array.take(at, allow_fill=True)
        other = stated.notna().to_numpy(dtype=bool) & (
            pd.Series(lives, dtype="string").fillna("").to_numpy(dtype=object)
            != stated.fillna("").to_numpy(dtype=object)
        )
        at[other] = -1
    position[invalid] = at
    return position
