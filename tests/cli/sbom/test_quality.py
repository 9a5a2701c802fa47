"""``assay sbom quality``: the report, --min as a gate, bad input exits 2 in one line."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from assay.cli.main import run

SCHEMA = Path(__file__).resolve().parents[3] / "docs" / "schemas" / "sbom-quality-1.schema.json"

TESTDATA = Path(__file__).resolve().parents[2] / "sbom" / "testdata" / "quality"
KNOWN = str(TESTDATA / "known-7.4.cdx.json")


def exit_code(argv: list[str]) -> int:
    with pytest.raises(SystemExit) as info:
        run(argv)
    code = info.value.code
    return code if isinstance(code, int) else 0


def test_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert exit_code(["sbom", "quality", KNOWN]) == 0
    out = capsys.readouterr().out
    assert "(CycloneDX 1.5, 4 components): 7.4 / 10" in out
    assert "1 of 4 components have a supplier" in out
    assert "purl-valid: write purls per the purl specification" in out
    assert "(e.g. pkg:alpine/d@1.0-r0)" in out


def test_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert exit_code(["sbom", "quality", KNOWN, "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["schema"] == "assay.sbom.quality/1"
    assert data["score"] == 7.4 and data["components"] == 4
    assert {c["id"]: c["have"] for c in data["checks"]}["hashes"] == 1
    validate(data)


def validate(data: object) -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema).validate(data)


def test_output_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "q.json"
    assert exit_code(["sbom", "quality", KNOWN, "-f", "json", "-o", str(out)]) == 0
    assert capsys.readouterr().out == ""
    assert json.loads(out.read_text())["score"] == 7.4


@pytest.mark.parametrize(
    ("minimum", "code"), [("7.4", 0), ("7", 0), ("0", 0), ("7.5", 1), ("10", 1)]
)
def test_min_is_a_gate(minimum: str, code: int, capsys: pytest.CaptureFixture[str]) -> None:
    assert exit_code(["sbom", "quality", KNOWN, "--min", minimum]) == code
    err = capsys.readouterr().err
    assert ("below --min" in err) == (code == 1)


@pytest.mark.parametrize("minimum", ["-1", "10.5", "high", "nan"])
def test_min_must_be_a_score(minimum: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert exit_code(["sbom", "quality", KNOWN, "--min", minimum]) == 2
    assert "--min" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "not a lockfile or SBOM"),  # nothing to sniff
        (b'{\n  "bomFormat": "CycloneDX",\n  "components": [\n    {"name": "a', ":4: invalid JSON"),
        (b'{"bomFormat": "CycloneDX", "specVersion": "9.9"}', "unsupported CycloneDX specVersion"),
        (b'{"bomFormat": "CycloneDX", "a": ' + b"[" * 100_000, "nested deeper"),
        (b"just some text\n", "not a lockfile or SBOM"),
    ],
)
def test_bad_input_exits_2_with_one_line(
    tmp_path: Path, content: bytes, reason: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    assert exit_code(["sbom", "quality", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"assay: error: {path}") and reason in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_missing_file_and_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert exit_code(["sbom", "quality", str(tmp_path / "nope.json")]) == 2
    assert exit_code(["sbom", "quality", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("assay: error:") == 2 and "Traceback" not in err


def test_real_world_documents(shared_data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for path in sorted((shared_data / "sbom" / "real-world").glob("*.json")):
        assert exit_code(["sbom", "quality", str(path), "-f", "json"]) == 0
        data = json.loads(capsys.readouterr().out)
        assert 0 < data["score"] < 10 and data["components"] > 300
        validate(data)


def test_reader_warnings_go_to_stderr_unless_quiet(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "components": [{"type": "library", "name": "no-purl", "version": "1"}],
    }
    path = tmp_path / "bom.json"
    path.write_text(json.dumps(doc))
    assert exit_code(["sbom", "quality", str(path)]) == 0
    err = capsys.readouterr().err
    assert err.startswith(f"assay: warning: {path}: ") and "no-purl" in err
    assert exit_code(["sbom", "quality", str(path), "-q"]) == 0
    assert capsys.readouterr().err == ""
