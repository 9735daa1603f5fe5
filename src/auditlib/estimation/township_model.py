"""Model-based township 错保率: the Fay–Herriot estimate shown beside the direct one.

With 2–3 sampled villages a township's direct 错保率 has an interval 60–100 points wide. The
area-level model (:func:`auditlib.estimation.small_area.fay_herriot`, adjusted REML) borrows
strength across the county's townships through register auxiliaries known for every township
(the share of Dibao recipients hit by a red-flag rule and their mean risk percentile), with
sampling variances smoothed by a generalised variance function (the design variance of a
township with no error found is 0, which is not its sampling variance), and is benchmarked to
the county's direct estimate (recipient-weighted). Certainty households enter the direct
estimates they are part of; the GVF's sample sizes count only the households that carry
variance (not the certainty strata).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from auditlib.errors import DesignError
from auditlib.estimation.presentation import proportion_flags
from auditlib.estimation.small_area import fay_herriot, smoothed_sampling_variances

__all__ = ["AUXILIARY_COLUMNS", "MODEL_COLUMNS", "township_model"]

#: Register auxiliaries used when present (columns of the auxiliaries table).
AUXILIARY_COLUMNS: tuple[str, ...] = ("rule_share", "mean_risk")
#: Columns of the model table.
MODEL_COLUMNS: tuple[str, ...] = (
    *("township_code", "direct", "direct_variance", "sampling_variance", "variance_sample"),
    *("estimate", "lower", "upper", "mse", "shrinkage", "synthetic", "recipients"),
    *("reliable", "presentation", "method", "model_variance"),
)


def _empty() -> pd.DataFrame:
    return pd.DataFrame(columns=list(MODEL_COLUMNS))


def township_model(
    direct: Mapping[str, Any],
    variance_sample: Mapping[str, float],
    auxiliaries: pd.DataFrame | None,
    county_estimate: float,
    *,
    level: float = 0.95,
    method: str = "adjusted-reml",
) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """Fay–Herriot estimates of each township's 错保率.

    Parameters
    ----------
    direct : mapping
        Township code → direct :class:`~auditlib.estimation.results.Estimate` of the 错保率.
    variance_sample : mapping
        Township code → sampled Dibao recipients outside the certainty strata (the GVF's n).
    auxiliaries : pandas.DataFrame or None
        ``township_code``, ``recipients`` (Dibao recipient households, the benchmarking
        weights) and the :data:`AUXILIARY_COLUMNS` present; ``None``: recipients from the
        direct estimates' sample, intercept-only model.
    county_estimate : float
        The county's direct 错保率 (benchmark target).
    level : float
        Confidence level.
    method : str
        Variance-component estimator of :func:`~auditlib.estimation.small_area.fay_herriot`.

    Returns
    -------
    (pandas.DataFrame, tuple of str)
        One row per township (:data:`MODEL_COLUMNS`) — empty when the model cannot be fitted —
        and notes saying why or what was simplified.
    """
    codes = sorted(direct)
    n = np.array([float(variance_sample.get(code, 0.0)) for code in codes])
    if len(codes) < 4:
        return _empty(), (f"township model not fitted: {len(codes)} township(s), need 4",)
    y = np.array([float(direct[code].estimate) for code in codes])
    v = np.array([float(direct[code].variance) for code in codes])
    table = (
        auxiliaries.assign(township_code=auxiliaries["township_code"].astype(str))
        .set_index("township_code")
        .reindex(codes)
        if auxiliaries is not None
        else pd.DataFrame(index=codes)
    )
    recipients = (
        table["recipients"].to_numpy(float)
        if "recipients" in table
        else np.array([float(direct[code].n) for code in codes])
    )
    columns = [c for c in AUXILIARY_COLUMNS if c in table and table[c].notna().all()]
    x = table[columns].to_numpy(float) if columns else None
    try:
        d = smoothed_sampling_variances(y, v, np.maximum(n, 1.0), weights=recipients)
        fit = fay_herriot(
            y,
            d,
            x,
            areas=codes,
            method=method,
            level=level,
            benchmark=(recipients, float(county_estimate)),
        )
    except DesignError as error:
        return _empty(), (f"township model not fitted: {error.message}",)
    degrees = max(len(codes) - (1 + len(columns)), 1)
    effective = fit.estimate * (1 - fit.estimate) / np.maximum(fit.mse, 1e-12)
    shown = proportion_flags(
        fit.estimate, fit.lower, fit.upper, effective, degrees, np.maximum(n, 1.0)
    )
    frame = pd.DataFrame(
        {
            "township_code": codes,
            "direct": y,
            "direct_variance": v,
            "sampling_variance": d,
            "variance_sample": n,
            "estimate": fit.estimate,
            "lower": fit.lower,
            "upper": fit.upper,
            "mse": fit.mse,
            "shrinkage": fit.shrinkage,
            "synthetic": fit.synthetic,
            "recipients": recipients,
            "reliable": [not (s.suppress or s.review) for s in shown],
            "presentation": [";".join(s.reasons) for s in shown],
            "method": fit.method,
            "model_variance": fit.model_variance,
        }
    )
    used = ", ".join(columns) or "none (intercept only)"
    return frame[list(MODEL_COLUMNS)], (
        *fit.notes,
        f"township model: Fay–Herriot ({fit.method}), auxiliaries {used}",
    )
