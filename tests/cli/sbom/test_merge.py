"""``assay sbom merge``: parts in, one document out and read back; notes; bad input exits 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assay.cli.main import run
from assay.cli.sbom.merge import FORMATS
from assay.sbom.discover import read_file

TESTDATA = Path(__file__).resolve().parents[2] / "sbom" / "testdata" / "diff"
OLD, NEW = str(TESTDATA / "old.cdx.json"), str(TESTDATA / "new.cdx.json")


def exit_code(argv: list[str]) -> int:
    with pytest.raises(SystemExit) as info:
        run(argv)
    code = info.value.code
    return code if isinstance(code, int) else 0


def test_every_format_has_a_writer() -> None:
    from assay.sbom.formats.writers import WRITERS

    assert set(FORMATS) <= {w.name for w in WRITERS}


def test_merge_to_cyclonedx_and_read_back(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "product.cdx.json"
    argv = ["sbom", "merge", OLD, NEW, "-o", str(out), "--name", "shop", "--version", "2.0"]
    assert exit_code(argv) == 0
    err = capsys.readouterr().err
    # express: MIT in OLD, "MIT OR Apache-2.0" in NEW; log4j-core: two SHA-256 values
    assert "assay: note: pkg:npm/express@4.18.2: licence" in err
    assert "assay: note: pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1: SHA-256" in err
    doc = json.loads(out.read_text())
    assert doc["metadata"]["component"]["name"] == "shop"
    assert doc["metadata"]["component"]["version"] == "2.0"
    bom = read_file(out)
    purls = {c.purl for c in bom.components}
    expected = {c.purl for c in read_file(Path(OLD))} | {c.purl for c in read_file(Path(NEW))}
    assert expected - {"pkg:pypi/pyyaml@6.0.1", "pkg:pypi/PyYAML@6.0.1"} <= purls
    parts = [c for c in doc["components"] if c["type"] == "application"]
    assert [p["name"] for p in parts] == ["old.cdx.json", "new.cdx.json"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_is_written_and_read_back(fmt: str, tmp_path: Path) -> None:
    out = tmp_path / f"product.{fmt}"
    assert exit_code(["sbom", "merge", OLD, NEW, "-o", str(out), "-f", fmt, "-q"]) == 0
    names = {c.name for c in read_file(out)}
    assert {"lodash", "left-pad", "django", "express"} <= names


def test_quiet_prints_no_notes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert exit_code(["sbom", "merge", OLD, NEW, "-o", str(tmp_path / "o.json"), "-q"]) == 0
    assert capsys.readouterr().err == ""


def test_product_name_defaults_to_the_output_file(tmp_path: Path) -> None:
    out = tmp_path / "payments.cdx.json"
    assert exit_code(["sbom", "merge", OLD, "-o", str(out)]) == 0
    assert json.loads(out.read_text())["metadata"]["component"]["name"] == "payments"


@pytest.mark.parametrize(
    "argv",
    [
        ["sbom", "merge", OLD],  # -o is required
        ["sbom", "merge", "-o", "x.json"],  # an input is required
        ["sbom", "merge", OLD, OLD, "-o", "x.json"],  # the same input twice
        ["sbom", "merge", OLD, "-o", "x.json", "--name", " "],
        ["sbom", "merge", OLD, "-o", "x.json", "-f", "pdf"],
    ],
)
def test_bad_usage_exits_2(
    argv: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    assert exit_code(argv) == 2
    assert "Traceback" not in capsys.readouterr().err
    assert not (tmp_path / "x.json").exists()


def test_bad_input_exits_2_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [')
    out = tmp_path / "out.json"
    assert exit_code(["sbom", "merge", OLD, str(bad), "-o", str(out)]) == 2
    assert f"assay: error: {bad}:1:" in capsys.readouterr().err
    assert not out.exists()


def test_unwritable_output_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "no-such-dir" / "out.json"
    assert exit_code(["sbom", "merge", OLD, "-o", str(out)]) == 2
    assert "cannot write" in capsys.readouterr().err


def test_real_world_documents(shared_data: Path, tmp_path: Path) -> None:
    root = shared_data / "sbom" / "real-world"
    inputs = [
        root / "JabRef__jabref__b6609ab8d4__bom.json",
        root / "guacsec__guac-data__62cc8abcb9__top-dh-sboms_neo4j.json",
    ]
    out = tmp_path / "product.cdx.json"
    assert exit_code(["sbom", "merge", *map(str, inputs), "-o", str(out), "-q"]) == 0
    merged = read_file(out)
    expected = {c.purl for path in inputs for c in read_file(path)}
    assert expected <= {c.purl for c in merged}
    refs = {c.ref for c in merged}
    assert merged.edges and all(a in refs and b in refs for a, b in merged.edges)
