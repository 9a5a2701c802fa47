"""``assay gate`` end to end through the real CLI entry, on SQLite and PostgreSQL.

Local runs read real lockfiles and SBOMs from tests/cli/testdata/scan against a
database holding a few advisories; ``--server`` runs talk to a real server
(uvicorn on 127.0.0.1, as in tests/cli/test_upload.py).
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element

import defusedxml.ElementTree as SafeET
import httpx
import jsonschema
import pytest

from assay.cli import context
from assay.cli.main import run
from assay.core import account_service as accounts
from assay.core.db import Database
from assay.core.permissions import SYSTEM, Permission
from tests.cli.test_upload import _Server
from tests.matching.advisories import add_advisory, affected
from tests.policy.gate.formats.test_sarif import SCHEMA as SARIF_SCHEMA
from tests.policy.gate.test_report import SCHEMA as REPORT_SCHEMA

TESTDATA = Path(__file__).parent / "testdata" / "scan"
REQUIREMENTS = TESTDATA / "requirements.txt"  # Django 3.2.4, flask 2.0.1: no licences
BOM = TESTDATA / "bom.cdx.json"  # django 3.2.4 and the malicious evil-pkg 1.0.0

LICENCE_POLICY = """\
apiVersion: assay.dev/v1
kind: PolicySet
policies:
  - name: licences-known
    description: Every component states a licence.
    verdict: fail
    conditions:
      - license: {deny: [unknown]}
    remediation: Find the licence.
"""
PRODUCTION_POLICY = """\
apiVersion: assay.dev/v1
kind: PolicySet
policies:
  - name: no-medium-in-production
    description: No medium or worse vulnerabilities in production.
    verdict: fail
    scope: {tags: [production]}
    conditions:
      - severity: {at_least: medium}
    remediation: Upgrade Django to 3.2.5.
"""


@pytest.fixture(autouse=True)
def _fresh_settings() -> Iterator[None]:
    context.settings.cache_clear()
    context.database.cache_clear()
    yield
    context.settings.cache_clear()
    context.database.cache_clear()


def _advisories(database: Database) -> None:
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


@pytest.fixture
def kb(database: Database, monkeypatch: pytest.MonkeyPatch) -> Database:
    """The CLI pointed at ``database``, holding a few advisories."""
    monkeypatch.setenv("ASSAY_HOME", str(database.settings.home))
    monkeypatch.setenv("ASSAY_DATABASE_URL", database.settings.database_url)
    _advisories(database)
    return database


def policy_file(tmp_path: Path, text: str) -> Path:
    folder = tmp_path / "policies"
    folder.mkdir(exist_ok=True)
    (folder / "bank.yaml").write_text(text)
    return folder


def gate(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        run(["gate", *argv])
    out, err = capsys.readouterr()
    code = info.value.code
    return (code if isinstance(code, int) else 0), out, err


def report_of(out: str) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(out)
    jsonschema.Draft202012Validator(json.loads(REPORT_SCHEMA.read_text())).validate(doc)
    return doc


def test_a_malicious_package_fails_the_starter_set(
    kb: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = gate([str(BOM), "-f", "json"], capsys)
    assert code == 1
    doc = report_of(out)
    assert doc["verdict"] == "fail" and doc["mode"] == "local"
    failing = [v for v in doc["violations"] if v["verdict"] == "fail"]
    # malicious counts as critical; the project is in production by default
    assert sorted((v["policy"], v["component"]["name"]) for v in failing) == [
        ("no-critical-vulnerabilities-in-production", "evil-pkg"),
        ("no-malicious-packages", "evil-pkg"),
    ]
    assert all("MAL-2024-1" in " ".join(v["reasons"]) for v in failing)
    assert all(v["files"] == ["bom.cdx.json"] for v in failing)
    assert doc["subject"]["tags"] == ["production"]
    assert doc["database"]["advisories"] == 2


def test_a_lockfile_read_offline_cannot_evaluate_licences_and_passes_unless_strict(
    kb: Database, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    policies = policy_file(tmp_path, LICENCE_POLICY)
    args = [str(REQUIREMENTS), "--policy", str(policies), "--offline"]
    code, out, _ = gate([*args, "-f", "json"], capsys)
    assert code == 0
    doc = report_of(out)
    assert doc["violations"] == []
    assert {u["component"]["name"] for u in doc["unevaluated"]} == {"Django", "flask"}
    (missing,) = doc["missing_data"]
    assert missing["data"] == "license" and missing["checks"] == 2
    assert "SBOM" in missing["how"]
    code, out, _ = gate([*args, "--strict"], capsys)
    assert code == 1
    assert "could not evaluate 2 checks (licences-known)" in out
    assert out.splitlines()[-1].startswith("FAIL [--strict]")


def test_an_sbom_states_licences_so_a_missing_one_is_a_violation(
    kb: Database, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    policies = policy_file(tmp_path, LICENCE_POLICY)
    code, out, _ = gate([str(BOM), "--policy", str(policies), "-f", "json"], capsys)
    assert code == 1
    doc = report_of(out)
    assert {v["component"]["name"] for v in doc["violations"]} == {"django", "evil-pkg"}
    assert doc["unevaluated"] == []


def test_tags_choose_which_policies_apply(
    kb: Database, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    policies = str(policy_file(tmp_path, PRODUCTION_POLICY))
    code, out, _ = gate([str(REQUIREMENTS), "--policy", policies, "-f", "json"], capsys)
    assert code == 1  # production is the default tag
    assert report_of(out)["violations"][0]["remediation"] == "Upgrade Django to 3.2.5."
    code, out, _ = gate(
        [str(REQUIREMENTS), "--policy", policies, "--tag", "sandbox", "-f", "json"], capsys
    )
    assert code == 0
    doc = report_of(out)
    assert doc["skipped"] == ["no-medium-in-production"] and doc["applied"] == []
    assert doc["policies"][0]["applied"] is False


def test_project_and_version_name_the_subject(
    kb: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = gate(
        [str(TESTDATA), "-p", "shop", "-V", "1.2", "--tag", "a", "--tag", "b", "-f", "json"],
        capsys,
    )
    assert code == 0
    subject = report_of(out)["subject"]
    assert (subject["project"], subject["version"], subject["tags"]) == ("shop", "1.2", ["a", "b"])


def test_every_format_writes_to_a_file(
    kb: Database, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    outputs = {}
    for name in ("table", "json", "sarif", "junit", "markdown"):
        target = tmp_path / f"report.{name}"
        code, out, _ = gate([str(BOM), "-f", name, "-o", str(target)], capsys)
        assert (code, out) == (1, "")
        outputs[name] = target.read_text()
    sarif = json.loads(outputs["sarif"])
    jsonschema.Draft202012Validator(SARIF_SCHEMA).validate(sarif)
    errors = [r for r in sarif["runs"][0]["results"] if r["level"] == "error"]
    assert {r["ruleId"] for r in errors} == {
        "no-malicious-packages",
        "no-critical-vulnerabilities-in-production",
    }
    uri = errors[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "bom.cdx.json"
    junit: Element = SafeET.fromstring(outputs["junit"].encode())
    assert junit.get("failures") == "2"
    assert outputs["markdown"].startswith("## assay gate ❌ failed")
    assert "no-malicious-packages" in outputs["table"]
    report_of(outputs["json"])


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["nowhere.txt"], "nowhere.txt: no such file or directory"),
        ([str(REQUIREMENTS), "--online", "--offline"], "--online and --offline contradict"),
        ([str(REQUIREMENTS), "--server", "http://127.0.0.1:9"], "--server needs --project"),
        ([str(REQUIREMENTS), "--policy", "missing-dir"], "--policy missing-dir: no such file"),
        (
            [str(REQUIREMENTS), "--server", "http://127.0.0.1:9", "-p", "x", "--policy", "."],
            "the server applies the organisation's policies",
        ),
        (
            [str(REQUIREMENTS), "--server", "http://127.0.0.1:9", "-p", "x", "--tag", "t"],
            "the server uses the project's own tags",
        ),
    ],
)
def test_bad_usage_exits_2_with_one_line(
    kb: Database, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, out, err = gate(argv, capsys)
    assert code == 2
    assert out == ""
    assert message in err
    assert err.count("\n") == 1


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "bank.yaml"),
        ("policies: [", "bank.yaml"),
        ("apiVersion: assay.dev/v1\nkind: PolicySet\npolicies:\n  - name: x\n", "bank.yaml"),
        (LICENCE_POLICY.replace("license:", "horoscope:"), "horoscope"),
        ("a: &x [*x]\n", "bank.yaml"),
    ],
    ids=["empty", "truncated", "incomplete", "unknown-condition", "yaml-alias"],
)
def test_a_bad_policy_file_exits_2_naming_it(
    kb: Database, capsys: pytest.CaptureFixture[str], tmp_path: Path, text: str, message: str
) -> None:
    policies = policy_file(tmp_path, text)
    code, out, err = gate([str(REQUIREMENTS), "--policy", str(policies)], capsys)
    assert (code, out) == (2, "")
    assert message in err and err.startswith("assay: error: ")
    assert err.count("\n") == 1


@pytest.mark.parametrize(
    "content",
    [b"", b'{"bomFormat": "CycloneDX", "components": [', b"\x00\x01\x02binary"],
    ids=["empty", "truncated", "binary"],
)
def test_a_bad_bom_exits_2(
    kb: Database, capsys: pytest.CaptureFixture[str], tmp_path: Path, content: bytes
) -> None:
    path = tmp_path / "bom.cdx.json"
    path.write_bytes(content)
    code, out, err = gate([str(path)], capsys)
    assert (code, out) == (2, "")
    assert "bom.cdx.json" in err and err.count("\n") == 1


def test_an_empty_database_is_refused_not_passed(
    database: Database, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A gate without advisories would pass everything: it refuses, naming the fix."""
    monkeypatch.setenv("ASSAY_HOME", str(database.settings.home))
    monkeypatch.setenv("ASSAY_DATABASE_URL", database.settings.database_url)
    code, _, err = gate([str(REQUIREMENTS)], capsys)
    assert code == 2
    assert "the vulnerability database is empty" in err


def test_online_is_refused_when_assay_offline_is_set(
    kb: Database, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ASSAY_OFFLINE", "1")
    code, _, err = gate([str(REQUIREMENTS), "--online"], capsys)
    assert code == 2
    assert "ASSAY_OFFLINE is set" in err


# --- against a real server -------------------------------------------------------------


@pytest.fixture
def server(database: Database, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A running server with advisories, team alpha's key in ASSAY_API_KEY and its project
    "shop", and team beta's project "vault" that alpha cannot see."""
    _advisories(database)
    with database.session() as session:
        perms = frozenset({Permission.VIEW_PORTFOLIO, Permission.UPLOAD_BOM})
        alpha = accounts.create_team(session, SYSTEM, "alpha", perms)
        key = accounts.create_api_key(session, SYSTEM, alpha, "ci")
        beta = accounts.create_team(session, SYSTEM, "beta", perms)
        beta_key = accounts.create_api_key(session, SYSTEM, beta, "ci")
    monkeypatch.setenv("ASSAY_API_KEY", key)
    context.settings.cache_clear()
    with _Server(database) as running:
        for who, name in ((key, "shop"), (beta_key, "vault")):
            answer = httpx.post(
                f"{running.url}/api/v1/projects",
                json={"name": name},
                headers={"Authorization": f"Bearer {who}"},
            )
            assert answer.status_code == 201, answer.text
        monkeypatch.setenv("ASSAY_SERVER_URL", running.url)
        context.settings.cache_clear()
        yield running.url
    context.settings.cache_clear()


def test_server_gate_fails_on_the_organisations_policies_and_keeps_local_files(
    server: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = gate([str(BOM), "--server", "-p", "shop", "-V", "9", "-f", "json"], capsys)
    assert code == 1, err
    doc = report_of(out)
    assert doc["mode"] == "server"
    assert (doc["subject"]["project"], doc["subject"]["version"]) == ("shop", "9")
    failing = [v for v in doc["violations"] if v["verdict"] == "fail"]
    # "shop" has no tags on the server: the production-scoped policies do not apply
    assert [v["policy"] for v in failing] == ["no-malicious-packages"]
    assert failing[0]["files"] == ["bom.cdx.json"]  # located on this machine
    assert doc["database"]["location"] == "server"
    assert doc["source"]["path"] == str(BOM)


def test_server_gate_of_a_lockfile_leaves_licences_unknown(
    server: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = gate(
        [str(REQUIREMENTS), "--server", server, "-p", "shop", "-f", "json"], capsys
    )
    assert code == 0, err
    doc = report_of(out)
    licence = [u for u in doc["unevaluated"] if u["policy"] == "no-unknown-licences"]
    assert {u["component"]["name"].lower() for u in licence} == {"django", "flask"}
    assert all(u["files"] == ["requirements.txt"] for u in licence)
    assert not [v for v in doc["violations"] if v["policy"] == "no-unknown-licences"]


def test_server_gate_renders_every_format(server: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = gate([str(BOM), "--server", "-p", "shop", "-f", "junit"], capsys)
    assert code == 1
    junit: Element = SafeET.fromstring(out.encode())
    assert junit.get("failures") == "1"
    code, out, _ = gate([str(BOM), "--server", "-p", "shop"], capsys)
    assert code == 1 and "evaluated by the server" in out


@pytest.mark.parametrize("project", ["vault", "nowhere"])
def test_server_gate_for_a_project_the_key_cannot_see_is_refused_like_a_missing_one(
    server: str, capsys: pytest.CaptureFixture[str], project: str
) -> None:
    code, out, err = gate([str(BOM), "--server", "-p", project], capsys)
    assert (code, out) == (2, "")
    assert f"gate: server answered 404: no project named '{project}'" in err


def test_server_gate_without_a_key_or_with_a_wrong_one(
    server: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("ASSAY_API_KEY")
    context.settings.cache_clear()
    code, _, err = gate([str(BOM), "--server", "-p", "shop"], capsys)
    assert code == 2 and "ASSAY_API_KEY is not set" in err
    monkeypatch.setenv("ASSAY_API_KEY", "assay_wrong")
    context.settings.cache_clear()
    code, _, err = gate([str(BOM), "--server", "-p", "shop"], capsys)
    assert code == 2 and "401" in err and "assay_wrong" not in err


def test_an_unreachable_server_exits_2(
    kb: Database, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ASSAY_API_KEY", "assay_secret_key")
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    url = f"http://127.0.0.1:{closed.getsockname()[1]}"
    closed.close()
    code, out, err = gate([str(BOM), "--server", url, "-p", "shop"], capsys)
    assert (code, out) == (2, "")
    assert "cannot reach the server" in err and "assay_secret_key" not in err


@pytest.mark.parametrize(
    "body",
    [b'{"detail": "ok"}', b"[]", b"not json", b'{"schema_version": 1}'],
    ids=["other-object", "list", "not-json", "truncated-report"],
)
def test_a_server_answer_that_is_not_a_gate_report_exits_2(
    kb: Database,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    body: bytes,
) -> None:
    """An older or impostor server: one line, exit 2, never a pass."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("ASSAY_API_KEY", "assay_k")
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        code, out, err = gate([str(BOM), "--server", url, "-p", "shop"], capsys)
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
    assert (code, out) == (2, "")
    assert err.count("\n") == 1
    assert "not a gate report" in err or "is not JSON" in err
