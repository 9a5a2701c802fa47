"""The SBOM output axis: one writer per target format.

A writer turns a :class:`~assay.sbom.model.Bom` into the text of one document
in its format. What the target format cannot hold is never dropped silently:
it is reported in :attr:`WriteResult.lost`, one line per kind of loss, with a
count, for the CLI to show as ``assay: note: ...``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from assay.core.errors import AssayError
from assay.sbom.model import Bom


class SbomWriteError(AssayError):
    """The model cannot be written in the requested format (a bug or an impossible value)."""


@dataclass(frozen=True, slots=True)
class WriteResult:
    """One written document and what the format could not hold."""

    text: str
    lost: tuple[str, ...] = ()


@runtime_checkable
class SbomWriter(Protocol):
    #: short stable identifier, e.g. ``"cyclonedx-json"``; the CLI's ``--format`` value
    name: str

    def write(self, bom: Bom) -> WriteResult:
        """The document for ``bom``. Raises SbomWriteError (never another exception)."""
        ...
