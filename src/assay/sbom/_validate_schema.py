"""Schema validation of SBOM documents with the formats' official tooling.

CycloneDX JSON: the schema of the document's own ``specVersion``, as shipped
by cyclonedx-python-lib (``JsonStrictValidator``: no properties beyond the
schema's). CycloneDX XML: cyclonedx-python-lib validates XML only through
lxml; without it (it is not a dependency of assay) the XML document is
checked by reading it strictly and by the semantic checks, and the report says
so. SPDX (JSON and tag-value): spdx-tools parses the document into its model
and runs its full validator; its parse errors and validation messages both
become errors. Third-party errors are translated here into :class:`Problem`.
"""

from __future__ import annotations

import contextlib
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from assay.sbom._validate_model import Problem, Severity

_MESSAGE_CHARS = 300
#: JSON nesting jsonschema validates (it recurses: 300 levels exhaust Python's stack)
MAX_SCHEMA_DEPTH = 128
#: spdx-tools' hasFiles x relationships comparisons allowed (about a second)
SPDX_TOOLS_BUDGET = 200_000


def _one_line(text: str) -> str:
    line = " ".join(str(text).split())
    return line if len(line) <= _MESSAGE_CHARS else line[: _MESSAGE_CHARS - 3] + "..."


def json_depth(value: Any) -> int:
    """How deeply arrays and objects nest in ``value`` (a scalar is 0), without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item
        if isinstance(item, dict | list):
            deepest = max(deepest, depth)
            stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return deepest


def cyclonedx_json(doc: dict[str, Any], spec: str) -> tuple[str, Iterator[Problem]]:
    """(what ran, problems) for a CycloneDX JSON document of ``spec`` (``"1.5"``).

    jsonschema validates recursively, so a document nested deeper than
    :data:`MAX_SCHEMA_DEPTH` is not schema-validated: that is an error of its own.
    """
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    depth = json_depth(doc)
    if depth > MAX_SCHEMA_DEPTH:
        message = f"nested {depth} levels deep, over {MAX_SCHEMA_DEPTH}; schema validation not run"
        what = f"CycloneDX {spec} JSON schema not run: {message}"
        return what, iter([Problem(Severity.ERROR, "/", f"document {message}", "schema")])

    version = SchemaVersion.from_version(spec)
    validator = JsonStrictValidator(version)
    errors = validator.validate_str(json.dumps(doc), all_errors=True)
    what = f"CycloneDX {spec} JSON schema (cyclonedx-python-lib, strict)"
    return what, _cyclonedx_problems(errors)


def _cyclonedx_problems(errors: Any) -> Iterator[Problem]:
    if errors is None:
        return
    for error in [errors] if hasattr(errors, "data") else errors:
        data = getattr(error, "data", None)
        path = getattr(data, "absolute_path", ())
        pointer = "/" + "/".join(str(p) for p in path)
        message = getattr(data, "message", None) or str(error)
        yield Problem(Severity.ERROR, pointer, _one_line(message), "schema")


def cyclonedx_xml_note() -> str:
    """What validates an XML document: cyclonedx-python-lib's XML validator needs lxml."""
    return (
        "XML schema validation not available (cyclonedx-python-lib needs lxml, "
        "not a dependency of assay); checked by a strict read and the semantic checks only"
    )


def spdx(path: Path, doc: dict[str, Any], tag_value: bool) -> tuple[str, Iterator[Problem]]:
    """(what ran, problems) for an SPDX 2.x document, by spdx-tools.

    The document goes to spdx-tools' parser for the format assay sniffed (its own
    ``parse_file`` goes by the file name's extension). spdx-tools checks each
    ``hasFiles`` entry of a JSON document against every relationship
    (quadratic: 90 s on a 365-package syft SBOM), so above
    :data:`SPDX_TOOLS_BUDGET` such pairs it is skipped and the report says so.
    """
    from spdx_tools.spdx.parser.error import SPDXParsingError
    from spdx_tools.spdx.validation.document_validator import validate_full_spdx_document

    what = "SPDX 2.x conformance (spdx-tools)"
    pairs = _has_files(doc) * len(_list(doc.get("relationships")))
    if pairs > SPDX_TOOLS_BUDGET:
        return (
            f"SPDX conformance by spdx-tools skipped: {pairs:,} hasFiles x relationship "
            f"comparisons, over {SPDX_TOOLS_BUDGET:,}; semantic checks only",
            iter(()),
        )
    # ply prints "Generating LALR tables" on stderr each time it builds the grammar
    with contextlib.redirect_stderr(io.StringIO()), contextlib.redirect_stdout(io.StringIO()):
        try:
            document = _spdx_parse(path, doc, tag_value)
        except SPDXParsingError as exc:
            messages = [Problem(Severity.ERROR, "/", _one_line(m), "schema") for m in exc.messages]
            return what, iter(messages)
        except (ValueError, TypeError, KeyError, AttributeError, IndexError) as exc:
            # spdx-tools' parsers assume well-typed fields; a wrong type surfaces as these
            problem = Problem(
                Severity.ERROR, "/", _one_line(f"spdx-tools cannot parse it: {exc}"), "schema"
            )
            return what, iter([problem])
        found = validate_full_spdx_document(document)
    problems = [
        Problem(
            Severity.ERROR,
            _spdx_where(message.context),
            _one_line(message.validation_message),
            "schema",
        )
        for message in found
    ]
    return what, iter(problems)


def _spdx_parse(path: Path, doc: dict[str, Any], tag_value: bool) -> Any:
    if tag_value:
        from spdx_tools.spdx.parser.tagvalue.parser import Parser

        text = path.read_bytes().decode("utf-8-sig", errors="replace")
        parser: Any = Parser  # spdx-tools is untyped
        return parser().parse(text)
    from spdx_tools.spdx.parser.jsonlikedict.json_like_dict_parser import JsonLikeDictParser

    dict_parser: Any = JsonLikeDictParser
    return dict_parser().parse(doc)


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _has_files(doc: dict[str, Any]) -> int:
    return sum(
        len(_list(p.get("hasFiles"))) for p in _list(doc.get("packages")) if isinstance(p, dict)
    )


def _spdx_where(context: Any) -> str:
    spdx_id = getattr(context, "spdx_id", None)
    parent = getattr(context, "parent_id", None)
    if spdx_id:
        return f"SPDXID {spdx_id}"
    return f"in {parent}" if parent else "/"
