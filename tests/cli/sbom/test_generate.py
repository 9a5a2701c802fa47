"""``assay sbom generate``: a valid document out, notes on stderr, exit 2 on bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator
from defusedxml import ElementTree
from spdx_tools.spdx.parser.parse_anything import parse_file
from spdx_tools.spdx.validation.document_validator import validate_full_spdx_document

from assay.cli.main import run
from assay.cli.sbom.generate import FORMATS
from assay.sbom.discover import catalog
from assay.sbom.formats.writers import NAMES
from tests.sbom.formats._sample import shared_lockfiles

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


def exit_code(argv: list[str]) -> int:
    with pytest.raises(SystemExit) as info:
        run(argv)
    code = info.value.code
    return code if isinstance(code, int) else 0


def test_formats_are_the_writers() -> None:
    assert FORMATS == NAMES


def test_default_is_cyclonedx_json_on_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    assert exit_code(["sbom", "generate", str(EXAMPLES / "fx-engine")]) == 0
    out = capsys.readouterr().out
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(out) is None
    doc = json.loads(out)
    assert doc["metadata"]["component"]["name"] == "fx-engine"
    assert len(doc["components"]) == len({c.purl for c in catalog(EXAMPLES / "fx-engine")})


@pytest.mark.parametrize("fmt", ["cyclonedx-xml", "spdx-json", "spdx-tv"])
def test_every_format_to_a_file(
    fmt: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    suffix = {"cyclonedx-xml": ".cdx.xml", "spdx-json": ".spdx.json", "spdx-tv": ".spdx"}[fmt]
    out = tmp_path / f"sbom{suffix}"
    assert exit_code(["sbom", "generate", str(EXAMPLES), "-o", str(out), "--format", fmt]) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    if fmt == "cyclonedx-xml":
        root = ElementTree.parse(out).getroot()
        assert root.tag == "{http://cyclonedx.org/schema/bom/1.6}bom"
        return
    document = parse_file(str(out))
    assert validate_full_spdx_document(document) == []
    assert document.creation_info.name == "examples"
    # examples/customer-portal has a dev dependency: SPDX cannot say so, and we say that
    assert "assay: note: not in " + fmt + ": SPDX 2.3 has no component scope: dev" in captured.err


def test_lockfile_path_and_name(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lockfile = EXAMPLES / "payments-api" / "requirements.txt"
    assert exit_code(["sbom", "generate", str(lockfile), "--name", "payments"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["metadata"]["component"]["name"] == "payments"
    assert exit_code(["sbom", "generate", str(lockfile)]) == 0
    assert json.loads(capsys.readouterr().out)["metadata"]["component"]["name"] == "payments-api"


def test_quiet_silences_notes(capsys: pytest.CaptureFixture[str]) -> None:
    assert exit_code(["sbom", "generate", str(EXAMPLES), "-f", "spdx-json", "-q"]) == 0
    assert capsys.readouterr().err == ""


def test_shared_lockfiles(shared_data: Path, tmp_path: Path) -> None:
    validator = JsonStrictValidator(SchemaVersion.V1_6)
    for path in shared_lockfiles(shared_data, limit=6):
        out = tmp_path / "sbom.cdx.json"
        assert exit_code(["sbom", "generate", str(path), "-o", str(out), "-q"]) == 0
        assert validator.validate_str(out.read_text(encoding="utf-8")) is None, path.name


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["/no/such/dir"], "no such file or directory"),
        (["{empty}"], "no lockfiles found"),
        (["{bad}"], "package-lock.json"),
        (["{examples}", "-o", "/no/such/dir/out.json"], "cannot write"),
        (["{examples}", "--name", " "], "--name must not be empty"),
    ],
)
def test_bad_input_exits_2_with_one_line(
    argv: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "empty").mkdir()
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "package-lock.json").write_text('{"lockfileVersion": 3, "packages": {', "utf-8")
    values = {"empty": tmp_path / "empty", "bad": bad, "examples": EXAMPLES}
    args = [a.format(**values) for a in argv]
    assert exit_code(["sbom", "generate", *args]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_unknown_format_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert exit_code(["sbom", "generate", str(EXAMPLES), "--format", "spdx-rdf"]) == 2
    assert "invalid choice" in capsys.readouterr().err


def test_name_renames_the_project_a_manifest_names(
    shared_data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pom = shared_data / "lockfiles" / "maven" / "WebGoat__WebGoat__6398d31c14__pom.xml"
    assert exit_code(["sbom", "generate", str(pom), "-q"]) == 0
    found = json.loads(capsys.readouterr().out)["metadata"]["component"]
    assert (found["group"], found["name"]) == ("org.owasp.webgoat", "webgoat")
    assert exit_code(["sbom", "generate", str(pom), "-q", "--name", "WebGoat app"]) == 0
    renamed = json.loads(capsys.readouterr().out)["metadata"]["component"]
    assert renamed["name"] == "WebGoat app" and renamed["purl"] == found["purl"]
