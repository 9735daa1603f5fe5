"""The sizes of a county's estimand populations, recorded so that a province can combine rates.

A provincial rate is :math:`\\sum_c N_c\\hat p_c/\\sum_c N_c`
(:mod:`auditlib.estimation.province`), with :math:`N_c` the county's size of the estimand's
population. The register knows most of them; ``estimates.json`` records them under
``populations``:

========================  =============================================================
``dibao_households``      Dibao recipient households in the register (错保率)
``tekun_households``      特困 recipient households in the register (特困 error rate)
``paid``                  yuan paid to Dibao recipients in the audit period (yuan rates)
``eligible_households``   Dibao-eligible households (漏保率), *estimated*: E + R summed over
                          the township designs (``None`` without an omission sample)
========================  =============================================================
"""

from __future__ import annotations

from typing import Any

import numpy as np

from auditlib.data.bundle import CountyData
from auditlib.estimation.summary import ReportEstimates

__all__ = ["POPULATION_KEYS", "county_populations"]

POPULATION_KEYS: tuple[str, ...] = (
    *("dibao_households", "tekun_households", "paid", "eligible_households"),
)


def _eligible_households(estimates: ReportEstimates) -> float | None:
    if estimates.omission_rate is None:
        return None
    parts = [
        area.omission.eligible_non_recipients.estimate + area.omission.eligible_recipients.estimate
        for area in estimates.township_results.values()
        if area.omission is not None
    ]
    total = float(np.sum(parts)) if parts else float("nan")
    return total if np.isfinite(total) and total > 0 else None


def county_populations(data: CountyData, estimates: ReportEstimates) -> dict[str, Any]:
    """The county's population sizes (keys :data:`POPULATION_KEYS`) for ``estimates.json``.

    Parameters
    ----------
    data : CountyData
        The county's register.
    estimates : ReportEstimates
        The report's estimates (yuan paid, the townships' omission parts).
    """
    programme = data.households["programme"].astype(str).to_numpy()
    return {
        "dibao_households": int((programme == "dibao").sum()),
        "tekun_households": int((programme == "tekun").sum()),
        "paid": estimates.paid,
        "eligible_households": _eligible_households(estimates),
    }
