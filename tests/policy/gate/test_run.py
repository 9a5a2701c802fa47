"""Tests for the local gate: reading, licence knowledge, locations, and whole runs.

Runs use the ``database`` fixture (SQLite and PostgreSQL) with a few advisories;
``--online`` fetches registry metadata from a real HTTP server on 127.0.0.1 that
serves PyPI's JSON API for the packages of the test lockfile.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from assay.core.db import Database
from assay.core.errors import InputError, UsageError
from assay.policy.conditions.interface import InvalidPolicy
from assay.policy.gate.run import (
    GateOptions,
    licences_stated,
    load_policies,
    locations,
    read_bom,
    relative,
    run_gate,
)
from assay.sbom.model import Component
from tests.matching.advisories import add_advisory, affected

TESTDATA = Path(__file__).resolve().parents[2] / "cli" / "testdata" / "scan"
REQUIREMENTS = TESTDATA / "requirements.txt"
BOM = TESTDATA / "bom.cdx.json"


@pytest.fixture
def kb(database: Database) -> Database:
    add_advisory(
        database,
        "MAL-2024-1",
        [affected("npm", "evil-pkg", None, versions=["1.0.0"])],
        malicious=True,
        level="critical",
    )
    return database


def test_a_document_states_licences_a_lockfile_only_where_it_names_one(tmp_path: Path) -> None:
    sbom = read_bom(BOM)
    assert sbom.document and sbom.root == TESTDATA
    lock = read_bom(REQUIREMENTS)
    assert not lock.document
    assert licences_stated(sbom, Component("npm", "x", "1"))
    assert not licences_stated(lock, Component("PyPI", "x", "1"))
    assert licences_stated(lock, Component("PyPI", "x", "1", licenses="MIT"))
    folder = read_bom(TESTDATA)
    assert not folder.document and folder.root == TESTDATA


def test_locations_are_relative_to_the_scanned_root(tmp_path: Path) -> None:
    (tmp_path / "web").mkdir()
    c = Component("npm", "left-pad", "1.3.0", source=str(tmp_path / "web" / "package-lock.json"))
    found = locations([c], tmp_path)
    assert found[c.purl or ""] == ("web/package-lock.json",)
    assert found[c.ref] == ("web/package-lock.json",)
    assert relative("/elsewhere/go.mod", tmp_path) == "/elsewhere/go.mod"
    assert relative("", tmp_path) == ""


def test_the_starter_set_applies_without_a_policy_path() -> None:
    names = {p.name for p in load_policies(None)}
    assert "no-malicious-packages" in names


def test_a_bad_policy_path_is_invalid_policy(tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text("policies: [\n")
    with pytest.raises(InvalidPolicy, match=r"p\.yaml"):
        load_policies(tmp_path / "p.yaml")


def test_a_local_run_fails_on_a_malicious_package(kb: Database) -> None:
    report = run_gate(kb.settings, GateOptions(BOM, project="shop", version="1"))
    assert report.failed
    assert report.subject.project == "shop" and report.subject.tags == frozenset({"production"})
    assert report.subject.quality_score is not None  # an SBOM document is assessed
    assert report.files == ("bom.cdx.json",)
    assert report.database is not None and report.database.advisories == 1
    assert {v.policy for v in report.effective if v.verdict.value == "fail"} == {
        "no-malicious-packages",
        "no-critical-vulnerabilities-in-production",
    }


def test_a_lockfile_subject_is_named_after_its_directory_and_not_assessed(kb: Database) -> None:
    report = run_gate(kb.settings, GateOptions(REQUIREMENTS, tags=()))
    assert report.subject.project == "scan"
    assert report.subject.quality_score is None
    assert report.subject.tags == frozenset()
    licence = [u for u in report.evaluation.unevaluated if u.policy == "no-unknown-licences"]
    assert len(licence) == 2


def test_online_and_assay_offline_contradict(kb: Database) -> None:
    offline = replace(kb.settings, offline=True)
    with pytest.raises(UsageError, match="ASSAY_OFFLINE is set"):
        run_gate(offline, GateOptions(REQUIREMENTS, online=True))


def test_a_missing_path_is_bad_input(kb: Database, tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no such file"):
        run_gate(kb.settings, GateOptions(tmp_path / "nothing"))
    broken = tmp_path / "bom.cdx.json"
    broken.write_text('{"bomFormat": "CycloneDX", "components": [')
    with pytest.raises(InputError, match=r"bom\.cdx\.json"):
        run_gate(kb.settings, GateOptions(broken))


# --- --online against a real registry on 127.0.0.1 --------------------------------------


def _pypi_document(name: str, version: str, published: datetime) -> dict[str, Any]:
    stamp = published.strftime("%Y-%m-%dT%H:%M:%S.000000Z")
    wheel = {
        "filename": f"{name}-{version}-py3-none-any.whl",
        "url": f"https://files.example/{name}-{version}-py3-none-any.whl",
        "packagetype": "bdist_wheel",
        "digests": {"sha256": "0" * 64},
        "size": 10,
        "upload_time_iso_8601": stamp,
        "yanked": False,
    }
    return {
        "info": {"name": name, "version": version, "license": "BSD-3-Clause"},
        "releases": {version: [wheel]},
        "urls": [wheel],
        "ownership": {"roles": [{"role": "Owner", "user": "someone"}]},
    }


@pytest.fixture
def registry() -> Iterator[tuple[str, list[str]]]:
    """PyPI's JSON API for Django 3.2.4 (published yesterday) and flask 2.0.1 (years ago)."""
    yesterday = datetime.now(UTC) - timedelta(days=1)
    documents = {
        "/pypi/django/json": _pypi_document("Django", "3.2.4", yesterday),
        "/pypi/flask/json": _pypi_document("Flask", "2.0.1", datetime(2021, 5, 21, tzinfo=UTC)),
    }
    asked: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            asked.append(self.path)
            found = documents.get(self.path.lower())
            body = json.dumps(found or {"message": "Not Found"}).encode()
            self.send_response(200 if found else 404)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", asked
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_online_fetches_release_dates_so_quarantine_is_evaluated(
    kb: Database, registry: tuple[str, list[str]]
) -> None:
    url, asked = registry
    settings = replace(kb.settings, pypi_url=url)
    offline = run_gate(settings, GateOptions(REQUIREMENTS))
    quarantine = "quarantine-new-releases"
    assert {
        u.component.name
        for u in offline.evaluation.unevaluated
        if u.policy == quarantine and u.component
    } == {
        "Django",
        "flask",
    }
    assert asked == []  # nothing fetched without --online
    online = run_gate(settings, GateOptions(REQUIREMENTS, online=True, today=date.today()))
    assert {p.lower() for p in asked} >= {"/pypi/django/json", "/pypi/flask/json"}
    young = [v for v in online.effective if v.policy == quarantine]
    assert [v.component.name.lower() for v in young if v.component] == ["django"]
    assert online.failed
    assert not [u for u in online.evaluation.unevaluated if u.policy == quarantine]
