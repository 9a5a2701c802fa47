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
from typing import Any

from defusedxml import DefusedXmlException, DTDForbidden, EntitiesForbidden
from defusedxml.ElementTree import DefusedXMLParser

from assay.core.inputs import read_bytes
from assay.sbom.formats.interface import InvalidSbom

#: element nesting allowed; CycloneDX documents nest a few dozen levels at most
MAX_XML_DEPTH = 200


class _TooDeep(Exception):
    pass


class _LineBuilder(ET.TreeBuilder):
    """A TreeBuilder that remembers the line each element starts on and bounds nesting."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: dict[ET.Element, int] = {}
        self.expat: Any = None
        self.depth = 0

    def start(self, tag: Any, attrs: dict[str, str]) -> ET.Element:
        self.depth += 1
        if self.depth > MAX_XML_DEPTH:
            raise _TooDeep
        elem = super().start(tag, attrs)
        if self.expat is not None:
            self.lines[elem] = int(self.expat.CurrentLineNumber)
        return elem

    def end(self, tag: Any) -> ET.Element:
        self.depth -= 1
        return super().end(tag)


def parse_xml(
    path: Path, error: type[InvalidSbom] = InvalidSbom
) -> tuple[ET.Element, dict[ET.Element, int]]:
    """The root element of ``path`` and each element's line; ``error`` for anything else."""
    data = read_bytes(path, error=error)
    if not data.strip():
        raise error(path, "file is empty")
    builder = _LineBuilder()
    parser = DefusedXMLParser(target=builder, forbid_dtd=True)
    builder.expat = parser.parser
    try:
        parser.feed(data)
        root = parser.close()
    except _TooDeep:
        line = int(parser.parser.CurrentLineNumber)
        raise error(path, f"XML nested deeper than {MAX_XML_DEPTH} levels", line=line) from None
    except DTDForbidden:
        line = int(parser.parser.CurrentLineNumber)
        raise error(
            path, "DTD not allowed (entity expansion and external entities are refused)", line=line
        ) from None
    except EntitiesForbidden:
        line = int(parser.parser.CurrentLineNumber)
        raise error(path, "XML entity declarations not allowed", line=line) from None
    except DefusedXmlException:
        line = int(parser.parser.CurrentLineNumber)
        raise error(path, "external XML references not allowed", line=line) from None
    except ET.ParseError as exc:
        line, _ = exc.position
        reason = str(exc).split(":", 1)[0]
        raise error(path, f"invalid XML: {reason}", line=line) from None
    except (ValueError, LookupError) as exc:  # unknown encoding declarations and the like
        raise error(path, f"invalid XML: {exc}") from None
    if not isinstance(root, ET.Element):
        raise error(path, "invalid XML: no root element")
    return root, builder.lines


def local_name(tag: str) -> str:
    """``{namespace}name`` -> ``name``."""
    return tag.rsplit("}", 1)[-1]


def namespace(tag: str) -> str:
    return tag[1:].split("}", 1)[0] if tag.startswith("{") else ""
