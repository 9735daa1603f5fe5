"""Writing files atomically: a temporary file beside the target, moved into place on success.

A crash or an exception leaves the target as it was (old content or absent), never half
written; every output of auditlib (samples, worksheets, reports, manifests) is written so.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

__all__ = ["atomic_write", "atomic_write_bytes", "atomic_write_text", "write_with"]


@contextlib.contextmanager
def atomic_write(path: Path, mode: str = "wb") -> Iterator[Any]:
    """Open a temporary file beside ``path`` and move it into place only on success.

    A crash or exception leaves ``path`` as it was (old content or absent), never half written.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        encoding = None if "b" in mode else "utf-8"
        with open(handle, mode, encoding=encoding) as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically."""
    with atomic_write(path, "wb") as stream:
        stream.write(data)


def atomic_write_text(path: Path, text: str) -> None:
    """Write UTF-8 ``text`` to ``path`` atomically (``\\n`` line endings)."""
    atomic_write_bytes(path, text.encode("utf-8"))


def write_with(path: Path, writer: Callable[[Path], None]) -> None:
    """Let ``writer`` write a temporary file, then move it onto ``path`` atomically."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(
        prefix=f".{path.name}.", suffix=path.suffix, dir=path.parent
    )
    os.close(handle)
    try:
        writer(Path(temporary))
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
