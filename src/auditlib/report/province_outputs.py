"""``auditlib province``: the provincial estimates of a batch, written with their manifest.

The output folder holds ``estimates.json`` (the provincial estimates in the shape of a county's:
``estimates`` key figures, ``details`` per estimand, plus the table of counties), the
provincial report when asked for, and ``manifest.json`` (``"kind": "province"``: the SHA-256
of every county file read, the parameters, package versions and code, the SHA-256 of every
output). Files are written atomically, the manifest last. A file of the folder that the last
provincial run did not write is never overwritten: the run refuses instead.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from auditlib.data.atomic import atomic_write_bytes, atomic_write_text
from auditlib.data.fingerprint import file_sha256
from auditlib.errors import ParamsError, Problem, ReportError
from auditlib.estimation.province import ProvincialEstimate, province_estimates
from auditlib.estimation.summary import estimate_record
from auditlib.report.manifest import (
    MANIFEST_FILE,
    MANIFEST_FORMAT,
    code_fingerprint,
    package_versions,
    platform_facts,
)
from auditlib.report.province_inputs import BatchCounties, read_batch

__all__ = [
    "FIGURES",
    "ProvinceParams",
    "ProvinceRun",
    "province_content",
    "read_province_params",
    "write_province",
]

#: The headline estimands of ``estimates.json``'s ``estimates`` (as a county's key figures).
FIGURES: tuple[str, ...] = (
    *("error_rate", "improper_amount", "improper_rate", "omission_rate"),
    *("tekun_error_rate", "overpayment", "underpayment"),
)
ESTIMATES_FILE = "estimates.json"
_PARAMS_KEYS = ("target", "inclusion_probabilities", "counties", "language")
#: Writes further outputs (the report) into a folder from the content and the counties read;
#: returns the file names written.
ExtraWriter = Callable[[Path, dict[str, Any], BatchCounties], list[str]]


@dataclass(frozen=True)
class ProvinceParams:
    """Parameters of a provincial run.

    Attributes
    ----------
    target : float or None
        Target 错保率 for the counties' P(rate > target) in the report.
    inclusion_probabilities : mapping or None
        County code → probability the province drew the county (three-stage design);
        ``None``: the estimates speak for the audited counties only.
    counties : mapping
        Every county of the province, code → name (to name those without an audit).
    language : str
        ``"zh"`` or ``"en"``.
    """

    target: float | None = None
    inclusion_probabilities: Mapping[str, float] | None = None
    counties: Mapping[str, str] = field(default_factory=dict)
    language: str = "zh"

    def as_dict(self) -> dict[str, Any]:
        """The parameters as JSON-ready values."""
        return {
            "target": self.target,
            "inclusion_probabilities": None
            if self.inclusion_probabilities is None
            else dict(self.inclusion_probabilities),
            "counties": dict(self.counties),
            "language": self.language,
        }


def read_province_params(path: Path) -> ProvinceParams:
    """Read a provincial parameter file (YAML; keys ``target``, ``inclusion_probabilities``,
    ``counties``, ``language``; any other key is an error).

    Raises
    ------
    ParamsError
        Naming the file and the key of every problem.
    """
    file = str(path)
    try:
        content = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise ParamsError(f"{file} cannot be read as YAML: {error}") from None
    problems: list[Problem] = []
    if not isinstance(content, dict):
        raise ParamsError(f"{file} must hold a mapping of keys {', '.join(_PARAMS_KEYS)}")
    for key in sorted(set(content) - set(_PARAMS_KEYS)):
        problems.append(
            Problem(file, None, str(key), str(key), f"one of {', '.join(_PARAMS_KEYS)}")
        )
    target = content.get("target")
    if target is not None and not (isinstance(target, int | float) and 0 < target < 1):
        problems.append(Problem(file, None, "target", repr(target), "a rate in (0, 1)"))
    probabilities = content.get("inclusion_probabilities")
    if probabilities is not None:
        if not isinstance(probabilities, dict):
            problems.append(
                Problem(
                    file,
                    None,
                    "inclusion_probabilities",
                    repr(probabilities)[:60],
                    "a mapping county code → probability in (0, 1]",
                )
            )
            probabilities = None
        else:
            for code, value in probabilities.items():
                if not (isinstance(value, int | float) and 0 < value <= 1):
                    problems.append(
                        Problem(
                            file,
                            None,
                            f"inclusion_probabilities.{code}",
                            repr(value),
                            "a probability in (0, 1]",
                        )
                    )
    counties = content.get("counties") or {}
    if not isinstance(counties, dict):
        problems.append(Problem(file, None, "counties", repr(counties)[:60], "code → name"))
        counties = {}
    language = content.get("language", "zh")
    if language not in ("zh", "en"):
        problems.append(Problem(file, None, "language", repr(language), "zh or en"))
    if problems:
        raise ParamsError(
            f"{file}: {len(problems)} problem(s) in the provincial parameters", problems
        )
    return ProvinceParams(
        target=None if target is None else float(target),
        inclusion_probabilities=None
        if probabilities is None
        else {str(k): float(v) for k, v in probabilities.items()},
        counties={str(k): str(v) for k, v in counties.items()},
        language=str(language),
    )


def _interval(estimate: ProvincialEstimate | None, part: str) -> float | None:
    if estimate is None:
        return None
    record = estimate_record(estimate.estimate) or {}
    return record.get(part)


def _response_rate(batch: BatchCounties) -> float | None:
    sampled = respondents = 0
    for county in batch.counties:
        rows = [r for r in county.content.get("response_rates") or [] if r.get("level") == "county"]
        if not rows:
            return None
        sampled += int(rows[0].get("sampled") or 0)
        respondents += int(rows[0].get("respondents") or 0)
    return respondents / sampled if sampled else None


def province_content(batch: BatchCounties, params: ProvinceParams) -> dict[str, Any]:
    """The provincial ``estimates.json`` content (JSON-ready)."""
    results = [county.result for county in batch.counties]
    combined = province_estimates(results, inclusion_probabilities=params.inclusion_probabilities)
    figures: dict[str, float | None] = {}
    for name in FIGURES:
        for part in ("estimate", "lower", "upper"):
            figures[f"{name}_{part}"] = _interval(combined.get(name), part)
    figures["response_rate"] = _response_rate(batch)
    for name in ("error_rate_lower_bound", "error_rate_upper_bound"):
        figures[name] = _interval(combined.get(name), "estimate")
    provinces = sorted({str(c.content.get("province") or "") for c in batch.counties} - {""})
    audited = {c.result.county_code for c in batch.counties}
    population_keys = sorted({key for c in results for key in c.populations})
    rows = []
    for county in batch.counties:
        result = county.result
        rows.append(
            {
                "county_code": result.county_code,
                "county": result.county,
                "folder": county.folder.name,
                "populations": dict(result.populations),
                "details": {name: estimate_record(result.estimates.get(name)) for name in FIGURES},
                "inclusion_probability": None
                if params.inclusion_probabilities is None
                else params.inclusion_probabilities.get(result.county_code),
            }
        )
    return {
        "level": "province",
        "province": "、".join(provinces),
        "title": f"{'、'.join(provinces)} 低保专项治理抽样核查 省级汇总",
        "design": "stratified" if params.inclusion_probabilities is None else "three-stage",
        "speaks_for": sorted(audited)
        if params.inclusion_probabilities is None
        else "the province (counties drawn with the given inclusion probabilities)",
        "not_audited": {
            code: name for code, name in sorted(params.counties.items()) if code not in audited
        },
        "skipped_folders": dict(batch.skipped),
        "target": params.target,
        "estimates": figures,
        "details": {
            name: None if item is None else estimate_record(item.estimate)
            for name, item in combined.items()
        },
        "estimand_counties": {
            name: None if item is None else list(item.counties) for name, item in combined.items()
        },
        "populations": {
            key: sum(float(c.populations.get(key) or 0.0) for c in results)
            for key in population_keys
        },
        "counties": rows,
    }


def _dumps(content: Mapping[str, Any]) -> str:
    return json.dumps(content, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def _owned(out: Path) -> set[str]:
    """Names the last provincial run wrote into ``out`` (its manifest's outputs)."""
    manifest = out / MANIFEST_FILE
    if not manifest.is_file():
        return set()
    try:
        content = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return set()
    if not isinstance(content, dict) or content.get("kind") != "province":
        return set()
    return {MANIFEST_FILE, *(content.get("outputs") or {})}


@dataclass(frozen=True)
class ProvinceRun:
    """What a provincial run wrote (or, with ``verify``, the differences it found)."""

    folder: Path
    written: tuple[str, ...]
    skipped: Mapping[str, str]
    differences: tuple[str, ...] = ()


def write_province(
    batch_out: Path,
    out: Path,
    params: ProvinceParams,
    *,
    params_file: Path | None = None,
    extra: ExtraWriter | None = None,
    extra_inputs: Mapping[str, Path | None] | None = None,
    verify: bool = False,
) -> ProvinceRun:
    """Read the batch under ``batch_out`` and write the provincial outputs into ``out``.

    Parameters
    ----------
    batch_out, out : pathlib.Path
        The batch's output root and the provincial output folder.
    params : ProvinceParams
    params_file : pathlib.Path, optional
        The parameter file (its SHA-256 goes into the manifest).
    extra : callable, optional
        Writes further outputs (the report) into a folder from the content.
    extra_inputs : mapping, optional
        Further input files by role (the indicator table): their path and SHA-256 go into the
        manifest (``None``: not given).
    verify : bool
        Write nothing: compute again and compare with the manifest in ``out``.

    Raises
    ------
    ReportError
        When ``out`` holds a file of an output's name that no provincial run wrote.
    """
    batch = read_batch(batch_out, exclude=out)
    content = province_content(batch, params)
    inputs = {
        "batch": str(batch_out),
        "counties": {
            c.result.county_code: {"folder": c.folder.name, **c.digests} for c in batch.counties
        },
        **{
            role: None if path is None else {"file": str(path), "sha256": file_sha256(path)}
            for role, path in {"params": params_file, **(extra_inputs or {})}.items()
        },
        "code": code_fingerprint(),
    }
    with tempfile.TemporaryDirectory(prefix="auditlib-province-") as scratch:
        work = Path(scratch)
        (work / ESTIMATES_FILE).write_text(_dumps(content), encoding="utf-8")
        names = [ESTIMATES_FILE, *(extra(work, content, batch) if extra is not None else [])]
        outputs = {name: file_sha256(work / name) for name in names}
        manifest = {
            "format": MANIFEST_FORMAT,
            "kind": "province",
            "province": content["province"],
            "parameters": params.as_dict(),
            "inputs": inputs,
            "packages": package_versions(),
            "platform": platform_facts(),
            "outputs": outputs,
            "estimates": content["estimates"],
        }
        if verify:
            return ProvinceRun(out, (), batch.skipped, tuple(_compare(out, manifest)))
        owned = _owned(out)
        clashes = [n for n in [*names, MANIFEST_FILE] if (out / n).exists() and n not in owned]
        if clashes:
            raise ReportError(
                f"{out} already holds {', '.join(clashes)}, which no provincial run wrote; "
                "choose another --out folder or move those files away (nothing was written)"
            )
        for name in names:
            atomic_write_bytes(out / name, (work / name).read_bytes())
        atomic_write_text(out / MANIFEST_FILE, _dumps(manifest))
    return ProvinceRun(out, (*names, MANIFEST_FILE), batch.skipped)


def _compare(out: Path, current: Mapping[str, Any]) -> list[str]:
    """Differences between the manifest in ``out`` and a fresh computation, in words."""
    path = out / MANIFEST_FILE
    try:
        recorded = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ReportError(f"{path} cannot be read as a provincial manifest: {error}") from None
    if not isinstance(recorded, dict) or recorded.get("kind") != "province":
        raise ReportError(f"{path} is not the manifest of a provincial run (kind: province)")
    found: list[str] = []
    before, now = recorded.get("inputs", {}), current["inputs"]
    for code in sorted(set(before.get("counties", {})) | set(now["counties"])):
        old, new = before.get("counties", {}).get(code), now["counties"].get(code)
        if old != new:
            found.append(f"input county {code}: {old} → {new}")
    for role in ("params", "indicator"):
        if before.get(role) != now.get(role):
            found.append(f"input {role}: {before.get(role)} → {now.get(role)}")
    if before.get("code") != now["code"]:
        found.append("auditlib's code differs from the one that made the outputs")
    if recorded.get("parameters") != current["parameters"]:
        found.append("the parameters differ from the recorded ones")
    for name, digest in current["outputs"].items():
        if recorded.get("outputs", {}).get(name) != digest:
            found.append(f"output {name} differs from the recorded one")
        elif not (out / name).is_file() or file_sha256(out / name) != digest:
            found.append(f"published {name} differs from the recorded SHA-256 (changed or missing)")
    return found
