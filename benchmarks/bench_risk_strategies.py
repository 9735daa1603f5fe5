"""Benchmark: ranking strategies side by side on realistic held-out counties (issue 15).

Six generator settings (size, inclusion-error and payment-anomaly rates) with county seeds
9101–9106 that no test, example or tuning run uses, realistic registers (the generator's
default), a 5 % verification budget. For each county
:func:`auditlib.evaluation.strategies.compare_strategies` ranks the recipient households by
rules only, the forest only, rules + forest (the default), rules + each single feature, and the
learned score after one and two simulated previous rounds (``risk-targeted`` samples of counties
generated with the same settings and seeds s + 100 003·k). Printed: precision at the budget per
strategy as mean ± SD over the counties, the learned score's gain over rules + forest, the best
single-feature baseline against the forest, recall per planted type pooled over counties, and
the run time. ``--output`` writes the per-county table (refuses an existing file).

Usage: ``python benchmarks/bench_risk_strategies.py [--settings 0,1,2] [--rounds 1,2]
[--exploration 0.1] [--model logistic] [--no-rule-estimates] [--seed-offset 100]
[--n-estimators 200] [--output FILE.csv]``
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from auditlib.data.atomic import atomic_write_text
from auditlib.evaluation.strategies import (
    compare_strategies,
    strategy_gains,
    summarise_strategies,
)
from auditlib.risk.scorer import RiskScorer
from auditlib.synth.config import SynthConfig


@dataclass(frozen=True)
class Setting:
    """One held-out county."""

    name: str
    seed: int
    households: int
    townships: int
    error: float
    anomaly: float


SETTINGS: tuple[Setting, ...] = (
    Setting("small-low", 9101, 12_000, 5, 0.04, 0.01),
    Setting("mid-typical", 9102, 20_000, 8, 0.08, 0.02),
    Setting("mid-high", 9103, 20_000, 8, 0.15, 0.03),
    Setting("large-typical", 9104, 35_000, 12, 0.06, 0.02),
    Setting("large-high", 9105, 35_000, 12, 0.12, 0.04),
    Setting("rare", 9106, 25_000, 10, 0.02, 0.005),
)


def _config(setting: Setting) -> SynthConfig:
    return replace(
        SynthConfig(),
        seed=setting.seed,
        households=setting.households,
        township_count=setting.townships,
        inclusion_error_rate=setting.error,
        payment_anomaly_rate=setting.anomaly,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--settings", default=",".join(str(i) for i in range(len(SETTINGS))))
    parser.add_argument("--rounds", default="1,2")
    parser.add_argument("--exploration", type=float, default=0.10)
    parser.add_argument("--model", choices=("logistic", "boosting"), default="logistic")
    parser.add_argument(
        "--no-rule-estimates",
        action="store_true",
        help="Rank by the learned model alone (no empirical-Bayes floor for definitive rules).",
    )
    parser.add_argument(
        "--seed-offset", type=int, default=0, help="Shift every county seed (a fresh held-out set)."
    )
    parser.add_argument("--budget", type=float, default=0.05)
    parser.add_argument("--n-estimators", type=int, default=200)
    parser.add_argument("--output", type=Path, default=None)
    arguments = parser.parse_args()
    if arguments.output is not None and arguments.output.exists():
        parser.error(f"{arguments.output} exists; choose a new file (nothing is overwritten)")
    chosen = [
        replace(SETTINGS[int(index)], seed=SETTINGS[int(index)].seed + arguments.seed_offset)
        for index in arguments.settings.split(",")
    ]
    rounds = tuple(int(value) for value in arguments.rounds.split(","))
    scorer = RiskScorer(n_estimators=arguments.n_estimators)
    rows, results = [], []
    started = time.perf_counter()
    for setting in chosen:
        result = compare_strategies(
            _config(setting),
            scorer=scorer,
            budget=arguments.budget,
            rounds=rounds,
            exploration_share=arguments.exploration,
            model=arguments.model,
            rule_estimates=not arguments.no_rule_estimates,
        )
        for record in result.precision.to_dict("records"):
            rows.append({"setting": setting.name, "seed": setting.seed, **record})
        results.append(result)
        training = ", ".join(
            f"{name}: {summary['verified']} verified / {summary['findings']} findings"
            for name, summary in result.training.items()
        )
        print(f"{setting.name} (seed {setting.seed}) done; {training}", flush=True)
    elapsed = time.perf_counter() - started
    table = pd.DataFrame(rows)
    pd.set_option("display.width", 200)
    precision, recall = summarise_strategies(results)
    print("\nprecision at the budget over counties (mean, SD, min, max):")
    print(precision.round(3).to_string(index=False))
    wide = table.pivot(index="setting", columns="strategy", values="precision_at_budget")
    for count in rounds:
        gain = wide[f"learned-{count}"] - wide["rules+forest"]
        print(
            f"learned-{count} − rules+forest: mean {gain.mean():+.3f}, SD {gain.std():.3f}, "
            f"per county {', '.join(f'{name} {value:+.3f}' for name, value in gain.items())}"
        )
    print("\ndifferences in precision at the budget over counties:")
    print(strategy_gains(results).round(3).to_string(index=False))
    main = ("rules", "forest", "rules+forest", *(f"learned-{c}" for c in rounds))
    print("\nrecall per planted type at the budget, pooled over counties:")
    print(recall[[name for name in main if name in recall.columns]].round(2).to_string())
    print(f"\n{len(chosen)} counties in {elapsed:.0f} s")
    if arguments.output is not None:
        atomic_write_text(arguments.output, table.to_csv(index=False))


if __name__ == "__main__":
    main()
