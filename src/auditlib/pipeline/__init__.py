"""One county audit: the parameter file (``params``) and the run that loads, scores,
samples, verifies and estimates (``audit``), used by the CLI, the report notebook and batches.
"""
