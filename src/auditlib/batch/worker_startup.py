"""Start-up settings of batch worker processes, applied when this module is imported.

The batch fork server (:mod:`auditlib.batch.runner`) imports this module first, before papermill and
nbconvert, so that every worker forked from it has them. It is the one auditlib module with an
effect at import: the fork server can only be told which modules to import.
"""

from __future__ import annotations

from auditlib.report.notebook_runner import skip_slow_iri_checker

skip_slow_iri_checker()
