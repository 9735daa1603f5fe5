"""``auditlib plan``: sample-size planner (villages and households for a margin) and reverse."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.console import Console
from rich.table import Table

from auditlib.cli.common import FullHelpGroup

if TYPE_CHECKING:
    import pandas as pd

    # deferred: loaded only when this command runs (`auditlib --help` stays fast)
    from auditlib.pipeline.params import AuditParams


def _counts(params_file: Path) -> tuple[AuditParams, pd.DataFrame]:
    # deferred: loaded only when this command runs (`auditlib --help` stays fast)
    from auditlib.data.loading import load_county
    from auditlib.pipeline.params import load_params
    from auditlib.sampling.planner import frame_counts

    params = load_params(params_file)
    data = load_county(params.data)
    return params, frame_counts(data, params.sampling_plan())


_PARAMS = click.argument(
    "params_file", type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
_RATE = click.option(
    "--rate", type=float, default=0.05, show_default=True, help="Expected error rate p."
)
_LEVEL = click.option(
    "--level", type=float, default=0.95, show_default=True, help="Confidence level."
)
_ICC = click.option(
    "--icc", type=float, default=None, help="Intra-village correlation ρ (deff = 1 + (m−1)ρ)."
)
_DEFF = click.option("--deff", type=float, default=None, help="Design effect (instead of --icc).")


@click.group(cls=FullHelpGroup)
def plan() -> None:
    """Sample-size planner for a county's two-stage sample."""


@plan.command()
@_PARAMS
@_RATE
@click.option(
    "--margin",
    type=float,
    default=0.03,
    show_default=True,
    help="Wanted half-width of the confidence interval.",
)
@_LEVEL
@_ICC
@_DEFF
@click.option("--households-per-village", "-m", type=int, default=5, show_default=True)
@click.option(
    "--allocation",
    type=click.Choice(["proportional", "neyman", "equal"]),
    default="proportional",
    show_default=True,
)
def size(
    params_file: Path,
    rate: float,
    margin: float,
    level: float,
    icc: float | None,
    deff: float | None,
    households_per_village: int,
    allocation: str,
) -> None:
    """Villages per township and households per village needed for --margin."""
    # deferred: loaded only when this command runs (`auditlib --help` stays fast)
    from auditlib.sampling.planner import plan_sample_size

    _, counts = _counts(params_file)
    result = plan_sample_size(
        counts,
        rate=rate,
        margin=margin,
        level=level,
        icc=icc,
        deff=deff,
        households_per_village=households_per_village,
        allocation=allocation,  # type: ignore[arg-type]
    )
    console = Console(width=140)
    console.print(
        f"n0 = {result.n0:.1f}, after FPC n = {result.households} households "
        f"(deff {result.deff:.3f}); {result.villages} villages × {households_per_village} "
        f"households; achieved margin ±{result.margin:.4f}"
    )
    _assumption(console, icc, deff)
    _print(console, result.townships, f"Allocation ({allocation})")


@plan.command()
@_PARAMS
@_RATE
@_LEVEL
@_ICC
@_DEFF
def margin(
    params_file: Path, rate: float, level: float, icc: float | None, deff: float | None
) -> None:
    """The margin (CI half-width) the params file's plan achieves."""
    # deferred: loaded only when this command runs (`auditlib --help` stays fast)
    from auditlib.sampling.planner import achieved_margin

    params, counts = _counts(params_file)
    result = achieved_margin(
        counts,
        params.sampling_plan(),
        rate=rate,
        level=level,
        icc=icc,
        deff=deff,
    )
    console = Console(width=140)
    console.print(
        f"{result.villages} villages, {result.households} households (random part), "
        f"deff {result.deff:.3f}: margin ±{result.margin:.4f} at level {level}"
    )
    _assumption(console, icc, deff)
    _print(console, result.townships, "Plan per township")


def _assumption(console: Console, icc: float | None, deff: float | None) -> None:
    """Say which design effect the figures assume when the user gave none."""
    if icc is None and deff is None:
        console.print(
            "[yellow]note:[/yellow] design effect 1 assumed (households of a village as unlike "
            "each other as any two in the county); with intra-village correlation the margin is "
            "wider: give --icc (e.g. 0.05–0.25, from a previous round) or --deff.",
            highlight=False,
        )


def _print(console: Console, frame: pd.DataFrame, title: str) -> None:
    table = Table(title=title)
    for column in frame.columns:
        table.add_column(str(column), justify="right")
    for record in frame.itertuples(index=False):
        table.add_row(*(f"{v:.1f}" if isinstance(v, float) else str(v) for v in record))
    console.print(table)
