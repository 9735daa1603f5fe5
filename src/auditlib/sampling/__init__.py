"""Sampling: plans and presets (``plan``), the frame with population counts (``frame``),
the keyed-hash draw (``keyed_hash``, ``draw``), the sample record (``sample``) and the
sample-size planner (``planner``). Imports :mod:`auditlib.data` and :mod:`auditlib.errors`.
"""
