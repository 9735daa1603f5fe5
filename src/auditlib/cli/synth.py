"""``auditlib synth``: generate synthetic example counties with ground truth."""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

import click

from auditlib.cli.common import FullHelpGroup
from auditlib.cli.progress import command_progress, verbosity_options
from auditlib.synth.config import REALISM_LEVELS, SynthConfig
from auditlib.synth.examples import DEFAULT_SPEC

__all__ = ["realism_option", "synth"]

_LOG = logging.getLogger("auditlib.cli")

#: ``--realism`` of every command that generates counties (default: the spec's, else realistic).
realism_option = click.option(
    "--realism",
    type=click.Choice(REALISM_LEVELS),
    default=None,
    help="'realistic' adds the benign noise of real registries (the default); 'clean' "
    "reproduces the earlier data byte for byte. Overrides the spec's setting of each county.",
)


def _summary_line(folder: Path, summary: dict[str, float]) -> str:
    return (
        f"{folder}: {int(summary['households'])} households, "
        f"{int(summary['recipients'])} on Dibao; "
        f"planted inclusion errors {summary['inclusion_error_rate']:.1%}, payment anomalies "
        f"{summary['payment_anomaly_rate']:.1%}, omission {summary['omission_rate']:.1%}"
    )


@click.group(name="synth", cls=FullHelpGroup)
def synth() -> None:
    """Generate synthetic counties (households, members, payments, registries, ground truth).

    All data are synthetic: generated names, ID numbers and accounts, never real people.
    """


@synth.command(name="examples")
@click.option(
    "--spec",
    type=click.Path(path_type=Path, dir_okay=False),
    default=DEFAULT_SPEC,
    show_default=True,
    help="YAML file with the example counties' configs and seeds.",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Output folder (default: the folder of --spec); one sub-folder per county code.",
)
@click.option("--only", multiple=True, help="County code to regenerate (repeatable).")
@realism_option
@verbosity_options
def examples(
    spec: Path,
    out: Path | None,
    only: tuple[str, ...],
    realism: str | None,
    quiet: bool,
    verbose: bool,
) -> None:
    """Regenerate the example counties byte-identically from their recorded seeds."""
    # deferred: loaded only when this command runs (`auditlib --help` stays fast)
    from auditlib.synth.examples import generate_examples
    from auditlib.synth.output import read_ground_truth

    with command_progress(None, quiet=quiet, verbose=verbose):
        folders = generate_examples(spec, out, only, realism=realism)
    for folder in folders:
        click.echo(_summary_line(folder, read_ground_truth(folder).summary()))


@synth.command(name="county")
@click.option("--seed", type=click.IntRange(min=0), required=True, help="Seed of all randomness.")
@click.option(
    "--households",
    type=click.IntRange(min=200),
    default=20_000,
    show_default=True,
    help="Number of rural households.",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    required=True,
    help="Folder to write the county into.",
)
@click.option("--county-code", default="430522", show_default=True, help="6-digit county code.")
@click.option("--county", "county_name", default="新邵县", show_default=True, help="County name.")
@click.option("--province", default="湖南省", show_default=True, help="Province name.")
@click.option(
    "--townships",
    type=click.IntRange(min=1),
    default=8,
    show_default=True,
    help="Number of (generated) townships.",
)
@click.option(
    "--standard",
    type=float,
    default=480.0,
    show_default=True,
    help="Rural Dibao standard, yuan per person per month.",
)
@click.option(
    "--months",
    type=click.IntRange(12, 24),
    default=12,
    show_default=True,
    help="Months of payments.",
)
@click.option(
    "--inclusion-error-rate",
    type=float,
    default=None,
    help="Share of recipients planted as inclusion errors (default 0.08).",
)
@click.option(
    "--payment-anomaly-rate",
    type=float,
    default=None,
    help="Share of recipients with a planted payment anomaly (default 0.02).",
)
@click.option(
    "--omission-rate",
    type=float,
    default=None,
    help="Share of eligible households left out (default 0.12).",
)
@click.option(
    "--anomaly-share",
    type=float,
    default=None,
    help="Total share of recipients with any planted anomaly (overrides the two rates; "
    "30% of it as payment anomalies).",
)
@realism_option
@verbosity_options
def county(
    seed: int,
    households: int,
    out: Path,
    county_code: str,
    county_name: str,
    province: str,
    townships: int,
    standard: float,
    months: int,
    inclusion_error_rate: float | None,
    payment_anomaly_rate: float | None,
    omission_rate: float | None,
    anomaly_share: float | None,
    realism: str | None,
    quiet: bool,
    verbose: bool,
) -> None:
    """Generate one custom synthetic county into --out."""
    # deferred: loaded only when this command runs (`auditlib --help` stays fast)
    from auditlib.synth.generator import generate_county
    from auditlib.synth.output import write_county

    config = SynthConfig(
        county_code=county_code,
        county=county_name,
        province=province,
        seed=seed,
        households=households,
        township_count=townships,
        rural_standard=standard,
        months=months,
        realism=realism or "realistic",
    )
    config = replace(
        config,
        inclusion_error_rate=(
            config.inclusion_error_rate if inclusion_error_rate is None else inclusion_error_rate
        ),
        payment_anomaly_rate=(
            config.payment_anomaly_rate if payment_anomaly_rate is None else payment_anomaly_rate
        ),
        omission_rate=config.omission_rate if omission_rate is None else omission_rate,
    )
    if anomaly_share is not None:
        config = config.with_anomaly_share(anomaly_share)
    with command_progress(None, quiet=quiet, verbose=verbose):
        _LOG.info(
            "%s %s: generating %d households (seed %d)",
            config.county_code,
            config.county,
            config.households,
            config.seed,
            extra={"step": "generate"},
        )
        synthetic = generate_county(config)
        _LOG.info(
            "%s %s: writing the files", config.county_code, config.county, extra={"step": "write"}
        )
        write_county(synthetic, out)
    click.echo(_summary_line(out, synthetic.truth.summary()))
