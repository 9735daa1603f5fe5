"""``auditlib sample``: draw a county's sample from its parameter file and write the worksheets."""

from __future__ import annotations

from pathlib import Path

import click
import pandas as pd
from rich.console import Console
from rich.table import Table

from auditlib.cli.common import restricted_root_option, workspace_root_option
from auditlib.data.bundle import CountyData
from auditlib.data.loading import load_county
from auditlib.errors import DesignError
from auditlib.pipeline.params import AuditParams, load_params
from auditlib.pipeline.phases import phase_one
from auditlib.pipeline.record import data_changes, read_recorded_sample, refuse_changed_data
from auditlib.pipeline.risk_ranking import assess_county
from auditlib.pipeline.workspace import CountyWorkspace
from auditlib.sampling.sample import check_sample, sample_summary


def load_risk(path: Path | None, params: AuditParams, data: CountyData) -> pd.DataFrame | None:
    """Risk scores for a plan that uses them: a CSV file, or scored here."""
    plan = params.sampling_plan()
    if not plan.needs_risk:
        return None
    if path is not None:
        table = pd.read_csv(path, dtype={"household_id": str})
        return table
    if plan.risk_column and plan.risk_column in data.households.columns:
        return None
    # the same call as the report's phase 1 (run_audit), so both draw from the same scores
    scores: pd.DataFrame = assess_county(params, data).assessment.scores
    return scores


@click.command()
@click.argument("params_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@workspace_root_option()
@restricted_root_option()
@click.option(
    "--risk",
    "risk_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="CSV of risk scores (household_id, risk_percentile) for plans that use risk.",
)
@click.option("--no-worksheets", is_flag=True, help="Do not issue the fieldwork worksheets.")
@click.option(
    "--check",
    is_flag=True,
    help="Do not write: check that the data, plan and seed still give the recorded sample "
    "(and that the data did not change since it was drawn).",
)
def sample(
    params_file: Path,
    audit_root: Path,
    restricted_root: Path,
    risk_file: Path | None,
    no_worksheets: bool,
    check: bool,
) -> None:
    """Phase 1: draw the sample of PARAMS_FILE, record it once and issue the worksheets.

    The sample record (sample.csv, sample.json with seed, plan and hashes, the frame and the
    data fingerprint) goes to WORKSPACE/<county_code>/sample and the worksheets (full
    identities) to RESTRICTED/<county_code>/worksheets. Run again, it finds the same sample
    already recorded and the worksheets already issued and writes nothing; it never replaces
    a recorded sample or an issued worksheet (a different sample is refused; worksheets of
    another sample stay where they are and this sample's go to worksheets-2, ...).
    """
    params = load_params(params_file)
    data = load_county(params.data)
    if data.info.county_code != params.county_code:
        raise DesignError(
            f"{params_file}: county_code {params.county_code} but the data folder {params.data} "
            f"holds county {data.info.county_code}"
        )
    workspace = CountyWorkspace(
        params.county_code, audit_root=audit_root, restricted_root=restricted_root
    ).check()
    risk = load_risk(risk_file, params, data)
    console = Console(width=140)
    if check:
        recorded = read_recorded_sample(workspace)
        plan = params.sampling_plan()
        if recorded.seed != params.seed or recorded.plan != plan:
            raise DesignError(
                f"{workspace.sample_dir}: the sample was drawn with seed {recorded.seed} and plan "
                f"{recorded.plan.name!r}, the parameter file now says seed {params.seed} and "
                f"plan {plan.name!r}"
            )
        refuse_changed_data(data_changes(workspace, data), data)
        check_sample(recorded, data, risk=risk)
        console.print(
            f"{workspace.sample_dir}: the data, plan and seed reproduce the recorded sample "
            f"({len(recorded.table)} households, frame SHA-256 {recorded.frame_hash[:16]}…)"
        )
        return
    result = phase_one(params, workspace, data, risk=risk, worksheets=not no_worksheets)
    drawn = result.sample
    table = Table(
        title=f"Sample of {data.info.county} ({params.county_code}), plan {drawn.plan.name}"
    )
    for header in ("stratum", "selection_reason", "psus", "households", "weighted_households"):
        table.add_column(header, justify="right" if header != "stratum" else "left")
    for record in sample_summary(drawn.table).to_dict(orient="records"):
        table.add_row(
            *(
                f"{value:.1f}" if isinstance(value, float) else str(value)
                for value in record.values()
            )
        )
    console.print(table)
    where = (
        f"recorded in {workspace.sample_dir}"
        if result.recorded_now
        else f"already recorded in {workspace.sample_dir} (the same sample; nothing rewritten)"
    )
    console.print(
        f"{len(drawn.table)} households; seed {drawn.seed}; frame SHA-256 "
        f"{drawn.frame_hash[:16]}…; {where}"
    )
    if result.worksheets is not None:
        console.print(result.worksheets.describe())
