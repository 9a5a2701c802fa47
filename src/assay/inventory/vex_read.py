"""Reading a CycloneDX VEX document (JSON, or XML through defusedxml) into statements.

Only what triage needs is kept: each vulnerability's id and reference ids, its
analysis (validated against the VEX vocabulary) and the refs it affects, plus
the document's components (bom-ref -> purl) and its subject (metadata
component) so refs can be resolved. Anything malformed is one
:class:`InvalidVex` naming the document and the place (``vulnerabilities[2]``
or an XML line), and nothing is applied.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from xml.etree.ElementTree import Element

from assay.core.errors import InputError
from assay.core.inputs import decode_text, parse_json
from assay.inventory.vex_terms import MAX_VULN_ID, Analysis, TriageError

MAX_STATEMENTS = 100_000
MAX_REF = 2048
MAX_COMPONENT_DEPTH = 32


class InvalidVex(InputError):
    """A VEX document that cannot be read or breaks the CycloneDX VEX rules."""


@dataclass(frozen=True, slots=True)
class Statement:
    """One vulnerability of the document: ``analysis`` None when it states none."""

    index: int
    id: str
    aliases: tuple[str, ...]
    analysis: Analysis | None
    refs: tuple[str, ...]

    @property
    def ids(self) -> frozenset[str]:
        return frozenset((self.id, *self.aliases))


@dataclass(frozen=True, slots=True)
class VexDocument:
    subject: str | None  # the metadata component's bom-ref: "the whole product"
    components: dict[str, str]  # bom-ref -> purl
    statements: tuple[Statement, ...]


def read_vex(data: bytes, source: str = "vex") -> VexDocument:
    """The statements of a CycloneDX VEX document given as JSON or XML bytes."""
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    doc = _xml_to_dict(data, source) if head == b"<" else parse_json(data, source, error=InvalidVex)
    return _document(doc, source)


def _text(value: Any, where: str, source: str, limit: int = MAX_REF) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidVex(source, f"{where}: expected a non-empty string")
    if len(value) > limit:
        raise InvalidVex(source, f"{where}: longer than {limit} characters")
    return value.strip()


def _list(value: Any, where: str, source: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise InvalidVex(source, f"{where}: expected a list")
    return value


def _object(value: Any, where: str, source: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InvalidVex(source, f"{where}: expected an object")
    return value


def _document(doc: Any, source: str) -> VexDocument:
    top = _object(doc, "document", source)
    if top.get("bomFormat") != "CycloneDX":
        raise InvalidVex(source, 'not a CycloneDX document (bomFormat is not "CycloneDX")')
    spec = top.get("specVersion")
    if not isinstance(spec, str) or not spec.startswith("1."):
        raise InvalidVex(source, "specVersion must be a CycloneDX 1.x version string")
    if "vulnerabilities" not in top:
        raise InvalidVex(source, "the document has no vulnerabilities")
    vulns = _list(top["vulnerabilities"], "vulnerabilities", source)
    if len(vulns) > MAX_STATEMENTS:
        raise InvalidVex(source, f"more than {MAX_STATEMENTS:,} vulnerabilities")
    metadata = _object(top.get("metadata") or {}, "metadata", source)
    subject = _object(metadata.get("component") or {}, "metadata.component", source)
    ref = subject.get("bom-ref")
    components = dict(_components(_list(top.get("components"), "components", source), source, 0))
    statements = tuple(_statement(i, v, source) for i, v in enumerate(vulns))
    return VexDocument(
        subject=_text(ref, "metadata.component.bom-ref", source) if ref is not None else None,
        components=components,
        statements=statements,
    )


def _components(items: list[Any], source: str, depth: int) -> Iterator[tuple[str, str]]:
    if depth > MAX_COMPONENT_DEPTH:
        raise InvalidVex(source, f"components nested deeper than {MAX_COMPONENT_DEPTH} levels")
    for i, item in enumerate(items):
        comp = _object(item, f"components[{i}]", source)
        ref, purl = comp.get("bom-ref"), comp.get("purl")
        if isinstance(ref, str) and isinstance(purl, str) and ref and purl:
            yield ref[:MAX_REF], purl[:MAX_REF]
        nested = _list(comp.get("components"), f"components[{i}].components", source)
        yield from _components(nested, source, depth + 1)


def _statement(index: int, item: Any, source: str) -> Statement:
    where = f"vulnerabilities[{index}]"
    vuln = _object(item, where, source)
    vid = _text(vuln.get("id"), f"{where}.id", source, MAX_VULN_ID)
    aliases = []
    for j, ref in enumerate(_list(vuln.get("references"), f"{where}.references", source)):
        reference = _object(ref, f"{where}.references[{j}]", source)
        aliases.append(
            _text(reference.get("id"), f"{where}.references[{j}].id", source, MAX_VULN_ID)
        )
    refs = []
    for j, target in enumerate(_list(vuln.get("affects"), f"{where}.affects", source)):
        affected = _object(target, f"{where}.affects[{j}]", source)
        refs.append(_text(affected.get("ref"), f"{where}.affects[{j}].ref", source))
    analysis = None
    if vuln.get("analysis") is not None:
        analysis = _analysis(_object(vuln["analysis"], f"{where}.analysis", source), where, source)
    return Statement(index, vid, tuple(dict.fromkeys(aliases)), analysis, tuple(refs))


def _analysis(raw: dict[str, Any], where: str, source: str) -> Analysis | None:
    if raw.get("state") is None:
        return None
    state = _text(raw.get("state"), f"{where}.analysis.state", source, 64)
    just = raw.get("justification")
    responses = [
        _text(r, f"{where}.analysis.response", source, 64)
        for r in _list(raw.get("response"), f"{where}.analysis.response", source)
    ]
    detail = raw.get("detail", "")
    if not isinstance(detail, str):
        raise InvalidVex(source, f"{where}.analysis.detail: expected a string")
    try:
        return Analysis.validated(
            state,
            _text(just, f"{where}.analysis.justification", source, 64) if just else None,
            responses,
            detail,
        )
    except TriageError as exc:
        raise InvalidVex(source, f"{where}.analysis: {exc}") from None


# --- XML -----------------------------------------------------------------------------------


def _local(tag: object) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _child(element: Element, name: str) -> Element | None:
    return next((c for c in element if _local(c.tag) == name), None)


def _children(element: Element | None, name: str) -> list[Element]:
    return [] if element is None else [c for c in element if _local(c.tag) == name]


def _child_text(element: Element, name: str) -> str | None:
    found = _child(element, name)
    return None if found is None or found.text is None else found.text.strip()


def _xml_to_dict(data: bytes, source: str) -> dict[str, Any]:
    """The parts of an XML VEX the JSON path reads, in the JSON shape."""
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import ParseError, fromstring

    text = decode_text(data, source, error=InvalidVex)
    try:
        root = fromstring(text, forbid_dtd=True)
    except ParseError as exc:
        line = getattr(exc, "position", (None,))[0]
        raise InvalidVex(source, f"invalid XML: {exc}".split(": line")[0], line=line) from None
    except DefusedXmlException:
        raise InvalidVex(source, "XML with a DTD or entities is refused") from None
    if _local(root.tag) != "bom":
        raise InvalidVex(source, f"not a CycloneDX document (root element is {_local(root.tag)!r})")
    namespace = root.tag[1:].partition("}")[0] if root.tag.startswith("{") else ""
    if not namespace.startswith("http://cyclonedx.org/schema/bom/"):
        raise InvalidVex(source, "not a CycloneDX document (unknown XML namespace)")
    doc: dict[str, Any] = {"bomFormat": "CycloneDX", "specVersion": namespace.rpartition("/")[2]}
    metadata = _child(root, "metadata")
    subject = None if metadata is None else _child(metadata, "component")
    if subject is not None and subject.get("bom-ref"):
        doc["metadata"] = {"component": {"bom-ref": subject.get("bom-ref")}}
    doc["components"] = [
        _xml_component(c) for c in _children(_child(root, "components"), "component")
    ]
    vulns = _child(root, "vulnerabilities")
    if vulns is not None:
        doc["vulnerabilities"] = [_xml_vuln(v) for v in _children(vulns, "vulnerability")]
    return doc


def _xml_component(element: Element, depth: int = 0) -> dict[str, Any]:
    nested = _children(_child(element, "components"), "component")
    return {
        "bom-ref": element.get("bom-ref"),
        "purl": _child_text(element, "purl"),
        "components": [_xml_component(c, depth + 1) for c in nested]
        if depth < MAX_COMPONENT_DEPTH
        else [None],
    }


def _xml_vuln(element: Element) -> dict[str, Any]:
    out: dict[str, Any] = {"id": _child_text(element, "id")}
    out["references"] = [
        {"id": _child_text(r, "id")} for r in _children(_child(element, "references"), "reference")
    ]
    out["affects"] = [
        {"ref": _child_text(t, "ref")} for t in _children(_child(element, "affects"), "target")
    ]
    analysis = _child(element, "analysis")
    if analysis is not None:
        out["analysis"] = {
            "state": _child_text(analysis, "state"),
            "justification": _child_text(analysis, "justification"),
            "response": [
                (r.text or "").strip() for r in _children(_child(analysis, "responses"), "response")
            ],
            "detail": _child_text(analysis, "detail") or "",
        }
    return out
