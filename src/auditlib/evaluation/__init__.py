"""Evaluation on synthetic ground truth: coverage of the confidence-interval methods
(``coverage``) and the risk ranking against planted anomalies (``risk_ranking``); the fairness
of the risk flags on the verified sample (``fairness``) and the proxy check of the forest's
inputs (``proxy``).
"""
