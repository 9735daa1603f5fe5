"""Result objects of the generator and writing a synthetic county to a folder.

:func:`write_county` writes the contract tables as ``<table>.csv`` (UTF-8, English headers,
``\\n`` line ends, floats with two decimals, ISO dates, booleans as ``1``/``0``, missing values
as empty cells), ``county.yaml`` and the ground truth under ``ground_truth/`` (which the loader
never reads). The bytes depend only on the data, so the same config always gives the same files.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import yaml

from auditlib.data.atomic import atomic_write_bytes, atomic_write_text
from auditlib.data.bundle import CountyData
from auditlib.data.register_tables import HOUSEHOLDS, MEMBERS, PAYMENTS
from auditlib.data.registry_tables import REGISTRY_TABLES
from auditlib.errors import DataError
from auditlib.synth.config import SynthConfig

__all__ = [
    "GROUND_TRUTH_FOLDER",
    "GroundTruth",
    "SyntheticCounty",
    "frame_to_csv_bytes",
    "read_ground_truth",
    "write_county",
]

GROUND_TRUTH_FOLDER = "ground_truth"
_LOG = logging.getLogger("auditlib.synth")
_TRUTH_BOOLS = (
    "recipient",
    "eligible",
    "inclusion_error",
    "omitted",
    "payment_anomaly",
    "anomaly",
)


@dataclass(frozen=True)
class GroundTruth:
    """What the generator planted (synthetic data only).

    Attributes
    ----------
    households : pandas.DataFrame
        One row per household: ``household_id``, ``recipient`` (on Dibao), ``eligible`` (truly
        eligible for Dibao), ``inclusion_error`` (recipient and not eligible), ``error_type``
        (:data:`~auditlib.data.codes.ERROR_TYPES` code or ``<NA>``), ``omitted`` (eligible
        non-recipient), ``priority_group`` (planted group of an omitted household; for other
        non-recipients the first priority group visible in the data; ``<NA>`` for recipients),
        ``payment_anomaly``, ``payment_anomaly_types`` (``;``-joined codes or ``""``),
        ``anomaly`` (inclusion error or payment anomaly) and ``correct_benefit`` (yuan/month the
        household should receive; 0 when not eligible; 特困 households keep their support).
    payments : pandas.DataFrame
        One row per payment: ``payment_id``, ``anomaly_type`` (code or ``<NA>``).
    """

    households: pd.DataFrame
    payments: pd.DataFrame

    def summary(self) -> dict[str, float]:
        """Headline counts and rates of the planted truth."""
        table = self.households
        recipients = int(table["recipient"].sum())
        eligible = int(table["eligible"].sum())
        return {
            "households": float(len(table)),
            "recipients": float(recipients),
            "inclusion_error_rate": float(table["inclusion_error"].sum() / max(recipients, 1)),
            "payment_anomaly_rate": float(table["payment_anomaly"].sum() / max(recipients, 1)),
            "anomaly_rate": float(table["anomaly"].sum() / max(recipients, 1)),
            "omission_rate": float(table["omitted"].sum() / max(eligible, 1)),
            "anomalous_payments": float(self.payments["anomaly_type"].notna().sum()),
        }


@dataclass(frozen=True)
class SyntheticCounty:
    """A generated county: its config, its data (as if loaded) and its ground truth."""

    config: SynthConfig
    data: CountyData
    truth: GroundTruth


def _fixed_two_decimals(values: npt.NDArray[np.float64]) -> pa.Array:
    """Floats as text with exactly two decimals (``"%.2f"``); NaN as null."""
    missing = np.isnan(values)
    cents = np.round(np.where(missing, 0.0, values) * 100).astype(np.int64)
    sign = pa.array(np.where(cents < 0, "-", ""))
    cents = np.abs(cents)
    whole = pa.array(cents // 100).cast(pa.string())
    fraction = pc.utf8_lpad(pa.array(cents % 100).cast(pa.string()), width=2, padding="0")
    text = pc.binary_join_element_wise(sign, pc.binary_join_element_wise(whole, fraction, "."), "")
    return pc.if_else(pa.array(missing), pa.scalar(None, pa.string()), text)


def _arrow_column(column: pd.Series) -> pa.Array:
    if pd.api.types.is_bool_dtype(column):
        return pa.array(column.to_numpy(dtype=bool).astype(np.int8))
    if pd.api.types.is_datetime64_any_dtype(column):
        return pa.array(column.to_numpy(dtype="datetime64[ns]"), type=pa.timestamp("ns")).cast(
            pa.date32()
        )
    if pd.api.types.is_float_dtype(column):
        return _fixed_two_decimals(column.to_numpy(dtype=np.float64, na_value=np.nan))
    if pd.api.types.is_integer_dtype(column):
        return pa.array(column, from_pandas=True)
    return pa.array(column.astype("string"), from_pandas=True).cast(pa.string())


def frame_to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """Deterministic UTF-8 CSV bytes of a table (see the module docstring for the format).

    Written by pyarrow's CSV writer (fast for million-row tables). Text is quoted only when some
    cell of the table contains a comma, a quote or a line break (then every text cell is quoted).
    """
    table = pa.table({str(name): _arrow_column(frame[name]) for name in frame.columns})
    needs_quotes = any(
        pa.types.is_string(table.column(index).type)
        and pc.any(pc.match_substring_regex(table.column(index), r'[,"\r\n]')).as_py()
        for index in range(table.num_columns)
    )
    buffer = io.BytesIO()
    buffer.write((",".join(table.column_names) + "\n").encode("utf-8"))
    pa_csv.write_csv(
        table,
        buffer,
        pa_csv.WriteOptions(
            include_header=False, quoting_style="needed" if needs_quotes else "none"
        ),
    )
    return buffer.getvalue()


def _county_yaml(data: CountyData, config: SynthConfig | None) -> str:
    info = data.info
    mapping = {
        "county_code": info.county_code,
        "county": info.county,
        "province": info.province,
        "rural_standard": float(info.rural_standard),
        "reference_date": info.reference_date,
        "audit_period_start": info.audit_period_start,
        "audit_period_end": info.audit_period_end,
    }
    header = "# SYNTHETIC example data generated by auditlib.synth"
    if config is not None:
        header += f" (seed {config.seed}, {config.households} households)"
    header += ": no real person.\n"
    return header + yaml.dump(mapping, Dumper=_PlainDumper, allow_unicode=True, sort_keys=False)


class _PlainDumper(yaml.SafeDumper):
    """Safe YAML dumper that never writes anchors and aliases."""

    def ignore_aliases(self, data: object) -> bool:
        return True


def write_county(synthetic: SyntheticCounty, folder: Path | str) -> list[Path]:
    """Write a synthetic county to ``folder`` (created if needed); return the files written.

    Files: ``county.yaml``, ``households.csv``, ``members.csv``, ``payments.csv``, one
    ``registry_*.csv`` per registry, ``ground_truth/households.csv``,
    ``ground_truth/payments.csv`` and ``ground_truth/config.yaml`` (the generator config).
    """
    target = Path(folder)
    truth_folder = target / GROUND_TRUTH_FOLDER
    try:
        truth_folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise DataError(f"{target}: cannot create the output folder ({error})") from None
    data = synthetic.data
    written: list[Path] = []

    def emit(path: Path, content: bytes) -> None:
        atomic_write_bytes(path, content)
        written.append(path)
        _LOG.debug("wrote %s", path)

    emit(target / "county.yaml", _county_yaml(data, synthetic.config).encode("utf-8"))
    for spec, table in (
        (HOUSEHOLDS, data.households),
        (MEMBERS, data.members),
        (PAYMENTS, data.payments),
    ):
        emit(target / f"{spec.name}.csv", frame_to_csv_bytes(table))
    for spec in REGISTRY_TABLES:
        registry = data.registry(spec.name)
        if registry is not None:
            emit(target / f"{spec.name}.csv", frame_to_csv_bytes(registry))
    emit(truth_folder / "households.csv", frame_to_csv_bytes(synthetic.truth.households))
    emit(truth_folder / "payments.csv", frame_to_csv_bytes(synthetic.truth.payments))
    config_text = "# Generator config of this synthetic county (auditlib.synth.SynthConfig)\n"
    config_text += yaml.safe_dump(
        synthetic.config.to_mapping(), allow_unicode=True, sort_keys=False
    )
    atomic_write_text(truth_folder / "config.yaml", config_text)
    written.append(truth_folder / "config.yaml")
    return written


def read_ground_truth(folder: Path | str) -> GroundTruth:
    """Read ``ground_truth/`` of a county folder written by :func:`write_county`."""
    truth_folder = Path(folder) / GROUND_TRUTH_FOLDER
    paths = [truth_folder / "households.csv", truth_folder / "payments.csv"]
    for path in paths:
        if not path.is_file():
            raise DataError(
                f"{path}: file not found; expected the ground truth written by auditlib synth"
            )
    households = pd.read_csv(
        paths[0],
        dtype={
            "household_id": "string",
            "error_type": "string",
            "priority_group": "string",
            "payment_anomaly_types": "string",
        },
        keep_default_na=False,
        na_values={"error_type": [""], "priority_group": [""]},
    )
    for name in _TRUTH_BOOLS:
        households[name] = households[name].astype(bool)
    households["correct_benefit"] = households["correct_benefit"].astype("float64")
    households["payment_anomaly_types"] = households["payment_anomaly_types"].fillna("")
    payments = pd.read_csv(
        paths[1],
        dtype={"payment_id": "string", "anomaly_type": "string"},
        keep_default_na=False,
        na_values={"anomaly_type": [""]},
    )
    return GroundTruth(households=households, payments=payments)
