from __future__ import annotations

import json
from pathlib import Path

import pytest

from assay.cli.main import run

TESTS = Path(__file__).parents[2]
VALID = TESTS / "sbom/formats/testdata/full-1.6.cdx.json"
BROKEN = TESTS / "sbom/testdata/validate/broken.cdx.xml"


def exit_code(argv: list[str]) -> int:
    with pytest.raises(SystemExit) as info:
        run(argv)
    code = info.value.code
    return code if isinstance(code, int) else 0


def test_valid_document_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert exit_code(["sbom", "validate", str(VALID)]) == 0
    out = capsys.readouterr().out
    assert f"{VALID}: valid (CycloneDX 1.6)" in out
    assert "4 components read; 0 errors, 0 warnings" in out


def test_invalid_document_exits_1_with_each_problem(capsys: pytest.CaptureFixture[str]) -> None:
    assert exit_code(["sbom", "validate", str(BROKEN), "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert (report["valid"], report["errors"], report["warnings"]) == (False, 3, 1)
    assert report["format"] == "cyclonedx-xml" and report["spec"] == "CycloneDX 1.4"
    assert report["problems"][0] == {
        "severity": "error",
        "where": "line 9",
        "message": "bom-ref 'a' is used twice (first at line 4)",
        "check": "duplicate-ref",
    }


def test_table_lists_problems(capsys: pytest.CaptureFixture[str]) -> None:
    assert exit_code(["sbom", "validate", str(BROKEN)]) == 1
    out = capsys.readouterr().out
    assert "invalid (CycloneDX 1.4)" in out and "XML schema validation not available" in out
    assert "dangling-ref" in out and "line 15" in out


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "not an SBOM assay reads"),
        (b'{"bomFormat": "CycloneDX", "specVersion": "1.5", "components": [', "invalid JSON"),
        (
            b'<?xml version="1.0"?>\n<!DOCTYPE bom [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;">]>\n'
            b'<bom xmlns="http://cyclonedx.org/schema/bom/1.5">&b;</bom>',
            ":2: DTD not allowed",
        ),
    ],
    ids=["empty", "truncated", "entities"],
)
def test_unreadable_input_exits_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], data: bytes, reason: str
) -> None:
    path = tmp_path / "bom"
    path.write_bytes(data)
    assert exit_code(["sbom", "validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"assay: error: {path}") and reason in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_missing_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert exit_code(["sbom", "validate", str(tmp_path / "nope.json")]) == 2
    assert "cannot read" in capsys.readouterr().err
