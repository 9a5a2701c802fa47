"""RFC 822-style stanzas (deb-control(5)): fields, continuations, separators."""

from __future__ import annotations

from pathlib import Path

import pytest

from assay.sbom.catalogers._deb822 import MAX_VALUE, stanzas
from assay.sbom.catalogers.interface import InvalidLockfile

P = Path("status")
KEEP = frozenset({"package", "depends", "description"})


def test_stanzas_keep_asked_fields_with_lines() -> None:
    text = (
        "Package: a\nPriority: optional\nDescription: short\n long\n .\n more\n"
        "\n\n"
        "# comment\nPackage: b\nDepends: x,\n y\n"
    )
    found = list(stanzas(text, P, KEEP))
    assert [(s.line, s.fields) for s in found] == [
        (1, {"package": "a", "description": "short\nlong\n.\nmore"}),
        (10, {"package": "b", "depends": "x,\ny"}),
    ]


def test_field_names_are_case_insensitive_and_crlf_is_accepted() -> None:
    (stanza,) = stanzas("PACKAGE: a\r\nDepends:b\r\n", P, KEEP)
    assert stanza.fields == {"package": "a", "depends": "b"}


@pytest.mark.parametrize(
    ("text", "reason", "line"),
    [
        (" leading continuation\n", "continuation line outside a field", 1),
        ("Package: a\n\n continuation after a blank\n", "continuation line outside", 3),
        ("Package a\n", "expected 'Field: value', found Package a", 1),
        (": value\n", "expected 'Field: value'", 1),
        ("Package: a\nDepends: b\n" + " c\n" * (MAX_VALUE // 2), "field depends is over", None),
    ],
)
def test_malformed(text: str, reason: str, line: int | None) -> None:
    with pytest.raises(InvalidLockfile, match=reason) as info:
        list(stanzas(text, P, KEEP))
    if line is not None:
        assert info.value.line == line
