"""The explicit registry of SBOM writers, keyed by the CLI's ``--format`` value.

Adding a format: write ``assay/sbom/formats/<format>_out.py`` implementing
:class:`~assay.sbom.formats.writer.SbomWriter` and add it here.
"""

from __future__ import annotations

from assay.core.errors import UsageError
from assay.sbom.formats.cyclonedx_out import CycloneDxJsonWriter, CycloneDxXmlWriter
from assay.sbom.formats.spdx_out import SpdxJsonWriter, SpdxTagValueWriter
from assay.sbom.formats.writer import SbomWriter

WRITERS: tuple[SbomWriter, ...] = (
    CycloneDxJsonWriter(),
    CycloneDxXmlWriter(),
    SpdxJsonWriter(),
    SpdxTagValueWriter(),
)

NAMES: tuple[str, ...] = tuple(w.name for w in WRITERS)
_BY_NAME: dict[str, SbomWriter] = {w.name: w for w in WRITERS}


def writer_for(name: str) -> SbomWriter:
    """The writer called ``name``; UsageError naming the choices otherwise."""
    writer = _BY_NAME.get(name.lower())
    if writer is None:
        raise UsageError(f"unknown SBOM format {name!r} (choose one of {', '.join(NAMES)})")
    return writer
