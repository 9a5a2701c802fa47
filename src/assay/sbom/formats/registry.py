"""The explicit registry of SBOM document readers.

Order matters only for documents two readers could both claim; the first wins.
Adding a format: write ``assay/sbom/formats/<format>.py`` implementing
:class:`~assay.sbom.formats.interface.SbomReader` and add it here.
"""

from __future__ import annotations

import stat
from pathlib import Path

from assay.sbom.formats.cyclonedx_json import CycloneDxJsonReader
from assay.sbom.formats.cyclonedx_xml import CycloneDxXmlReader
from assay.sbom.formats.interface import HEAD_BYTES, InvalidSbom, SbomReader
from assay.sbom.formats.spdx_json import SpdxJsonReader
from assay.sbom.formats.spdx_tv import SpdxTagValueReader

READERS: tuple[SbomReader, ...] = (
    CycloneDxJsonReader(),
    SpdxJsonReader(),
    CycloneDxXmlReader(),
    SpdxTagValueReader(),
)

BY_NAME: dict[str, SbomReader] = {r.name: r for r in READERS}


def reader_for(path: Path) -> SbomReader | None:
    """The reader whose format ``path`` is in, judged from its first 4 KiB; None if none."""
    try:
        if not stat.S_ISREG(path.stat().st_mode):  # a FIFO or device could block forever
            raise InvalidSbom(path, "not a regular file")
        with path.open("rb") as fh:
            head = fh.read(HEAD_BYTES)
    except OSError as exc:
        raise InvalidSbom(path, f"cannot read: {exc.strerror or exc}") from None
    for reader in READERS:
        if reader.sniff(path, head):
            return reader
    return None
