from __future__ import annotations

from pathlib import Path

import pytest

from assay.sbom.catalogers._xml import local, namespace, parse
from assay.sbom.catalogers.interface import InvalidLockfile


def test_lines_namespace_and_local_names(tmp_path: Path) -> None:
    path = tmp_path / "x.xml"
    path.write_bytes(
        b'<?xml version="1.0"?>\n<!-- c -->\n<r xmlns="urn:x">\n  <a/>\n\n  <b><c/></b>\n</r>'
    )
    doc = parse(path, root="r", what="test")
    assert namespace(doc.root) == "{urn:x}"
    assert [(local(e.tag), doc.line(e)) for e in doc.root.iter()] == [
        ("r", 3),
        ("a", 4),
        ("b", 6),
        ("c", 6),
    ]
    assert doc.line(None) is None
    assert local(None) == ""


@pytest.mark.parametrize(
    ("data", "reason", "line"),
    [
        (b"<r>\n<!DOCTYPE r>", r"invalid XML: not well-formed", 2),
        (b"<!-- x -->\n<!DOCTYPE r [<!ENTITY e 'v'>]><r>&e;</r>", r"XML DTD declarations", 2),
        (b"<r>&undefined;</r>", r"invalid XML: undefined entity", 1),
        (b"<r>\n<a></b></r>", r"invalid XML: mismatched tag", 2),
        (b"<q/>", r"root element is <q>, expected <r> \(test\)", 1),
    ],
)
def test_refusals_name_file_and_line(tmp_path: Path, data: bytes, reason: str, line: int) -> None:
    path = tmp_path / "x.xml"
    path.write_bytes(data)
    with pytest.raises(InvalidLockfile, match=reason) as info:
        parse(path, root="r", what="test")
    assert info.value.line == line
    assert str(info.value).startswith(f"{path}:{line}: ")
