"""Cross-county checks (跨县比对) over a province's registers, run by DuckDB where the files lie.

Each county's folder is laid out as the data contract says (``households``, ``members``,
``payments``, ``registry_*``; CSV or parquet, named by the English table name or its Chinese
label, headers in English or Chinese). DuckDB reads every county's files in place — one
``read_csv``/``read_parquet`` per file, unioned with the county code as a column — and the checks
are SQL aggregations and joins over those views: the province is never loaded into pandas,
only the (small) findings are.

The checks, each a ``check`` code of the findings:

* ``cross_county_member`` — an ID number is a household member in two or more counties
  (one row per county that lists the person, with the other county and household);
* ``cross_county_death``, ``cross_county_vehicle``, ``cross_county_property``,
  ``cross_county_payroll``, ``cross_county_business``, ``cross_county_cadre`` — a member of one
  county appears in another county's registry of that kind (the row belongs to the member's
  county; ``other_county_code`` is the registry's);
* ``cross_county_account`` — a payment account (households' ``account_number`` or the payments
  ledger's) is used by households of two or more counties (one row per household and other
  household of another county).

The findings hold full ID and account numbers (restricted data, like fieldwork worksheets):
show them only through :meth:`CrossCountyFindings.masked`.

Examples
--------
>>> findings = cross_county_check(["data/a/430522", "data/a/530621"])  # doctest: +SKIP
>>> findings.summary()  # doctest: +SKIP
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import yaml

from auditlib.data.idcard import mask_id_number
from auditlib.data.masking import mask_text
from auditlib.data.register_tables import HOUSEHOLDS, MEMBERS, PAYMENTS
from auditlib.data.registry_tables import REGISTRY_TABLES
from auditlib.data.schema import TableSpec, normalise_header
from auditlib.errors import DataError

__all__ = [
    "FINDING_COLUMNS",
    "REGISTRY_CHECKS",
    "CrossCountyFindings",
    "cross_county_check",
    "mask_findings",
]

#: Registry table → check code of a member found in another county's registry.
REGISTRY_CHECKS: dict[str, str] = {
    "registry_deaths": "cross_county_death",
    "registry_vehicles": "cross_county_vehicle",
    "registry_property": "cross_county_property",
    "registry_payroll": "cross_county_payroll",
    "registry_business": "cross_county_business",
    "registry_cadres": "cross_county_cadre",
}

#: Columns of the findings table (``crosscounty.csv``).
FINDING_COLUMNS: tuple[str, ...] = (
    "check",
    "county_code",
    "household_id",
    "programme",
    "id_number",
    "account_number",
    "other_county_code",
    "other_household_id",
    "other_programme",
    "registry",
)

_SUFFIXES = (".csv", ".parquet")


def mask_findings(findings: pd.DataFrame) -> pd.DataFrame:
    """A findings table with its ID and account numbers masked (``<NA>`` stays missing, also in
    a column with no value at all)."""
    frame = findings.copy()
    for column, mask in (("id_number", mask_id_number), ("account_number", mask_text)):
        values = [mask(value) if isinstance(value, str) else None for value in frame[column]]
        frame[column] = pd.array(values, dtype="string")
    return frame


@dataclass(frozen=True)
class CrossCountyFindings:
    """The findings of :func:`cross_county_check`.

    Attributes
    ----------
    findings : pandas.DataFrame
        One row per finding, columns :data:`FINDING_COLUMNS`; full ID and account numbers.
    counties : tuple of str
        County codes checked, in the order given.
    members : int
        Member rows read over all counties.
    """

    findings: pd.DataFrame
    counties: tuple[str, ...]
    members: int

    def to_frame(self) -> pd.DataFrame:
        """The findings (a copy), full identities: restricted."""
        return self.findings.copy()

    def masked(self) -> pd.DataFrame:
        """The findings with ID and account numbers masked (for display and logs)."""
        return mask_findings(self.findings)

    def summary(self) -> pd.DataFrame:
        """Counts per check and county pair: rows, distinct people or accounts.

        Returns
        -------
        pandas.DataFrame
            Columns ``check``, ``county_code``, ``other_county_code``, ``findings`` (rows) and
            ``keys`` (distinct ID numbers, or accounts for ``cross_county_account``).
        """
        columns = ["check", "county_code", "other_county_code", "findings", "keys"]
        if self.findings.empty:
            return pd.DataFrame(columns=columns)
        frame = self.findings.assign(key=self.findings["id_number"])
        accounts = frame["check"] == "cross_county_account"
        frame.loc[accounts, "key"] = frame.loc[accounts, "account_number"]
        grouped = frame.groupby(["check", "county_code", "other_county_code"], sort=True)
        table = grouped.agg(findings=("key", "size"), keys=("key", "nunique")).reset_index()
        return table[columns]


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _identifier(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _find_table(folder: Path, spec: TableSpec) -> Path | None:
    found = [
        folder / f"{stem}{suffix}"
        for stem in (spec.name, spec.label_zh)
        for suffix in _SUFFIXES
        if (folder / f"{stem}{suffix}").is_file()
    ]
    if len(found) > 1:
        names = ", ".join(path.name for path in found)
        raise DataError(f"{folder}: several files for table '{spec.name}' ({names}); keep one")
    if not found and (folder / f"{spec.name}.xlsx").is_file():
        raise DataError(
            f"{folder / (spec.name + '.xlsx')}: cross-county checks read CSV or parquet only "
            "(save the worksheet as CSV, UTF-8)"
        )
    return found[0] if found else None


def _county_code(folder: Path) -> str:
    path = folder / "county.yaml"
    try:
        facts = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise DataError(f"{path}: cannot read the county facts ({error})") from None
    code = str(facts.get("county_code", "")) if isinstance(facts, dict) else ""
    if len(code) != 6 or not code.isdigit():
        raise DataError(f"{path}: 'county_code' must be a 6-digit code (got {code!r})")
    return code


def _source(path: Path) -> str:
    if path.suffix == ".parquet":
        return f"read_parquet({_quote(str(path))})"
    return f"read_csv({_quote(str(path))}, header = true, all_varchar = true, auto_detect = true)"


def _select(
    connection: duckdb.DuckDBPyConnection,
    path: Path,
    spec: TableSpec,
    columns: Sequence[str],
    county_code: str,
) -> str:
    """``SELECT`` of ``columns`` (by their contract name) of one file, with its county code."""
    source = _source(path)
    try:
        header = [
            row[0] for row in connection.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()
        ]
    except duckdb.Error as error:
        raise DataError(f"{path}: cannot be read as {path.suffix[1:]} ({error})") from None
    aliases = spec.alias_map()
    present = {aliases.get(normalise_header(name)): name for name in header}
    expressions = [f"{_quote(county_code)} AS county_code"]
    for column in columns:
        original = present.get(column)
        if original is None:
            raise DataError(
                f"{path}: column '{column}' ({spec.column(column).label_zh}) is missing; "
                "the header must be the first row (run 'auditlib validate' on the folder)"
            )
        value = f"NULLIF(trim(CAST({_identifier(original)} AS VARCHAR)), '')"
        labels = spec.column(column).value_labels_zh
        if column == "id_number":
            value = f"upper({value})"  # a check character x is X
        elif labels:  # a code written as its Chinese label (低保 for dibao)
            cases = " ".join(
                f"WHEN {_quote(label)} THEN {_quote(code)}" for code, label in labels.items()
            )
            value = f"CASE {value} {cases} ELSE lower({value}) END"
        expressions.append(f"{value} AS {column}")
    return f"SELECT {', '.join(expressions)} FROM {source}"


def _load(connection: duckdb.DuckDBPyConnection, folders: Sequence[Path]) -> None:
    """Tables ``members`` and ``households`` (read once), views ``payments`` and ``registries``.

    Members and households are read into DuckDB's own (compressed, spillable) tables: every
    check joins them, and reading the CSV files once is the bulk of the time.
    """
    codes = [_county_code(folder) for folder in folders]
    repeated = sorted({code for code in codes if codes.count(code) > 1})
    if repeated:
        raise DataError(f"county code {repeated[0]} is given by more than one folder")
    wanted: list[tuple[TableSpec, tuple[str, ...], str]] = [
        (HOUSEHOLDS, ("household_id", "programme", "account_number"), "TABLE"),
        (MEMBERS, ("household_id", "id_number"), "TABLE"),
        (PAYMENTS, ("household_id", "account_number"), "VIEW"),
    ]
    for spec, columns, kind in wanted:
        parts = []
        for folder, code in zip(folders, codes, strict=True):
            path = _find_table(folder, spec)
            if path is None:
                raise DataError(f"{folder}: no file for table '{spec.name}' ({spec.label_zh})")
            parts.append(_select(connection, path, spec, columns, code))
        connection.execute(f"CREATE TEMP {kind} {spec.name} AS {' UNION ALL '.join(parts)}")
    parts = [
        "SELECT NULL::VARCHAR AS county_code, NULL::VARCHAR AS id_number, "
        "NULL::VARCHAR AS registry WHERE false"
    ]
    for spec in REGISTRY_TABLES:
        if spec.name not in REGISTRY_CHECKS:
            continue
        for folder, code in zip(folders, codes, strict=True):
            path = _find_table(folder, spec)
            if path is not None:
                select = _select(connection, path, spec, ("id_number",), code)
                parts.append(f"SELECT *, {_quote(spec.name)} AS registry FROM ({select})")
    connection.execute(f"CREATE TEMP VIEW registries AS {' UNION ALL '.join(parts)}")


_ENROLMENT = """
CREATE TEMP TABLE enrolment AS
WITH shared AS (
    SELECT id_number FROM members GROUP BY id_number HAVING min(county_code) <> max(county_code)
)
SELECT m.county_code, m.household_id, m.id_number, h.programme
FROM members m
JOIN shared USING (id_number)
LEFT JOIN households h ON h.county_code = m.county_code AND h.household_id = m.household_id
"""

_MEMBERS = """
SELECT 'cross_county_member' AS "check", a.county_code, a.household_id, a.programme,
       a.id_number, NULL AS account_number, b.county_code AS other_county_code,
       b.household_id AS other_household_id, b.programme AS other_programme, NULL AS registry
FROM enrolment a JOIN enrolment b ON a.id_number = b.id_number AND a.county_code <> b.county_code
"""

_REGISTRY = """
SELECT DISTINCT CASE r.registry {cases} END AS "check", m.county_code, m.household_id,
       h.programme, m.id_number, NULL AS account_number, r.county_code AS other_county_code,
       NULL AS other_household_id, NULL AS other_programme, r.registry
FROM registries r
JOIN members m ON m.id_number = r.id_number AND m.county_code <> r.county_code
LEFT JOIN households h ON h.county_code = m.county_code AND h.household_id = m.household_id
"""

_ACCOUNTS = """
CREATE TEMP TABLE account_use AS
WITH used AS (
    SELECT county_code, household_id, account_number FROM households
    WHERE account_number IS NOT NULL
    UNION
    SELECT county_code, household_id, account_number FROM payments
    WHERE account_number IS NOT NULL
), shared AS (
    SELECT account_number FROM used
    GROUP BY account_number HAVING min(county_code) <> max(county_code)
)
SELECT u.county_code, u.household_id, u.account_number, h.programme
FROM used u
JOIN shared USING (account_number)
LEFT JOIN households h ON h.county_code = u.county_code AND h.household_id = u.household_id
"""

_ACCOUNT_PAIRS = """
SELECT 'cross_county_account' AS "check", a.county_code, a.household_id, a.programme,
       NULL AS id_number, a.account_number, b.county_code AS other_county_code,
       b.household_id AS other_household_id, b.programme AS other_programme, NULL AS registry
FROM account_use a JOIN account_use b
  ON a.account_number = b.account_number AND a.county_code <> b.county_code
"""


def cross_county_check(
    folders: Sequence[Path | str],
    *,
    memory_limit: str | None = None,
    threads: int | None = None,
) -> CrossCountyFindings:
    """Run the cross-county checks over county folders, reading their files in place.

    Parameters
    ----------
    folders : sequence of path
        County folders as the data contract lays them out (each with ``county.yaml``); at least
        two, with distinct county codes.
    memory_limit : str, optional
        DuckDB's memory limit (e.g. ``"4GB"``); beyond it, DuckDB spills to a temporary folder.
        Default: DuckDB's (80% of the machine's memory).
    threads : int, optional
        DuckDB's worker threads (default: one per core).

    Returns
    -------
    CrossCountyFindings
        Findings (full identities: restricted), ordered by check, county, household.

    Raises
    ------
    DataError
        A folder without ``county.yaml`` or a required table, a file that cannot be read, a
        required column missing, or a county code given twice.
    """
    paths = [Path(folder) for folder in folders]
    if len(paths) < 2:
        raise DataError(f"cross-county checks need at least 2 county folders (got {len(paths)})")
    with tempfile.TemporaryDirectory(prefix="auditlib-duckdb-") as spill:
        config: dict[str, str | int | bool | float | list[str]] = {
            "temp_directory": spill,
            # the findings are sorted at the end: reading in file order is not needed, and
            # keeping it costs memory when tables are built from the CSV files
            "preserve_insertion_order": False,
        }
        if memory_limit is not None:
            config["memory_limit"] = memory_limit
        if threads is not None:
            config["threads"] = threads
        connection = duckdb.connect(":memory:", config=config)
        try:
            connection.execute("SET enable_progress_bar = false")  # a library prints nothing
            return _run(connection, paths)
        except duckdb.Error as error:
            raise DataError(f"cross-county checks failed in DuckDB: {error}") from None
        finally:
            connection.close()


def _run(connection: duckdb.DuckDBPyConnection, paths: list[Path]) -> CrossCountyFindings:
    _load(connection, paths)
    connection.execute(_ENROLMENT)
    connection.execute(_ACCOUNTS)
    cases = " ".join(
        f"WHEN {_quote(registry)} THEN {_quote(check)}"
        for registry, check in REGISTRY_CHECKS.items()
    )
    queries = [_MEMBERS, _REGISTRY.format(cases=cases), _ACCOUNT_PAIRS]
    order = ' ORDER BY "check", county_code, household_id, other_county_code, other_household_id'
    frame = connection.execute(" UNION ALL ".join(queries) + order).df()
    frame = frame.astype("string")[list(FINDING_COLUMNS)].reset_index(drop=True)
    counted = connection.execute("SELECT count(*) FROM members").fetchone()
    counties = tuple(_county_code(path) for path in paths)
    return CrossCountyFindings(frame, counties, int(counted[0]) if counted else 0)
