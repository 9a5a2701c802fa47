"""CycloneDX JSON documents, specVersion 1.2 to 1.6.

Every component in ``components`` (and, recursively, in their own
``components``) that has a ``purl`` becomes a :class:`Component` whose
``purl_override`` is that purl as written; the others cannot be matched
against advisories and are listed in ``Bom.warnings``. The document's subject
(``metadata.component``) is not a component; what it ``dependsOn`` is direct.

Licences: each ``license.id`` is kept, each ``license.name`` becomes
``LicenseRef-<name>`` (it is not an SPDX identifier), each ``expression`` is
kept; several are joined with ``AND``. Scope: ``optional`` -> optional,
``excluded`` (not shipped) -> dev, otherwise required.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any

from assay.sbom.formats._json import Warnings, as_list, json_object_head, load_object
from assay.sbom.formats._purl import PurlError, parse_purl
from assay.sbom.formats.interface import InvalidSbom
from assay.sbom.model import Bom, Component, Scope

SUPPORTED = ("1.2", "1.3", "1.4", "1.5", "1.6")
#: newer minor versions only add fields: read as the newest supported, with a warning
NEWER = ("1.7",)
_SCOPES = {"optional": Scope.OPTIONAL, "excluded": Scope.DEV}
_LICENSE_REF = re.compile(r"[^A-Za-z0-9.-]+")


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
        spec = doc.get("specVersion")
        if spec not in SUPPORTED and spec not in NEWER:
            raise InvalidSbom(
                path, f"unsupported CycloneDX specVersion {spec!r} (reads {', '.join(SUPPORTED)})"
            )
        reader = _Reader(path, doc, str(spec))
        if spec in NEWER:
            reader.warnings.add(f"CycloneDX {spec} read as {SUPPORTED[-1]}; new fields ignored")
        return reader.read()


def licence_expression(licenses: Any) -> str | None:
    """CycloneDX ``licenses`` -> one SPDX expression, or None when none is stated."""
    if not isinstance(licenses, list):
        return None
    parts: list[str] = []
    for item in licenses:
        if not isinstance(item, dict):
            continue
        expression = item.get("expression")
        if isinstance(expression, str) and expression.strip():
            parts.append(expression.strip())
            continue
        lic = item.get("license")
        if not isinstance(lic, dict):
            continue
        ident, name = lic.get("id"), lic.get("name")
        if isinstance(ident, str) and ident.strip():
            parts.append(ident.strip())
        elif isinstance(name, str) and name.strip():
            parts.append("LicenseRef-" + _LICENSE_REF.sub("-", name.strip()).strip("-"))
    unique = list(dict.fromkeys(parts))
    if len(unique) <= 1:
        return unique[0] if unique else None
    return " AND ".join(f"({p})" if " " in p else p for p in unique)


def _hashes(value: Any) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, list):
        return ()
    return tuple(
        (h["alg"], h["content"])
        for h in value
        if isinstance(h, dict)
        and isinstance(h.get("alg"), str)
        and isinstance(h.get("content"), str)
    )


class _Reader:
    def __init__(self, path: Path, doc: dict[str, Any], spec: str) -> None:
        self.path = path
        self.doc = doc
        self.spec = spec
        self.warnings = Warnings(path)
        self.by_ref: dict[str, str] = {}  # bom-ref -> Component.ref
        self.components: dict[str, Component] = {}

    def read(self) -> Bom:
        metadata = self.doc.get("metadata")
        subject = metadata.get("component") if isinstance(metadata, dict) else None
        stack = list(reversed(as_list(self.doc.get("components"), self.path, "components")))
        while stack:
            item = stack.pop()
            if not isinstance(item, dict):
                raise InvalidSbom(self.path, "a component is not an object")
            self._component(item)
            nested = as_list(item.get("components"), self.path, "components")
            stack.extend(reversed(nested))
        edges, direct = self._dependencies(subject)
        components = list(self.components.values())
        if direct is not None:
            components = [replace(c, direct=c.ref in direct) for c in components]
        bom = Bom(
            components=components,
            edges=edges,
            sources=[str(self.path)],
            warnings=self.warnings.lines(),
        )
        bom.metadata["format"] = f"CycloneDX {self.spec}"
        serial = self.doc.get("serialNumber")
        if isinstance(serial, str):
            bom.metadata["serialNumber"] = serial
        if isinstance(subject, dict) and isinstance(subject.get("name"), str):
            bom.metadata["component"] = subject["name"]
        return bom

    def _component(self, item: dict[str, Any]) -> None:
        label = f"{item.get('group', '')}/{item.get('name', '?')}@{item.get('version', '')}"
        label = label.lstrip("/")
        purl = item.get("purl")
        if not isinstance(purl, str) or not purl.strip():
            self.warnings.add(f"component {label!r} has no purl; not scannable")
            return
        try:
            pkg = parse_purl(purl.strip())
        except PurlError as exc:
            self.warnings.add(f"component {label!r}: {exc}; not scannable")
            return
        version = pkg.version or item.get("version")
        if not isinstance(version, str) or not version:
            self.warnings.add(f"component {label!r} has no version; not scannable")
            return
        scope = _SCOPES.get(str(item.get("scope", "required")), Scope.REQUIRED)
        component = Component(
            pkg.ecosystem,
            pkg.name,
            version,
            source=str(self.path),
            scope=scope,
            licenses=licence_expression(item.get("licenses")),
            hashes=_hashes(item.get("hashes")),
            purl_override=purl.strip(),
            namespace=pkg.namespace,
        )
        ref = component.ref
        self.components.setdefault(ref, component)
        bom_ref = item.get("bom-ref")
        if isinstance(bom_ref, str):
            self.by_ref[bom_ref] = ref

    def _dependencies(self, subject: Any) -> tuple[set[tuple[str, str]], set[str] | None]:
        edges: set[tuple[str, str]] = set()
        root = subject.get("bom-ref") if isinstance(subject, dict) else None
        direct: set[str] | None = None
        for dep in as_list(self.doc.get("dependencies"), self.path, "dependencies"):
            if not isinstance(dep, dict):
                raise InvalidSbom(self.path, "a dependencies entry is not an object")
            children = [
                self.by_ref[c]
                for c in as_list(dep.get("dependsOn"), self.path, "dependsOn")
                if isinstance(c, str) and c in self.by_ref
            ]
            ref = dep.get("ref")
            if root is not None and ref == root:
                direct = (direct or set()) | set(children)
            parent = self.by_ref.get(ref) if isinstance(ref, str) else None
            if parent is not None:
                edges.update((parent, child) for child in children if child != parent)
        return edges, direct
