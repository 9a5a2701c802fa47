"""``assay sbom validate``: is this SBOM document valid, and if not, where and why.

Two passes over one document. Schema validation with each format's official
tooling (:mod:`._validate_schema`), then semantic checks no schema expresses
(:mod:`._validate_semantic`): duplicate identifiers, references that point
nowhere, invalid purls, components without a version, licence expressions
that do not parse. Last, the document is read into assay's model, as every
other command would read it; a document that passes the schema but cannot be
read is invalid too.

Input that is not a readable document at all (not an SBOM, malformed JSON or
XML, a DTD, over the size limit) raises :class:`InvalidSbom` (exit 2); a
readable document yields a :class:`Report`, valid when it has no error.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from assay.sbom import _validate_schema as schema
from assay.sbom import _validate_semantic as semantic
from assay.sbom._validate_model import MAX_PROBLEMS, Problem, Report, Severity
from assay.sbom.formats.interface import InvalidSbom
from assay.sbom.model import Bom

__all__ = ["MAX_PROBLEMS", "Problem", "Report", "Severity", "validate"]


def validate(path: Path) -> Report:
    """The :class:`Report` on ``path``; InvalidSbom when it is no readable SBOM."""
    from assay.sbom.formats.registry import reader_for

    reader = reader_for(path)
    if reader is None:
        raise InvalidSbom(
            path,
            "not an SBOM assay reads (CycloneDX 1.2-1.6 JSON/XML, SPDX 2.2/2.3 JSON/tag-value)",
        )
    if reader.name == "cyclonedx-json":
        return _cyclonedx_json(path)
    if reader.name == "cyclonedx-xml":
        return _cyclonedx_xml(path)
    if reader.name in {"spdx-json", "spdx-tv"}:
        return _spdx(path, reader.name)
    raise InvalidSbom(path, f"no validator for {reader.name} documents")


def _model(build: Any) -> tuple[Bom | None, list[Problem]]:
    """Read into the model; a failure becomes an error of the report, not exit 2."""
    try:
        bom: Bom = build()
    except InvalidSbom as exc:
        return None, [Problem(Severity.ERROR, "/", f"cannot be read: {exc.reason}", "read")]
    return bom, []


def _chain(*parts: Any) -> Iterator[Problem]:
    for part in parts:
        yield from part


def _cyclonedx_json(path: Path) -> Report:
    from assay.sbom.formats._cyclonedx import CycloneDxBuilder, check_spec
    from assay.sbom.formats._json import load_object

    doc = load_object(path, "CycloneDX JSON")
    if doc.get("bomFormat") != "CycloneDX":
        raise InvalidSbom(path, "bomFormat is not 'CycloneDX'")
    spec = check_spec(path, doc.get("specVersion"))
    what, schema_problems = schema.cyclonedx_json(doc, spec)
    bom, read_problems = _model(lambda: CycloneDxBuilder(path, doc, spec).build())
    return Report.of(
        str(path),
        "cyclonedx-json",
        f"CycloneDX {spec}",
        what,
        len(bom) if bom is not None else 0,
        _chain(schema_problems, semantic.cyclonedx(doc), read_problems),
    )


def _cyclonedx_xml(path: Path) -> Report:
    from assay.sbom.formats._cyclonedx import CycloneDxBuilder
    from assay.sbom.formats.cyclonedx_xml import load_document

    doc = load_document(path)
    spec = str(doc["specVersion"])
    bom, read_problems = _model(lambda: CycloneDxBuilder(path, doc, spec).build())
    return Report.of(
        str(path),
        "cyclonedx-xml",
        f"CycloneDX {spec}",
        schema.cyclonedx_xml_note(),
        len(bom) if bom is not None else 0,
        _chain(semantic.cyclonedx(doc), read_problems),
    )


def _spdx(path: Path, fmt: str) -> Report:
    from assay.sbom.formats import spdx_tv
    from assay.sbom.formats._json import load_object
    from assay.sbom.formats.spdx_json import SUPPORTED, build_bom

    if fmt == "spdx-tv":
        doc = spdx_tv.load_document(path)
    else:
        doc = load_object(path, "SPDX JSON")
    version = doc.get("spdxVersion")
    if version not in SUPPORTED:
        raise InvalidSbom(
            path, f"unsupported spdxVersion {version!r} (reads {', '.join(SUPPORTED)})"
        )
    what, schema_problems = schema.spdx(path, doc, tag_value=fmt == "spdx-tv")
    bom, read_problems = _model(lambda: build_bom(path, doc, str(version)))
    return Report.of(
        str(path),
        fmt,
        str(version).replace("-", " "),
        what,
        len(bom) if bom is not None else 0,
        _chain(schema_problems, semantic.spdx(doc), read_problems),
    )
