"""The one exception base of plmcite, and the exit codes the command line documents.

Every error a person can cause or meet (a missing list, a catalog of the wrong shape, a service
that will not answer, a Zotero key that is refused, a file changed under our feet) is a
:class:`PlmciteError`. Its message is one line that names the file, line or service and says
what to do next. The CLI catches this base once (``plmcite.cli.LazyGroup.invoke``) and prints the
message; ``--debug`` shows the traceback instead.

A few subclasses are *signals* between two functions of one module (``Pending`` in the
resolver's engine, ``Retry`` in ``http``): they are caught where they are raised and never reach
a person. They share the base all the same, so that nothing plmcite raises escapes as a bare
``Exception``.
"""

from __future__ import annotations

#: exit codes of every command (docs/cli.md)
EXIT_OK = 0
EXIT_FAILED = 1  # findings of error level, entries or items that failed, or a PlmciteError
EXIT_USAGE = 2  # the command line itself is wrong (click's own code for usage errors)


class PlmciteError(Exception):
    """A problem a person can act on; ``str(e)`` is the one line the CLI prints."""

    exit_code = EXIT_FAILED


class Signal(PlmciteError):
    """Control flow inside one module (never shown to a person)."""


class InputError(PlmciteError):
    """A file, section or value a person gave cannot be used (the message says which, and why)."""


def describe_os_error(e: OSError) -> str:
    """One line for a failed read or write: the file, what the system said, and what to do."""
    import errno

    where = e.filename if e.filename is not None else "a file"
    if getattr(e, "filename2", None):
        where = f"{where} -> {e.filename2}"
    what = e.strerror or str(e)
    advice = {
        errno.EACCES: "check the file's and its folder's permissions, or give another path",
        errno.EPERM: "check the file's and its folder's permissions, or give another path",
        errno.EROFS: "the file system is read-only; give a path on a writable one",
        errno.ENOSPC: "the disk is full; free some space and run the command again (nothing was changed)",
        errno.EDQUOT: "the disk quota is used up; free some space and run the command again (nothing was changed)",
        errno.EISDIR: "a folder is in the way where a file was expected",
        errno.ENOTDIR: "a file is in the way where a folder was expected",
        errno.ENOENT: "check the path",
    }.get(e.errno)
    return f"{where}: {what}" + (f"; {advice}" if advice else "")
