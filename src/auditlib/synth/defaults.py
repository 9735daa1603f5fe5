"""Default mixes of the example-data generator: error types, payment anomalies, priority groups
and ethnicity shares (read-only mappings; ``SynthConfig`` checks them against the data
contract's code lists when a configuration is built)."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

__all__ = [
    "DEFAULT_ERROR_TYPE_WEIGHTS",
    "DEFAULT_ETHNICITY_SHARES",
    "DEFAULT_PAYMENT_ANOMALY_WEIGHTS",
    "DEFAULT_PRIORITY_GROUP_WEIGHTS",
]

#: Relative frequency of each official error type among planted inclusion errors.
DEFAULT_ERROR_TYPE_WEIGHTS: Mapping[str, float] = MappingProxyType(
    {
        "village_cadre": 0.06,
        "official_relative": 0.08,
        "salary_or_pension": 0.10,
        "car_owner": 0.12,
        "commercial_housing": 0.08,
        "luxury_house": 0.06,
        "wealthy_children": 0.10,
        "adult_student_no_proof": 0.05,
        "deceased_member": 0.08,
        "business_owner": 0.07,
        "income_above_standard": 0.14,
        "connections": 0.06,
    }
)


#: Relative frequency of each fund-flow anomaly among planted payment anomalies.
DEFAULT_PAYMENT_ANOMALY_WEIGHTS: Mapping[str, float] = MappingProxyType(
    {
        "holder_name_differs": 0.25,
        "shared_account": 0.25,
        "duplicate_payment": 0.20,
        "oversized_payment": 0.15,
        "payment_after_death": 0.15,
    }
)


#: Relative frequency of each priority group among planted omissions.
DEFAULT_PRIORITY_GROUP_WEIGHTS: Mapping[str, float] = MappingProxyType(
    {
        "severe_disability": 0.25,
        "serious_illness": 0.25,
        "registered_poor": 0.25,
        "recently_exited": 0.15,
        "refused": 0.10,
    }
)


DEFAULT_ETHNICITY_SHARES: Mapping[str, float] = MappingProxyType({"汉族": 1.0})
