from __future__ import annotations

import pytest

from assay.sbom.catalogers._yarn_classic import parse_classic
from assay.sbom.catalogers.interface import InvalidLockfile


def test_headers_fields_blocks_and_escapes() -> None:
    text = (
        "# yarn lockfile v1\n\n"
        '"@a/b@^1", c@~2, "d@>= 1 < 2":\n'
        '  version "1.0.0"\n'
        "  integrity sha512-x==\n"
        '  "resolved" "https://r.example/\\"q\\".tgz"\n'
        "  dependencies:\n"
        '    "@e/f" "^3"\n'
        "    g 4\n"
        "  optionalDependencies:\n"
        "    h ^5\n"
    )
    [entry] = parse_classic(text, "yarn.lock")
    assert entry.specs == ["@a/b@^1", "c@~2", "d@>= 1 < 2"]
    assert entry.line == 3
    assert entry.fields == {
        "version": "1.0.0",
        "integrity": "sha512-x==",
        "resolved": 'https://r.example/"q".tgz',
    }
    assert entry.blocks == {
        "dependencies": {"@e/f": "^3", "g": "4"},
        "optionalDependencies": {"h": "^5"},
    }


@pytest.mark.parametrize(
    ("text", "reason", "line"),
    [
        ('a@1:\n  version "1" extra\n', "unexpected text after value", 2),
        ('a@1:\n  version "bad \\q"\n', "invalid string escape", 2),
        ('"a@1", , b@2:\n', "empty package spec", 1),
        ('"a@1" b@2:\n', "malformed entry header", 1),
        ("a@1:\n    dependencies-without-block x\n", "unexpected indentation", 2),
    ],
)
def test_errors_carry_lines(text: str, reason: str, line: int) -> None:
    with pytest.raises(InvalidLockfile, match=reason) as info:
        parse_classic(text, "yarn.lock")
    assert info.value.line == line
    assert str(info.value).startswith(f"yarn.lock:{line}: ")
