"""``auditlib simulate``: coverage and width of the confidence-interval methods."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console
from rich.table import Table


def _floats(text: str) -> tuple[float, ...]:
    try:
        return tuple(float(part) for part in text.split(",") if part.strip())
    except ValueError as error:
        raise click.BadParameter(f"expected comma-separated numbers, got {text!r}") from error


@click.command()
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
    help="Also write the full table (CSV).",
)
def simulate(
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
    """
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
