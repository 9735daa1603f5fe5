"""Registry cross-checks (部门信息比对) and the input checks risk scoring relies on.

Every registry record is matched to household members by resident ID number (validated with
:mod:`auditlib.idcard`). A record is

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

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from auditlib.bundle import CountyData
from auditlib.errors import DataError, Problem
from auditlib.idcard import birth_dates, id_number_problems, mask_id_number, mask_name

__all__ = [
    "MATCH_STATUSES",
    "CrossCheckResult",
    "check_risk_inputs",
    "cross_check",
    "member_frame",
    "normalise_id_numbers",
    "restrict_to",
    "risk_input_problems",
    "spreadsheet_rows",
]

#: Status of a registry record after matching, in reporting order.
MATCH_STATUSES: tuple[str, ...] = ("matched", "conflict", "unmatched", "invalid_id")

#: Tolerance (years) between a member's recorded age and the age implied by the ID number.
AGE_TOLERANCE_YEARS = 1


def spreadsheet_rows(frame: pd.DataFrame) -> np.ndarray:
    """Row numbers as a spreadsheet shows them (header = row 1) for each row of ``frame``.

    An integer index is taken to be the 0-based position in the source file (as loading and the
    generator produce it); any other index falls back to the position in ``frame``.
    """
    index = frame.index
    if pd.api.types.is_integer_dtype(index.dtype):
        return np.asarray(index, dtype=np.int64) + 2
    return np.arange(len(frame), dtype=np.int64) + 2


def normalise_id_numbers(values: pd.Series) -> pd.Series:
    """ID numbers as upper-case stripped strings (missing stays missing)."""
    return values.astype("string").str.strip().str.upper()


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
            "household_id": members["household_id"].astype("string").to_numpy(),
            "id_number": normalise_id_numbers(members["id_number"]).to_numpy(),
            "name": members["name"].astype("string").str.strip().to_numpy(),
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

    def to_frame(self) -> pd.DataFrame:
        """The per-registry counts (``summary``)."""
        return self.summary.copy()

    def linked(self, registry: str) -> pd.DataFrame:
        """Matched and conflicting records of ``registry`` (the ones rules may use)."""
        rows = self.matches[
            (self.matches["registry"] == registry)
            & self.matches["status"].isin(["matched", "conflict"])
        ]
        return rows.reset_index(drop=True)


def _id_ages(id_numbers: pd.Series, reference: pd.Timestamp) -> np.ndarray:
    born = birth_dates(id_numbers)
    years = reference.year - born.dt.year
    before_birthday = (born.dt.month > reference.month) | (
        (born.dt.month == reference.month) & (born.dt.day > reference.day)
    )
    return (years - before_birthday.astype("Int64")).to_numpy(dtype=float, na_value=np.nan)


def _match_registry(
    name: str,
    registry: pd.DataFrame,
    members: pd.DataFrame,
    members_index: pd.Index,
    reference: pd.Timestamp,
) -> pd.DataFrame:
    ids = (
        normalise_id_numbers(registry["id_number"])
        if len(registry)
        else pd.Series([], dtype="string")
    )
    reasons = id_number_problems(ids, reference_date=str(reference.date())) if len(ids) else None
    valid = (reasons == "").to_numpy() if reasons is not None else np.zeros(0, dtype=bool)
    registry_names = (
        registry["name"].astype("string").str.strip()
        if "name" in registry
        else pd.Series(pd.NA, index=registry.index, dtype="string")
    )
    frame = pd.DataFrame(
        {
            "registry": name,
            "registry_row": spreadsheet_rows(registry),
            "id_number": ids.to_numpy(),
            "registry_name": registry_names.to_numpy(),
            "valid": valid,
        }
    )
    position = members_index.get_indexer(frame["id_number"].to_numpy(dtype=object, na_value=None))
    known = position >= 0
    take = np.where(known, position, 0)
    for column, target in (
        ("household_id", "household_id"),
        ("name", "member_name"),
        ("age", "age"),
        ("member_row", "member_row"),
    ):
        values = members[column].to_numpy()[take] if len(members) else np.zeros(len(frame))
        frame[target] = pd.Series(values, index=frame.index).where(known)
    frame["household_id"] = frame["household_id"].astype("string")
    frame["member_name"] = frame["member_name"].astype("string")
    frame["age"] = frame["age"].astype(float)
    found = known & frame["valid"].to_numpy()
    name_conflict = (
        found
        & frame["registry_name"].notna().to_numpy()
        & (frame["registry_name"] != frame["member_name"]).fillna(False).to_numpy(dtype=bool)
    )
    implied = _id_ages(frame["id_number"].where(frame["valid"]), reference)
    birth_conflict = found & (np.abs(frame["age"].to_numpy() - implied) > AGE_TOLERANCE_YEARS)
    if "birth_date" in registry:
        registered = pd.to_datetime(registry["birth_date"], errors="coerce").to_numpy()
        encoded = birth_dates(frame["id_number"].where(frame["valid"])).to_numpy()
        birth_conflict |= found & ~pd.isna(registered) & (registered != encoded)
    status = np.where(
        ~frame["valid"].to_numpy(),
        "invalid_id",
        np.where(
            ~found, "unmatched", np.where(name_conflict | birth_conflict, "conflict", "matched")
        ),
    )
    frame["status"] = status
    frame["name_conflict"] = name_conflict
    frame["birth_date_conflict"] = birth_conflict
    frame.loc[~found, ["household_id", "member_name"]] = pd.NA
    frame["member_row"] = frame["member_row"].where(found).astype("float").astype("Int64")
    return frame.drop(columns=["valid", "age"])


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
    members = members.reset_index(drop=True)
    members_index = pd.Index(members["id_number"].to_numpy(dtype=object), dtype=object)
    names = registries if registries is not None else tuple(sorted(data.registries))
    frames = [
        _match_registry(name, data.registries[name], members, members_index, reference)
        for name in names
        if name in data.registries
    ]
    columns = [
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
    ]
    non_empty = [frame[columns] for frame in frames if len(frame)]
    matches = (
        pd.concat(non_empty, ignore_index=True) if non_empty else pd.DataFrame(columns=columns)
    )
    rows = []
    for name in names:
        if name not in data.registries:
            continue
        part = matches[matches["registry"] == name]
        counts = part["status"].value_counts()
        linked = part[part["status"].isin(["matched", "conflict"])]
        rows.append(
            {
                "registry": name,
                "records": len(part),
                **{status: int(counts.get(status, 0)) for status in MATCH_STATUSES},
                "households": int(linked["household_id"].nunique()),
            }
        )
    summary = pd.DataFrame(rows, columns=["registry", "records", *MATCH_STATUSES, "households"])
    return CrossCheckResult(matches=matches, summary=summary, problems=tuple(_problems(matches)))


def restrict_to(data: CountyData, household_ids: pd.Series) -> CountyData:
    """The county limited to ``household_ids`` (households, members, payments; registries and
    row numbers unchanged), e.g. to cross-check and score recipient households only."""
    keep = pd.Index(household_ids.astype("string").to_numpy(dtype=object), dtype=object)

    def subset(frame: pd.DataFrame) -> pd.DataFrame:
        ids = frame["household_id"].astype("string").to_numpy(dtype=object, na_value=None)
        return frame[keep.get_indexer(ids) >= 0]

    return replace(
        data,
        households=subset(data.households),
        members=subset(data.members),
        payments=subset(data.payments),
    )


def _amount_problems(payments: pd.DataFrame) -> list[Problem]:
    problems: list[Problem] = []
    if "amount" not in payments:
        return [Problem("payments", None, "amount", "column missing", "a numeric column 'amount'")]
    raw = payments["amount"]
    numbers = pd.to_numeric(raw, errors="coerce")
    rows = spreadsheet_rows(payments)
    non_numeric = numbers.isna().to_numpy()
    negative = (numbers < 0).fillna(False).to_numpy(dtype=bool)
    for position in np.flatnonzero(non_numeric | negative):
        value = raw.iloc[position]
        problems.append(
            Problem(
                file="payments",
                row=int(rows[position]),
                column="amount",
                value="" if pd.isna(value) else str(value),
                expected="a non-negative amount in yuan"
                if negative[position]
                else "a number (amount in yuan)",
                code="payment_amount_negative" if negative[position] else "payment_amount_invalid",
            )
        )
    return problems


def _duplicate_id_problems(data: CountyData) -> list[Problem]:
    members = member_frame(data)
    problems: list[Problem] = []
    known = members[members["id_number"].notna()]
    duplicated = known[known["id_number"].duplicated(keep=False)]
    for id_number, group in duplicated.groupby("id_number", sort=True):
        households = sorted(set(group["household_id"].astype(str)))
        rows = ", ".join(str(row) for row in group["member_row"])
        where = (
            f"households {', '.join(households)}"
            if len(households) > 1
            else f"household {households[0]}"
        )
        for row in group["member_row"]:
            problems.append(
                Problem(
                    file="members",
                    row=int(row),
                    column="id_number",
                    value=mask_id_number(str(id_number)),
                    expected=(
                        f"each ID number in one household only; this one is in {where} "
                        f"(members rows {rows})"
                    ),
                    code="member_id_in_two_households"
                    if len(households) > 1
                    else "member_id_duplicated",
                )
            )
    heads = data.households[["household_id", "head_id_number"]].copy()
    heads["id_number"] = normalise_id_numbers(heads["head_id_number"])
    heads["row"] = spreadsheet_rows(data.households)
    heads = heads[heads["id_number"].notna()]
    repeated = heads[heads["id_number"].duplicated(keep=False)]
    for id_number, group in repeated.groupby("id_number", sort=True):
        headed = ", ".join(group["household_id"].astype(str))
        for row in group["row"]:
            problems.append(
                Problem(
                    file="households",
                    row=int(row),
                    column="head_id_number",
                    value=mask_id_number(str(id_number)),
                    expected=f"a head in one household only; this one heads {headed}",
                    code="head_id_in_two_households",
                )
            )
    return problems


def risk_input_problems(data: CountyData, *, empty_registry: str = "error") -> list[Problem]:
    """Every problem that would make risk scoring wrong, in one pass (nothing is dropped).

    Checks: payments with a ``household_id`` absent from households; negative or non-numeric
    amounts; an ID number in two households (members) or heading two households; a registry
    table present but empty; members of unknown households.

    Parameters
    ----------
    data : CountyData
        The county's tables.
    empty_registry : {"error", "warning"}
        Severity given to a registry file that is present but has no rows.

    Returns
    -------
    list of Problem
        Errors and warnings (may be empty).
    """
    problems: list[Problem] = []
    known = pd.Index(
        data.households["household_id"].astype("string").to_numpy(dtype=object, na_value=None),
        dtype=object,
    ).drop_duplicates()
    for table in ("payments", "members"):
        frame = data.payments if table == "payments" else data.members
        ids = frame["household_id"].astype("string")
        unknown = known.get_indexer(ids.to_numpy(dtype=object, na_value=None)) < 0
        rows = spreadsheet_rows(frame)
        for position in np.flatnonzero(unknown):
            value = ids.iloc[position]
            problems.append(
                Problem(
                    file=table,
                    row=int(rows[position]),
                    column="household_id",
                    value="" if pd.isna(value) else str(value),
                    expected="a household_id listed in households",
                    code=f"{table}_unknown_household",
                )
            )
    problems += _amount_problems(data.payments)
    problems += _duplicate_id_problems(data)
    for name in sorted(data.registries):
        if len(data.registries[name]) == 0:
            problems.append(
                Problem(
                    file=name,
                    row=None,
                    column=None,
                    value="0 records",
                    expected=(
                        "at least one record; an empty registry would make every rule that "
                        "reads it silently pass (leave the file out if it is not available)"
                    ),
                    severity=empty_registry,
                    code="registry_empty",
                )
            )
    return problems


def check_risk_inputs(data: CountyData, *, empty_registry: str = "error") -> list[Problem]:
    """Raise :class:`DataError` listing every error of :func:`risk_input_problems`.

    Returns
    -------
    list of Problem
        The warnings (when there is no error).

    Raises
    ------
    DataError
        When at least one problem has severity ``"error"``; its ``problems`` hold them all.
    """
    if empty_registry not in ("error", "warning"):
        raise ValueError(f"empty_registry must be 'error' or 'warning', got {empty_registry!r}")
    problems = risk_input_problems(data, empty_registry=empty_registry)
    errors = [problem for problem in problems if problem.severity == "error"]
    if errors:
        first = errors[0].describe()
        more = f" (and {len(errors) - 1} more problems)" if len(errors) > 1 else ""
        raise DataError(f"cannot score risk: {first}{more}", problems)
    return problems
