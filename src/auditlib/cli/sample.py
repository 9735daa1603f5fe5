"""``auditlib sample``: draw a county's sample from its parameter file and write the worksheets."""

from __future__ import annotations

from pathlib import Path

import click
import pandas as pd
from rich.console import Console
from rich.table import Table

from auditlib.data.bundle import CountyData
from auditlib.data.loading import load_county
from auditlib.errors import DesignError
from auditlib.fieldwork.writing import write_worksheets
from auditlib.pipeline.audit import risk_scorer
from auditlib.pipeline.params import AuditParams, load_params
from auditlib.sampling.sample import check_sample, draw_sample, read_sample, sample_summary

DEFAULT_OUTPUT = Path("reports")


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
    scorer = risk_scorer(params.risk)
    scorer.fit(data)
    scores: pd.DataFrame = scorer.score(data)
    return scores


@click.command()
@click.argument("params_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Output folder (default reports/<county_code>/sample).",
)
@click.option(
    "--risk",
    "risk_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="CSV of risk scores (household_id, risk_percentile) for plans that use risk.",
)
@click.option("--parquet", is_flag=True, help="Write the sample table as parquet, not CSV.")
@click.option("--no-worksheets", is_flag=True, help="Do not write the fieldwork worksheets.")
@click.option(
    "--restricted",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("restricted"),
    show_default=True,
    help="Folder receiving the worksheets (full identities) as <county_code>/worksheets; "
    "kept apart from reports/.",
)
@click.option(
    "--check",
    is_flag=True,
    help="Do not write: re-derive the sample already in the output folder and fail if the "
    "data, plan or seed no longer give the same households.",
)
def sample(
    params_file: Path,
    out: Path | None,
    risk_file: Path | None,
    parquet: bool,
    no_worksheets: bool,
    restricted: Path,
    check: bool,
) -> None:
    """Draw the sample described by PARAMS_FILE (params/<county_code>.yaml).

    Writes sample.csv and sample.json (seed, plan, frame hash) into the output folder and the
    fieldwork worksheets (full identities) into RESTRICTED/<county_code>/worksheets, a folder kept
    apart from the reports.
    """
    params = load_params(params_file)
    data = load_county(params.data)
    if data.info.county_code != params.county_code:
        raise DesignError(
            f"{params_file}: county_code {params.county_code} but the data folder {params.data} "
            f"holds county {data.info.county_code}"
        )
    plan = params.sampling_plan()
    risk = load_risk(risk_file, params, data)
    folder = out if out is not None else DEFAULT_OUTPUT / params.county_code / "sample"
    if check:
        recorded = read_sample(folder)
        if recorded.seed != params.seed or recorded.plan != plan:
            raise DesignError(
                f"{folder}: the sample was drawn with seed {recorded.seed} and plan "
                f"{recorded.plan.name!r}, the parameter file now says seed {params.seed} and "
                f"plan {plan.name!r}"
            )
        check_sample(recorded, data, risk=risk)
        Console().print(
            f"{folder}: the data, plan and seed reproduce the recorded sample "
            f"({len(recorded.table)} households, frame SHA-256 {recorded.frame_hash[:16]}…)"
        )
        return
    drawn = draw_sample(data, plan, params.seed, risk=risk)
    written = drawn.write(folder, parquet=parquet)
    console = Console(width=140)
    table = Table(title=f"Sample of {data.info.county} ({params.county_code}), plan {plan.name}")
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
    console.print(
        f"{len(drawn.table)} households; seed {drawn.seed}; frame SHA-256 "
        f"{drawn.frame_hash[:16]}…; written to {written}"
    )
    if not no_worksheets:
        sheets = write_worksheets(
            drawn,
            data,
            restricted / params.county_code / "worksheets",
            teams=params.sampling.teams,
        )
        console.print(
            f"{len(sheets.files)} worksheet file(s) in {sheets.folder} (restricted: "
            "full names and ID numbers)"
        )
