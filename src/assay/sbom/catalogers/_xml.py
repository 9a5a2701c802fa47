"""Safe parsing of XML manifests (Maven POMs, Gradle verification metadata).

Only :mod:`defusedxml` parses, with DTDs forbidden outright: a manifest never
needs one, and refusing the ``<!DOCTYPE`` closes entity expansion (billion
laughs), external entities (``file:///etc/passwd``) and remote DTD fetches in
one rule. The parser's own errors become ``FILE:LINE: reason``, and each
element's starting line is kept so that readers can cite it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element, TreeBuilder

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser, ParseError

from assay.core.inputs import read_bytes
from assay.sbom.catalogers._lockcommon import line_of, quote
from assay.sbom.catalogers.interface import InvalidLockfile


def local(tag: object) -> str:
    """``{namespace}name`` -> ``name`` (comments and processing instructions -> ``""``)."""
    if not isinstance(tag, str):
        return ""
    return tag.rpartition("}")[2]


def namespace(element: Element) -> str:
    """The ``{namespace}`` prefix of ``element``'s tag, or ``""``."""
    tag = element.tag
    return tag[: tag.index("}") + 1] if tag.startswith("{") else ""


_REFUSED = {
    "DTDForbidden": "DTD",
    "EntitiesForbidden": "entity",
    "ExternalReferenceForbidden": "external reference",
}


class _LineBuilder(TreeBuilder):
    """A TreeBuilder that notes the line each element starts on (expat knows it at ``start``)."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: dict[int, int] = {}
        self.expat: Any = None

    def start(self, tag: Any, attrs: Any) -> Element:
        element = super().start(tag, attrs)
        if self.expat is not None:
            self.lines[id(element)] = self.expat.CurrentLineNumber
        return element


@dataclass(frozen=True, slots=True)
class XmlDocument:
    """A parsed file: its root element, its text, and the line each element starts on."""

    root: Element
    text: str
    lines: dict[int, int]  # id(element) -> 1-based line; the tree keeps every element alive

    def line(self, element: Element | None) -> int | None:
        return None if element is None else self.lines.get(id(element))


def parse(path: Path, *, root: str, what: str) -> XmlDocument:
    """``path`` parsed safely; its root element must have the local name ``root``."""
    data = read_bytes(path, error=InvalidLockfile)
    if not data.strip():
        raise InvalidLockfile(path, "file is empty")
    if b"\x00" in data[:8192]:
        raise InvalidLockfile(path, "binary file, expected XML")
    text = data.decode("utf-8", errors="replace")
    builder = _LineBuilder()
    parser = DefusedXMLParser(
        target=builder, forbid_dtd=True, forbid_entities=True, forbid_external=True
    )
    builder.expat = parser.parser
    try:
        parser.feed(data)
        element = parser.close()
    except DefusedXmlException as exc:
        kind = _REFUSED.get(type(exc).__name__, "unsafe")
        raise InvalidLockfile(
            path,
            f"XML {kind} declarations are not accepted (DTDs, entities and external references "
            "are refused)",
            line=line_of(text, "<!DOCTYPE") or line_of(text, "<!ENTITY"),
        ) from None
    except ParseError as exc:
        line, column = getattr(exc, "position", (None, None))
        reason = str(exc).split(":", 1)[0]
        raise InvalidLockfile(path, f"invalid XML: {reason} (column {column})", line=line) from None
    except (ValueError, RecursionError) as exc:  # expat's rare non-ParseError failures
        raise InvalidLockfile(path, f"invalid XML: {quote(str(exc))}") from None
    finally:
        builder.expat = None
    if local(element.tag) != root:
        raise InvalidLockfile(
            path,
            f"root element is <{quote(local(element.tag))}>, expected <{root}> ({what})",
            line=1,
        )
    return XmlDocument(element, text, builder.lines)
