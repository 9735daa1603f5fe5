"""Evaluation on synthetic ground truth: coverage of the confidence-interval methods
(``coverage``) and the risk ranking against planted anomalies (``risk_ranking``).
"""
