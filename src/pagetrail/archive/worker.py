"""An Archive in a process of its own, answering calls that arrive over a pipe.

A crawl hands each fetch to this process and goes on downloading while the records are gzipped,
hashed, written and catalogued on another core (the way warcprox or Heritrix's writer threads
take WARC writing off the fetching path). ``pagetrail.crawl.writer.ProcessArchive`` is the other
end.

Protocol: frames of an 8-byte big-endian length and a pickle. The first request is
``("open", class_path, root, options, sys_path)``; then ``(method, args)`` for the methods in
``CALLS``; every request gets one reply, in order: ``("ok", result)`` or ``("error", exception)``.
End of input (the crawl closed the pipe, or died) closes the archive cleanly, so a crawl killed
with SIGKILL still leaves closed, indexed WARC files behind; requests already in the pipe are
written first. SIGINT and SIGTERM are ignored for that reason: Ctrl-C reaches the whole process
group, and the crawl decides when the archive closes.

Run as ``python -m pagetrail.archive.worker IN_FD OUT_FD``, or forked from the crawl, which then
calls :func:`main` itself (``crawl/writer.py``).
"""

from __future__ import annotations

import importlib
import os
import pickle
import signal
import struct
import sys
from typing import Any, BinaryIO

HEADER = struct.Struct("!Q")
#: The Archive methods a crawl may call, and nothing else.
CALLS = frozenset({"conditional_headers", "conditional_headers_for", "record", "record_failure",
                   "flush", "close"})


def encode(message: Any) -> bytes:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    return HEADER.pack(len(data)) + data


def read_frame(stream: BinaryIO) -> Any:
    """The next message from a blocking stream; EOFError at a clean end of input."""
    head = stream.read(HEADER.size)
    if not head:
        raise EOFError
    if len(head) < HEADER.size:
        raise EOFError("truncated frame header")
    (size,) = HEADER.unpack(head)
    data = stream.read(size)
    if len(data) < size:
        raise EOFError("truncated frame")
    return pickle.loads(data)


def load_class(path: str) -> type:
    module, _, name = path.rpartition(".")
    return getattr(importlib.import_module(module), name)


def _portable(exc: BaseException) -> BaseException:
    """``exc`` if it survives pickling, else a RuntimeError with its type and message."""
    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:  # noqa: BLE001 - any exception class may refuse to pickle
        return RuntimeError(f"{type(exc).__name__}: {exc}")


def serve(requests: BinaryIO, replies: BinaryIO) -> int:
    archive = None
    orphaned = False  # the crawl is gone: keep writing what it sent, stop answering

    def reply(message: Any) -> None:
        nonlocal orphaned
        if orphaned:
            return
        try:
            replies.write(encode(message))
            replies.flush()
        except BrokenPipeError:
            orphaned = True

    try:
        while True:
            try:
                message = read_frame(requests)
            except EOFError:
                return 0
            name = message[0]
            try:
                if name == "open":
                    _, class_path, root, options, sys_path = message
                    sys.path[:] = list(dict.fromkeys([*sys_path, *sys.path]))
                    archive = load_class(class_path)(root, **options)
                    archive.__enter__()
                    reply(("ok", None))
                elif name in CALLS and archive is not None:
                    result = getattr(archive, name)(*message[1])
                    if name == "close":
                        archive = None
                    reply(("ok", result))
                else:
                    reply(("error", RuntimeError(f"archive worker: unexpected call {name!r}")))
            except Exception as exc:  # noqa: BLE001 - every failure goes back to the crawl
                reply(("error", _portable(exc)))
    finally:
        if archive is not None:
            # The crawl went away without closing (killed): nobody will resume a parked file
            # for its change step, so the file is closed for good.
            finish = getattr(archive, "finish_files", None)
            try:
                if finish is not None:
                    finish()
            finally:
                archive.__exit__(None, None, None)


def ignore_stop_signals() -> None:
    """Ctrl-C reaches the whole process group and a daemon may SIGTERM it: the crawl decides when
    the archive closes (end of input)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    ignore_stop_signals()
    with os.fdopen(int(args[0]), "rb") as requests, os.fdopen(int(args[1]), "wb") as replies:
        return serve(requests, replies)


if __name__ == "__main__":
    sys.exit(main())
