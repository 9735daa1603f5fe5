"""Time and peak memory to load and validate a large county (issue 2; target ≤ 20 s).

Generates a county of ``--households`` households (default 1,000,000) with the example-data
generator, writes it as CSV into a temporary folder, then loads and validates it
``--repeats`` times in fresh subprocesses, printing the median wall time and the peak resident
memory of the loading process.

Run: ``.venv/bin/python benchmarks/bench_load.py [--households N] [--repeats R]``
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHILD = """
import json, resource, sys, time
from auditlib.data.loading import load_county
start = time.perf_counter()
data = load_county(sys.argv[1])
elapsed = time.perf_counter() - start
print(json.dumps({
    "seconds": elapsed,
    "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "households": len(data.households), "members": len(data.members),
    "payments": len(data.payments), "problems": len(data.problems),
}))
"""


def main() -> None:
    """Generate, write, then time loading in subprocesses."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--households", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    arguments = parser.parse_args()

    from auditlib.synth.config import SynthConfig
    from auditlib.synth.generator import generate_county
    from auditlib.synth.output import write_county

    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        county = generate_county(SynthConfig(households=arguments.households, seed=1))
        write_county(county, Path(folder))
        size = sum(path.stat().st_size for path in Path(folder).glob("*.csv")) / 1e6
        print(
            f"generated and wrote {arguments.households:,} households "
            f"({size:,.0f} MB of CSV) in {time.perf_counter() - start:.1f} s"
        )
        runs = []
        for _ in range(arguments.repeats):
            output = subprocess.run(
                [sys.executable, "-c", CHILD, folder], capture_output=True, text=True, check=True
            ).stdout
            runs.append(json.loads(output.strip().splitlines()[-1]))
        last = runs[-1]
        print(
            f"load + validate: median {statistics.median(r['seconds'] for r in runs):.2f} s "
            f"over {len(runs)} runs (min {min(r['seconds'] for r in runs):.2f} s; target ≤ 20 s); "
            f"peak RSS {max(r['peak_mb'] for r in runs):,.0f} MB"
        )
        print(
            f"  {last['households']:,} households, {last['members']:,} members, "
            f"{last['payments']:,} payments, {last['problems']} problems"
        )


if __name__ == "__main__":
    main()
