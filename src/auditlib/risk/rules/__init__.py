"""The official red-flag rules: catalogue (codes, texts, policy clauses), the hits each
rule records, and the household and payment rules themselves, applied by ``evaluate``.
"""
