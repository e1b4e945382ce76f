"""Errors that reach the user. Each message is one line that says what and where (file, URL, line)."""

from __future__ import annotations

__all__ = ["ArchiveError", "PagetrailError", "SeedError", "UsageError"]

#: Exit codes of the ``pagetrail`` command.
EXIT_OK = 0
EXIT_FAILURES = 1  # ran, but some pages failed (fetch errors, HTTP errors)
EXIT_USAGE = 2  # bad arguments or bad input files; nothing was done
EXIT_INTERRUPTED = 130


class PagetrailError(Exception):
    """Base for user-facing errors: ``str(err)`` is printed as ``pagetrail: error: ...``."""


class UsageError(PagetrailError):
    """Bad command-line arguments or input that the user can fix."""


class SeedError(ValueError):
    """A seed file or seed definition is invalid. ``str(err)`` is a one-line message. (Defined
    here, re-exported by ``pagetrail.seeds``: processes that only write the archive, such as the
    crawl's archive worker, import this module without the seed parser, 10 ms of start-up.)"""


class ArchiveError(PagetrailError):
    """The archive folder cannot be used (unwritable, disk full, corrupt catalog ...)."""
