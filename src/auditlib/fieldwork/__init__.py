"""Fieldwork: the worksheet layout (``layout``), writing the worksheets (``writing``,
``xlsx``), reading filled worksheets (``reading``, each answer parsed by ``answers``), reading a
verification file (``verification_file``), importing verification results with reconciliation
against what was issued (``importing``, the table and its supersede rule in
``verification_table``) and the append-only results log (``results``). May import
:mod:`auditlib.sampling`.
"""
