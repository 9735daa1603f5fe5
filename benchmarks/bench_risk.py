"""Benchmark: risk scoring time, step by step, and at two large county sizes.

Part 1 — steps of ``RiskScorer.fit_assess`` (median of ``--repeats`` runs, wall time) on the
example county 430522 (``data/example/430522``; made by ``auditlib synth examples``) and on a
generated county of 2,000 households:

* *prepare*: the whole of ``RiskScorer._prepare``, which is
  *inputs* (input checks, recipient ids, restriction to recipients),
  *crosscheck* (registry matching), *rules* (payment ledger and the 16 rules) and
  *features* (feature building and peer normalisation) — the four sub-steps are timed
  separately on the same inputs, so their sum is close to, not exactly, *prepare*;
* *forest*: fitting the isolation forest, with ``n_jobs=1`` and with ``n_jobs=2`` (the
  scores are identical for any ``n_jobs``: tests/test_risk_parallel.py);
* *assess*: scores, percentiles, tiers and peer statistics;
* *fit_assess*: the public call end to end (``n_jobs=1``).

Baseline: ``--baseline REV`` extracts ``src/`` of git revision ``REV`` into a temporary
folder and times the same steps there in a worker process, its runs alternating with the
current code's (same machine, same load from other jobs), then prints both and the ratio.
The revision before the performance work on the risk preparation is ``2934933``.

Part 2 (``--large``) — the four stages *features* (= prepare), *fit*, *score*, *reasons* on
generated counties of 310,000 households (≈ 20,000 recipients, target ≤ 5 s) and 1,000,000
households (target ≤ 60 s, ≤ 4 GB), with wall and CPU time and peak memory.

Usage: ``python benchmarks/bench_risk.py [--repeats 5] [--baseline 2934933] [--large
[--skip-million]]``
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
STEPS = ("prepare", "inputs", "crosscheck", "rules", "features", "forest", "forest_2", "assess")
COUNTIES = ("example:430522", "synth:2000")


def _load(spec: str) -> Any:
    """The county named by ``spec``: ``example:<code>`` or ``synth:<households>``."""
    kind, value = spec.split(":")
    if kind == "example":
        from auditlib.data.loading import load_county

        folder = ROOT / "data" / "example" / value
        if not folder.is_dir():
            raise SystemExit(f"{folder} is missing: run `auditlib synth examples` first")
        return load_county(folder)
    from auditlib.synth.config import SynthConfig
    from auditlib.synth.generator import generate_county

    return generate_county(SynthConfig(households=int(value), township_count=8, seed=11)).data


def _seconds(function: Callable[[], Any]) -> tuple[Any, float]:
    started = time.perf_counter()
    result = function()
    return result, time.perf_counter() - started


def one_run(data: Any) -> dict[str, float]:
    """Wall time (s) of each step of ``fit_assess`` on ``data``, once."""
    from auditlib.risk.crosscheck import cross_check, restrict_to
    from auditlib.risk.features import build_features, normalise_features
    from auditlib.risk.inputs import check_risk_inputs
    from auditlib.risk.payment_ledger import payment_frame
    from auditlib.risk.rules.evaluate import evaluate_rules, recipient_ids
    from auditlib.risk.scorer import RiskScorer

    times: dict[str, float] = {}
    scorer = RiskScorer(random_state=0, n_jobs=1)
    scorer._check_parameters()
    prepared, times["prepare"] = _seconds(lambda: scorer._prepare(data))

    def inputs() -> tuple[Any, Any]:
        check_risk_inputs(data, empty_registry="error", rejected_rows="warning")
        ids = recipient_ids(data, tuple(scorer.programmes)).sort_values(kind="stable")
        return ids, restrict_to(data, ids)

    (ids, restricted), times["inputs"] = _seconds(inputs)
    crosscheck, times["crosscheck"] = _seconds(lambda: cross_check(restricted))

    def rules() -> Any:
        ledger = payment_frame(restricted)
        evaluate_rules(restricted, crosscheck, scorer._rule_parameters(), ledger=ledger)
        return ledger

    ledger, times["rules"] = _seconds(rules)

    def features() -> None:
        raw = build_features(restricted, ids, ledger)
        normalise_features(raw, scorer._feature_names(), within="township", min_peers=30)

    _, times["features"] = _seconds(features)
    _, times["forest"] = _seconds(lambda: scorer._fit_forest(prepared))
    _, times["assess"] = _seconds(lambda: scorer._assess(prepared))
    parallel = RiskScorer(random_state=0, n_jobs=2)
    parallel._check_parameters()
    _, times["forest_2"] = _seconds(lambda: parallel._fit_forest(prepared))
    _, times["fit_assess"] = _seconds(lambda: RiskScorer(random_state=0, n_jobs=1).fit_assess(data))
    return times


def _worker(spec: str) -> None:
    """Load the county ``spec``, then time one run per line read on stdin (JSON per line)."""
    import auditlib

    data = _load(spec)
    print(json.dumps({"source": str(Path(auditlib.__file__).parent)}), flush=True)
    for _ in sys.stdin:
        print(json.dumps(one_run(data)), flush=True)


class _Baseline:
    """A worker process running :func:`one_run` on ``src/`` of git ``revision``."""

    def __init__(self, revision: str, spec: str) -> None:
        self.folder = tempfile.TemporaryDirectory()
        archive = Path(self.folder.name) / "src.tar"
        subprocess.run(
            ["git", "archive", "--format=tar", "-o", str(archive), revision, "src"],
            cwd=ROOT,
            check=True,
        )
        with tarfile.open(archive) as tar:
            tar.extractall(self.folder.name, filter="data")
        environment = dict(os.environ, PYTHONPATH=str(Path(self.folder.name) / "src"))
        self.process = subprocess.Popen(
            [sys.executable, __file__, "--worker", spec],
            env=environment,
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        source = json.loads(self._line())["source"]
        if not source.startswith(self.folder.name):
            raise SystemExit(f"the baseline imported auditlib from {source}, not {revision}")

    def _line(self) -> str:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            raise SystemExit("the baseline worker stopped")
        return line

    def run(self) -> dict[str, float]:
        assert self.process.stdin is not None
        self.process.stdin.write("run\n")
        self.process.stdin.flush()
        return {step: float(value) for step, value in json.loads(self._line()).items()}

    def close(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        self.process.wait()
        self.folder.cleanup()


def run_steps(repeats: int, baseline: str | None) -> None:
    """Print the step table of every county of :data:`COUNTIES` (and the baseline's).

    With a baseline, its runs alternate with the current code's runs (one each, in turn), so
    that both see the same load from other jobs on the machine.
    """
    for spec in COUNTIES:
        data = _load(spec)
        worker = _Baseline(baseline, spec) if baseline else None
        current: dict[str, list[float]] = {}
        before: dict[str, list[float]] = {}
        loads = []
        for _ in range(repeats):
            for step, seconds in one_run(data).items():
                current.setdefault(step, []).append(seconds)
            if worker is not None:
                for step, seconds in worker.run().items():
                    before.setdefault(step, []).append(seconds)
            loads.append(os.getloadavg()[0])
        if worker is not None:
            worker.close()
        now = {step: statistics.median(values) for step, values in current.items()}
        old = {step: statistics.median(values) for step, values in before.items()}
        print(
            f"{spec}: median of {repeats} runs (wall s), load average "
            f"{min(loads):.1f}-{max(loads):.1f} on 2 shared cores"
        )
        header = f"  {'step':<11} {'now':>7}"
        if baseline:
            header += f" {'baseline ' + baseline[:7]:>17} {'ratio':>6}"
        print(header)
        for step in (*STEPS, "fit_assess"):
            line = f"  {step:<11} {now[step]:7.3f}"
            if step in old:
                line += f" {old[step]:17.3f} {old[step] / now[step]:5.2f}×"
            print(line)
        print(
            f"  forest n_jobs=2 vs 1: {now['forest'] / now['forest_2']:.2f}× as fast "
            f"({now['forest']:.3f} s → {now['forest_2']:.3f} s)"
        )


# ---------------------------------------------------------------------- part 2: large counties


def _peak_gb() -> float:
    scale = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, KiB on Linux
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / 1e9


CPU: dict[str, list[float]] = {}


def _timed(function: Callable[[], Any], stage: str = "") -> tuple[Any, float]:
    started, cpu = time.perf_counter(), time.process_time()
    result = function()
    if stage:
        CPU.setdefault(stage, []).append(time.process_time() - cpu)
    return result, time.perf_counter() - started


def run_large(households: int, repeats: int, label: str) -> None:
    """Stages features/fit/score/reasons on a generated county of ``households``."""
    from auditlib.risk.reasons import explain
    from auditlib.risk.scorer import RiskScorer
    from auditlib.synth.config import SynthConfig
    from auditlib.synth.generator import generate_county

    config = SynthConfig(households=households, township_count=20, seed=7)
    county, generation = _timed(lambda: generate_county(config))
    peak_before = _peak_gb()
    recipients = int((county.data.households["programme"] == "dibao").sum())
    stages: dict[str, list[float]] = {"features": [], "fit": [], "score": [], "reasons": []}
    for _ in range(repeats):
        scorer = RiskScorer(random_state=0)
        scorer._check_parameters()
        prepared, seconds = _timed(partial(scorer._prepare, county.data), "features")
        stages["features"].append(seconds)
        _, seconds = _timed(partial(scorer._fit_forest, prepared), "fit")
        stages["fit"].append(seconds)
        assessment, seconds = _timed(partial(scorer._assess, prepared), "score")
        stages["score"].append(seconds)
        _, seconds = _timed(partial(explain, assessment), "reasons")
        stages["reasons"].append(seconds)
    medians = {stage: statistics.median(values) for stage, values in stages.items()}
    cpu = {stage: statistics.median(CPU.pop(stage)) for stage in stages}
    total = sum(medians.values())
    print(
        f"{label}: {households:,} households, {recipients:,} Dibao recipients "
        f"(generated in {generation:.1f} s, not timed)"
    )
    for stage, seconds in medians.items():
        print(f"  {stage:<9} {seconds:7.2f} s wall, {cpu[stage]:7.2f} s CPU (median of {repeats})")
    print(f"  {'total':<9} {total:7.2f} s wall, {sum(cpu.values()):7.2f} s CPU")
    print(f"  load average during the run: {os.getloadavg()[0]:.1f} (2 shared cores)")
    print(f"  peak RSS after generation {peak_before:.2f} GB, after scoring {_peak_gb():.2f} GB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--baseline", default=None, help="git revision to compare with")
    parser.add_argument("--large", action="store_true", help="also time the large counties")
    parser.add_argument("--skip-million", action="store_true")
    parser.add_argument("--worker", default=None, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.repeats < 3:
        parser.error("--repeats must be at least 3 (medians)")
    if arguments.worker:
        _worker(arguments.worker)
        return
    run_steps(arguments.repeats, arguments.baseline)
    if arguments.large:
        # 20,000 recipients at the generator's default Dibao share (6.5%) need ~310,000
        # households.
        run_large(310_000, 3, "20k recipients (target ≤ 5 s)")
        if not arguments.skip_million:
            run_large(1_000_000, 1, "1M-household county (target ≤ 60 s, ≤ 4 GB)")


if __name__ == "__main__":
    main()
