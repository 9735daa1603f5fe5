"""``auditlib simulate``: coverage and width of the confidence-interval methods, and
``auditlib simulate pipeline``: a county's own plan checked by simulation before fieldwork."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from auditlib.cli.common import FullHelpGroup, new_file


def _floats(text: str) -> tuple[float, ...]:
    try:
        return tuple(float(part) for part in text.split(",") if part.strip())
    except ValueError as error:
        raise click.BadParameter(f"expected comma-separated numbers, got {text!r}") from error


@click.group(invoke_without_command=True, cls=FullHelpGroup)
@click.pass_context
@click.option(
    "--replicates",
    type=click.IntRange(min=10),
    default=2000,
    show_default=True,
    help="Samples drawn per grid cell.",
)
@click.option(
    "--rates", default="0.01,0.02,0.05,0.10,0.20", show_default=True, help="True error rates."
)
@click.option("--sizes", default="30,75,150", show_default=True, help="Sampled households.")
@click.option("--iccs", default="0.05,0.15", show_default=True, help="Intra-village correlations.")
@click.option("--level", type=float, default=0.95, show_default=True, help="Confidence level.")
@click.option("--seed", type=int, default=20261122, show_default=True, help="Random seed.")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    callback=new_file,
    help="Also write the full table (CSV, a new file).",
)
def simulate(
    context: click.Context,
    replicates: int,
    rates: str,
    sizes: str,
    iccs: str,
    level: float,
    seed: int,
    output: Path | None,
) -> None:
    """Measure coverage and mean width of every CI method on a synthetic county.

    Repeated two-stage samples (strata of townships, villages, five households per village)
    from synthetic counties with known error rates; zero-error samples are counted.
    `auditlib simulate pipeline PARAMS_FILE` checks a county's own plan instead.
    """
    if context.invoked_subcommand is not None:
        return
    # deferred: loaded only when this command runs (`auditlib --help` stays fast)
    from auditlib.estimation.intervals import DEFAULT_CI_METHOD
    from auditlib.evaluation.coverage import simulate_coverage

    table = simulate_coverage(
        rates=_floats(rates),
        sample_sizes=tuple(int(size) for size in _floats(sizes)),
        iccs=_floats(iccs),
        replicates=replicates,
        level=level,
        seed=seed,
    )
    coverage = table.pivot_table(
        index=["rate", "icc", "sample_size"], columns="method", values="coverage", sort=False
    )
    width = table.pivot_table(
        index=["rate", "icc", "sample_size"], columns="method", values="mean_width", sort=False
    )
    zero = table.groupby(["rate", "icc", "sample_size"], sort=False)["zero_error_share"].first()
    methods = list(dict.fromkeys(table["method"]))
    view = Table(
        title=f"Coverage % (mean width, points) of {level:.0%} intervals, "
        f"{replicates} replicates per cell"
    )
    for header in ("rate", "icc", "n", "0 errors", *methods):
        view.add_column(header, justify="right")
    for key in coverage.index:
        cells = [
            f"{100 * coverage.loc[key, m]:.1f} ({100 * width.loc[key, m]:.1f})" for m in methods
        ]
        view.add_row(f"{key[0]:.0%}", f"{key[1]:.2f}", str(key[2]), f"{zero[key]:.0%}", *cells)
    console = Console(width=160)
    console.print(view)
    default = table[table["method"] == DEFAULT_CI_METHOD]
    console.print(
        f"default ({DEFAULT_CI_METHOD}): minimum coverage {100 * default['coverage'].min():.1f}%"
        f", maximum {100 * default['coverage'].max():.1f}%"
    )
    if output is not None:
        output.parent.mkdir(parents=True, exist_ok=True)
        table.to_csv(output, index=False)
        console.print(f"table written to {output}")


@simulate.command("pipeline")
@click.argument("params_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--replicates",
    type=click.IntRange(min=2),
    default=200,
    show_default=True,
    help="Samples drawn.",
)
@click.option(
    "--first-seed",
    type=click.IntRange(min=0),
    required=True,
    help="Seed of the first sample (then +1 each); use seeds no report of yours used.",
)
@click.option(
    "--out",
    "out",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    callback=new_file,
    help="CSV with one row per replicate x estimand x domain x model (a new file).",
)
@click.option("--plan", default=None, help="Preset to use instead of the parameter file's plan.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
def pipeline(
    params_file: Path, replicates: int, first_seed: int, out: Path, plan: str | None, quiet: bool
) -> None:
    """Check a county's plan: repeated draws, fieldwork simulated from the ground truth.

    Every replicate draws the plan with its own seed, simulates the verification from the
    county's ground truth (synthetic data: the example counties, `auditlib synth`) and runs the
    estimates `auditlib report` computes. Writes OUT (replicate, seed, domain, estimand, model,
    estimate, lower, upper, reliable) and prints the coverage of each estimand's interval
    against the ground truth, with its Monte Carlo SE and the mean width.
    """
    # deferred: loaded only when this command runs (`auditlib --help` stays fast)
    from auditlib.data.atomic import atomic_write_text
    from auditlib.data.loading import load_county
    from auditlib.errors import DataError
    from auditlib.pipeline.audit import risk_scorer
    from auditlib.pipeline.params import load_params
    from auditlib.pipeline.simulation import coverage_summary, prepare_simulation, run_replicates
    from auditlib.synth.output import read_ground_truth

    params = load_params(params_file)
    try:
        truth = read_ground_truth(params.data)
    except DataError as error:
        raise DataError(
            f"{error.message}. `auditlib simulate pipeline` needs a county with a ground truth "
            "(the example data, or `auditlib synth` with this county's size and the error rates "
            "you expect)",
            error.problems,
        ) from error
    data = load_county(params.data)
    scorer = risk_scorer(params.risk, params.county_code)
    simulation = prepare_simulation(params, data, truth, scorer, plan=plan)
    with Progress(disable=quiet, transient=True) as progress:
        task = progress.add_task("replicates", total=replicates)
        results = run_replicates(
            simulation,
            replicates,
            first_seed,
            progress=lambda step: progress.advance(task, step),
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(out, results.to_csv(index=False))
    summary = coverage_summary(results, simulation.true_values)
    view = Table(
        title=f"{params.county_code}, plan {simulation.plan.name}: {replicates} replicates, "
        f"seeds {first_seed}–{first_seed + replicates - 1}"
    )
    for header in (
        "level",
        "estimand",
        "model",
        "truth",
        "coverage %",
        "MC SE",
        "worst %",
        "mean width",
        "width / true-variance width",
        "reliable %",
    ):
        view.add_column(header, justify="right")
    for row in summary.itertuples():
        percent = row.estimand.endswith("rate")
        view.add_row(
            str(row.level),
            str(row.estimand),
            str(row.model),
            f"{100 * row.truth:.2f}%" if percent else f"{row.truth:,.0f}",
            f"{100 * row.coverage:.1f}",
            f"{100 * row.monte_carlo_se:.1f}",
            f"{100 * row.worst_coverage:.1f}",
            f"{100 * row.mean_width:.2f} pts" if percent else f"{row.mean_width:,.0f}",
            f"{row.width_ratio:.2f}",
            f"{100 * row.reliable_share:.0f}",
        )
    console = Console(width=180)
    console.print(view)
    console.print(f"replicates written to {out}")
