"""``assay scan`` end to end through the real CLI entry, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from assay.cli import context
from assay.cli.main import run
from assay.core.db import Database
from tests.matching.advisories import add_advisory, affected
from tests.matching.formats.test_json_ import validate as validate_json
from tests.matching.formats.test_sarif import SARIF_SUBSET

TESTDATA = Path(__file__).parent / "testdata" / "scan"
REQUIREMENTS = TESTDATA / "requirements.txt"


@pytest.fixture(autouse=True)
def _fresh_settings() -> Iterator[None]:
    context.settings.cache_clear()
    context.database.cache_clear()
    yield
    context.settings.cache_clear()
    context.database.cache_clear()


@pytest.fixture
def kb(database: Database, monkeypatch: pytest.MonkeyPatch) -> Database:
    """The CLI pointed at ``database``, holding a few advisories."""
    monkeypatch.setenv("ASSAY_HOME", str(database.settings.home))
    monkeypatch.setenv("ASSAY_DATABASE_URL", database.settings.database_url)
    add_advisory(
        database,
        "PYSEC-2021-1",
        [affected("PyPI", "django", "3.0", "3.2.5")],
        aliases=["CVE-2021-33203"],
        summary="Directory traversal",
        level="medium",
        score=4.9,
        source="pypa",
    )
    add_advisory(
        database,
        "MAL-2024-1",
        [affected("npm", "evil-pkg", None, versions=["1.0.0"])],
        malicious=True,
        level="critical",
    )
    return database


def scan(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        run(["scan", *argv])
    out, err = capsys.readouterr()
    code = info.value.code
    return (code if isinstance(code, int) else 0), out, err


def test_json_scan_finds_and_exits_1(kb: Database, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = scan([str(REQUIREMENTS), "--format", "json"], capsys)
    assert code == 1, err
    doc = json.loads(out)
    validate_json(doc)
    assert [f["vulnerability"]["id"] for f in doc["findings"]] == ["CVE-2021-33203"]
    assert doc["findings"][0]["fix"] == "3.2.5"
    assert doc["summary"]["components"] == 2
    assert err == ""


@pytest.mark.parametrize(
    ("fail_on", "expected"),
    [("any", 1), ("low", 1), ("medium", 1), ("high", 0), ("critical", 0), ("none", 0)],
)
def test_fail_on(
    kb: Database, capsys: pytest.CaptureFixture[str], fail_on: str, expected: int
) -> None:
    code, _, _ = scan([str(REQUIREMENTS), "-f", "json", "--fail-on", fail_on], capsys)
    assert code == expected


def test_unknown_severity_fails_only_any(
    kb: Database, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    add_advisory(kb, "PYSEC-2022-9", [affected("PyPI", "flask", "0", "2.0.2")])
    lock = tmp_path / "requirements.txt"
    lock.write_text("flask==2.0.1\n")
    assert scan([str(lock), "-f", "json", "--fail-on", "low"], capsys)[0] == 0
    assert scan([str(lock), "-f", "json", "--fail-on", "any"], capsys)[0] == 1


def test_malicious_counts_as_critical(kb: Database, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = scan(
        [str(TESTDATA / "bom.cdx.json"), "-f", "json", "--fail-on", "critical"], capsys
    )
    assert code == 1
    ids = {f["vulnerability"]["id"] for f in json.loads(out)["findings"]}
    assert ids == {"CVE-2021-33203", "MAL-2024-1"}


def test_clean_scan_exits_0(
    kb: Database, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    lock = tmp_path / "requirements.txt"
    lock.write_text("Django==3.2.5\n")
    code, out, _ = scan([str(lock)], capsys)
    assert code == 0
    assert "no known vulnerabilities in 1 components" in out


def test_directory_scan(kb: Database, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "svc").mkdir()
    shutil.copy(REQUIREMENTS, tmp_path / "svc" / "requirements.txt")
    code, out, _ = scan([str(tmp_path), "-f", "json"], capsys)
    assert code == 1
    assert json.loads(out)["findings"][0]["package"]["source"].endswith("svc/requirements.txt")


def test_ignore_file(kb: Database, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    ignore = tmp_path / "ignore.yaml"
    ignore.write_text(
        "ignore:\n  - id: PYSEC-2021-1\n    package: django\n    reason: not exposed\n"
    )
    code, out, err = scan([str(REQUIREMENTS), "-f", "json", "--ignore-file", str(ignore)], capsys)
    assert (code, err) == (0, "")
    doc = json.loads(out)
    assert doc["findings"] == []
    assert doc["ignored"][0]["ignore"] == {
        "reason": "not exposed",
        "rule": f"{ignore}:2",
        "expires": None,
    }


def test_expired_ignore_entry(
    kb: Database, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    ignore = tmp_path / "ignore.yaml"
    ignore.write_text(
        "ignore:\n  - id: CVE-2021-33203\n    reason: until the upgrade\n    expires: 2020-01-31\n"
    )
    code, out, err = scan([str(REQUIREMENTS), "-f", "json", "--ignore-file", str(ignore)], capsys)
    assert code == 1
    expected = (
        f"{ignore}:2: ignore entry for CVE-2021-33203 expired on 2020-01-31; "
        "its findings are reported again"
    )
    assert err == f"assay: warning: {expected}\n"
    assert json.loads(out)["warnings"] == [expected]
    code, _, err = scan(
        [str(REQUIREMENTS), "-f", "json", "--ignore-file", str(ignore), "-q"], capsys
    )
    assert (code, err) == (1, "")


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: d / "absent.lock", r"absent.lock: no such file or directory"),
        (lambda d: _write(d / "requirements.txt", b"\x00\x01\x02"), r"requirements.txt"),
        (lambda d: _write(d / "unknown.bin", b"hello"), r"unknown.bin: not a lockfile or SBOM"),
        (
            lambda d: _write(d / "package-lock.json", b'{"lockfileVersion": 3, "packages": {'),
            r"package-lock.json:\d+",
        ),
    ],
)
def test_bad_input_exits_2(
    kb: Database, capsys: pytest.CaptureFixture[str], tmp_path: Path, make: Any, message: str
) -> None:
    code, out, err = scan([str(make(tmp_path)), "-f", "json"], capsys)
    assert code == 2
    assert out == ""
    assert err.startswith("assay: error: ") and err.count("\n") == 1
    assert "Traceback" not in err
    assert __import__("re").search(message, err), err


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_bad_ignore_file_exits_2(
    kb: Database, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    ignore = tmp_path / "ignore.yaml"
    ignore.write_text("ignore:\n  - id: CVE-1\n    package: x\n")
    code, out, err = scan([str(REQUIREMENTS), "--ignore-file", str(ignore)], capsys)
    assert (code, out) == (2, "")
    assert err == f"assay: error: {ignore}:2: entry has no reason\n"


@pytest.mark.parametrize("argv", [["--format", "xml"], ["--fail-on", "severe"]])
def test_bad_options_exit_2(
    kb: Database, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    code, _, err = scan([str(REQUIREMENTS), *argv], capsys)
    assert code == 2 and "Traceback" not in err


def test_missing_database_exits_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ASSAY_HOME", str(tmp_path / "empty-home"))
    code, out, err = scan([str(REQUIREMENTS), "-f", "json"], capsys)
    assert (code, out) == (2, "")
    assert "no vulnerability database: run 'assay db import" in err
    assert not (tmp_path / "empty-home" / "assay.db").exists()  # a scan never creates one


def test_output_file(kb: Database, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "report.md"
    code, out, _ = scan([str(REQUIREMENTS), "-f", "markdown", "-o", str(target)], capsys)
    assert (code, out) == (1, "")
    assert "CVE-2021-33203" in target.read_text()
    code, _, err = scan([str(REQUIREMENTS), "-o", str(tmp_path / "no" / "dir" / "x")], capsys)
    assert code == 2 and "cannot write" in err


def test_every_format(kb: Database, capsys: pytest.CaptureFixture[str], shared_data: Path) -> None:
    from referencing import Registry, Resource

    outputs = {}
    for name in ("table", "json", "sarif", "cyclonedx-vex", "markdown"):
        code, out, err = scan([str(REQUIREMENTS), "-f", name], capsys)
        assert code == 1, (name, err)
        outputs[name] = out
    assert "CVE-2021-33203" in outputs["table"] and "3.2.5" in outputs["table"]
    assert "| 🟨 medium | Django | 3.2.4 | CVE-2021-33203 | 3.2.5 |" in outputs["markdown"]
    validate_json(json.loads(outputs["json"]))
    sarif = json.loads(outputs["sarif"])
    jsonschema.Draft202012Validator(SARIF_SUBSET).validate(sarif)
    assert sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 2
    }
    folder = shared_data / "schemas" / "cyclonedx"
    resources = [
        (c["$id"], Resource.from_contents(c))
        for c in (
            json.loads((folder / f"{n}.schema.json").read_text()) for n in ("spdx", "jsf-0.82")
        )
    ]
    schema = json.loads((folder / "bom-1.6.schema.json").read_text())
    vex = json.loads(outputs["cyclonedx-vex"])
    jsonschema.Draft7Validator(schema, registry=Registry().with_resources(resources)).validate(vex)
    assert vex["vulnerabilities"][0]["analysis"]["state"] == "in_triage"


def test_offline_never_touches_the_network(
    kb: Database, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    if not kb.settings.is_sqlite:
        pytest.skip("a PostgreSQL server is itself reached over the network")

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    for name in ("table", "json", "sarif", "cyclonedx-vex", "markdown"):
        code, _, err = scan([str(REQUIREMENTS), "-f", name, "--offline"], capsys)
        assert code == 1, err


def _heavy_imports(kb: Database, code: str) -> set[str]:
    env = {**os.environ, "ASSAY_HOME": str(kb.settings.home)}
    env.pop("ASSAY_DATABASE_URL", None)
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code],
        capture_output=True,
        text=True,
        env=env,
    )
    assert proc.returncode == 1, proc.stderr[-2000:]
    assert json.loads(proc.stdout)["findings"]
    imported = {
        line.split("|")[-1].strip().split(".")[0]
        for line in proc.stderr.splitlines()
        if "|" in line
    }
    return imported & {"sqlalchemy", "alembic", "rich", "pydantic", "httpx", "cyclonedx"}


def test_json_path_imports_no_heavy_module(kb: Database) -> None:
    """``--format json`` on SQLite: the scan imports no SQLAlchemy, Rich, pydantic or httpx.

    Through the CLI, Typer (0.29) itself imports pydantic to coerce parameters;
    everything assay adds stays light.
    """
    if not kb.settings.is_sqlite:
        pytest.skip("the PostgreSQL path uses SQLAlchemy by design")
    direct = (
        "from pathlib import Path; from assay.cli.scan import scan; "
        f"raise SystemExit(scan(Path({str(REQUIREMENTS)!r}), 'json'))"
    )
    assert _heavy_imports(kb, direct) == set()
    cli = f"from assay.cli.main import run; run(['scan', {str(REQUIREMENTS)!r}, '-f', 'json'])"
    assert _heavy_imports(kb, cli) <= {"pydantic"}
