"""The provincial report's table of cross-county findings (跨县比对), counts only.

Each county report records in its manifest the findings file of ``auditlib crosscheck`` it used
(``inputs.cross_county``: path and SHA-256). The provincial report reads each distinct file once,
if it still holds what the counties used, and counts per county its findings by rule (X01–X04:
the county's own households) and the findings its registers hold about other counties'
members. No identity is shown.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from auditlib.data.fingerprint import file_sha256
from auditlib.report.html import Column, escape, table_html
from auditlib.report.manifest import MANIFEST_FILE
from auditlib.risk.rules.cross_county import CHECK_RULES

__all__ = ["cross_county_table"]

_TEXT = {
    "zh": {
        "heading": "跨县比对发现（各县）",
        "none": "各县报告均未使用跨县比对结果（参数 risk.cross_county）。",
        "missing": "县报告所用的比对结果文件已不存在或已改变，未汇总：",
        "intro": "比对结果 {file}（{counties} 个县的报告使用）：每县本县家庭的发现按规则计数，"
        "另列本县登记中涉及他县成员的记录数。",
        "county": "县",
        "other": "本县登记涉及他县成员",
        "total": "合计",
    },
    "en": {
        "heading": "Cross-county findings by county",
        "none": "No county report used cross-county findings (risk.cross_county).",
        "missing": "The findings file the county reports used is gone or changed; not summed: ",
        "intro": "Findings {file} (used by {counties} county reports): each county's findings "
        "about its own households by rule, and the records its registers hold about other "
        "counties' members.",
        "county": "County",
        "other": "Its registers, other counties' members",
        "total": "Total",
    },
}


def _used_files(folders: Mapping[str, Path]) -> dict[tuple[str, str], list[str]]:
    """(file, sha256) of the findings → the county codes whose manifest records it."""
    used: dict[tuple[str, str], list[str]] = {}
    for code, folder in sorted(folders.items()):
        try:
            manifest = json.loads((folder / MANIFEST_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        recorded = (manifest.get("inputs") or {}).get("cross_county")
        if isinstance(recorded, dict) and {"file", "sha256"} <= set(recorded):
            used.setdefault((str(recorded["file"]), str(recorded["sha256"])), []).append(code)
    return used


def _counts(path: Path, codes: list[str]) -> pd.DataFrame:
    columns = ["check", "county_code", "other_county_code", "registry"]
    findings = pd.read_csv(path, dtype="string", usecols=columns)
    own = findings[findings["county_code"].isin(codes)]
    table = pd.crosstab(own["county_code"], own["check"].map(CHECK_RULES))
    table = table.reindex(index=codes, columns=["X01", "X02", "X03", "X04"], fill_value=0)
    held = findings[findings["other_county_code"].isin(codes) & findings["registry"].notna()]
    table["other"] = held.groupby("other_county_code").size().reindex(codes, fill_value=0)
    table.loc["total"] = table.sum()
    return table.fillna(0).astype(int).rename_axis("county").reset_index()


def cross_county_table(folders: Mapping[str, Path], language: str) -> str:
    """HTML section: the cross-county findings of the batch's counties (see module docstring).

    Parameters
    ----------
    folders : mapping of str to pathlib.Path
        County code → published county report folder.
    language : {"zh", "en"}
    """
    text = _TEXT[language]
    parts = [f"<h2>{escape(text['heading'])}</h2>"]
    used = _used_files(folders)
    if not used:
        return parts[0] + f"<p>{escape(text['none'])}</p>"
    for (file, digest), codes in used.items():
        path = Path(file)
        if not path.is_file() or file_sha256(path) != digest:
            parts.append(f"<p>{escape(text['missing'] + file)}</p>")
            continue
        table = _counts(path, codes)
        table["county"] = table["county"].replace({"total": text["total"]})
        intro = text["intro"].format(file=path.name, counties=len(codes))
        columns = [
            Column("county", text["county"]),
            *[Column(rule, rule, "count") for rule in ("X01", "X02", "X03", "X04")],
            Column("other", text["other"], "count"),
        ]
        parts.append(f"<p>{escape(intro)}</p>" + table_html(table, columns))
    return "\n".join(parts)
