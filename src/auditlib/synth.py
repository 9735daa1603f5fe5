"""Seeded, vectorised generator of realistic synthetic counties with known ground truth.

The generator produces every rural household of a county (recipients and non-recipients), their
members, 12–24 months of payments and the seven registries of other departments, as a
:class:`~auditlib.bundle.CountyData` with exactly the dtypes of loaded data, together with a
:class:`GroundTruth` of planted inclusion errors (错保), omissions (漏保) and payment anomalies.

Randomness
----------
All randomness comes from ``numpy.random.PCG64`` generators seeded by
``SeedSequence(config.seed, spawn_key=(k,))``, one independent sub-stream ``k`` per component
(geography, statuses, households, people, registries, payments). Changing, say, the payment
anomaly rate therefore does not shift the registries' random numbers. Same config ⇒ identical
tables and, through :func:`write_county`, identical bytes.

Examples
--------
>>> from auditlib.synth import SynthConfig, generate_county
>>> county = generate_county(SynthConfig(households=2_000, township_count=2, seed=7))
>>> county.data.households["programme"].isin(["dibao", "tekun", "none"]).all()
np.True_
>>> bool((county.truth.households["inclusion_error"]
...       <= county.truth.households["recipient"]).all())
True

See ``docs/example-data.md`` for the calibration and the traces each planted error leaves.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from auditlib.bundle import CountyData, CountyInfo
from auditlib.schema import (
    HOUSEHOLDS,
    MEMBERS,
    PAYMENTS,
    REGISTRY_TABLES,
    TableSpec,
)
from auditlib.synth_config import SynthConfig
from auditlib.synth_fieldwork import simulate_verification
from auditlib.synth_households import build_geography, build_households, plant_statuses
from auditlib.synth_output import GroundTruth, SyntheticCounty, read_ground_truth, write_county
from auditlib.synth_payments import build_payments, period_start
from auditlib.synth_people import build_people, household_ethnicities
from auditlib.synth_registries import build_registries

__all__ = [
    "GroundTruth",
    "SynthConfig",
    "SyntheticCounty",
    "generate_county",
    "read_ground_truth",
    "simulate_verification",
    "to_contract",
    "write_county",
]

STREAMS: dict[str, int] = {
    "geography": 0,
    "statuses": 1,
    "households": 2,
    "people": 3,
    "registries": 4,
    "payments": 5,
    "verification": 6,
}


def stream(seed: int, component: str) -> np.random.Generator:
    """The independent random generator of one component of the generator."""
    sequence = np.random.SeedSequence(seed, spawn_key=(STREAMS[component],))
    return np.random.Generator(np.random.PCG64(sequence))


def to_contract(frame: pd.DataFrame, spec: TableSpec) -> pd.DataFrame:
    """Select and convert ``frame``'s columns to the dtypes of ``bundle.py`` for table ``spec``.

    Empty strings in nullable text columns become ``<NA>``.
    """
    columns: dict[str, pd.Series] = {}
    for column in spec.columns:
        values = frame[column.name]
        if column.kind in ("string", "id_number", "category"):
            converted = values.astype("string")
            if column.nullable:
                converted = converted.mask(converted == "")
        elif column.kind == "int":
            converted = values.astype("int64")
        elif column.kind == "float":
            converted = values.astype("float64")
        elif column.kind == "date":
            converted = pd.to_datetime(values).astype("datetime64[ns]")
        elif column.kind == "bool":
            converted = values.astype(bool)
        else:  # pragma: no cover - the contract has no other kinds
            raise ValueError(f"unknown column kind {column.kind!r}")
        columns[column.name] = converted.reset_index(drop=True)
    return pd.DataFrame(columns)


def county_info(config: SynthConfig) -> CountyInfo:
    """The :class:`CountyInfo` of a synthetic county."""
    start = date.fromisoformat(str(period_start(config)))
    return CountyInfo(
        county_code=config.county_code,
        county=config.county,
        province=config.province,
        rural_standard=float(config.rural_standard),
        reference_date=config.reference_date,
        audit_period_start=start,
        audit_period_end=config.reference_date,
    )


def _household_frame(config: SynthConfig) -> pd.DataFrame:
    villages = build_geography(config, stream(config.seed, "geography"))
    statuses = plant_statuses(config, villages, stream(config.seed, "statuses"))
    attributes = build_households(config, statuses, stream(config.seed, "households"))
    location = villages.iloc[statuses["village_index"].to_numpy()].reset_index(drop=True)
    frame = pd.concat(
        [location.drop(columns=["households", "poverty"]), statuses, attributes], axis=1
    )
    sizes = villages["households"].to_numpy()
    within = np.arange(len(frame)) - np.repeat(np.cumsum(sizes) - sizes, sizes) + 1
    frame["household_id"] = [
        f"{code}{number:04d}" for code, number in zip(frame["village_code"], within, strict=True)
    ]
    return frame


def _priority_groups(frame: pd.DataFrame, members: pd.DataFrame, config: SynthConfig) -> np.ndarray:
    """Planted group of omitted households; first visible group of other non-recipients."""
    index = members["household_index"].to_numpy()
    count = len(frame)
    severe = np.bincount(
        index, weights=members["disability_grade"].between(1, 2).to_numpy(), minlength=count
    ) > 0
    ill = np.bincount(index, weights=members["serious_illness"].to_numpy(), minlength=count) > 0
    window = np.datetime64(config.reference_date, "D") - np.timedelta64(730, "D")
    exited = frame["exit_date"].to_numpy().astype("datetime64[D]") >= window
    refused = frame["refusal_date"].to_numpy().astype("datetime64[D]") >= window
    visible = np.select(
        [severe, ill, frame["registered_poor"].to_numpy(), exited, refused],
        ["severe_disability", "serious_illness", "registered_poor", "recently_exited", "refused"],
        "",
    )
    candidates = ~frame["recipient"].to_numpy() & ~frame["tekun"].to_numpy()
    groups = np.where(candidates, visible, "")
    planted = frame["priority_group"].to_numpy().astype(str)
    return np.where(planted != "", planted, groups)


def generate_county(config: SynthConfig) -> SyntheticCounty:
    """Generate one synthetic county with its ground truth.

    Parameters
    ----------
    config : SynthConfig
        Size, standard, planted rates and seed.

    Returns
    -------
    SyntheticCounty
        ``.data`` (a :class:`CountyData` with the contract's dtypes), ``.truth`` (a
        :class:`GroundTruth`) and ``.config``.
    """
    frame = _household_frame(config)
    people_stream = stream(config.seed, "people")
    frame["ethnicity"] = household_ethnicities(config, frame["township"].to_numpy(), people_stream)
    members, external = build_people(config, frame, people_stream)
    registries = build_registries(config, frame, members, external, stream(config.seed, "registries"))
    payments, accounts = build_payments(
        config, frame, members, external, stream(config.seed, "payments")
    )
    head = np.cumsum(frame["size"].to_numpy()) - frame["size"].to_numpy()
    recipient = frame["recipient"].to_numpy()
    tekun = frame["tekun"].to_numpy()
    households = frame.assign(
        county_code=config.county_code,
        county=config.county,
        head_name=members["name"].to_numpy()[head],
        head_id_number=members["id_number"].to_numpy()[head],
        members=frame["size"],
        programme=np.where(recipient, "dibao", np.where(tekun, "tekun", "none")),
        account_number=accounts["account_number"].to_numpy(),
        account_holder_name=accounts["account_holder_name"].to_numpy(),
    )
    members_table = members.assign(
        household_id=frame["household_id"].to_numpy()[members["household_index"].to_numpy()],
        sex=np.where(members["male"].to_numpy(), "M", "F"),
    )
    registry_tables = {}
    for spec in REGISTRY_TABLES:
        table = registries[spec.name].sort_values(
            ["id_number", *spec.column_names[2:3]], kind="stable"
        )
        registry_tables[spec.name] = to_contract(table, spec)
    data = CountyData(
        info=county_info(config),
        households=to_contract(households, HOUSEHOLDS),
        members=to_contract(members_table, MEMBERS),
        payments=to_contract(payments, PAYMENTS),
        registries=registry_tables,
    )
    error_type = frame["error_type"].to_numpy().astype(str)
    anomaly_type = frame["anomaly_type"].to_numpy().astype(str)
    inclusion_error = error_type != ""
    payment_anomaly = anomaly_type != ""
    truth_households = pd.DataFrame(
        {
            "household_id": frame["household_id"].astype("string"),
            "recipient": recipient,
            "eligible": (recipient & ~inclusion_error) | frame["omitted"].to_numpy(),
            "inclusion_error": inclusion_error,
            "error_type": pd.Series(error_type, dtype="string").mask(~inclusion_error),
            "omitted": frame["omitted"].to_numpy(),
            "priority_group": pd.Series(
                _priority_groups(frame, members, config), dtype="string"
            ).replace("", pd.NA),
            "payment_anomaly": payment_anomaly,
            "payment_anomaly_types": pd.Series(anomaly_type, dtype="string"),
            "anomaly": inclusion_error | payment_anomaly,
            "correct_benefit": frame["correct_benefit"].astype("float64"),
        }
    )
    anomaly_labels = pd.Series(payments["anomaly_type"].to_numpy().astype(str), dtype="string")
    truth_payments = pd.DataFrame(
        {
            "payment_id": payments["payment_id"].astype("string"),
            "anomaly_type": anomaly_labels.mask(anomaly_labels == ""),
        }
    )
    truth = GroundTruth(households=truth_households, payments=truth_payments)
    return SyntheticCounty(config=config, data=data, truth=truth)
