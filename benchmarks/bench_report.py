"""Benchmark of the report pipeline: time per county report (HTML + PDF) and a batch of many
small synthetic counties on 2 workers, with peak memory per worker.

Prints figures; asserts nothing. Usage::

    .venv/bin/python benchmarks/bench_report.py                # defaults below
    .venv/bin/python benchmarks/bench_report.py --counties 20  # a shorter batch
    .venv/bin/python benchmarks/bench_report.py --example      # also the 3 example counties

Three figures per county: one report at a time in this process (a fresh kernel each, the
runner warm after the first), `auditlib report` as a new process (what one command costs), and
the time in its worker within the batch (kernel reused).

Targets (issue 6, on the 2-core machine): median ≤ 5 s per county report, ≤ 300 s for a batch
of 100 synthetic counties on 2 workers.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from auditlib.batch.runner import BatchOptions, run_batch
from auditlib.report.produce import produce_report
from auditlib.synth.config import SynthConfig
from auditlib.synth.generator import write_practice_county

ROOT = Path(__file__).resolve().parents[1]


def make_counties(root: Path, count: int, households: int) -> list[Path]:
    """Write ``count`` small synthetic counties and their parameter files under ``root``."""
    params = []
    for index in range(count):
        code = f"41{index // 100 + 1:02d}{index % 100:02d}"
        config = SynthConfig(
            county_code=code,
            county=f"基准{index:03d}县",
            province="测试省",
            seed=1000 + index,
            households=households,
            township_count=3,
            village_households=150,
        )
        params.append(write_practice_county(config, root, sample_seed=5))
    return params


def _spread(seconds: list[float]) -> str:
    low, high = min(seconds), max(seconds)
    return f"median {statistics.median(seconds):.2f} s (min {low:.2f}, max {high:.2f})"


#: The baseline: a new Python process importing the kernel's largest libraries. The machine is
#: shared, and its speed drifts by a third over an hour; the ratio of a report to this baseline,
#: timed alternately with the reports, drifts much less than either.
BASELINE = [sys.executable, "-c", "import pandas, sklearn.ensemble, matplotlib.figure"]


def _baseline() -> float:
    started = time.perf_counter()
    subprocess.run(BASELINE, check=True)
    return time.perf_counter() - started


def per_county(params: list[Path], root: Path) -> None:
    """Time single reports (one at a time) and print the median, the steps and the ratio to
    the baseline timed before each report."""
    totals: list[float] = []
    baselines: list[float] = []
    steps: dict[str, list[float]] = {"notebook": [], "html": [], "pdf": []}
    for path in params:
        baselines.append(_baseline())
        result = produce_report(
            path, root / "single", restricted_root=root / "restricted", verification="simulate"
        )
        totals.append(result.seconds["total"])
        for step in steps:
            steps[step].append(result.seconds[step])
    print(f"per county report (HTML + PDF), {len(totals)} counties one at a time:")
    print(f"  {_spread(totals)}")
    for step, values in steps.items():
        print(f"  {step:9} median {statistics.median(values):.2f} s")
    ratios = [total / baseline for total, baseline in zip(totals, baselines, strict=True)]
    print(
        f"  baseline (new process importing pandas, scikit-learn, matplotlib) median "
        f"{statistics.median(baselines):.2f} s; report / baseline median "
        f"{statistics.median(ratios):.2f}"
    )


def one_off(params: list[Path], root: Path) -> None:
    """Time ``auditlib report`` as a new process per county: what one command costs a user."""
    if not params:
        return
    command = [str(Path(sys.executable).with_name("auditlib")), "report", "--verification"]
    walls = []
    for path in params:
        started = time.perf_counter()
        subprocess.run(
            [
                *command,
                "simulate",
                "--out",
                str(root / "cli"),
                "--restricted",
                str(root / "restricted"),
                str(path),
            ],
            check=True,
            capture_output=True,
        )
        walls.append(time.perf_counter() - started)
    print(f"`auditlib report` one county per new process, {len(walls)} counties:")
    print(f"  {_spread(walls)} wall")


def batch(params: list[Path], root: Path, workers: int) -> None:
    """Run a batch and print wall time, per-county time and peak memory per worker."""
    if not params:
        return
    started = time.perf_counter()
    outcomes = run_batch(
        params,
        root / "batch",
        options=BatchOptions(restricted_root=str(root / "restricted"), verification="simulate"),
        workers=workers,
        resume=False,
    )
    wall = time.perf_counter() - started
    done = [o for o in outcomes if o.status == "done"]
    print(
        f"batch of {len(params)} counties on {workers} workers: {wall:.1f} s wall "
        f"({len(done)} done, {len(outcomes) - len(done)} not)"
    )
    if done:
        median = statistics.median(o.seconds for o in done)
        print(f"  per county (in its worker): median {median:.2f} s")
        print(
            f"  peak memory per worker process: max {max(o.peak_memory_mb for o in done):.0f} MB, "
            f"median {statistics.median(o.peak_memory_mb for o in done):.0f} MB"
        )
        print(
            f"  peak memory of its notebook kernel: max "
            f"{max(o.kernel_peak_memory_mb for o in done):.0f} MB"
        )
    for outcome in outcomes:
        if outcome.status != "done":
            print(f"  {outcome.county_code}: {outcome.status} {outcome.message}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counties", type=int, default=100, help="counties in the batch")
    parser.add_argument("--households", type=int, default=2000, help="households per county")
    parser.add_argument("--single", type=int, default=8, help="counties timed one at a time")
    parser.add_argument("--cli", type=int, default=3, help="counties timed as `auditlib report`")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--example", action="store_true", help="also time the example counties")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-report-") as folder:
        root = Path(folder)
        started = time.perf_counter()
        params = make_counties(
            root,
            max(arguments.counties, arguments.single, arguments.cli),
            arguments.households,
        )
        print(
            f"generated {len(params)} synthetic counties of {arguments.households} households "
            f"in {time.perf_counter() - started:.1f} s"
        )
        per_county(params[: arguments.single], root)
        one_off(params[: arguments.cli], root)
        batch(params[: arguments.counties], root, arguments.workers)
        if arguments.example:
            examples = sorted((ROOT / "params").glob("*.yaml"))
            per_county(examples, root)


if __name__ == "__main__":
    main()
