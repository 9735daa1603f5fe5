"""Start-up settings of batch worker processes, applied when this module is imported.

The batch fork server (:mod:`auditlib.batch.runner`) imports this module first, before papermill and
nbconvert, so that every worker forked from it has them. It is the one auditlib module with an
effect at import: the fork server can only be told which modules to import.

WeasyPrint is preloaded here rather than named in the fork server's list: without its Pango
libraries its import raises :class:`OSError`, which would stop the fork server (it only ignores
:class:`ImportError`); the workers then print with Chromium.
"""

from __future__ import annotations

from auditlib.report.notebook_runner import skip_slow_iri_checker
from auditlib.report.render import weasyprint_problem

skip_slow_iri_checker()
weasyprint_problem()
