"""Seeded, vectorised generator of realistic synthetic counties with known ground truth.

The generator produces every rural household of a county (recipients and non-recipients), their
members, 12–24 months of payments and the seven registries of other departments, as a
:class:`~auditlib.data.bundle.CountyData` with exactly the dtypes of loaded data, together with a
:class:`GroundTruth` of planted inclusion errors (错保), omissions (漏保) and payment anomalies.

Randomness
----------
All randomness comes from ``numpy.random.PCG64`` generators seeded by
``SeedSequence(config.seed, spawn_key=(k,))``, one independent sub-stream ``k`` per component
(geography, statuses, households, people, registries, payments, and the benign noise of
``realism = "realistic"``, :mod:`auditlib.synth.realism`). Changing, say, the payment
anomaly rate therefore does not shift the registries' random numbers. Same config ⇒ identical
tables and, through :func:`write_county`, identical bytes.

Examples
--------
>>> from auditlib.synth.generator import SynthConfig, generate_county
>>> county = generate_county(SynthConfig(households=2_000, township_count=2, seed=7))
>>> county.data.households["programme"].isin(["dibao", "tekun", "none"]).all()
np.True_
>>> bool((county.truth.households["inclusion_error"]
...       <= county.truth.households["recipient"]).all())
True

See ``docs/example-data.md`` for the calibration and the traces each planted error leaves.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa

from auditlib.data.atomic import atomic_write_text
from auditlib.data.bundle import CountyData, CountyInfo
from auditlib.data.register_tables import HOUSEHOLDS, MEMBERS, PAYMENTS
from auditlib.data.registry_tables import REGISTRY_TABLES
from auditlib.data.schema import TableSpec
from auditlib.synth.config import SynthConfig
from auditlib.synth.households import (
    Coded,
    Columns,
    build_geography,
    build_households,
    plant_statuses,
)
from auditlib.synth.identity import name_dictionary, numbered
from auditlib.synth.output import GroundTruth, SyntheticCounty, write_county
from auditlib.synth.payments import build_payments, period_start
from auditlib.synth.people import (
    EMPLOYMENT_CODES,
    RELATION_CODES,
    build_people,
    household_ethnicities,
)
from auditlib.synth.realism import add_registry_noise, vary_holder_names
from auditlib.synth.registries import build_registries

__all__ = [
    "generate_county",
    "to_contract",
    "write_practice_county",
]

_LOG = logging.getLogger("auditlib.synth")

STREAMS: dict[str, int] = {
    "geography": 0,
    "statuses": 1,
    "households": 2,
    "people": 3,
    "registries": 4,
    "payments": 5,
    "verification": 6,
    "realism": 7,
}


def stream(seed: int, component: str) -> np.random.Generator:
    """The independent random generator of one component of the generator."""
    sequence = np.random.SeedSequence(seed, spawn_key=(STREAMS[component],))
    return np.random.Generator(np.random.PCG64(sequence))


def _string_column(values: Any, nullable: bool) -> pd.Series:
    """A pandas ``string`` column from numpy text or a :class:`Coded` column (through pyarrow)."""
    if isinstance(values, Coded) and isinstance(values.labels, pa.Array):
        codes = np.asarray(values.codes, dtype=np.int32)
        arrow = pa.DictionaryArray.from_arrays(pa.array(codes), values.labels)
        return pd.Series(pd.arrays.ArrowStringArray(arrow.cast(pa.string())))
    if isinstance(values, Coded):
        labels = np.asarray(values.labels)
        if labels.dtype.kind == "O":
            labels = labels.astype(str)
        empty = labels == (b"" if labels.dtype.kind == "S" else "")
        dictionary = pa.array(labels)
        if not pa.types.is_string(dictionary.type):
            dictionary = dictionary.cast(pa.string())
        codes = np.asarray(values.codes, dtype=np.int32)
        mask = empty[codes] if nullable and empty.any() else None
        arrow = pa.DictionaryArray.from_arrays(pa.array(codes, mask=mask), dictionary)
        return pd.Series(pd.arrays.ArrowStringArray(arrow.cast(pa.string())))
    array = np.asarray(values)
    if array.dtype.kind == "O":
        array = array.astype(str)
    empty = array == (b"" if array.dtype.kind == "S" else "")
    mask = empty if nullable and empty.any() else None
    arrow = pa.array(array, mask=mask)
    if not pa.types.is_string(arrow.type):
        arrow = arrow.cast(pa.string())
    return pd.Series(pd.arrays.ArrowStringArray(arrow))


def to_contract(columns: Mapping[str, Any], spec: TableSpec) -> pd.DataFrame:
    """Convert internal columns to a table of contract ``spec`` with the dtypes of ``bundle.py``.

    Empty strings in nullable text columns become ``<NA>``; missing dates are ``NaT``. Optional
    columns absent from ``columns`` are left out of the table.
    """
    result: dict[str, pd.Series] = {}
    for column in spec.columns:
        if not column.required and column.name not in columns:
            continue  # an optional column the generator does not produce (clean data)
        values = columns[column.name]
        if isinstance(values, pd.Series):
            values = values.to_numpy()
        if column.kind in ("string", "id_number", "category"):
            converted = _string_column(values, column.nullable)
        elif column.kind == "int":
            converted = pd.Series(np.asarray(values, dtype=np.int64))
        elif column.kind == "float":
            converted = pd.Series(np.asarray(values, dtype=np.float64))
        elif column.kind == "date":
            converted = pd.Series(np.asarray(values).astype("datetime64[ns]"))
        elif column.kind == "bool":
            converted = pd.Series(np.asarray(values, dtype=bool))
        else:  # pragma: no cover - the contract has no other kinds
            raise ValueError(f"unknown column kind {column.kind!r}")
        result[column.name] = converted
    return pd.DataFrame(result)


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


def _household_frame(config: SynthConfig) -> tuple[Columns, Columns]:
    villages = build_geography(config, stream(config.seed, "geography"))
    statuses = plant_statuses(config, villages, stream(config.seed, "statuses"))
    attributes = build_households(config, statuses, stream(config.seed, "households"))
    village_index = statuses["village_index"]
    frame: Columns = {
        name: villages[name][village_index]
        for name in ("township_index", "township_code", "township", "village_code", "village")
    }
    frame.update(statuses)
    frame.update(attributes)
    sizes = villages["households"]
    within = np.arange(len(village_index)) - np.repeat(np.cumsum(sizes) - sizes, sizes) + 1
    frame["household_id"] = numbered(frame["village_code"], within, 4)
    return frame, villages


def _priority_groups(frame: Columns, members: Columns, config: SynthConfig) -> npt.NDArray[Any]:
    """Planted group of omitted households; first visible group of other non-recipients."""
    index = members["household_index"]
    count = len(frame["size"])
    grade = members["disability_grade"]
    severe = np.bincount(index, weights=(grade >= 1) & (grade <= 2), minlength=count) > 0
    ill = np.bincount(index, weights=members["serious_illness"], minlength=count) > 0
    window = np.datetime64(config.reference_date, "D") - np.timedelta64(730, "D")
    exited = frame["exit_date"].astype("datetime64[D]") >= window
    refused = frame["refusal_date"].astype("datetime64[D]") >= window
    visible = np.select(
        [severe, ill, frame["registered_poor"], exited, refused],
        ["severe_disability", "serious_illness", "registered_poor", "recently_exited", "refused"],
        "",
    )
    candidates = ~frame["recipient"] & ~frame["tekun"]
    groups = np.where(candidates, visible, "")
    planted = frame["priority_group"].astype(str)
    return np.where(planted != "", planted, groups)


def _ground_truth(
    config: SynthConfig, frame: Columns, members: Columns, payments: Columns
) -> GroundTruth:
    recipient = frame["recipient"]
    error_type = frame["error_type"].astype(str)
    anomaly_type = frame["anomaly_type"].astype(str)
    inclusion_error = error_type != ""
    payment_anomaly = anomaly_type != ""
    households = pd.DataFrame(
        {
            "household_id": _string_column(frame["household_id"], False),
            "recipient": recipient,
            "eligible": (recipient & ~inclusion_error) | frame["omitted"],
            "inclusion_error": inclusion_error,
            "error_type": _string_column(error_type, True),
            "omitted": frame["omitted"],
            "priority_group": _string_column(_priority_groups(frame, members, config), True),
            "payment_anomaly": payment_anomaly,
            "payment_anomaly_types": _string_column(anomaly_type, False),
            "anomaly": inclusion_error | payment_anomaly,
            "correct_benefit": frame["correct_benefit"].astype("float64"),
        }
    )
    transfers = pd.DataFrame(
        {
            "payment_id": _string_column(payments["payment_id"], False),
            "anomaly_type": _string_column(payments["anomaly_type"].astype(str), True),
        }
    )
    return GroundTruth(households=households, payments=transfers)


def _members_table(config: SynthConfig, frame: Columns, members: Columns) -> pd.DataFrame:
    ethnicities = sorted(
        {*config.ethnicity_shares}
        | {name for shares in config.township_ethnicity_shares.values() for name in shares}
    )
    columns: Columns = dict(members)
    columns.update(
        household_id=Coded(members["household_index"], frame["household_id"]),
        name=Coded(members["name"], name_dictionary()),
        relation=Coded(members["relation_code"], RELATION_CODES),
        sex=Coded((~members["male"]).astype(np.int64), np.array(["M", "F"])),
        ethnicity=Coded.encode(members["ethnicity"], ethnicities),
        employment=Coded(members["employment_code"], EMPLOYMENT_CODES),
    )
    return to_contract(columns, MEMBERS)


def _households_table(
    config: SynthConfig,
    frame: Columns,
    villages: Columns,
    heads: tuple[Coded, npt.NDArray[Any]],
    accounts: Columns,
) -> pd.DataFrame:
    count = len(frame["size"])
    columns: Columns = dict(frame)
    columns.update(
        county_code=Coded(np.zeros(count, dtype=np.int64), np.array([config.county_code])),
        county=Coded(np.zeros(count, dtype=np.int64), np.array([config.county])),
        head_name=heads[0],
        head_id_number=heads[1],
        members=frame["size"],
        programme=Coded(
            np.where(frame["recipient"], 0, np.where(frame["tekun"], 1, 2)),
            np.array(["dibao", "tekun", "none"]),
        ),
        dibao_category=Coded.encode(frame["dibao_category"], ["A", "B", "C", ""]),
        account_number=accounts["account_number"],
        account_holder_name=accounts["account_holder_name"],
    )
    for name in ("township_code", "township", "village_code", "village"):
        columns[name] = Coded(frame["village_index"], villages[name])
    return to_contract(columns, HOUSEHOLDS)


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

    Notes
    -----
    Its stages are logged at DEBUG level (logger ``auditlib.synth``; ``--verbose`` shows them).
    """
    _LOG.debug("%s: households and villages", config.county_code)
    frame, villages = _household_frame(config)
    _LOG.debug("%s: members", config.county_code)
    people_stream = stream(config.seed, "people")
    frame["ethnicity"] = household_ethnicities(config, frame["township"], people_stream)
    members, external = build_people(config, frame, people_stream)
    _LOG.debug("%s: registries of other departments", config.county_code)
    registries = build_registries(
        config, frame, members, external, stream(config.seed, "registries")
    )
    realistic = config.realism == "realistic"
    noise = stream(config.seed, "realism")
    if realistic:
        registries = add_registry_noise(config, frame, members, external, registries, noise)
    registry_tables = {}
    for spec in REGISTRY_TABLES:
        table = registries.pop(spec.name)
        order = np.lexsort((table[spec.column_names[2]], table["id_number"]))
        registry_tables[spec.name] = to_contract(
            {name: values[order] for name, values in table.items()}, spec
        )
    _LOG.debug("%s: %d months of payments", config.county_code, config.months)
    payments, accounts = build_payments(
        config, frame, members, external, stream(config.seed, "payments")
    )
    if realistic:
        payments, accounts = vary_holder_names(
            payments, accounts, config.holder_name_variant_rate, noise
        )
    del external
    _LOG.debug("%s: ground truth and tables", config.county_code)
    truth = _ground_truth(config, frame, members, payments)
    head = np.cumsum(frame["size"]) - frame["size"]
    heads = (Coded(members["name"][head], name_dictionary()), members["id_number"][head])
    # Convert the largest tables first and drop their internal columns as soon as possible.
    members_table = _members_table(config, frame, members)
    del members
    payments_table = to_contract(payments, PAYMENTS)
    del payments
    data = CountyData(
        info=county_info(config),
        households=_households_table(config, frame, villages, heads, accounts),
        members=members_table,
        payments=payments_table,
        registries=registry_tables,
    )
    return SyntheticCounty(config=config, data=data, truth=truth)


def write_practice_county(
    config: SynthConfig,
    root: Path | str,
    *,
    sample_seed: int,
    n_estimators: int = 100,
    max_samples: int = 256,
) -> Path:
    """Generate a county and write it with a parameter file, ready for ``auditlib report``.

    The data go to ``<root>/data/<county_code>/`` and the parameters to
    ``<root>/params/<county_code>.yaml`` (default plan, the given sample seed, a smaller risk
    forest than the production default so that practice runs, tests and benchmarks are quick).

    Returns
    -------
    pathlib.Path
        The parameter file.
    """
    code = config.county_code
    root = Path(root)
    write_county(generate_county(config), root / "data" / code)
    params = root / "params" / f"{code}.yaml"
    params.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(
        params,
        f'county_code: "{code}"\ndata: ../data/{code}\nseed: {sample_seed}\n'
        f"risk: {{n_estimators: {n_estimators}, max_samples: {max_samples}}}\n",
    )
    return params
