"""The example counties: reading their specs and regenerating them.

``data/example/counties.yaml`` holds one :class:`~auditlib.synth.config.SynthConfig` mapping per
county under the key ``counties``; :func:`generate_examples` writes each into
``<out>/<county_code>/`` with :func:`~auditlib.synth.output.write_county`, byte-identically.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import yaml

from auditlib.data.atomic import atomic_write_bytes
from auditlib.errors import ParamsError, Problem
from auditlib.synth.config import SynthConfig
from auditlib.synth.cross_county import CrossCountyPlan, plant_cross_county
from auditlib.synth.generator import generate_county
from auditlib.synth.output import (
    GROUND_TRUTH_FOLDER,
    SyntheticCounty,
    frame_to_csv_bytes,
    write_county,
)

__all__ = ["DEFAULT_SPEC", "generate_examples", "read_county_specs", "read_cross_county_plan"]

_LOG = logging.getLogger("auditlib.synth")
#: Default spec file, relative to the repository root.
DEFAULT_SPEC = Path("data/example/counties.yaml")


def read_county_specs(path: Path | str) -> list[SynthConfig]:
    """Read and validate the county specs of ``path`` (``counties:`` list of mappings)."""
    source = Path(path)
    if not source.is_file():
        raise ParamsError(
            f"{source}: file not found; expected a YAML file with a 'counties' list "
            "(e.g. data/example/counties.yaml, run from the repository root)"
        )
    try:
        content = yaml.safe_load(source.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise ParamsError(f"{source}: not valid UTF-8 YAML ({error})") from None
    entries = content.get("counties") if isinstance(content, dict) else None
    if not isinstance(entries, list) or not entries:
        raise ParamsError(f"{source}: expected a non-empty list under the key 'counties'")
    configs: list[SynthConfig] = []
    problems: list[Problem] = []
    for number, entry in enumerate(entries, start=1):
        place = f"{source.name}, county #{number}"
        if not isinstance(entry, dict):
            problems.append(Problem(place, None, None, repr(entry), "a mapping of parameters"))
            continue
        try:
            configs.append(SynthConfig.from_mapping(entry, source=place))
        except ParamsError as error:
            problems.extend(error.problems)
    codes = [config.county_code for config in configs]
    for code in sorted({code for code in codes if codes.count(code) > 1}):
        problems.append(Problem(source.name, None, "county_code", code, "each county once"))
    if problems:
        raise ParamsError(
            f"{source}: {len(problems)} problem(s) in the county specs: "
            + "; ".join(problem.describe() for problem in problems[:10]),
            problems,
        )
    return configs


def read_cross_county_plan(path: Path | str) -> CrossCountyPlan | None:
    """The specs file's optional ``cross_county`` mapping (links planted between its counties:
    :mod:`auditlib.synth.cross_county`), or ``None`` when there is none."""
    source = Path(path)
    content = yaml.safe_load(source.read_text(encoding="utf-8"))
    if not isinstance(content, dict) or content.get("cross_county") is None:
        return None
    return CrossCountyPlan.from_mapping(content["cross_county"], source=source.name)


def generate_examples(
    spec: Path | str = DEFAULT_SPEC,
    out: Path | str | None = None,
    only: Sequence[str] = (),
    *,
    realism: str | None = None,
) -> list[Path]:
    """Regenerate the example counties; return the county folders written.

    Parameters
    ----------
    spec : path
        The specs file.
    out : path, optional
        Output folder (default: the folder of ``spec``).
    only : sequence of str
        County codes to regenerate (default: all).
    realism : {"realistic", "clean"}, optional
        Overrides each county's ``realism`` (default: as in the specs, where it defaults to
        ``"realistic"``).

    Notes
    -----
    Each county's steps are logged (logger ``auditlib.synth``, INFO, with the
    ``step``/``progress`` extras that ``auditlib synth examples`` shows as a progress bar).
    """
    configs = read_county_specs(spec)
    known = [config.county_code for config in configs]
    unknown = [code for code in only if code not in known]
    if unknown:
        raise ParamsError(
            f"--only: unknown county code(s) {', '.join(unknown)}; "
            f"the specs have {', '.join(known)}"
        )
    target = Path(out) if out is not None else Path(spec).parent
    if realism is not None:
        configs = [replace(config, realism=realism) for config in configs]
    chosen = [config for config in configs if not only or config.county_code in only]
    plan = read_cross_county_plan(spec)
    if plan is not None and len(configs) > 1:
        # links join every county of the specs: all are generated, the chosen ones written
        counties = [_generate(config, done, len(configs)) for done, config in enumerate(configs)]
        counties, links = plant_cross_county(counties, plan)
        deaths = int((links["kind"] == "death_elsewhere").sum())
        _LOG.info(
            "planted %d double enrolments and %d deaths recorded in another county (seed %d)",
            (len(links) - deaths) // 2,
            deaths,
            plan.seed,
        )
        folders = []
        for done, county in enumerate(item for item in counties if item.config in chosen):
            code = county.config.county_code
            folder = _write(county, target, done, len(chosen))
            mine = links[links["county_code"] == code].reset_index(drop=True)
            atomic_write_bytes(
                folder / GROUND_TRUTH_FOLDER / "cross_county.csv", frame_to_csv_bytes(mine)
            )
            folders.append(folder)
        return folders
    folders = []
    for done, config in enumerate(chosen):
        county = _generate(config, done, len(chosen))
        folders.append(_write(county, target, done, len(chosen)))
        del county
    return folders


def _generate(config: SynthConfig, done: int, total: int) -> SyntheticCounty:
    _LOG.info(
        "%s %s (%d of %d): generating %d households (seed %d)",
        config.county_code,
        config.county,
        done + 1,
        total,
        config.households,
        config.seed,
        extra={"step": "generate", "progress": (done, total)},
    )
    return generate_county(config)


def _write(county: SyntheticCounty, target: Path, done: int, total: int) -> Path:
    config = county.config
    name = f"{config.county_code} {config.county} ({done + 1} of {total})"
    folder = target / config.county_code
    _LOG.info("%s: writing the files", name, extra={"step": "write", "progress": (done, total)})
    write_county(county, folder)
    _LOG.info("%s: written", name, extra={"progress": (done + 1, total)})
    return folder
