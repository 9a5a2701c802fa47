"""``assay sbom convert``: any readable SBOM to any written format, losses on stderr."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator
from spdx_tools.spdx.parser.parse_anything import parse_file
from spdx_tools.spdx.validation.document_validator import validate_full_spdx_document

from assay.cli.main import run
from assay.sbom.discover import read_file
from assay.sbom.model import Bom, Component

TESTDATA = Path(__file__).resolve().parents[2] / "sbom" / "formats" / "testdata"
CDX = TESTDATA / "bom-1.5.cdx.json"
SPDX = TESTDATA / "sbom-2.3.spdx.json"


def exit_code(argv: list[str]) -> int:
    with pytest.raises(SystemExit) as info:
        run(argv)
    code = info.value.code
    return code if isinstance(code, int) else 0


def test_cyclonedx_to_spdx_and_back_keeps_components_and_edges(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spdx = tmp_path / "a.spdx.json"
    back = tmp_path / "b.cdx.json"
    assert exit_code(["sbom", "convert", str(CDX), "-o", str(spdx), "-f", "spdx-json"]) == 0
    err = capsys.readouterr().err
    assert "assay: note: not in spdx-json: SPDX 2.3 has no component scope" in err
    assert validate_full_spdx_document(parse_file(str(spdx))) == []
    assert exit_code(["sbom", "convert", str(spdx), "-o", str(back)]) == 0
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(back.read_text("utf-8")) is None
    assert "purls that are not Package URLs (SPDX 2.3 refuses them), dropped: 1" in err
    original, final = read_file(CDX), read_file(back)

    def purl(c: Component) -> str | None:
        """The fixture's one invalid purl cannot travel through SPDX (reported above)."""
        return None if c.purl == "not a purl" else c.purl

    assert {(c.purl, c.version, c.licenses) for c in final} == {
        (purl(c), c.version, c.licenses) for c in original
    }
    assert {(c.purl, frozenset(c.hashes)) for c in final} == {
        (purl(c), frozenset((a, v.lower()) for a, v in c.hashes)) for c in original
    }

    def edges(bom: Bom) -> set[tuple[str | None, str | None]]:
        purls = {c.ref: purl(c) for c in bom}
        return {(purls[a], purls[b]) for a, b in bom.edges}

    assert edges(final) == edges(original)


def test_spdx_to_cyclonedx_xml_on_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    assert exit_code(["sbom", "convert", str(SPDX), "--format", "cyclonedx-xml"]) == 0
    out = capsys.readouterr().out
    assert out.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<bom xmlns=')
    assert out.count("<component ") >= len(read_file(SPDX)) + 2  # + subject and assay


def test_spdx_json_to_tag_value(tmp_path: Path) -> None:
    out = tmp_path / "x.spdx"
    assert exit_code(["sbom", "convert", str(SPDX), "-o", str(out), "-f", "spdx-tv", "-q"]) == 0
    document = parse_file(str(out))
    assert validate_full_spdx_document(document) == []
    purls = {ref.locator for p in document.packages for ref in p.external_references}
    assert {c.purl for c in read_file(SPDX) if c.purl} <= purls


def test_a_lockfile_converts_too(capsys: pytest.CaptureFixture[str]) -> None:
    lockfile = Path(__file__).resolve().parents[3] / "examples" / "fx-engine" / "Cargo.lock"
    assert exit_code(["sbom", "convert", str(lockfile)]) == 0
    assert json.loads(capsys.readouterr().out)["components"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot read"),
        ("", "not a lockfile or SBOM"),
        ('{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [', "bom.json"),
        ('{"bomFormat": "CycloneDX", "specVersion": "9.9"}', "unsupported CycloneDX"),
        ("[" * 100_000, "bom.json"),
    ],
)
def test_bad_input_exits_2_with_one_line(
    content: str | None, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bom.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    assert exit_code(["sbom", "convert", str(path), "-o", str(tmp_path / "out.json")]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "out.json").exists()


def test_refuses_to_overwrite_its_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    copy = tmp_path / "bom.json"
    copy.write_bytes(CDX.read_bytes())
    assert exit_code(["sbom", "convert", str(copy), "-o", str(copy)]) == 2
    assert "would overwrite the input" in capsys.readouterr().err
    assert copy.read_bytes() == CDX.read_bytes()


def test_directory_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert exit_code(["sbom", "convert", str(tmp_path)]) == 2
    assert "not a regular file" in capsys.readouterr().err


def shared_sboms(shared_data: Path) -> list[Path]:
    """The shared example and real-world SBOM documents assay reads, smallest first."""
    from assay.core.errors import AssayError

    found = []
    for path in sorted((shared_data / "sbom").rglob("*")):
        if path.is_file() and path.suffix in (".json", ".xml", ".spdx"):
            try:
                read_file(path)
            except AssayError:
                continue
            found.append(path)
    return sorted(found, key=lambda p: p.stat().st_size)


def check_converts(paths: list[Path], tmp_path: Path) -> None:
    validator = JsonStrictValidator(SchemaVersion.V1_6)
    assert paths
    for path in paths:
        cdx, spdx = tmp_path / "out.cdx.json", tmp_path / "out.spdx.json"
        assert exit_code(["sbom", "convert", str(path), "-o", str(cdx), "-q"]) == 0
        assert validator.validate_str(cdx.read_text("utf-8")) is None, path.name
        assert (
            exit_code(["sbom", "convert", str(path), "-o", str(spdx), "-f", "spdx-json", "-q"]) == 0
        )
        messages = validate_full_spdx_document(parse_file(str(spdx)))
        assert messages == [], (path.name, messages[0].validation_message)


def test_shared_example_sboms_convert_to_valid_documents(shared_data: Path, tmp_path: Path) -> None:
    check_converts(shared_sboms(shared_data)[:25], tmp_path)


@pytest.mark.slow
def test_every_shared_sbom_converts_to_valid_documents(shared_data: Path, tmp_path: Path) -> None:
    """119 documents, up to 2,185 components (spdx-tools validation dominates: minutes)."""
    check_converts(shared_sboms(shared_data), tmp_path)
