"""CycloneDX 1.6 output, JSON and XML.

The document is built as plain JSON data here and rendered to XML by
``_cyclonedx_xml_out``; ``cyclonedx-python-lib`` supplies the SPDX licence list
and, in the tests, the schema validators. Its object model is not used to
write: ``Bom.validate`` and its sorted sets are quadratic (a 2,164-component
yarn.lock took 18 s to write through it, 0.1 s this way).

Mapping from the model (one component per package version, see ``_output``):

- ``metadata``: ``timestamp`` (the Bom's, else now), ``tools`` (assay and the
  tools that made the input), ``authors``, and the subject component
  (``Bom.subject``, else a synthetic ``application`` named after the input).
- component: ``bom-ref`` (the document's own ref, else the purl, else
  ``ecosystem:name@version``; made unique), ``purl``, ``name`` and ``group``
  (Maven group, npm scope, Composer vendor), ``version``, ``licenses`` (a
  listed SPDX id as ``license.id``, an expression or ``LicenseRef-`` as
  ``expression``, anything else as ``license.name``), ``hashes`` (hex; base64
  lockfile digests are decoded), supplier, author, description, cpe, external
  references and properties; the fields the model does not hold
  (``Component.extensions``: cryptoProperties, evidence, pedigree ...) verbatim
  in JSON (never over a field written from the model; fields 1.6 lacks are
  reported), reported as lost in XML. A component without a purl (a file, a device, a
  cryptographic asset read from an SBOM) keeps its type and bom-ref and is
  written without ``purl``; a ``group/name`` its reader joined is split again.
- scope: required -> ``required``, optional -> ``optional``, dev ->
  ``excluded`` (CycloneDX 1.6: excluded components document "component usage
  for test and other non-runtime purposes"), plus the property
  ``assay:scope=dev`` so the intent stays explicit.
- properties ``assay:source`` (each file that named the package) and
  ``assay:direct`` (true/false, when known); the subject ``dependsOn`` the
  direct components, and ``dependencies`` carry ``Bom.edges``.
"""

from __future__ import annotations

import json
import re
from typing import Any
from uuid import uuid4

from assay.sbom.formats._cyclonedx_fields import COMPONENT_FIELDS, author
from assay.sbom.formats._output import (
    TOOL_NAME,
    TOOL_VERSION,
    Losses,
    canonical_hash,
    entries,
    extension_fields,
    json_safe,
    note_extensions,
    split_tool,
    subject,
    timestamp,
)
from assay.sbom.formats.writer import WriteResult
from assay.sbom.model import Bom, Component, Scope

SPEC_VERSION = "1.6"
SCHEMA = "http://cyclonedx.org/schema/bom-1.6.schema.json"
#: purl types whose namespace is a CycloneDX ``group``
_GROUPED_PREFIXES = ("pkg:maven/", "pkg:npm/", "pkg:composer/")
#: CycloneDX 1.6 component types
KINDS = frozenset(
    {
        "application",
        "framework",
        "library",
        "container",
        "platform",
        "operating-system",
        "device",
        "device-driver",
        "firmware",
        "file",
        "machine-learning-model",
        "data",
        "cryptographic-asset",
    }
)
#: CycloneDX 1.6 external reference types
REFERENCE_TYPES = frozenset(
    [
        "vcs",
        "issue-tracker",
        "website",
        "advisories",
        "bom",
        "mailing-list",
        "social",
        "chat",
        "documentation",
        "support",
        "source-distribution",
        "distribution",
        "distribution-intake",
        "license",
        "build-meta",
        "build-system",
        "release-notes",
        "security-contact",
        "model-card",
        "log",
        "configuration",
        "evidence",
        "formulation",
        "attestation",
        "threat-model",
        "adversary-model",
        "risk-assessment",
        "vulnerability-assertion",
        "exploitability-statement",
        "pentest-report",
        "static-analysis-report",
        "dynamic-analysis-report",
        "runtime-analysis-report",
        "component-analysis-report",
        "maturity-report",
        "certification-report",
        "codified-infrastructure",
        "quality-metrics",
        "poam",
        "electronic-signature",
        "digital-signature",
        "rfc-9116",
        "other",
    ]
)
_NOT_URI = re.compile(r"[\s\x00-\x1f\x7f<>\"{}|\\^`]")
_OPERATOR = re.compile(r"\s(?:AND|OR|WITH)\s", re.IGNORECASE)
_SCOPES = {Scope.REQUIRED: "required", Scope.OPTIONAL: "optional", Scope.DEV: "excluded"}


class CycloneDxJsonWriter:
    name = "cyclonedx-json"

    def write(self, bom: Bom) -> WriteResult:
        document, losses = build(bom)
        text = json_safe(json.dumps(document, indent=2, ensure_ascii=False))
        return WriteResult(text + "\n", losses.lines())


class CycloneDxXmlWriter:
    name = "cyclonedx-xml"

    def write(self, bom: Bom) -> WriteResult:
        from assay.sbom.formats._cyclonedx_xml_out import to_xml

        document, losses = build(bom, extensions=False)
        return WriteResult(to_xml(document), losses.lines())


def build(bom: Bom, *, extensions: bool = True) -> tuple[dict[str, Any], Losses]:
    """The CycloneDX 1.6 document for ``bom`` as JSON data, and what did not fit.

    ``extensions``: write each component's unmodelled CycloneDX fields back
    (JSON output), else report them as lost (XML output, which writes only
    the elements assay models).
    """
    losses = Losses()
    tools = [{"type": "application", "name": TOOL_NAME, "version": TOOL_VERSION}]
    for tool in bom.tools:
        name, version = split_tool(tool)
        if name and name != TOOL_NAME:
            tools.append(_drop_none({"type": "application", "name": name, "version": version}))
    refs = _Refs()
    root = _component(subject(bom), refs, losses, extensions)
    components: dict[str, dict[str, Any]] = {}
    direct: list[str] = []
    merged = entries(bom)
    for entry in merged.items:
        c = entry.component
        data = _component(c, refs, losses, extensions)
        data["scope"] = _SCOPES[c.scope]
        properties = [{"name": "assay:source", "value": s} for s in entry.sources]
        if c.direct is not None:
            properties.append({"name": "assay:direct", "value": str(c.direct).lower()})
        if c.scope is Scope.DEV:
            properties.append({"name": "assay:scope", "value": "dev"})
        properties += data.get("properties", [])
        if properties:
            data["properties"] = properties
        components[entry.key] = data
        if c.direct:
            direct.append(data["bom-ref"])
    metadata: dict[str, Any] = {
        "timestamp": timestamp(bom).isoformat().replace("+00:00", "Z"),
        "tools": {"components": tools},
    }
    authors = [{"name": a.strip()} for a in bom.authors if a.strip()]
    if authors:
        metadata["authors"] = authors
    metadata["component"] = root
    graph = merged.edges(bom)
    dependencies: list[dict[str, Any]] = []
    if direct or any(e.component.direct is not None for e in merged.items):
        # without this entry a reader leaves direct/transitive unknown, as it was
        dependencies.append({"ref": root["bom-ref"], "dependsOn": direct})
        for e in merged.items:
            if e.component.direct is None:
                losses.add(
                    "direct/transitive unknown while others are known: read back as transitive",
                    f"{e.component.name}@{e.component.version}",
                )
    for ref, data in components.items():
        children = [components[child]["bom-ref"] for child in graph.get(ref, ())]
        dependencies.append({"ref": data["bom-ref"], "dependsOn": children})
    document = {
        "$schema": SCHEMA,
        "bomFormat": "CycloneDX",
        "specVersion": SPEC_VERSION,
        "serialNumber": f"urn:uuid:{uuid4()}",
        "version": 1,
        "metadata": metadata,
        "components": list(components.values()),
        "dependencies": dependencies,
    }
    return document, losses


class _Refs:
    """Unique bom-ref values: a second package wanting the same ref gets ``#2``, ``#3`` ..."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def take(self, wanted: str) -> str:
        ref, n = wanted, 1
        while ref in self.used:
            n += 1
            ref = f"{wanted}#{n}"
        self.used.add(ref)
        return ref


def _component(c: Component, refs: _Refs, losses: Losses, keep: bool) -> dict[str, Any]:
    label = f"{c.name}@{c.version}" if c.version else c.name
    purl_text = _purl(c)
    group, name = None, c.name
    grouped = _group(purl_text) if purl_text else _own_group(c)
    if grouped is not None:
        namespace, short = grouped
        group = namespace
        # "g:a", "@scope/name", "vendor/pkg" -> the purl's name; a name of its own stays
        if c.name in (f"{namespace}:{short}", f"{namespace}/{short}", short):
            name = short
    kind = c.kind
    if kind not in KINDS:
        losses.add("component types CycloneDX 1.6 does not have, written as library", kind)
        kind = "library"
    data: dict[str, Any] = {
        "type": kind,
        "bom-ref": refs.take(c.bom_ref or purl_text or _plain_ref(c)),
    }
    if c.supplier:
        data["supplier"] = {"name": c.supplier}
    if c.author:
        data["authors"] = [{"name": c.author}]
    if group:
        data["group"] = group
    data["name"] = name
    if c.version:
        data["version"] = c.version
    if c.description:
        data["description"] = c.description
    hashes = _hashes(c, label, losses)
    if hashes:
        data["hashes"] = hashes
    if c.licenses and c.licenses.strip():
        data["licenses"] = [licence_choice(c.licenses.strip())]
    if c.cpe:
        data["cpe"] = c.cpe
    if purl_text:
        data["purl"] = purl_text
    references = _external_refs(c, label, losses)
    if references:
        data["externalReferences"] = references
    if c.ecosystem and purl_text is None:
        data["properties"] = [{"name": "assay:ecosystem", "value": c.ecosystem}]
    extra = [{"name": k, "value": v} for k, v in c.properties if k]
    if extra:
        data["properties"] = data.get("properties", []) + extra
    if c.extensions:
        if keep:
            _extensions(c, data, losses)
        else:
            note_extensions(c, losses, "CycloneDX XML output")
    return data


def _extensions(c: Component, data: dict[str, Any], losses: Losses) -> None:
    """The fields the model does not hold, verbatim; never over a field written from the model.

    ``authors`` is the one field both hold: the model its names joined, the
    extension its entries. The entries are written; when the model's author
    is not those names (the input also had 1.2-1.5's ``author``), it is
    written as ``author`` too.
    """
    fields = extension_fields(c)
    stated_authors = fields.pop("authors", None)
    if stated_authors is not None:
        if c.author and c.author != author({"authors": stated_authors}):
            data["author"] = c.author
        data["authors"] = stated_authors
    for key, value in fields.items():
        if key not in COMPONENT_FIELDS:
            losses.add("component fields CycloneDX 1.6 does not have, dropped", key)
        elif key in data:
            losses.add("component fields written from assay's model, input's value dropped", key)
        else:
            data[key] = value


def _own_group(c: Component) -> tuple[str, str] | None:
    """(group, name) of a component without a purl that the reader named ``group/name``."""
    if c.namespace and c.name.startswith(f"{c.namespace}/"):
        return c.namespace, c.name[len(c.namespace) + 1 :]
    return None


def _purl(c: Component) -> str | None:
    if not (c.ecosystem or c.purl_override):
        return None
    return c.purl


def _group(purl: str) -> tuple[str, str] | None:
    """(namespace, name) of a Maven, npm or Composer purl; None for other types."""
    if not purl.startswith(_GROUPED_PREFIXES):
        return None
    from packageurl import PackageURL

    try:
        parsed = PackageURL.from_string(purl)
    except ValueError:
        return None
    return (parsed.namespace, parsed.name) if parsed.namespace else None


def _plain_ref(c: Component) -> str:
    return c.ref if c.ecosystem else (f"{c.name}@{c.version}" if c.version else c.name)


def licence_choice(expression: str) -> dict[str, Any]:
    """One entry of ``licenses``: a listed SPDX id, else an expression, else a name.

    An expression naming an unlisted licence (``Foo OR MIT``) stays an
    expression, as stated, rather than becoming one licence's name.
    """
    from cyclonedx.spdx import fixup_id, is_expression

    ident = fixup_id(expression)
    if ident is not None:
        return {"license": {"id": ident}}
    if (
        expression.startswith("LicenseRef-")
        or _OPERATOR.search(expression)
        or is_expression(expression)
    ):
        return {"expression": expression}
    return {"license": {"name": expression}}


def _hashes(c: Component, label: str, losses: Losses) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    for algorithm, value in dict.fromkeys(c.hashes):
        clean = canonical_hash(algorithm, value)
        if clean is None:
            losses.add(f"{algorithm} hashes (not a digest CycloneDX has an algorithm for)", label)
            continue
        out.append({"alg": clean[0], "content": clean[1]})
    return out


def _external_refs(c: Component, label: str, losses: Losses) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    for kind, url in c.external_refs:
        url = url.strip()
        if not url or _NOT_URI.search(url):
            losses.add("external references that are not URIs, dropped", f"{label}: {url!r}")
            continue
        ref_type = kind if kind in REFERENCE_TYPES else "other"
        if ref_type != kind:
            losses.add("external reference types CycloneDX 1.6 lacks, written as 'other'", kind)
        out.append({"type": ref_type, "url": url})
    return out


def _drop_none(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if v is not None}
