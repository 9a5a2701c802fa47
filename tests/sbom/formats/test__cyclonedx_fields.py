"""CycloneDX field readers: licences, entities, authors, tools (JSON-shaped input)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from assay.sbom.formats._cyclonedx_fields import (
    author,
    entity_name,
    extensions,
    licence_expression,
    pairs,
    text,
    tool_names,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ({"name": " Acme "}, "Acme"),
        ({"email": "a@example.com"}, "a@example.com"),
        ({"name": 5}, None),
        ("Plain", "Plain"),
        ([], None),
    ],
)
def test_entity_name(value: Any, expected: str | None) -> None:
    assert entity_name(value) == expected


def test_author_prefers_the_single_field_then_joins_1_6_authors() -> None:
    assert author({"author": "Jane", "authors": [{"name": "Bob"}]}) == "Jane"
    assert author({"authors": [{"name": "Ann"}, {"email": "b@x"}, 7]}) == "Ann, b@x"
    assert author({"authors": "not a list"}) is None
    assert author({}) is None


def test_tools_in_both_shapes_without_repeats() -> None:
    legacy = [{"vendor": "CycloneDX", "name": "Maven plugin", "version": "2"}, "junk"]
    assert tool_names(legacy) == ["CycloneDX Maven plugin 2"]
    modern = {"components": [{"group": "acme", "name": "maker"}], "services": [{"name": "ci"}]}
    assert tool_names(modern) == ["acme maker", "ci"]
    assert tool_names([{"name": "x"}, {"name": "x"}]) == ["x"]
    assert tool_names("nope") == []


def test_pairs_and_text_ignore_what_is_not_a_string() -> None:
    assert pairs([{"alg": "MD5", "content": "a"}, {"alg": 1}, 3], "alg", "content") == (
        ("MD5", "a"),
    )
    assert pairs("nope", "alg", "content") == ()
    assert (text("  x "), text("   "), text(3)) == ("x", None, None)


def test_licence_names_become_licence_refs() -> None:
    assert licence_expression([{"license": {"name": "Apache License 2.0"}}]) == (
        "LicenseRef-Apache-License-2.0"
    )
    assert licence_expression([{"license": {"id": "MIT"}}, {"license": {"id": "MIT"}}]) == "MIT"
    assert licence_expression("MIT") is None


def test_extensions_none_when_every_key_is_modelled() -> None:
    assert extensions({"type": "library", "name": "x", "purl": "pkg:pypi/x@1"}) is None


def test_extensions_compact_sorted_json_of_the_other_keys() -> None:
    item = {"name": "x", "tags": ["b"], "cryptoProperties": {"assetType": "algorithm"}}
    assert extensions(item) == '{"cryptoProperties":{"assetType":"algorithm"},"tags":["b"]}'


def test_extensions_none_for_items_converted_from_xml() -> None:
    assert extensions({"name": "x", "copyright": "c", "__line": 3}) is None


def test_an_extension_nested_deep_is_refused_by_the_depth_guard(tmp_path: Path) -> None:
    """Hostile: the JSON depth guard of core/inputs refuses it before any extension is built."""
    from assay.sbom.formats.cyclonedx_json import CycloneDxJsonReader
    from assay.sbom.formats.interface import InvalidSbom

    deep = "[" * 10_000 + "]" * 10_000
    path = tmp_path / "deep.cdx.json"
    path.write_text(
        '{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": '
        f'[{{"name": "x", "pedigree": {deep}}}]}}',
        encoding="utf-8",
    )
    with pytest.raises(InvalidSbom, match=r"deep\.cdx\.json:1: JSON nested deeper than"):
        CycloneDxJsonReader().read(path)
