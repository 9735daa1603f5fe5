"""Many counties at once: the batch runner (``runner``), its worker processes (``worker``,
``worker_startup``), isolation, resume and the summary workbook.
"""
