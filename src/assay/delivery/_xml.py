"""Safe XML parsing for test and coverage reports: defusedxml only, no DTD, bounded depth.

JUnit and coverage reports never need a DTD, so refusing ``<!DOCTYPE`` closes
entity expansion (billion laughs), external entities and remote DTD fetches in
one rule, before anything is expanded or fetched. (JaCoCo and Cobertura write
a DOCTYPE that only names their DTD; such a declaration, with no internal
subset and so no entities, is dropped from the prolog before parsing, and the
DTD is never fetched.) Nesting deeper than
:data:`MAX_DEPTH` is refused. Each element's starting line is kept for messages.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from assay.core.errors import InputError
from assay.core.inputs import read_bytes
from assay.core.xml import parse_xml_bytes

MAX_DEPTH = 100  # reports nest a handful of levels; a few hundred means hostile input

# A DOCTYPE that only names an external DTD: no internal subset, so no entities.
_NAMING_DOCTYPE = re.compile(
    rb'<!DOCTYPE\s+[\w:.-]+\s+(?:PUBLIC\s+"[^"<>\[\]]*"\s+"[^"<>\[\]]*"|SYSTEM\s+"[^"<>\[\]]*")\s*>'
)
_PROLOG = 4096


class XmlReport:
    """A parsed report: the root element and the line each element starts on."""

    def __init__(self, root: ET.Element, lines: dict[ET.Element, int]) -> None:
        self.root = root
        self._lines = lines

    def line(self, element: ET.Element) -> int | None:
        return self._lines.get(element)


def parse(path: Path, error: type[InputError]) -> XmlReport:
    data = read_bytes(path, error=error)
    if not data.strip():
        raise error(path, "file is empty")
    if b"\x00" in data[:8192]:
        raise error(path, "binary file, expected XML")
    doctype = _NAMING_DOCTYPE.search(data, 0, _PROLOG)
    if doctype is not None:
        # blank it out rather than cut it, so line and column numbers stay true
        blank = bytes(b if b == 0x0A else 0x20 for b in doctype.group())
        data = data[: doctype.start()] + blank + data[doctype.end() :]
    root, lines = parse_xml_bytes(data, path, error, max_depth=MAX_DEPTH)
    return XmlReport(root, lines)


def local(tag: object) -> str:
    """``{namespace}name`` -> ``name``; comments and processing instructions -> ``""``."""
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""
