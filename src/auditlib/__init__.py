"""auditlib: reproducible audits of China's minimum living allowance (低保 Dibao).

The public API is what ``__all__`` lists; everything else may change.

Public names are imported on first use (``lazy_loader``, PEP 562 module ``__getattr__``):
``import auditlib`` loads no numerical library, so the command line, the report runner and the
batch workers start quickly, and a notebook pays only for the parts it uses.
``from auditlib import SurveyDesign`` and ``auditlib.SurveyDesign`` work as usual. The names and
the module each comes from are listed once, in ``__init__.pyi``, which type checkers read too.
"""

from __future__ import annotations

import lazy_loader

__version__ = "0.1.0"

__getattr__, _lazy_dir, _lazy_names = lazy_loader.attach_stub(__name__, __file__)
__all__ = ["__version__", *_lazy_names]


def __dir__() -> list[str]:
    return sorted({*_lazy_dir(), "__version__"})
