"""Fixed costs that grow with the data (issue 16 point 4): fingerprint, identity scan, resume.

Generates a county of ``--households`` households (default 1,000,000; seed ``--seed``) with the
project's generator into a temporary folder (or takes ``--folder``), then times, ``--repeats``
times each in this process, and prints medians and the ratio old / new:

* the data folder's fingerprint (:func:`auditlib.data.fingerprint.folder_fingerprint`): the
  pure-Python reference (:func:`~auditlib.data.fingerprint.python_csv_digests` for every CSV),
  the Arrow path without a cache (first sight of the data) and with the digest cache filled
  (unchanged data seen again); all three must be equal;
* the privacy guard's identity scan (:func:`auditlib.report.privacy.identities_in_folder`)
  against the row-by-row scan it replaced (``tests/test_privacy_columnar.py``); equal results;
* the resume check of one unchanged county, projected to ``--counties`` counties: the input
  fingerprint the check computes (:func:`auditlib.report.manifest.input_fingerprint`: data
  folder with a filled cache, code, notebook template) plus SHA-256 of the report's outputs,
  whose size is taken as ``--output-mb`` (default 2: HTML, PDF, xlsx and notebook of a
  1,000,000-household report measure 1.8 MB); time × counties / ``--workers``. The check's
  other steps (reading the manifest and parameters) are not timed; with ``--report-params``
  and ``--report-root`` (a county already reported there) the whole
  :func:`auditlib.report.verify.report_is_current` is timed instead. Each way is timed reading
  every file and with ``AUDITLIB_TRUST_FILE_STAT=1``.

Run: ``nice .venv/bin/python benchmarks/bench_fixed_costs.py [--households N] [--seed S]``
"""

from __future__ import annotations

import argparse
import hashlib
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parents[1]


def _median(function: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def _old_fingerprint(folder: Path) -> dict[str, dict[str, Any]]:
    """The fingerprint as computed before: SHA-256, then the :mod:`csv` module's digests."""
    from auditlib.data.fingerprint import file_sha256, python_csv_digests

    found: dict[str, dict[str, Any]] = {}
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if not path.is_file() or any(part.startswith(".") for part in relative.parts):
            continue
        entry: dict[str, Any] = {"sha256": file_sha256(path), "bytes": path.stat().st_size}
        if path.suffix.lower() == ".csv":
            digests = python_csv_digests(path.read_bytes())
            if digests is not None:
                entry.update(digests)
        found[relative.as_posix()] = entry
    return found


def _line(label: str, old: float, new: float) -> str:
    return f"  {label:<38} old {old:7.2f} s   new {new:7.2f} s   old/new {old / new:6.1f}x"


def _resume(arguments: argparse.Namespace, folder: Path, cache: Path, trust: bool) -> float:
    """Seconds of one unchanged county's resume check (see the module docstring)."""
    import os

    from auditlib.data.fingerprint import file_sha256

    os.environ["AUDITLIB_TRUST_FILE_STAT"] = "1" if trust else "0"

    if arguments.report_params is not None and arguments.report_root is not None:
        from auditlib.report.verify import report_is_current

        report_is_current(arguments.report_params, arguments.report_root)  # fills the cache
        seconds, current = _median(
            lambda: report_is_current(arguments.report_params, arguments.report_root),
            arguments.repeats,
        )
        print(f"  report_is_current -> {current} (whole check timed)")
        return seconds
    from auditlib.report.folder import REPORT_NOTEBOOK, notebook_template
    from auditlib.report.manifest import input_fingerprint

    template = notebook_template(REPORT_NOTEBOOK)
    outputs = folder.parent / "outputs.bin"
    outputs.write_bytes(hashlib.sha256(b"x").digest() * (arguments.output_mb * 32768))

    def check() -> None:
        input_fingerprint(folder / "county.yaml", folder, [template])
        file_sha256(outputs)

    from auditlib.data import fingerprint

    original = fingerprint.fingerprint_cache_folder
    fingerprint.fingerprint_cache_folder = lambda: cache  # the filled cache
    try:
        check()  # fills the cache (file SHA-256 by file stat, with trust)
        seconds, _ = _median(check, arguments.repeats)
    finally:
        fingerprint.fingerprint_cache_folder = original
    return seconds


def _fingerprints(arguments: argparse.Namespace, folder: Path, cache: Path) -> None:
    from auditlib.data.fingerprint import folder_fingerprint

    old_print, old_fp = _median(lambda: _old_fingerprint(folder), arguments.repeats)
    cold, new_fp = _median(lambda: folder_fingerprint(folder, cache=False), arguments.repeats)
    folder_fingerprint(folder, cache=cache)
    warm, cached_fp = _median(lambda: folder_fingerprint(folder, cache=cache), arguments.repeats)
    assert old_fp == new_fp == cached_fp, "fingerprints differ"
    print("fingerprint (identical results):")
    print(_line("Arrow, no cache (data first seen)", old_print, cold))
    print(_line("digest cache filled (data unchanged)", old_print, warm))


def _identities(arguments: argparse.Namespace, folder: Path) -> None:
    from tests.test_privacy_columnar import reference_identities_in_folder

    from auditlib.report.privacy import identities_in_folder

    old_scan, old_ids = _median(lambda: reference_identities_in_folder(folder), arguments.repeats)
    new_scan, new_ids = _median(lambda: identities_in_folder(folder), arguments.repeats)
    assert old_ids == new_ids, "identities differ"
    print(
        f"identity scan (identical: {len(new_ids.names):,} names, "
        f"{len(new_ids.numbers):,} numbers):"
    )
    print(_line("identities_in_folder", old_scan, new_scan))


def main() -> None:
    """Generate a county, time old and new implementations, print medians and ratios."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--households", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7301)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--folder", type=Path, help="an existing county folder (no generation)")
    parser.add_argument("--counties", type=int, default=2800)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--output-mb", type=int, default=2)
    parser.add_argument("--report-params", type=Path)
    parser.add_argument("--report-root", type=Path)
    parser.add_argument(
        "--parts", nargs="+", default=["fingerprint", "identities", "resume"], help="what to time"
    )
    arguments = parser.parse_args()
    sys.path.insert(0, str(PROJECT))  # the reference identity scan lives in the tests

    from auditlib.synth.config import SynthConfig
    from auditlib.synth.generator import generate_county
    from auditlib.synth.output import write_county

    with tempfile.TemporaryDirectory() as temporary:
        work = Path(temporary)
        folder = arguments.folder
        if folder is None:
            folder = work / "county"
            start = time.perf_counter()
            config = SynthConfig(households=arguments.households, seed=arguments.seed)
            write_county(generate_county(config), folder)
            print(
                f"generated {arguments.households:,} households "
                f"in {time.perf_counter() - start:.1f} s"
            )
        size = sum(path.stat().st_size for path in folder.rglob("*.csv")) / 1e6
        print(
            f"county {folder} ({size:,.0f} MB of CSV), seed {arguments.seed}, "
            f"median of {arguments.repeats} run(s)"
        )

        cache = work / "cache"
        if "fingerprint" in arguments.parts:
            _fingerprints(arguments, folder, cache)
        if "identities" in arguments.parts:
            _identities(arguments, folder)
        if "resume" not in arguments.parts:
            return
        for trust in (False, True):
            one = _resume(arguments, folder, cache, trust)
            total = one * arguments.counties / arguments.workers
            label = "AUDITLIB_TRUST_FILE_STAT=1" if trust else "every file read and hashed"
            print(
                f"resume check ({label}): {one:.2f} s for one unchanged county; projected "
                f"{arguments.counties:,} counties x {one:.2f} s / {arguments.workers} workers = "
                f"{total:,.0f} s ({total / 60:.1f} min; target <= 5 min)"
            )
        if arguments.report_params is None:
            print(
                f"  (input fingerprint with a filled cache + SHA-256 of {arguments.output_mb} MB "
                "of outputs; manifest and parameter reading not timed)"
            )


if __name__ == "__main__":
    main()
