"""Names the parameter file may use for the risk scorer, importable without numerical libraries.

Reading a parameter file must not import pandas or scikit-learn (``tests/test_package.py``), yet
the file is validated against the scorer's vocabulary: the forest's feature names live here and
:data:`auditlib.risk.features.FEATURES` is checked against them (``tests/test_params.py``).
"""

from __future__ import annotations

__all__ = ["FEATURE_NAMES", "PROGRAMMES"]

#: The forest's features, in :data:`auditlib.risk.features.FEATURES` order.
FEATURE_NAMES: tuple[str, ...] = (
    "income_per_capita",
    "benefit_above_gap",
    "earnings_per_capita",
    "assets_per_capita",
    "housing_area_per_capita",
    "housing_storeys",
    "payments_per_month",
    "largest_to_median_payment",
    "paid_to_entitlement",
    "households_per_account",
    "accounts_used",
)

#: Programme codes a household may carry (data contract: ``households.programme``).
PROGRAMMES: tuple[str, ...] = ("dibao", "tekun")
