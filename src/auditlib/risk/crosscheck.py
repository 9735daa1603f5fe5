"""Registry cross-checks (部门信息比对): matching registries to household members by ID number.

Every registry record is matched to household members by resident ID number (validated with
:mod:`auditlib.data.idcard`). A record is

* ``invalid_id``  — its ID number is not a well-formed GB 11643 number (cannot be matched);
* ``name_only``   — an invalid ID number, but the name identifies one member of the county
  (:mod:`auditlib.risk.name_links`): a weak link, which rules use as a prompt only;
* ``unmatched``   — a valid ID that belongs to no member of any household;
* ``matched``     — the ID belongs to a member and the name (and birth date) agree;
* ``conflict``    — the ID belongs to a member but the name, or the birth date implied by the
  member's recorded age, differs: the match stands (the ID is the key) but is reported.

Names are compared with :func:`auditlib.data.names.name_match`: a name written differently
(spacing, full-width characters, traditional characters, a separator) agrees, as a
``"variant"`` in the ``name_match`` column and the ``name_variant`` count of the summary; only a
really different name is a conflict.

Nothing is dropped silently: every record lands in exactly one status, the counts per registry
add up to the registry's rows, and each invalid ID (name-only links included) or conflict is
also a :class:`Problem`.

Examples
--------
>>> result = cross_check(data)  # doctest: +SKIP
>>> result.summary[["registry", "records", "matched", "unmatched", "conflict"]]  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from auditlib.data.arrow import bool_mask
from auditlib.data.bundle import CountyData
from auditlib.data.idcard import birth_dates, id_number_problems, mask_id_number, mask_name
from auditlib.data.names import name_matches
from auditlib.data.table_keys import (
    arrow_text,
    normalise_id_numbers,
    positions_in,
    spreadsheet_rows,
    text_column,
)
from auditlib.errors import Problem
from auditlib.risk.name_links import name_candidates, name_only_positions

__all__ = [
    "MATCH_COLUMNS",
    "MATCH_STATUSES",
    "CrossCheckResult",
    "cross_check",
    "member_frame",
    "restrict_to",
]

#: Status of a registry record after matching, in reporting order.
MATCH_STATUSES: tuple[str, ...] = ("matched", "conflict", "name_only", "unmatched", "invalid_id")

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
    "name_match",
    "name_conflict",
    "birth_date_conflict",
)

#: Columns of :attr:`CrossCheckResult.summary`, in order.
_SUMMARY_COLUMNS = ("registry", "records", *MATCH_STATUSES, "name_variant", "households")

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
        household_id, member_row, member_name, registry_name, name_match, name_conflict,
        birth_date_conflict``; ``household_id`` is ``<NA>`` unless matched, in conflict or
        linked by name only. ``name_match`` (``exact``, ``variant``, ``different``) compares
        the registry's and the member's names of a linked record, ``<NA>`` when the record is
        not linked or a name is missing.
    summary : pandas.DataFrame
        One row per registry: ``registry, records, matched, conflict, name_only, unmatched,
        invalid_id, name_variant`` (linked records whose name agrees only after
        normalisation), ``households`` (distinct households with a matched or conflicting
        record: linked by ID number).
    problems : tuple of Problem
        One warning per invalid ID number and per conflict (masked identities).
    """

    matches: pd.DataFrame
    summary: pd.DataFrame
    problems: tuple[Problem, ...]
    _linked_positions: dict[tuple[str, bool], np.ndarray] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def to_frame(self) -> pd.DataFrame:
        """The per-registry counts (``summary``)."""
        return self.summary.copy()

    def linked(self, registry: str, *, name_only: bool = False) -> pd.DataFrame:
        """Matched and conflicting records of ``registry`` (the ones rules may use), and with
        ``name_only=True`` also the records linked by name only (weak links: prompts)."""
        key = (registry, name_only)
        if key not in self._linked_positions:
            statuses = ["matched", "conflict", *(["name_only"] if name_only else [])]
            status = self.matches["status"].isin(statuses)
            usable = np.flatnonzero(status.to_numpy(dtype=bool))
            codes, owners = pd.factorize(self.matches["registry"].take(usable))
            for code, name in enumerate(owners):
                self._linked_positions[(str(name), name_only)] = usable[codes == code]
            for each in (key, ("", name_only)):
                self._linked_positions.setdefault(each, np.zeros(0, dtype=np.int64))
        return self.matches.take(self._linked_positions[key]).reset_index(drop=True)


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


def _name_states(registry_names: pd.Series, member_names: pd.Series, linked: np.ndarray) -> Any:
    """``name_match`` of every record (``"str"`` array): the state of the registry's against
    the member's name where the record is linked and both names are given, missing elsewhere."""
    states = np.full(len(linked), None, dtype=object)
    compared = linked & registry_names.notna().to_numpy(bool) & member_names.notna().to_numpy(bool)
    if compared.any():
        states[compared] = name_matches(registry_names[compared], member_names[compared]).to_numpy(
            dtype=object
        )
    return pd.array(states, dtype="str")


def _match_registry(
    name: str,
    registry: pd.DataFrame,
    members: pd.DataFrame,
    members_index: pd.Series,
    reference: pd.Timestamp,
    candidates: Callable[[], pd.DataFrame],
) -> pd.DataFrame:
    """Status of every record of one registry (columns of :attr:`CrossCheckResult.matches`).

    ``members`` holds unique ID numbers (``members_index``) with ``household_id`` and ``name``
    as ``"string"`` columns. Members are taken by position (one Arrow ``index_in`` lookup) and
    the frame is assembled once, so the cost is a few array operations per registry.
    ``candidates`` gives :func:`auditlib.risk.name_links.name_candidates` (called only when a
    record has an invalid ID number and a name).
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
    rows = members["member_row"].to_numpy(dtype=np.int64)
    row_values = np.where(found, rows[np.maximum(fill, 0)], 0) if len(members) else np.zeros(count)
    weak = np.full(count, -1, dtype=np.int64)
    if "name" in registry and (~valid & registry_names.notna().to_numpy(bool)).any():
        weak = name_only_positions(registry, candidates(), ~valid)
    by_name = weak >= 0
    if by_name.any():
        people = candidates()
        household_id[by_name] = people["household_id"].array.take(weak[by_name])
        member_name[by_name] = people["name"].array.take(weak[by_name])
        row_values[by_name] = people["member_row"].to_numpy(dtype=np.int64)[weak[by_name]]
    member_row = pd.arrays.IntegerArray(row_values.astype(np.int64), ~(found | by_name))
    name_match = _name_states(
        registry_names, pd.Series(member_name, index=registry.index), found | by_name
    )
    name_conflict = found & (pd.Series(name_match) == "different").fillna(False).to_numpy(bool)
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
    conflict = name_conflict | birth_conflict
    state = np.where(~valid, np.where(by_name, 2, 4), np.where(~found, 3, np.where(conflict, 1, 0)))
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
            "name_match": name_match,
            "name_conflict": name_conflict,
            "birth_date_conflict": birth_conflict,
        }
    )


def _problems(matches: pd.DataFrame) -> list[Problem]:
    problems: list[Problem] = []
    invalid = matches[matches["status"].isin(["invalid_id", "name_only"])]
    columns = ["registry", "registry_row", "id_number", "status", "member_row"]
    for registry, row, id_number, status, member_row in invalid[columns].itertuples(index=False):
        value = "" if pd.isna(id_number) else mask_id_number(str(id_number))
        outcome = (
            f"record linked by name only to members row {member_row} (a prompt for verification, "
            "not a match)"
            if status == "name_only"
            else "record not matched"
        )
        problems.append(
            Problem(
                file=str(registry),
                row=int(row),
                column="id_number",
                value=value,
                expected="a valid 18-character resident ID number (GB 11643); " + outcome,
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
    candidates = cache(lambda: name_candidates(data))
    frames = {
        name: _match_registry(
            name, data.registries[name], members, members_index, reference, candidates
        )
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
                "name_variant": int((part["name_match"] == "variant").sum()) * repeats,
                "households": int(part["household_id"][linked].nunique()),
            }
        )
    summary = pd.DataFrame(rows, columns=[*_SUMMARY_COLUMNS])
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
