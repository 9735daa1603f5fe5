"""Risk scoring of recipient households: registry cross-checks, red-flag rules, the
isolation forest, reasons and the fairness audit.

``crosscheck`` matches other departments' registries (``name_links``: weak links by name
when the ID number is invalid); ``payment_ledger`` summarises the
payments; ``rules`` (a package) holds the rule catalogue and the household and payment
rules; ``features`` and ``scorer`` build the forest's features and the scikit-learn style
``RiskScorer``; ``assessment``, ``inputs``, ``reasons`` and ``fairness`` finish the picture.
Imports :mod:`auditlib.data` and :mod:`auditlib.errors`, never sampling, estimation or synth.
"""
