"""The SBOM document axis: one reader per format, chosen by sniffing the file's head.

A reader recognises its documents from the first :data:`HEAD_BYTES` bytes
(``sniff``), without parsing the whole file, and turns one document into a
:class:`~assay.sbom.model.Bom`, or raises :class:`InvalidSbom` naming the file.
Readers never touch the network or the database.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol, runtime_checkable

from assay.core.errors import InputError
from assay.sbom.model import Bom

#: how much of a file ``sniff`` sees
HEAD_BYTES = 4096


class InvalidSbom(InputError):
    """An SBOM document that cannot be read: ``FILE:LINE: reason``."""


@runtime_checkable
class SbomReader(Protocol):
    #: short stable identifier, e.g. ``"cyclonedx-json"``
    name: str

    def sniff(self, path: Path, head: bytes) -> bool:
        """True when ``head`` (the file's first 4 KiB) starts a document in this format."""
        ...

    def read(self, path: Path) -> Bom:
        """Parse ``path``. Raises InvalidSbom (never another exception) for bad input."""
        ...
