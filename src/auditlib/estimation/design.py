"""The survey design object handed to every estimator (:class:`SurveyDesign`).

:class:`SurveyDesign` mirrors R ``survey::svydesign``::

    svydesign(ids = ~psu + ssu, strata = ~stratum + ssu_stratum,
              fpc = ~psu_population + ssu_population, data = data)

It is validated once, when built (:class:`auditlib.estimation.structure.DesignStructure`), and
handed to every estimator (:mod:`auditlib.estimation.estimators`), which are also its methods.
"""

from __future__ import annotations

from auditlib.estimation import estimators
from auditlib.estimation.structure import DesignStructure

__all__ = ["SurveyDesign"]


class SurveyDesign(DesignStructure):
    """A stratified one- or two-stage sample design, validated when built.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per sampled unit (household). Estimators read their variables from it.
    strata : str or None
        Column with the first-stage stratum (``None``: a single stratum).
    psu : str
        Column with the primary sampling unit (village, or the household itself in
        single-stage strata).
    ssu : str or None
        Column with the second-stage unit (household). ``None``: single-stage design.
    weights : str or None
        Column with sampling weights (1/π). Derived from the population counts when not
        given; when given with population counts the weights are used as they are and the
        counts serve for the finite-population corrections (as in R).
    psu_population : str or None
        Column with the number of PSUs in the stratum (R's first ``fpc`` column).
    ssu_population : str or None
        Column with the number of SSUs in the PSU's second-stage stratum.
    ssu_strata : str or None
        Column with the second-stage stratum within the PSU (R's ``strata=~stratum+ssu_stratum``).
    lonely_psu : {"fail", "adjust", "certainty"}
        What to do with a stratum holding a single sampled PSU (at either stage), as R's
        ``options(survey.lonely.psu=)``: fail with a message naming the stratum, ``adjust``
        (centre its total at the overall mean), ``certainty`` (no variance contribution).
        A stratum sampled completely (π = 1) is never lonely.
    ultimate_cluster : bool
        Use the with-replacement ultimate-cluster variance (first stage only). Also used
        when neither population count is given.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"stratum": ["a", "a", "b", "b"], "psu": [1, 2, 3, 4],
    ...                       "weight": [10.0, 10.0, 5.0, 5.0], "y": [1, 0, 0, 1]})
    >>> design = SurveyDesign(frame, strata="stratum", psu="psu", weights="weight")
    >>> round(design.proportion("y").estimate, 4)
    0.5
    """

    proportion = estimators.proportion
    total = estimators.total
    mean = estimators.mean
    ratio = estimators.ratio
