"""CycloneDX 1.6 XML from the JSON data ``cyclonedx_out.build`` makes.

Element order follows ``bom-1.6.xsd`` (``xs:sequence`` is ordered); only the
elements assay writes are handled. Text is escaped by ElementTree; characters
XML 1.0 cannot hold at all (control characters, lone surrogates) become U+FFFD.
"""

from __future__ import annotations

import re
from typing import Any
from xml.etree.ElementTree import Element, SubElement, indent, tostring

NAMESPACE = "http://cyclonedx.org/schema/bom/1.6"

#: characters XML 1.0 cannot carry at all, even escaped
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")

#: the component's child elements assay writes, in schema order
_COMPONENT_TEXT = ("group", "name", "version", "description", "scope")


def to_xml(document: dict[str, Any]) -> str:
    root = Element(
        "bom",
        {
            "xmlns": NAMESPACE,
            "serialNumber": document["serialNumber"],
            "version": str(document["version"]),
        },
    )
    _metadata(SubElement(root, "metadata"), document["metadata"])
    components = SubElement(root, "components")
    for component in document["components"]:
        _component(components, component)
    if document["dependencies"]:
        dependencies = SubElement(root, "dependencies")
        for dep in document["dependencies"]:
            node = SubElement(dependencies, "dependency", {"ref": clean(dep["ref"])})
            for child in dep["dependsOn"]:
                SubElement(node, "dependency", {"ref": clean(child)})
    indent(root, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + tostring(root, encoding="unicode") + "\n"


def _metadata(node: Element, metadata: dict[str, Any]) -> None:
    _text(node, "timestamp", metadata["timestamp"])
    tools = SubElement(SubElement(node, "tools"), "components")
    for tool in metadata["tools"]["components"]:
        _component(tools, tool)
    if metadata.get("authors"):
        authors = SubElement(node, "authors")
        for author in metadata["authors"]:
            _text(SubElement(authors, "author"), "name", author["name"])
    _component(node, metadata["component"])


def _component(parent: Element, data: dict[str, Any]) -> None:
    attributes = {"type": data["type"]}
    if "bom-ref" in data:
        attributes["bom-ref"] = clean(data["bom-ref"])
    node = SubElement(parent, "component", attributes)
    if "supplier" in data:
        _text(SubElement(node, "supplier"), "name", data["supplier"]["name"])
    if "authors" in data:
        authors = SubElement(node, "authors")
        for author in data["authors"]:
            _text(SubElement(authors, "author"), "name", author["name"])
    for key in _COMPONENT_TEXT:
        if key in data:
            _text(node, key, data[key])
    if "hashes" in data:
        hashes = SubElement(node, "hashes")
        for h in data["hashes"]:
            SubElement(hashes, "hash", {"alg": h["alg"]}).text = clean(h["content"])
    if "licenses" in data:
        _licenses(SubElement(node, "licenses"), data["licenses"])
    for key in ("cpe", "purl"):
        if key in data:
            _text(node, key, data[key])
    if "externalReferences" in data:
        refs = SubElement(node, "externalReferences")
        for ref in data["externalReferences"]:
            _text(SubElement(refs, "reference", {"type": ref["type"]}), "url", ref["url"])
    if "properties" in data:
        properties = SubElement(node, "properties")
        for prop in data["properties"]:
            node = SubElement(properties, "property", {"name": clean(prop["name"])})
            node.text = clean(prop["value"])


def _licenses(node: Element, choices: list[dict[str, Any]]) -> None:
    for choice in choices:
        if "expression" in choice:
            _text(node, "expression", choice["expression"])
            continue
        licence = SubElement(node, "license")
        for key in ("id", "name"):
            if key in choice["license"]:
                _text(licence, key, choice["license"][key])


def _text(parent: Element, tag: str, value: str) -> None:
    SubElement(parent, tag).text = clean(value)


def clean(value: str) -> str:
    """``value`` with the characters XML 1.0 forbids replaced by U+FFFD."""
    return _NOT_XML.sub("\ufffd", value)
