"""The lockfile/manifest reader axis: one interface, one module per format.

A cataloger recognises its files by name (cheaply, without reading them) and
turns one file into a :class:`~assay.sbom.model.Bom`, or raises
:class:`InvalidLockfile` with the file and line. Catalogers never touch the
network or the database.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol, runtime_checkable

from assay.core.errors import InputError
from assay.sbom.model import Bom


class InvalidLockfile(InputError):
    """A lockfile or manifest that cannot be read: ``FILE:LINE: reason``."""


@runtime_checkable
class Cataloger(Protocol):
    #: short stable identifier, e.g. ``"poetry-lock"``; used in output and ``--only``
    name: str
    #: the OSV ecosystem of what it reads, e.g. ``"PyPI"``
    ecosystem: str

    def matches(self, path: Path) -> bool:
        """True when ``path``'s file name is this cataloger's format."""
        ...

    def read(self, path: Path) -> Bom:
        """Parse ``path``. Raises InvalidLockfile (never another exception) for bad input."""
        ...
