"""Semantic checks of SBOM documents, beyond what a schema can say.

Duplicate identifiers (CycloneDX ``bom-ref``, SPDX ``SPDXID``), dependency or
relationship references that point nowhere, purls that do not parse
(packageurl-python), components without a version, and licence expressions
that do not parse (license-expression). Each check takes the document in its
JSON shape; elements read from XML or tag-value carry their ``"__line"``,
which becomes the place reported, else a JSON pointer is.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from assay.sbom._validate_model import Problem, Severity

#: component types that are not packages and need no version
_UNVERSIONED_TYPES = frozenset({"file", "data", "cryptographic-asset", "device"})
_NO_LICENCE = frozenset({"", "NOASSERTION", "NONE"})


def _where(item: Any, pointer: str) -> str:
    line = item.get("__line") if isinstance(item, dict) else None
    return f"line {line}" if isinstance(line, int) else pointer


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def purl_problem(purl: str) -> str | None:
    """Why ``purl`` is not a valid Package URL, or None."""
    from packageurl import PackageURL

    try:
        PackageURL.from_string(purl)
    except ValueError as exc:
        return f"invalid purl {purl!r}: {exc}"
    return None


@lru_cache(maxsize=1)
def _licensing() -> Any:
    from license_expression import get_spdx_licensing

    return get_spdx_licensing()


def licence_problem(expression: str) -> tuple[Severity, str] | None:
    """An error when ``expression`` does not parse, a warning for keys SPDX does not list."""
    from license_expression import ExpressionError  # parse errors derive from it too

    licensing = _licensing()
    try:
        parsed = licensing.parse(expression, validate=False)
    except ExpressionError as exc:
        return Severity.ERROR, f"licence expression {expression!r} does not parse: {exc}"
    if parsed is None:
        return Severity.ERROR, f"licence expression {expression!r} is empty"
    unknown = [
        key
        for key in licensing.unknown_license_keys(parsed)
        if not key.startswith(("LicenseRef-", "DocumentRef-"))
    ]
    if unknown:
        return Severity.WARNING, f"licence {', '.join(unknown)} is not on the SPDX licence list"
    return None


def _walk_components(items: Any, pointer: str) -> Iterator[tuple[dict[str, Any], str]]:
    stack = [(item, f"{pointer}/{i}") for i, item in enumerate(_list(items))]
    stack.reverse()
    while stack:
        item, where = stack.pop()
        if not isinstance(item, dict):
            continue
        yield item, where
        nested = [
            (c, f"{where}/components/{i}") for i, c in enumerate(_list(item.get("components")))
        ]
        stack.extend(reversed(nested))


def cyclonedx(doc: dict[str, Any]) -> Iterator[Problem]:
    refs: dict[str, str] = {}
    metadata = doc.get("metadata") if isinstance(doc.get("metadata"), dict) else {}
    subject = metadata.get("component") if isinstance(metadata, dict) else None
    items = list(_walk_components([subject] if subject else [], "/metadata/component"))
    items = [(c, w.replace("/metadata/component/0", "/metadata/component")) for c, w in items]
    items += list(_walk_components(doc.get("components"), "/components"))
    services = [(s, f"/services/{i}") for i, s in enumerate(_list(doc.get("services")))]
    for item, where in [*items, *services]:
        if not isinstance(item, dict):
            continue
        ref = item.get("bom-ref")
        if isinstance(ref, str):
            if ref in refs:
                yield Problem(
                    Severity.ERROR,
                    _where(item, f"{where}/bom-ref"),
                    f"bom-ref {ref!r} is used twice (first at {refs[ref]})",
                    "duplicate-ref",
                )
            else:
                refs[ref] = _where(item, f"{where}/bom-ref")
    for item, where in items:
        yield from _cyclonedx_component(item, where)
    for i, dep in enumerate(_list(doc.get("dependencies"))):
        if not isinstance(dep, dict):
            continue
        targets = [("ref", dep.get("ref"))]
        for key in ("dependsOn", "provides"):  # provides: 1.6
            targets += [(f"{key}/{j}", r) for j, r in enumerate(_list(dep.get(key)))]
        for key, ref in targets:
            if isinstance(ref, str) and ref not in refs:
                yield Problem(
                    Severity.ERROR,
                    _where(dep, f"/dependencies/{i}/{key}"),
                    f"dependency refers to bom-ref {ref!r}, which no component has",
                    "dangling-ref",
                )


def _cyclonedx_component(item: dict[str, Any], where: str) -> Iterator[Problem]:
    label = item.get("name", "?")
    purl = item.get("purl")
    if isinstance(purl, str):
        problem = purl_problem(purl)
        if problem:
            yield Problem(Severity.ERROR, _where(item, f"{where}/purl"), problem, "purl")
    if not item.get("version") and item.get("type") not in _UNVERSIONED_TYPES:
        yield Problem(
            Severity.WARNING,
            _where(item, f"{where}/version"),
            f"component {label!r} has no version",
            "version",
        )
    for i, lic in enumerate(_list(item.get("licenses"))):
        expression = lic.get("expression") if isinstance(lic, dict) else None
        if isinstance(expression, str):
            found = licence_problem(expression)
            if found:
                place = _where(lic, _where(item, f"{where}/licenses/{i}/expression"))
                yield Problem(found[0], place, found[1], "licence")


def spdx(doc: dict[str, Any]) -> Iterator[Problem]:
    ids: dict[str, str] = {}
    doc_id = doc.get("SPDXID")
    if isinstance(doc_id, str):
        ids[doc_id] = "/SPDXID"
    elements: list[tuple[Any, str]] = []
    for key in ("packages", "files", "snippets"):
        elements += [(e, f"/{key}/{i}") for i, e in enumerate(_list(doc.get(key)))]
    for element, where in elements:
        spdx_id = element.get("SPDXID") if isinstance(element, dict) else None
        if not isinstance(spdx_id, str):
            continue
        if spdx_id in ids:
            yield Problem(
                Severity.ERROR,
                _where(element, f"{where}/SPDXID"),
                f"SPDXID {spdx_id!r} is used twice (first at {ids[spdx_id]})",
                "duplicate-ref",
            )
        else:
            ids[spdx_id] = _where(element, f"{where}/SPDXID")
    for i, package in enumerate(_list(doc.get("packages"))):
        if isinstance(package, dict):
            yield from _spdx_package(package, f"/packages/{i}")
    references: list[tuple[Any, str, Any]] = [
        (r, f"/documentDescribes/{i}", None)
        for i, r in enumerate(_list(doc.get("documentDescribes")))
    ]
    for i, rel in enumerate(_list(doc.get("relationships"))):
        if isinstance(rel, dict):
            for key in ("spdxElementId", "relatedSpdxElement"):
                references.append((rel.get(key), f"/relationships/{i}/{key}", rel))
    for ref, where, rel in references:
        if not isinstance(ref, str) or ref in ids or ref in _NO_LICENCE:
            continue
        if ref.startswith("DocumentRef-"):  # an element of another document
            continue
        yield Problem(
            Severity.ERROR,
            _where(rel, where),
            f"relationship refers to SPDXID {ref!r}, which no element has",
            "dangling-ref",
        )


def _spdx_package(package: dict[str, Any], where: str) -> Iterator[Problem]:
    for i, ref in enumerate(_list(package.get("externalRefs"))):
        if not isinstance(ref, dict) or ref.get("referenceType") != "purl":
            continue
        locator = ref.get("referenceLocator")
        problem = purl_problem(locator) if isinstance(locator, str) else "purl is not a string"
        if problem:
            place = _where(ref, f"{where}/externalRefs/{i}/referenceLocator")
            yield Problem(Severity.ERROR, place, problem, "purl")
    if not package.get("versionInfo"):
        yield Problem(
            Severity.WARNING,
            _where(package, f"{where}/versionInfo"),
            f"package {package.get('name', '?')!r} has no version",
            "version",
        )
    for key in ("licenseConcluded", "licenseDeclared"):
        value = package.get(key)
        if isinstance(value, str) and value.strip() not in _NO_LICENCE:
            found = licence_problem(value.strip())
            if found:
                yield Problem(found[0], _where(package, f"{where}/{key}"), found[1], "licence")
