"""Benchmark: one batch of small synthetic counties on the local process pool and on a local
Dask cluster with the same number of workers, in one run; the ratio of their wall times, and
the projection to the country's ~2,800 counties on N workers from the measured time per county.

Prints figures; asserts nothing. Usage::

    .venv/bin/python benchmarks/bench_batch_dask.py                  # 200 counties, 2 workers
    .venv/bin/python benchmarks/bench_batch_dask.py --counties 20    # a shorter run
    .venv/bin/python benchmarks/bench_batch_dask.py --repeats 3      # medians of 3 runs each

Both runs start from an empty output folder (no resume) and include their start-up (the pool's
fork server and workers; the Dask ``LocalCluster``, its workers and their worker programs).
With ``--repeats``, the two alternate (pool, Dask, pool, ...) so that a drift of the machine's
speed touches both alike.

Target (issue 16): the Dask batch within 1.15 x the wall time of the process pool on the same
2 workers for 200 small counties.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench_report import make_counties

from auditlib.batch.dask_runner import run_dask_batch
from auditlib.batch.runner import BatchOptions, CountyOutcome, run_batch

COUNTRY = 2800


def _timed(run: Callable[[], list[CountyOutcome]]) -> tuple[float, list[CountyOutcome]]:
    started = time.perf_counter()
    outcomes = run()
    return time.perf_counter() - started, outcomes


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counties", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--households", type=int, default=1500, help="per county")
    parser.add_argument("--repeats", type=int, default=1, help="runs of each (medians)")
    parser.add_argument("--pdf", action="store_true", help="also print the PDFs")
    parser.add_argument("--project", type=int, nargs="*", default=[2, 16, 64, 256])
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-dask-") as folder:
        root = Path(folder)
        started = time.perf_counter()
        params = make_counties(root, arguments.counties, arguments.households)
        print(f"{arguments.counties} counties written in {time.perf_counter() - started:.0f} s")
        options = BatchOptions(
            restricted_root=str(root / "restricted"), verification="simulate", pdf=arguments.pdf
        )
        walls: dict[str, list[float]] = {"pool": [], "dask": []}
        per_county: dict[str, list[float]] = {"pool": [], "dask": []}
        runs: dict[str, Callable[[Path], list[CountyOutcome]]] = {
            "pool": lambda out: run_batch(
                params, out, options=options, workers=arguments.workers, resume=False
            ),
            "dask": lambda out: run_dask_batch(
                params, out, workers=arguments.workers, options=options, resume=False
            ),
        }
        for repeat in range(arguments.repeats):
            for name, run in runs.items():
                output = root / f"reports-{name}"
                shutil.rmtree(output, ignore_errors=True)
                shutil.rmtree(root / "audits", ignore_errors=True)
                wall, outcomes = _timed(lambda run=run, output=output: run(output))
                failed = [o for o in outcomes if o.status != "done"]
                seconds = [o.seconds for o in outcomes if o.status == "done"]
                walls[name].append(wall)
                per_county[name].extend(seconds)
                print(
                    f"run {repeat + 1} {name:4}: {wall:7.1f} s wall, "
                    f"{statistics.median(seconds):.2f} s median per county in its worker, "
                    f"{len(failed)} not done"
                )
        pool, dask = statistics.median(walls["pool"]), statistics.median(walls["dask"])
        print(
            f"\n{arguments.counties} counties on {arguments.workers} workers: process pool "
            f"{pool:.1f} s, Dask LocalCluster {dask:.1f} s; ratio Dask / pool {dask / pool:.3f} "
            f"(target <= 1.15)"
        )
        # Projection: the Dask run's wall time per county and worker (start-up included)
        # scaled to the country; and from the median time a county takes in its worker.
        wall_per_county = dask * arguments.workers / arguments.counties
        worker_per_county = statistics.median(per_county["dask"])
        print(
            f"per county and worker: {wall_per_county:.2f} s (wall), "
            f"{worker_per_county:.2f} s (median in the worker)"
        )
        for workers in arguments.project:
            hours = COUNTRY * wall_per_county / workers / 3600
            low = COUNTRY * worker_per_county / workers / 3600
            print(
                f"projection: {COUNTRY} counties on {workers:3d} workers: {hours:6.2f} h "
                f"({low:.2f} h from the time in the worker)"
            )


if __name__ == "__main__":
    main()
