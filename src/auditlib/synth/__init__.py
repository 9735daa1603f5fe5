"""The example-data generator: configuration (``config``), people, households,
registries and payments with planted errors, the output files (``output``), the example
counties (``examples``) and fieldwork simulated from the ground truth (``fieldwork``).
Imports :mod:`auditlib.data` and :mod:`auditlib.errors`.
"""
