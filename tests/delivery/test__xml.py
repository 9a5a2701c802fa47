"""The safe XML parser of test and coverage reports: DTDs refused, naming DOCTYPEs dropped."""

from __future__ import annotations

from pathlib import Path

import pytest

from assay.core.errors import InputError
from assay.delivery._xml import local, parse


class Bad(InputError):
    pass


def test_a_doctype_that_only_names_a_dtd_is_dropped_and_lines_stay_true(tmp_path: Path) -> None:
    path = tmp_path / "c.xml"
    path.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE coverage\n  SYSTEM "http://example.invalid/c.dtd">\n'
        "<coverage>\n<packages>\n</coverage>\n"
    )
    with pytest.raises(Bad, match=r"c\.xml:6: invalid XML: mismatched tag"):
        parse(path, Bad)
    path.write_text('<!DOCTYPE coverage SYSTEM "c.dtd">\n<coverage>\n  <packages/>\n</coverage>')
    report = parse(path, Bad)
    assert local(report.root.tag) == "coverage"
    assert report.line(report.root[0]) == 3


@pytest.mark.parametrize(
    "doctype",
    [
        '<!DOCTYPE coverage SYSTEM "c.dtd" [<!ENTITY x "y">]>',
        "<!DOCTYPE coverage [<!ELEMENT coverage ANY>]>",
        '<!DOCTYPE coverage PUBLIC "-//X//EN" "file:///etc/passwd" [ ]>',
    ],
)
def test_a_doctype_with_an_internal_subset_is_refused(tmp_path: Path, doctype: str) -> None:
    path = tmp_path / "c.xml"
    path.write_text(f"{doctype}<coverage/>")
    with pytest.raises(Bad, match="DTD not allowed"):
        parse(path, Bad)


def test_a_naming_doctype_after_the_prolog_is_not_dropped(tmp_path: Path) -> None:
    path = tmp_path / "c.xml"
    path.write_text("<!--" + "x" * 5000 + '-->\n<!DOCTYPE coverage SYSTEM "c.dtd">\n<coverage/>')
    with pytest.raises(Bad, match=r":2: DTD not allowed"):
        parse(path, Bad)
