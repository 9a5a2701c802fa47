"""``assay sbom diff``: table, JSON and Markdown; exit 0 whatever changed, 2 for bad input."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from assay.cli.main import run

SCHEMA = Path(__file__).resolve().parents[3] / "docs" / "schemas" / "sbom-diff-1.schema.json"

TESTDATA = Path(__file__).resolve().parents[2] / "sbom" / "testdata" / "diff"
OLD, NEW = str(TESTDATA / "old.cdx.json"), str(TESTDATA / "new.cdx.json")


def exit_code(argv: list[str]) -> int:
    with pytest.raises(SystemExit) as info:
        run(argv)
    code = info.value.code
    return code if isinstance(code, int) else 0


def test_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert exit_code(["sbom", "diff", OLD, NEW]) == 0
    out = capsys.readouterr().out
    assert "1 added, 1 removed, 1 upgraded, 1 downgraded, 3 unchanged" in out
    assert "WARNING: 1 package version(s) changed content" in out
    lines = {line.split()[2]: line.split() for line in out.splitlines()[3:]}
    assert lines["lodash"][:5] == ["upgraded", "npm", "lodash", "4.17.9", "4.17.21"]
    assert "licence MIT -> MIT OR Apache-2.0" in " ".join(lines["express"])
    assert "HASH CHANGED" in " ".join(lines["org.apache.logging.log4j:log4j-core"])
    assert "pyyaml" not in lines  # unchanged packages are only counted


def test_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert exit_code(["sbom", "diff", OLD, NEW, "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["schema"] == "assay.sbom.diff/1"
    assert data["summary"]["hash_changed"] == 1
    validate(data)
    assert [c["kind"] for c in data["changes"]] == [
        "added",
        "removed",
        "upgraded",
        "downgraded",
        "unchanged",
        "unchanged",
    ]


def validate(data: object) -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema).validate(data)


def test_markdown(capsys: pytest.CaptureFixture[str]) -> None:
    assert exit_code(["sbom", "diff", OLD, NEW, "-f", "markdown"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("## SBOM diff: ")
    assert "| upgraded | npm | lodash | 4.17.9 | 4.17.21 |  |" in out
    assert "**WARNING: 1 package version(s)" in out


def test_no_differences(capsys: pytest.CaptureFixture[str]) -> None:
    assert exit_code(["sbom", "diff", OLD, OLD]) == 0
    assert "No differences." in capsys.readouterr().out
    assert exit_code(["sbom", "diff", OLD, OLD, "-f", "markdown"]) == 0
    assert "No differences." in capsys.readouterr().out


def test_hostile_names_cannot_break_a_markdown_table(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "components": [
            {"name": "x", "version": "1|2\n# h", "purl": "pkg:npm/x@1%7C2%0A%23%20h"},
        ],
    }
    path = tmp_path / "evil.cdx.json"
    path.write_text(json.dumps(doc))
    assert exit_code(["sbom", "diff", OLD, str(path), "-f", "markdown"]) == 0
    row = next(line for line in capsys.readouterr().out.splitlines() if "| x |" in line)
    assert row.count(" | ") == 5 and "1\\|2 # h" in row


def test_lockfile_against_sbom(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lock = tmp_path / "requirements.txt"
    lock.write_text("requests==2.32.0\ndjango==4.2.11\n")
    assert exit_code(["sbom", "diff", OLD, str(lock), "-f", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {(c["name"], c["kind"]) for c in data["changes"] if c["ecosystem"] == "PyPI"} == {
        ("requests", "upgraded"),
        ("django", "added"),
        ("pyyaml", "removed"),
    }
    validate(data)


def test_bad_input_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": 7}')
    assert exit_code(["sbom", "diff", OLD, str(bad)]) == 2
    assert exit_code(["sbom", "diff", str(tmp_path / "missing.json"), NEW]) == 2
    assert exit_code(["sbom", "diff", OLD]) == 2  # NEW is required
    err = capsys.readouterr().err
    assert f"assay: error: {bad}" in err and "Traceback" not in err
