"""Safe XML parsing for every reader: defusedxml only, no DTD, bounded depth, element lines.

Every XML input goes through ``defusedxml``'s parser with DTDs, entities and
external references forbidden, so entity expansion (billion laughs), external
entities and external DTDs are refused before anything is expanded or fetched,
as ``FILE:LINE: reason``; so is nesting deeper than the reader's limit (readers
walk trees recursively). The tree builder records the line each element starts
on, for the messages of readers and validators.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from defusedxml import DefusedXmlException, DTDForbidden, EntitiesForbidden
from defusedxml.ElementTree import DefusedXMLParser

from assay.core.errors import InputError


class _TooDeep(Exception):
    pass


class _LineBuilder(ET.TreeBuilder):
    """A TreeBuilder that remembers the line each element starts on and bounds nesting."""

    def __init__(self, max_depth: int) -> None:
        super().__init__()
        self.lines: dict[ET.Element, int] = {}
        self.expat: Any = None
        self.depth = 0
        self.max_depth = max_depth

    def start(self, tag: Any, attrs: Any) -> ET.Element:
        self.depth += 1
        if self.depth > self.max_depth:
            raise _TooDeep
        elem = super().start(tag, attrs)
        if self.expat is not None:
            self.lines[elem] = int(self.expat.CurrentLineNumber)
        return elem

    def end(self, tag: Any) -> ET.Element:
        self.depth -= 1
        return super().end(tag)


def parse_xml_bytes(
    data: bytes, path: Path | str, error: type[InputError], *, max_depth: int
) -> tuple[ET.Element, dict[ET.Element, int]]:
    """The root element of ``data`` (read from ``path``) and each element's line; ``error``
    naming the place for anything that is not safe, well-formed XML."""
    builder = _LineBuilder(max_depth)
    parser = DefusedXMLParser(
        target=builder, forbid_dtd=True, forbid_entities=True, forbid_external=True
    )
    builder.expat = parser.parser
    try:
        parser.feed(data)
        root = parser.close()
    except _TooDeep:
        line = int(parser.parser.CurrentLineNumber)
        raise error(path, f"XML nested deeper than {max_depth} levels", line=line) from None
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
    except (ValueError, LookupError, RecursionError) as exc:  # unknown encodings and the like
        raise error(path, f"invalid XML: {exc}") from None
    finally:
        builder.expat = None
    if not isinstance(root, ET.Element):
        raise error(path, "invalid XML: no root element")
    return root, builder.lines
