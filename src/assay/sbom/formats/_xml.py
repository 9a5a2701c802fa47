"""Safe XML parsing for SBOM readers: defusedxml, no DTD, element line numbers.

Every XML input goes through ``defusedxml``'s parser with DTDs forbidden, so
entity expansion (billion laughs), external entities and external DTDs are
refused before anything is expanded or fetched, as ``FILE:LINE: reason``;
so is nesting deeper than :data:`MAX_XML_DEPTH` (readers walk trees recursively).
The tree builder records the line each element starts on, for the messages
of readers and validators.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from assay.core.inputs import read_bytes
from assay.core.xml import parse_xml_bytes
from assay.sbom.formats.interface import InvalidSbom

#: element nesting allowed; CycloneDX documents nest a few dozen levels at most
MAX_XML_DEPTH = 200


def parse_xml(
    path: Path, error: type[InvalidSbom] = InvalidSbom
) -> tuple[ET.Element, dict[ET.Element, int]]:
    """The root element of ``path`` and each element's line; ``error`` for anything else."""
    data = read_bytes(path, error=error)
    if not data.strip():
        raise error(path, "file is empty")
    return parse_xml_bytes(data, path, error, max_depth=MAX_XML_DEPTH)


def local_name(tag: str) -> str:
    """``{namespace}name`` -> ``name``."""
    return tag.rsplit("}", 1)[-1]


def namespace(tag: str) -> str:
    return tag[1:].split("}", 1)[0] if tag.startswith("{") else ""
