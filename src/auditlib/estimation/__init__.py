"""Design-based estimation, mirroring R ``survey``.

The design (``structure``, ``design``), Taylor linearisation (``linearisation``), result
objects (``results``), estimators (``estimators``, reading variables in ``variables``),
confidence intervals (``intervals``), the analysis table (``analysis_table``), the audit
estimands 错保率, improper payments and 漏保率 (``estimands``) and the estimate summary a report
shows (``summary``). Imports :mod:`auditlib.data` and :mod:`auditlib.errors`.
"""
