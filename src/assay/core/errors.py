"""The error hierarchy of assay.

Every error assay raises on purpose derives from :class:`AssayError`. Each
extension axis has its own subclass (``InvalidLockfile``, ``InvalidAdvisory``,
``SourceUnavailable`` ...), raised by the code that knows the input, and
translated into text and an exit code in exactly one place per interface (the
CLI's ``cli.main.run``, later the API's exception handlers).

Messages are one line a person can act on: ``FILE:LINE: what is wrong``.
"""

from __future__ import annotations

from pathlib import Path

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_BAD_INPUT = 2


class AssayError(Exception):
    """Base class. ``exit_code`` is what the CLI exits with."""

    exit_code: int = EXIT_BAD_INPUT


class UsageError(AssayError):
    """The command line or a setting asks for something impossible."""


class ConfigError(UsageError):
    """A setting is missing, malformed or insecure."""


class InputError(AssayError):
    """An input (file, record, response) cannot be read.

    ``source`` names the file or URL, ``line`` the 1-based line where known.
    """

    def __init__(self, source: str | Path, message: str, *, line: int | None = None) -> None:
        self.source = str(source)
        self.line = line
        self.reason = message
        where = f"{self.source}:{line}" if line is not None else self.source
        super().__init__(f"{where}: {message}")


class InputTooLarge(InputError):
    """An input exceeds a configured size limit (memory stays bounded)."""


class DatabaseError(AssayError):
    """The store is missing, locked, or at the wrong schema version."""


class SourceUnavailable(AssayError):
    """A network source (advisory feed, registry) could not be reached or answered badly."""


class NotFound(AssayError):
    """The thing does not exist, or the caller may not know that it does (HTTP 404)."""


class Forbidden(AssayError):
    """The caller may see the thing but lacks the permission to do this (HTTP 403)."""


class Conflict(AssayError):
    """The request contradicts the current state, e.g. a name already taken (HTTP 409)."""
