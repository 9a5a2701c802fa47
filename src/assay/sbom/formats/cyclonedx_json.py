"""CycloneDX JSON documents, specVersion 1.2 to 1.6.

Sniffing and loading only; the document becomes a :class:`Bom` in
:mod:`assay.sbom.formats._cyclonedx`, shared with the XML reader, which says
what is kept and how.
"""

from __future__ import annotations

from pathlib import Path

from assay.sbom.formats._cyclonedx import CycloneDxBuilder, check_spec
from assay.sbom.formats._cyclonedx_fields import licence_expression
from assay.sbom.formats._json import json_object_head, load_object
from assay.sbom.formats.interface import InvalidSbom
from assay.sbom.model import Bom

__all__ = ["CycloneDxJsonReader", "licence_expression"]


class CycloneDxJsonReader:
    name = "cyclonedx-json"

    def sniff(self, path: Path, head: bytes) -> bool:
        body = json_object_head(head)
        if body is None:
            return False
        if b'"bomFormat"' in body and b"CycloneDX" in body:
            return True
        return b"cyclonedx.org/schema/bom" in body

    def read(self, path: Path) -> Bom:
        doc = load_object(path, "CycloneDX JSON")
        if doc.get("bomFormat") != "CycloneDX":
            raise InvalidSbom(path, "bomFormat is not 'CycloneDX'")
        spec = check_spec(path, doc.get("specVersion"))
        return CycloneDxBuilder(path, doc, spec).build()
