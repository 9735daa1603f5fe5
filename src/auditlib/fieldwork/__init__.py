"""Fieldwork: the worksheet layout (``layout``), writing the worksheets (``writing``,
``xlsx``), reading filled worksheets (``reading``) and importing verification results with
reconciliation against what was issued (``importing``). May import :mod:`auditlib.sampling`.
"""
