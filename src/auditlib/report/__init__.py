"""Producing a report folder: the notebook runner (``notebook_runner``, ``kernel``), the
report run (``produce``, ``folder``), sections and their text (``sections``, ``sections_risk``,
``text``, ``html``, ``risk_tables``), figures and fonts, rendering to HTML and PDF (``render``),
the statistics form (``forms``), outputs (``outputs``), the privacy guard (``privacy``), the
manifest (``manifest``) and ``verify``. Templates, fonts and the report notebook are package
data under ``assets/``.
"""
