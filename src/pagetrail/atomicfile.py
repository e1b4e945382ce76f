"""A file written whole or not at all: the content goes to a temporary file of its own in the
target's folder, which then replaces the target. Readers (another process, another thread) see
the old file or the new one, never a half-written one, and a failed write leaves no temporary
file behind."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO


@contextlib.contextmanager
def replaced(path: Path, mode: str = "wb", *, encoding: str | None = None,
             prefix: str | None = None) -> Iterator[IO]:
    """``with replaced(path, "w", encoding="utf-8") as fh: fh.write(...)`` writes ``path``
    atomically. The temporary file's name is unique (``mkstemp``: two writers of one path, even
    threads of one process, never share it) and starts with ``prefix`` (default ``.NAME.``).
    Errors (OSError from the folder, the disk, the rename) propagate after the clean-up."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=prefix or f".{path.stem}.", suffix=".tmp")
    try:
        with os.fdopen(fd, mode, encoding=encoding) as fh:
            yield fh
        os.chmod(tmp, 0o644)  # mkstemp makes it private; what we write is as readable as the rest
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
