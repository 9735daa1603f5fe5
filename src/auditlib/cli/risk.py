"""``auditlib risk``: score a county's recipient households, and evaluate the method.

``auditlib risk score <county folder>`` loads and validates the folder, runs the registry
cross-checks and red-flag rules, fits the isolation forest and prints the tiers, the rule hits,
the top households (masked) with their reasons and, on request, the fairness audit. Scores and
reasons can be written as CSV. ``auditlib risk evaluate`` measures the ranking on generated
counties with known ground truth (mean ± SD over generator seeds).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import click
import pandas as pd
from rich.console import Console
from rich.table import Table

from auditlib.cli.common import FullHelpGroup, new_file
from auditlib.cli.progress import command_progress, verbosity_options
from auditlib.cli.synth import realism_option
from auditlib.data.atomic import atomic_write_text

__all__ = ["risk"]

_LOG = logging.getLogger("auditlib.cli")


def _table(frame: pd.DataFrame, title: str, formats: dict[str, str] | None = None) -> Table:
    table = Table(title=title)
    for column in frame.columns:
        table.add_column(str(column), overflow="fold")
    formats = formats or {}
    for row in frame.itertuples(index=False):
        cells = []
        for column, value in zip(frame.columns, row, strict=True):
            if isinstance(value, float) and column in formats:
                cells.append("" if pd.isna(value) else formats[column].format(value))
            else:
                cells.append(
                    ""
                    if value is None or (not isinstance(value, str) and pd.isna(value))
                    else str(value)
                )
        table.add_row(*cells)
    return table


@click.group(name="risk", cls=FullHelpGroup)
def risk() -> None:
    """Risk scores (red-flag rules + isolation forest) with reasons and a fairness audit.

    A score only decides which households are visited first; it is never a finding.
    """


@risk.command(name="score")
@click.argument("folder", type=click.Path(path_type=Path, file_okay=False, exists=True))
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    callback=new_file,
    help="Write scores (CSV, a new file).",
)
@click.option(
    "--reasons",
    "reasons_path",
    type=click.Path(path_type=Path, dir_okay=False),
    callback=new_file,
    help="Write the reasons of the high tier (CSV, a new file).",
)
@click.option("--language", type=click.Choice(["zh", "en"]), default="zh", show_default=True)
@click.option("--n-estimators", type=click.IntRange(min=10), default=500, show_default=True)
@click.option("--max-samples", type=click.IntRange(min=2), default=1024, show_default=True)
@click.option(
    "--seed",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Seed of the isolation forest.",
)
@click.option(
    "--top",
    type=click.IntRange(min=0),
    default=10,
    show_default=True,
    help="Top households shown (masked).",
)
@click.option("--fairness/--no-fairness", default=False, help="Print the fairness audit.")
@click.option(
    "--strict/--no-strict",
    default=False,
    help="Refuse to score when loading rejected rows of households, members or payments.",
)
@click.option(
    "--cross-county",
    "cross_county",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    default=None,
    help="Findings of 'auditlib crosscheck' (crosscounty.csv): the county's become rules X01-X04.",
)
def score(
    folder: Path,
    out: Path | None,
    reasons_path: Path | None,
    language: str,
    n_estimators: int,
    max_samples: int,
    seed: int,
    top: int,
    fairness: bool,
    strict: bool,
    cross_county: Path | None,
) -> None:
    """Score the recipient households of the county in FOLDER."""
    # deferred: loaded only when this command runs (`auditlib --help` stays fast)
    from auditlib.data.loading import load_county
    from auditlib.risk.fairness import fairness_audit
    from auditlib.risk.reasons import explain
    from auditlib.risk.rules.cross_county import read_cross_county_findings
    from auditlib.risk.scorer import RiskScorer

    data = load_county(folder)
    findings = (
        read_cross_county_findings(cross_county, data.info.county_code) if cross_county else None
    )
    scorer = RiskScorer(
        n_estimators=n_estimators,
        max_samples=max_samples,
        random_state=seed,
        rejected_rows="error" if strict else "warning",
        cross_county=findings,
    )
    assessment = scorer.fit_assess(data)
    reasons = explain(assessment, language=language)
    console = Console(width=160)
    scores = assessment.scores
    tiers = scores["tier"].value_counts()
    console.print(
        f"{data.info.county_code} {data.info.county}: {len(scores)} recipient households scored "
        f"(forest seed {seed}, {n_estimators} trees); tiers: "
        + ", ".join(f"{tier} {int(tiers.get(tier, 0))}" for tier in ("high", "medium", "low")),
        highlight=False,
    )
    console.print(_table(assessment.crosscheck.summary, "Registry cross-checks"))
    summary = assessment.rule_hits.summary()
    console.print(_table(summary[["code", "text_en", "households"]], "Households hit per rule"))
    rejected = [p for p in assessment.problems if p.code == "rejected_row"]
    if rejected:
        console.print(
            f"[bold]{len(rejected)} row(s) rejected by loading are not scored[/bold] "
            "(use --strict to refuse):",
        )
        for problem in rejected[:10]:
            console.print("  " + problem.describe(), highlight=False)
    others = [p for p in assessment.problems if p.code != "rejected_row"]
    if others:
        console.print(f"{len(others)} warnings in the inputs (first 5):")
        for problem in others[:5]:
            console.print("  " + problem.describe(), highlight=False)
    if top:
        shown = scores.head(top)
        joined = reasons.groupby("household_id")["text"].agg(
            lambda values: ("；" if language == "zh" else "; ").join(values)
        )
        frame = shown[["household_id", "risk_percentile", "rule_codes", "tier"]].assign(
            reasons=shown["household_id"].map(joined).fillna("")
        )
        console.print(_table(frame, f"Top {len(frame)} households", {"risk_percentile": "{:.1f}"}))
    if fairness:
        table = fairness_audit(data, scores)
        console.print(
            _table(
                table,
                "Fairness audit (flagged = high tier; all scored households)",
                {"flag_rate": "{:.3f}", "ratio_to_overall": "{:.2f}"},
            )
        )
    if out is not None:
        atomic_write_text(out, scores.to_csv(index=False))
        console.print(f"scores written to {out}")
    if reasons_path is not None:
        atomic_write_text(reasons_path, reasons.to_csv(index=False))
        console.print(f"reasons written to {reasons_path}")
    console.print("A flag is a prompt for a verification visit, never a finding.")


@risk.command(name="evaluate")
@click.option(
    "--spec",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Example-county specs (YAML); default: the generator's default county.",
)
@click.option("--county", "county_code", default=None, help="County code of --spec to use.")
@click.option(
    "--households",
    type=click.IntRange(min=200),
    default=None,
    help="Override the number of households.",
)
@click.option("--generator-seeds", type=click.IntRange(min=1), default=5, show_default=True)
@click.option(
    "--first-seed",
    type=click.IntRange(min=0),
    default=None,
    help="Generator seed of the first county (the others follow it); default: the county's "
    "seed + 1. Choose seeds no one has tuned on for a held-out check.",
)
@click.option("--scorer-seeds", type=click.IntRange(min=1), default=5, show_default=True)
@click.option("--anomaly-share", type=click.FloatRange(0, 0.5), default=0.03, show_default=True)
@click.option(
    "--budget",
    type=click.FloatRange(0, 1, min_open=True, max_open=True),
    default=0.05,
    show_default=True,
)
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    callback=new_file,
    help="Write per-seed metrics (CSV, a new file).",
)
@click.option(
    "--strategies",
    is_flag=True,
    help="Compare rankings side by side instead: rules only, forest only, rules + forest, "
    "rules + each single feature, and the score learned from one and two simulated previous "
    "rounds (docs/risk.md §12).",
)
@realism_option
@verbosity_options
def evaluate(
    spec: Path | None,
    county_code: str | None,
    households: int | None,
    generator_seeds: int,
    first_seed: int | None,
    scorer_seeds: int,
    anomaly_share: float,
    budget: float,
    out: Path | None,
    strategies: bool,
    realism: str | None,
    quiet: bool,
    verbose: bool,
) -> None:
    """Evaluate the risk ranking on generated counties with known ground truth."""
    from dataclasses import replace

    # deferred: loaded only when this command runs (`auditlib --help` stays fast)
    from auditlib.errors import ParamsError
    from auditlib.evaluation.risk_ranking import evaluate_risk
    from auditlib.synth.config import SynthConfig

    config = SynthConfig()
    if spec is not None:
        # deferred: loaded only when this command runs (`auditlib --help` stays fast)
        from auditlib.synth.examples import read_county_specs

        configs = read_county_specs(spec)
        chosen = [c for c in configs if county_code in (None, c.county_code)]
        if not chosen:
            codes = ", ".join(c.county_code for c in configs)
            raise ParamsError(f"--county {county_code!r} is not in {spec} (it has {codes})")
        config = chosen[0]
    if households is not None:
        config = replace(config, households=households)
    if realism is not None:
        config = replace(config, realism=realism)
    first = int(config.seed) + 1 if first_seed is None else first_seed
    seeds = tuple(range(first, first + generator_seeds))
    if strategies:
        with command_progress(None, quiet=quiet, verbose=verbose):
            _compare(config.with_anomaly_share(anomaly_share), seeds, budget, out)
        return
    with command_progress(None, quiet=quiet, verbose=verbose):
        evaluation = evaluate_risk(
            config,
            generator_seeds=seeds,
            scorer_seeds=tuple(range(scorer_seeds)),
            anomaly_share=anomaly_share,
            budget=budget,
        )
    console = Console(width=160)
    runs = evaluation.runs()
    console.print(
        f"{config.county_code} {config.county}: {config.households} households, "
        f"{anomaly_share:.1%} planted anomalies, budget {budget:.1%}; "
        f"{generator_seeds} generator seeds × {scorer_seeds} forest seeds; "
        f"{runs['households'].mean():.0f} recipient households per county on average",
        highlight=False,
    )
    console.print(
        _table(
            evaluation.summary(),
            "Metrics (mean ± SD over generator seeds)",
            {"mean": "{:.3f}", "sd": "{:.3f}"},
        )
    )
    console.print(
        _table(
            evaluation.by_type(),
            "Recall at the budget by planted type (pooled)",
            {"recall": "{:.2f}", "recall_mean": "{:.2f}", "recall_sd": "{:.2f}"},
        )
    )
    if out is not None:
        atomic_write_text(out, runs.to_csv(index=False))
        console.print(f"per-seed metrics written to {out}")


def _compare(config: Any, seeds: tuple[int, ...], budget: float, out: Path | None) -> None:
    """``risk evaluate --strategies``: every ranking strategy on each generated county."""
    from dataclasses import replace

    # deferred: loaded only when this command runs (`auditlib --help` stays fast)
    from auditlib.evaluation.strategies import (
        compare_strategies,
        strategy_gains,
        summarise_strategies,
    )

    console = Console(width=160)
    results = []
    for done, seed in enumerate(seeds):
        _LOG.info(
            "county seed %d (%d of %d): comparing the ranking strategies",
            seed,
            done + 1,
            len(seeds),
            extra={"step": "compare", "progress": (done, len(seeds))},
        )
        result = compare_strategies(replace(config, seed=seed), budget=budget)
        _LOG.info("county seed %d: compared", seed, extra={"progress": (done + 1, len(seeds))})
        results.append(result)
        trained = "; ".join(
            f"{name}: {int(summary['verified'])} verified, {int(summary['findings'])} findings"
            + ("" if summary.get("learned", 1.0) else " (too few: not learned)")
            for name, summary in result.training.items()
        )
        console.print(f"county seed {seed}: {trained}", highlight=False)
    precision, recall = summarise_strategies(results)
    console.print(
        _table(
            precision,
            f"Precision at the {budget:.0%} budget (over {len(seeds)} counties)",
            {"mean": "{:.3f}", "sd": "{:.3f}", "min": "{:.3f}", "max": "{:.3f}"},
        )
    )
    console.print(
        _table(
            strategy_gains(results),
            "Differences in precision at the budget (per county, then over counties)",
            {"mean": "{:+.3f}", "sd": "{:.3f}", "min": "{:+.3f}"},
        )
    )
    main = ["rules", "forest", "rules+forest", "learned-1", "learned-2"]
    table = recall[[name for name in main if name in recall.columns]].reset_index()
    formats = dict.fromkeys(table.columns[1:], "{:.2f}")
    console.print(_table(table, "Recall at the budget by planted type (pooled)", formats))
    if out is not None:
        rows = pd.concat(
            [result.precision.assign(generator_seed=result.generator_seed) for result in results]
        )
        atomic_write_text(out, rows.to_csv(index=False))
        console.print(f"per-county precision written to {out}")
