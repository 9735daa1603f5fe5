"""Mutation testing with a large budget (issue 14, point 6): failures by kind, no assertions.

Runs the strategy of ``tests/test_mutations.py`` (encodings, cells, headers, truncation, row
shape, xlsx/parquet re-typing of one file of a 400-household synthetic county, seed 1414)
``--examples`` times (default: the ``AUDITLIB_MUTATIONS`` environment variable, else 2,000),
checking each mutation with the same properties as the test (no traceback, exit code 0 or 2,
every changed row loaded unchanged or listed, no full ID number or name in any output). Prints
the number of mutations tried, the failures by kind with one example each, and the time.

Run: ``AUDITLIB_MUTATIONS=2000 .venv/bin/python benchmarks/bench_mutations.py``
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, settings, strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.test_mutations import MUTATION_KINDS, base_county, check_mutation, mutations


def main() -> None:
    """Draw mutations, check each one, print counts of tries and failures by kind."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--examples", type=int, default=int(os.environ.get("AUDITLIB_MUTATIONS", "2000"))
    )
    parser.add_argument("--kinds", default=",".join(MUTATION_KINDS), help="comma-separated")
    arguments = parser.parse_args()
    kinds = tuple(arguments.kinds.split(","))
    base = base_county()
    tried: Counter[str] = Counter()
    failed: Counter[str] = Counter()
    examples: dict[str, str] = {}

    @settings(
        max_examples=arguments.examples,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        mutation = data.draw(mutations(base, kinds))
        key = f"{mutation.kind}:{mutation.detail.split(' ')[0].rstrip(',')}"
        tried[mutation.kind] += 1
        failures = check_mutation(mutation, base)
        if failures:
            failed[key] += 1
            examples.setdefault(key, mutation.describe() + ": " + "; ".join(failures)[:400])

    start = time.perf_counter()
    run()
    elapsed = time.perf_counter() - start
    print(f"mutations tried: {sum(tried.values())} in {elapsed:.1f} s")
    print("by kind: " + ", ".join(f"{kind} {count}" for kind, count in sorted(tried.items())))
    print(f"mutations failing: {sum(failed.values())}")
    for key, count in sorted(failed.items()):
        print(f"  {key}: {count}  e.g. {examples[key]}")


if __name__ == "__main__":
    main()
