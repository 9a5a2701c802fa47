"""CycloneDX XML documents, schema versions 1.2 to 1.6.

The root is ``<bom>`` in the namespace ``http://cyclonedx.org/schema/bom/1.x``,
which gives the spec version. Parsing goes through :mod:`._xml` (defusedxml,
DTDs and entities refused with ``FILE:LINE``). The element tree is turned
into the JSON document's shape and built by :mod:`._cyclonedx`, so both
encodings of one BOM give the same :class:`Bom`. Elements of other
namespaces (extensions) are ignored.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from assay.sbom.formats._cyclonedx import CycloneDxBuilder, check_spec
from assay.sbom.formats._xml import local_name, namespace, parse_xml
from assay.sbom.formats.interface import InvalidSbom
from assay.sbom.model import Bom

NAMESPACE_PREFIX = "http://cyclonedx.org/schema/bom/"
_ROOT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?bom[\s>/]")
_TEXT_FIELDS = (
    "group",
    "name",
    "version",
    "description",
    "scope",
    "cpe",
    "purl",
    "publisher",
    "author",
    "copyright",
)


class CycloneDxXmlReader:
    name = "cyclonedx-xml"

    def sniff(self, path: Path, head: bytes) -> bool:
        return NAMESPACE_PREFIX.encode() in head and _ROOT.search(head) is not None

    def read(self, path: Path) -> Bom:
        doc = load_document(path)
        return CycloneDxBuilder(path, doc, str(doc["specVersion"])).build()


def load_document(path: Path) -> dict[str, Any]:
    """The document in CycloneDX JSON's shape; elements keep their ``"__line"``."""
    root, lines = parse_xml(path)
    ns = namespace(root.tag)
    if local_name(root.tag) != "bom" or not ns.startswith(NAMESPACE_PREFIX):
        raise InvalidSbom(path, f"root element is {root.tag!r}, not a CycloneDX <bom>", line=1)
    spec = check_spec(path, ns[len(NAMESPACE_PREFIX) :])
    return _Converter(ns, lines).bom(root, spec)


class _Converter:
    def __init__(self, ns: str, lines: dict[ET.Element, int]) -> None:
        self.ns = ns
        self.lines = lines

    def _children(self, elem: ET.Element | None, name: str) -> list[ET.Element]:
        if elem is None:
            return []
        return [e for e in elem if e.tag == f"{{{self.ns}}}{name}"]

    def _child(self, elem: ET.Element | None, name: str) -> ET.Element | None:
        found = self._children(elem, name)
        return found[0] if found else None

    def _text(self, elem: ET.Element | None, name: str) -> str | None:
        child = self._child(elem, name)
        if child is None or child.text is None:
            return None
        return child.text.strip()

    def _grandchildren(self, elem: ET.Element, group: str, name: str) -> list[ET.Element]:
        return [g for c in self._children(elem, group) for g in self._children(c, name)]

    def bom(self, root: ET.Element, spec: str) -> dict[str, Any]:
        doc: dict[str, Any] = {"bomFormat": "CycloneDX", "specVersion": spec, "__line": 1}
        if "serialNumber" in root.attrib:
            doc["serialNumber"] = root.attrib["serialNumber"]
        metadata = self._child(root, "metadata")
        if metadata is not None:
            doc["metadata"] = self.metadata(metadata)
        doc["components"] = [
            self.component(c) for c in self._grandchildren(root, "components", "component")
        ]
        doc["dependencies"] = [
            self.dependency(d) for d in self._grandchildren(root, "dependencies", "dependency")
        ]
        return doc

    def metadata(self, elem: ET.Element) -> dict[str, Any]:
        out: dict[str, Any] = {"__line": self.lines.get(elem)}
        timestamp = self._text(elem, "timestamp")
        if timestamp:
            out["timestamp"] = timestamp
        tools = self._child(elem, "tools")
        if tools is not None:
            out["tools"] = self.tools(tools)
        out["authors"] = [self.contact(a) for a in self._grandchildren(elem, "authors", "author")]
        component = self._child(elem, "component")
        if component is not None:
            out["component"] = self.component(component)
        supplier = self._child(elem, "supplier")
        if supplier is not None:
            out["supplier"] = self.contact(supplier)
        return out

    def tools(self, elem: ET.Element) -> Any:
        legacy = self._children(elem, "tool")  # 1.2-1.4; deprecated but allowed in 1.5+
        if legacy:
            return [
                {k: self._text(t, k) for k in ("vendor", "name", "version") if self._text(t, k)}
                for t in legacy
            ]
        return {
            "components": [
                self.component(c) for c in self._grandchildren(elem, "components", "component")
            ],
            "services": [
                {k: self._text(s, k) for k in ("group", "name", "version") if self._text(s, k)}
                for s in self._grandchildren(elem, "services", "service")
            ],
        }

    def contact(self, elem: ET.Element) -> dict[str, Any]:
        return {k: self._text(elem, k) for k in ("name", "email") if self._text(elem, k)}

    def component(self, elem: ET.Element) -> dict[str, Any]:
        out: dict[str, Any] = {k: v for k, v in elem.attrib.items() if k in {"type", "bom-ref"}}
        out["__line"] = self.lines.get(elem)
        for key in _TEXT_FIELDS:
            value = self._text(elem, key)
            if value is not None:
                out[key] = value
        supplier = self._child(elem, "supplier")
        if supplier is not None:
            out["supplier"] = self.contact(supplier)
        authors = self._grandchildren(elem, "authors", "author")
        if authors:
            out["authors"] = [self.contact(a) for a in authors]
        out["hashes"] = [
            {"alg": h.attrib.get("alg"), "content": (h.text or "").strip()}
            for h in self._grandchildren(elem, "hashes", "hash")
        ]
        out["licenses"] = self.licenses(self._child(elem, "licenses"))
        out["externalReferences"] = [
            {"type": r.attrib.get("type"), "url": self._text(r, "url")}
            for r in self._grandchildren(elem, "externalReferences", "reference")
        ]
        out["properties"] = [
            {"name": p.attrib.get("name"), "value": p.text or ""}  # as JSON: not stripped
            for p in self._grandchildren(elem, "properties", "property")
        ]
        nested = self._grandchildren(elem, "components", "component")
        if nested:
            out["components"] = [self.component(c) for c in nested]
        return out

    def licenses(self, elem: ET.Element | None) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for item in elem if elem is not None else ():
            kind = local_name(item.tag)
            if kind == "expression" and item.text:
                out.append({"expression": item.text.strip()})
            elif kind == "license":
                lic = {k: self._text(item, k) for k in ("id", "name") if self._text(item, k)}
                out.append({"license": lic, "__line": self.lines.get(item)})
        return out

    def dependency(self, elem: ET.Element) -> dict[str, Any]:
        return {
            "ref": elem.attrib.get("ref"),
            "dependsOn": [d.attrib.get("ref") for d in self._children(elem, "dependency")],
            "__line": self.lines.get(elem),
        }
