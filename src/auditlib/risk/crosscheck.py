"""Registry cross-checks (部门信息比对): matching registries to household members by ID number.

Every registry record is matched to household members by resident ID number (validated with
:mod:`auditlib.data.idcard`). A record is

* ``invalid_id``  — its ID number is not a well-formed GB 11643 number (cannot be matched);
* ``unmatched``   — a valid ID that belongs to no member of any household;
* ``matched``     — the ID belongs to a member and the name (and birth date) agree;
* ``conflict``    — the ID belongs to a member but the name, or the birth date implied by the
  member's recorded age, differs: the match stands (the ID is the key) but is reported.

Nothing is dropped silently: every record lands in exactly one status, the counts per registry
add up to the registry's rows, and each invalid ID or conflict is also a :class:`Problem`.

Examples
--------
>>> result = cross_check(data)  # doctest: +SKIP
>>> result.summary[["registry", "records", "matched", "unmatched", "conflict"]]  # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from auditlib.data.arrow import bool_mask
from auditlib.data.bundle import CountyData
from auditlib.data.idcard import birth_dates, id_number_problems, mask_id_number, mask_name
from auditlib.data.table_keys import (
    arrow_text,
    normalise_id_numbers,
    positions_in,
    spreadsheet_rows,
    text_column,
)
from auditlib.errors import Problem

__all__ = [
    "MATCH_COLUMNS",
    "MATCH_STATUSES",
    "CrossCheckResult",
    "cross_check",
    "member_frame",
    "restrict_to",
]

#: Status of a registry record after matching, in reporting order.
MATCH_STATUSES: tuple[str, ...] = ("matched", "conflict", "unmatched", "invalid_id")

#: Columns of :attr:`CrossCheckResult.matches`, in order.
MATCH_COLUMNS: tuple[str, ...] = (
    "registry",
    "registry_row",
    "id_number",
    "status",
    "household_id",
    "member_row",
    "member_name",
    "registry_name",
    "name_conflict",
    "birth_date_conflict",
)

_STATUS_TEXT = pa.array(MATCH_STATUSES, pa.large_string())

#: Tolerance (years) between a member's recorded age and the age implied by the ID number.
AGE_TOLERANCE_YEARS = 1


def member_frame(data: CountyData) -> pd.DataFrame:
    """Members with normalised ID numbers and their spreadsheet row (one row per member).

    Returns
    -------
    pandas.DataFrame
        Columns ``household_id, id_number, name, age, member_row``.
    """
    members = data.members
    return pd.DataFrame(
        {
            "household_id": text_column(members["household_id"].astype("string")),
            "id_number": text_column(normalise_id_numbers(members["id_number"])),
            "name": text_column(members["name"].astype("string").str.strip()),
            "age": pd.to_numeric(members["age"], errors="coerce").to_numpy(dtype=float),
            "member_row": spreadsheet_rows(members),
        }
    )


@dataclass(frozen=True)
class CrossCheckResult:
    """Outcome of matching every registry to the county's members.

    Attributes
    ----------
    matches : pandas.DataFrame
        One row per registry record: ``registry, registry_row, id_number, status,
        household_id, member_row, member_name, registry_name, name_conflict,
        birth_date_conflict``; ``household_id`` is ``<NA>`` unless matched or in conflict.
    summary : pandas.DataFrame
        One row per registry: ``registry, records, matched, conflict, unmatched, invalid_id,
        households`` (distinct households with a matched or conflicting record).
    problems : tuple of Problem
        One warning per invalid ID number and per conflict (masked identities).
    """

    matches: pd.DataFrame
    summary: pd.DataFrame
    problems: tuple[Problem, ...]
    _linked_positions: dict[str, np.ndarray] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def to_frame(self) -> pd.DataFrame:
        """The per-registry counts (``summary``)."""
        return self.summary.copy()

    def linked(self, registry: str) -> pd.DataFrame:
        """Matched and conflicting records of ``registry`` (the ones rules may use)."""
        if not self._linked_positions:
            status = self.matches["status"].isin(["matched", "conflict"])
            usable = np.flatnonzero(status.to_numpy(dtype=bool))
            codes, owners = pd.factorize(self.matches["registry"].take(usable))
            for code, name in enumerate(owners):
                self._linked_positions[str(name)] = usable[codes == code]
            self._linked_positions.setdefault("", np.zeros(0, dtype=np.int64))
        positions = self._linked_positions.get(registry, self._linked_positions[""])
        return self.matches.take(positions).reset_index(drop=True)


def _id_ages(id_numbers: pd.Series, reference: pd.Timestamp) -> np.ndarray:
    """Age in whole years on ``reference`` implied by 18-character ID numbers (the matched ones,
    already checked), ``NaN`` if characters 7-14 are not a real date.

    The birth date is read from characters 7-14 as :func:`auditlib.data.idcard.birth_dates` reads it
    (``%Y%m%d``, a real Gregorian date), but on integers: year, month and day of ``YYYYMMDD``
    (tests/test_risk_equivalence.py compares the two).
    """
    text = pc.utf8_slice_codeunits(arrow_text(id_numbers), 6, 14)
    digits = bool_mask(pc.match_substring_regex(text, r"^[0-9]{8}$"))
    padded = pc.if_else(pa.array(digits), text, pa.scalar("00000000", text.type))
    stamp = np.asarray(pc.cast(padded, pa.int64()).to_numpy(zero_copy_only=False), np.int64)
    year, month, day = stamp // 10_000, stamp // 100 % 100, stamp % 100
    in_range = digits & (month >= 1) & (month <= 12) & (day >= 1)
    first = np.where(in_range, (year - 1970) * 12 + month - 1, 0).astype("datetime64[M]")
    length = ((first + 1).astype("datetime64[D]") - first.astype("datetime64[D]")).astype(int)
    real = in_range & (day <= length)
    before_birthday = (month > reference.month) | (
        (month == reference.month) & (day > reference.day)
    )
    ages = (reference.year - year - before_birthday).astype(float)
    ages[~real] = np.nan
    return ages


def _match_registry(
    name: str,
    registry: pd.DataFrame,
    members: pd.DataFrame,
    members_index: pd.Series,
    reference: pd.Timestamp,
) -> pd.DataFrame:
    """Status of every record of one registry (columns of :attr:`CrossCheckResult.matches`).

    ``members`` holds unique ID numbers (``members_index``) with ``household_id`` and ``name``
    as ``"string"`` columns. Members are taken by position (one Arrow ``index_in`` lookup) and
    the frame is assembled once, so the cost is a few array operations per registry.
    """
    count = len(registry)
    ids = normalise_id_numbers(registry["id_number"]) if count else pd.Series([], dtype="string")
    reasons = id_number_problems(ids, reference_date=str(reference.date())) if count else None
    valid = (reasons == "").to_numpy(dtype=bool) if reasons is not None else np.zeros(0, bool)
    registry_names = (
        registry["name"].astype("string").str.strip()
        if "name" in registry
        else pd.Series(pd.NA, index=registry.index, dtype="string")
    )
    position = positions_in(ids, members_index) if len(members) else np.full(count, -1)
    found = (position >= 0) & valid
    fill = np.where(found, position, -1)
    household_id = members["household_id"].array.take(fill, allow_fill=True)
    member_name = members["name"].array.take(fill, allow_fill=True)
    member_row = pd.arrays.IntegerArray(
        np.where(found, members["member_row"].to_numpy(dtype=np.int64)[np.maximum(fill, 0)], 0)
        if len(members)
        else np.zeros(count, dtype=np.int64),
        ~found,
    )
    name_conflict = found & (
        pd.Series(registry_names.array != member_name).fillna(False).to_numpy(dtype=bool)
    )
    birth_conflict = np.zeros(count, dtype=bool)
    if found.any():
        linked_ids = ids[found]
        implied = _id_ages(linked_ids, reference)
        ages = members["age"].to_numpy(dtype=float)[position[found]]
        birth_conflict[found] = np.abs(ages - implied) > AGE_TOLERANCE_YEARS
        if "birth_date" in registry:
            registered = pd.to_datetime(registry["birth_date"], errors="coerce").to_numpy()[found]
            encoded = birth_dates(linked_ids).to_numpy()
            birth_conflict[found] |= ~pd.isna(registered) & (registered != encoded)
    state = np.where(~valid, 3, np.where(~found, 2, np.where(name_conflict | birth_conflict, 1, 0)))
    status = pd.array(_STATUS_TEXT.take(pa.array(state.astype(np.int8))), dtype="str")
    return pd.DataFrame(
        {
            "registry": name,
            "registry_row": spreadsheet_rows(registry),
            "id_number": ids.astype("str").array if count else ids.to_numpy(),
            "status": status,
            "household_id": household_id,
            "member_row": member_row,
            "member_name": member_name,
            "registry_name": registry_names.astype("str").array
            if "name" in registry
            else registry_names.to_numpy(),
            "name_conflict": name_conflict,
            "birth_date_conflict": birth_conflict,
        }
    )


def _problems(matches: pd.DataFrame) -> list[Problem]:
    problems: list[Problem] = []
    invalid = matches[matches["status"] == "invalid_id"]
    for registry, row, id_number in invalid[["registry", "registry_row", "id_number"]].itertuples(
        index=False
    ):
        value = "" if pd.isna(id_number) else mask_id_number(str(id_number))
        problems.append(
            Problem(
                file=str(registry),
                row=int(row),
                column="id_number",
                value=value,
                expected="a valid 18-character resident ID number (GB 11643); record not matched",
                severity="warning",
                code="registry_invalid_id",
            )
        )
    conflicts = matches[matches["status"] == "conflict"]
    for record in conflicts.itertuples(index=False):
        what = []
        if record.name_conflict:
            what.append(
                f"name {mask_name(str(record.registry_name))} vs member "
                f"{mask_name(str(record.member_name))} (members row {record.member_row})"
            )
        if record.birth_date_conflict:
            what.append(
                f"birth date in the ID number disagrees with the member's recorded age "
                f"(members row {record.member_row})"
            )
        problems.append(
            Problem(
                file=str(record.registry),
                row=int(record.registry_row),
                column="name" if record.name_conflict else "id_number",
                value=mask_id_number(str(record.id_number)),
                expected="the same person on the same ID number: " + "; ".join(what),
                severity="warning",
                code="registry_identity_conflict",
            )
        )
    return problems


def cross_check(data: CountyData, registries: tuple[str, ...] | None = None) -> CrossCheckResult:
    """Match every record of every registry to household members by resident ID number.

    Parameters
    ----------
    data : CountyData
        The county's tables; registries absent from ``data.registries`` are skipped.
    registries : tuple of str, optional
        Registry table names to check (default: all present).

    Returns
    -------
    CrossCheckResult
        Per-record statuses, per-registry counts and the problems found.
    """
    reference = pd.Timestamp(data.info.reference_date)
    members = member_frame(data)
    members = members[members["id_number"].notna()].drop_duplicates("id_number")
    members = members.reset_index(drop=True).astype({"household_id": "string", "name": "string"})
    members_index = members["id_number"]
    names = registries if registries is not None else tuple(sorted(data.registries))
    present = [name for name in names if name in data.registries]
    frames = {
        name: _match_registry(name, data.registries[name], members, members_index, reference)
        for name in dict.fromkeys(present)
    }
    non_empty = [frames[name] for name in present if len(frames[name])]
    matches = (
        pd.concat(non_empty, ignore_index=True)
        if non_empty
        else pd.DataFrame(columns=list(MATCH_COLUMNS))
    )
    rows = []
    for name in present:
        part = frames[name]
        repeats = present.count(name)  # a registry named twice is matched (and counted) twice
        status = part["status"].to_numpy(dtype=object)
        linked = (status == "matched") | (status == "conflict")
        rows.append(
            {
                "registry": name,
                "records": len(part) * repeats,
                **{state: int((status == state).sum()) * repeats for state in MATCH_STATUSES},
                "households": int(part["household_id"][linked].nunique()),
            }
        )
    summary = pd.DataFrame(rows, columns=["registry", "records", *MATCH_STATUSES, "households"])
    return CrossCheckResult(matches=matches, summary=summary, problems=tuple(_problems(matches)))


def restrict_to(data: CountyData, household_ids: pd.Series) -> CountyData:
    """The county limited to ``household_ids`` (households, members, payments; registries and
    row numbers unchanged), e.g. to cross-check and score recipient households only."""

    def subset(frame: pd.DataFrame) -> pd.DataFrame:
        return frame[positions_in(frame["household_id"], household_ids) >= 0]

    return replace(
        data,
        households=subset(data.households),
        members=subset(data.members),
        payments=subset(data.payments),
    )
