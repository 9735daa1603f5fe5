"""Cross-county rules X01–X04: the findings of ``auditlib crosscheck`` as a county's rule hits.

``auditlib crosscheck`` (:mod:`auditlib.risk.crosscounty`) writes one province-wide table,
``crosscounty.csv`` (restricted: full ID and account numbers), with one row per finding in the
county whose register holds it. A county audit given that file (``risk.cross_county`` in the
parameter file) reads the rows of its own county and turns each into a hit of

* ``X01`` — a member is also a member of a household in another county (``cross_county_member``);
* ``X02`` — a member's death is recorded in another county (``cross_county_death``);
* ``X03`` — a member is in another county's vehicle, property, payroll, business or cadre
  registry (the county's own exemption thresholds cannot be applied to another county's
  record, so this is a prompt);
* ``X04`` — the household's payment account is also used by a household of another county
  (``cross_county_account``).

Each hit names ``crosscounty.csv`` and its spreadsheet row, and describes the finding with the
ID and account numbers masked. The rows in which the county is the *other* county (its
registry holds a record of another county's member, or another county lists one of its
members) are returned too, for the report's table of cross-county findings.

Examples
--------
>>> path = Path("restricted/crosscounty.csv")
>>> findings = read_cross_county_findings(path, "430522")  # doctest: +SKIP
>>> hits = cross_county_hits(findings, "430522")  # doctest: +SKIP
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd

from auditlib.data.codes import PROGRAMMES
from auditlib.errors import DataError, Problem
from auditlib.risk.crosscounty import FINDING_COLUMNS, REGISTRY_CHECKS, mask_findings
from auditlib.risk.rules.hits import empty_hits, make_hits

__all__ = ["CHECK_RULES", "cross_county_hits", "read_cross_county_findings"]

#: ``check`` of a finding → rule code.
CHECK_RULES: dict[str, str] = {
    "cross_county_member": "X01",
    "cross_county_death": "X02",
    **{check: "X03" for check in REGISTRY_CHECKS.values() if check != "cross_county_death"},
    "cross_county_account": "X04",
}

_REGISTRY_WORDS: dict[str, tuple[str, str]] = {
    "registry_deaths": ("死亡登记", "death register"),
    "registry_vehicles": ("机动车登记", "vehicle register"),
    "registry_property": ("不动产登记", "property register"),
    "registry_payroll": ("财政供养人员名册", "public payroll"),
    "registry_business": ("工商登记", "business register"),
    "registry_cadres": ("村干部名册", "village cadre register"),
}


def read_cross_county_findings(path: Path, county_code: str) -> pd.DataFrame:
    """The findings of ``crosscounty.csv`` that involve ``county_code``.

    Parameters
    ----------
    path : pathlib.Path
        A findings table written by ``auditlib crosscheck``.
    county_code : str
        The county (6 digits).

    Returns
    -------
    pandas.DataFrame
        Rows whose ``county_code`` or ``other_county_code`` is the county, columns
        :data:`~auditlib.risk.crosscounty.FINDING_COLUMNS` (strings, missing = ``<NA>``) and
        ``source_row`` (the spreadsheet row in the file: the header is row 1).

    Raises
    ------
    DataError
        The file does not exist (naming the command that makes it), cannot be read, lacks a
        column, or has a ``check`` or county code that is not one ``auditlib crosscheck``
        writes (naming the row, column, value and what was expected).
    """
    if not path.is_file():
        raise DataError(
            f"{path}: risk.cross_county names a file that does not exist; run "
            "'auditlib crosscheck <county folders> --out <folder>' first (docs/crosscheck.md), "
            "or set risk.cross_county to null"
        )
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            header = next(csv.reader(handle), [])
        frame = pd.read_csv(path, dtype="string", keep_default_na=False, encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as error:
        raise DataError(f"{path}: cannot read the cross-county findings ({error})") from None
    missing = [column for column in FINDING_COLUMNS if column not in header]
    if missing:
        raise DataError(
            f"{path}: column '{missing[0]}' is missing; expected the header of "
            f"'auditlib crosscheck' ({', '.join(FINDING_COLUMNS)})"
        )
    frame = frame[list(FINDING_COLUMNS)].replace("", pd.NA)
    frame["source_row"] = pd.array(np.arange(len(frame)) + 2, dtype="Int64")
    _check_values(path, frame)
    involved = (frame["county_code"] == county_code) | (frame["other_county_code"] == county_code)
    return frame[involved.fillna(False).to_numpy(dtype=bool)].reset_index(drop=True)


def _check_values(path: Path, frame: pd.DataFrame) -> None:
    """Raise :class:`DataError` at the first bad ``check`` or county code."""
    known = frame["check"].isin(list(CHECK_RULES)).fillna(False)
    codes = frame["county_code"].str.fullmatch(r"\d{6}").fillna(False)
    others = frame["other_county_code"].str.fullmatch(r"\d{6}").fillna(False)
    for column, ok, expected in (
        ("check", known, f"one of {', '.join(CHECK_RULES)}"),
        ("county_code", codes, "a 6-digit county code"),
        ("other_county_code", others, "a 6-digit county code"),
        ("household_id", frame["household_id"].notna(), "a household id"),
    ):
        bad = np.flatnonzero(~ok.to_numpy(dtype=bool))
        if len(bad):
            at = int(bad[0])
            problem = Problem(
                str(path), int(frame["source_row"].iloc[at]), column,
                str(frame[column].iloc[at]), expected,
            )  # fmt: skip
            raise DataError(problem.describe(), (problem,))


def cross_county_hits(findings: pd.DataFrame, county_code: str) -> pd.DataFrame:
    """Hits X01–X04 of the county's own findings (a hit frame; see module docstring).

    Parameters
    ----------
    findings : pandas.DataFrame
        From :func:`read_cross_county_findings`.
    county_code : str
        The county whose households the hits are for.
    """
    own = mask_findings(findings[findings["county_code"] == county_code])
    if own.empty:
        return empty_hits()
    frames = []
    for rule in ("X01", "X02", "X03", "X04"):
        rows = own[own["check"].map(CHECK_RULES) == rule]
        if rows.empty:
            continue
        zh, en = _evidence(rule, rows)
        frames.append(
            make_hits(rule, rows["household_id"], "crosscounty", rows["source_row"], zh, en)
        )
    return pd.concat(frames, ignore_index=True) if frames else empty_hits()


def _evidence(rule: str, rows: pd.DataFrame) -> tuple[list[str], list[str]]:
    """Chinese and English evidence of each row (identities already masked)."""
    zh: list[str] = []
    en: list[str] = []
    for row in rows.itertuples(index=False):
        other = row.other_county_code
        if rule == "X01":
            programme = row.other_programme if isinstance(row.other_programme, str) else "?"
            zh.append(
                f"身份证号{row.id_number}同时为{other}的{row.other_household_id}户成员"
                f"（{PROGRAMMES.get(programme, programme)}）"
            )
            en.append(
                f"ID {row.id_number} is also a member of household "
                f"{row.other_household_id} in county {other} ({programme})"
            )
        elif rule in ("X02", "X03"):
            registry = str(row.registry) if isinstance(row.registry, str) else "?"
            word_zh, word_en = _REGISTRY_WORDS.get(registry, (registry, registry))
            zh.append(f"身份证号{row.id_number}见于{other}的{word_zh}")
            en.append(f"ID {row.id_number} is in the {word_en} of county {other}")
        else:
            zh.append(f"收款账户{row.account_number}也用于{other}的{row.other_household_id}户")
            en.append(f"account {row.account_number} is also used by household "
                      f"{row.other_household_id} in county {other}")  # fmt: skip
    return zh, en
