"""Benchmark of the example-data generator (prints figures; never asserts on time).

Measures, each in a fresh subprocess so that peak memory (``ru_maxrss``) is that of one task:

1. ``generate``: :func:`auditlib.synth.generator.generate_county` for a county of ``--households``
   households (default 1,000,000) with members and 12 months of payments;
2. ``write``: the same plus :func:`auditlib.synth.generator.write_county` to a temporary folder;
3. ``load``: :func:`auditlib.data.loading.load_county` (load and validate) of the folder written
   (skipped with ``--no-load``).

Usage::

    .venv/bin/python benchmarks/bench_synth.py [--households 1000000] [--repeats 1] [--no-load]

Targets (issue 2): generation ≤ 60 s and ≤ 4 GB; load and validate ≤ 20 s.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

CHILD = r"""
import json, resource, sys, time
from pathlib import Path
task, households, folder = sys.argv[1], int(sys.argv[2]), sys.argv[3]
from auditlib.synth.config import SynthConfig
from auditlib.synth.generator import generate_county
from auditlib.synth.output import write_county
result = {}
if task in ("generate", "write"):
    config = SynthConfig(households=households, township_count=max(8, households // 20_000),
                         seed=2024, months=12)
    start = time.perf_counter()
    county = generate_county(config)
    result["generate_seconds"] = time.perf_counter() - start
    result["members"] = len(county.data.members)
    result["payments"] = len(county.data.payments)
    result["registry_rows"] = sum(len(t) for t in county.data.registries.values())
    if task == "write":
        start = time.perf_counter()
        write_county(county, Path(folder))
        result["write_seconds"] = time.perf_counter() - start
        result["megabytes_written"] = sum(
            p.stat().st_size for p in Path(folder).rglob("*") if p.is_file()) / 1e6
elif task == "load":
    from auditlib.data.loading import load_county
    start = time.perf_counter()
    data = load_county(Path(folder))
    result["load_seconds"] = time.perf_counter() - start
    result["problems"] = len(data.problems)
usage = resource.getrusage(resource.RUSAGE_SELF)
result["peak_rss_gb"] = usage.ru_maxrss / 1024**2
result["cpu_seconds"] = usage.ru_utime + usage.ru_stime
print(json.dumps(result))
"""


def _run(task: str, households: int, folder: Path) -> dict[str, float]:
    completed = subprocess.run(
        [sys.executable, "-c", CHILD, task, str(households), str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise SystemExit(f"{task} failed:\n{completed.stderr}")
    return dict(json.loads(completed.stdout.strip().splitlines()[-1]))


def main() -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--no-load", action="store_true")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary) / "county"
        runs = [_run("generate", arguments.households, folder) for _ in range(arguments.repeats)]
        seconds = statistics.median(run["generate_seconds"] for run in runs)
        memory = max(run["peak_rss_gb"] for run in runs)
        print(f"households                 {arguments.households:,}")
        print(f"members                    {int(runs[0]['members']):,}")
        print(f"payments (12 months)       {int(runs[0]['payments']):,}")
        print(f"registry rows              {int(runs[0]['registry_rows']):,}")
        print(
            f"generate: median seconds   {seconds:.1f}  (target <= 60; {arguments.repeats} run(s))"
        )
        print(f"generate: peak RSS         {memory:.2f} GB  (target <= 4)")
        cpu = statistics.median(run["cpu_seconds"] for run in runs)
        print(
            f"generate: CPU seconds      {cpu:.1f}  (whole process incl. imports; robust to load)"
        )
        print(
            f"load average at the end    {os.getloadavg()[0]:.1f} (2 cores; > 2 means contention)"
        )
        written = _run("write", arguments.households, folder)
        print(
            "generate + write CSV:      "
            f"{written['generate_seconds'] + written['write_seconds']:.1f} s"
            f" (write {written['write_seconds']:.1f} s, {written['megabytes_written']:.0f} MB), "
            f"peak RSS {written['peak_rss_gb']:.2f} GB"
        )
        if not arguments.no_load:
            loaded = _run("load", arguments.households, folder)
            print(
                f"load + validate:           {loaded['load_seconds']:.1f} s (target <= 20), "
                f"peak RSS {loaded['peak_rss_gb']:.2f} GB, {int(loaded['problems'])} problems"
            )


if __name__ == "__main__":
    main()
