"""process_bom: components, edges, findings and counts stored whole; failures change nothing."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.exc import OperationalError

from assay.core import jobs
from assay.core.audit import AuditEntry
from assay.core.db import Database
from assay.inventory import analysis
from assay.inventory.analysis import component_rows, process_bom
from assay.inventory.models import BomUpload, ComponentEdge, RiskSnapshot
from assay.sbom.model import Bom, Component
from tests.inventory.intake_support import (
    APP_1,
    APP_2,
    TESTDATA,
    findings,
    import_advisories,
    purls,
    run_jobs,
    team_key,
    upload,
    version_of,
)

REQUESTS_1 = "pkg:pypi/requests@2.25.0"
LODASH = "pkg:npm/lodash@4.17.20"


def _upload_row(db: Database, upload_id: int) -> BomUpload:
    with db.session() as session:
        row = session.get(BomUpload, upload_id)
        assert row is not None
        session.expunge(row)
        return row


def _state(db: Database, version_id: int) -> list[tuple[str, str, str, str | None]]:
    return sorted(
        (purl, vuln, row.last_seen_at, row.resolved_at)
        for (purl, vuln), row in findings(db, version_id).items()
    )


def test_upload_is_analysed_whole(database: Database) -> None:
    import_advisories(database)
    first = upload(database, team_key(database, "alpha"), APP_1)
    assert run_jobs(database) == 2  # process_bom, then the policy.evaluate it queues
    version = version_of(database)
    assert purls(database, version.id) == [
        "",  # the configuration file: no purl, kept by its bom-ref
        "pkg:npm/lodash@4.17.20",
        "pkg:pypi/flask@2.0.0",
        "pkg:pypi/requests@2.25.0",
        "pkg:pypi/urllib3@1.26.0",
    ]
    found = findings(database, version.id)
    assert set(found) == {(REQUESTS_1, "CVE-2099-1101"), (LODASH, "CVE-2099-1102")}
    requests = found[(REQUESTS_1, "CVE-2099-1101")]
    assert requests.severity == "critical" and requests.resolved_at is None
    assert json.loads(requests.fixed_versions) == ["2.31.0"] and requests.fix == "2.31.0"
    assert set(json.loads(requests.aliases)) == {"CVE-2099-1101", "PYSEC-2099-11"}
    assert (version.critical, version.medium, version.components) == (1, 1, 5)
    assert version.bom_format == "cyclonedx-json" and version.analysed_at is not None
    row = _upload_row(database, first)
    assert (row.state, row.component_count, row.finding_count, row.error) == ("done", 5, 2, None)
    with database.session() as session:
        edges = list(session.execute(select(ComponentEdge.parent, ComponentEdge.child)))
        snaps = list(session.execute(select(RiskSnapshot.project_id, RiskSnapshot.critical)))
        actions = list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
    assert edges == [("requests", "urllib3")]
    assert sorted(snaps, key=str) == sorted([(version.project_id, 1), (None, 1)], key=str)
    assert actions[-1] == "bom.processed" and "bom.upload" in actions


def test_reupload_replaces_components_and_resolves_gone_findings(database: Database) -> None:
    import_advisories(database)
    alpha = team_key(database, "alpha")
    upload(database, alpha, APP_1)
    run_jobs(database)
    before = findings(database, version_of(database).id)
    upload(database, alpha, APP_2)
    run_jobs(database)
    version = version_of(database)
    assert purls(database, version.id) == [
        "pkg:npm/lodash@4.17.20",
        "pkg:pypi/requests@2.31.0",
        "pkg:pypi/urllib3@2.0.7",
    ]
    after = findings(database, version.id)
    assert set(after) == set(before)  # kept, never deleted
    gone = after[(REQUESTS_1, "CVE-2099-1101")]
    assert gone.resolved_at is not None and gone.resolved_at >= gone.first_seen_at
    still = after[(LODASH, "CVE-2099-1102")]
    assert still.resolved_at is None
    assert still.first_seen_at == before[(LODASH, "CVE-2099-1102")].first_seen_at
    assert still.last_seen_at > before[(LODASH, "CVE-2099-1102")].last_seen_at
    assert (version.critical, version.medium, version.components) == (0, 1, 3)
    # Uploading the vulnerable document again re-opens the same finding row.
    upload(database, alpha, APP_1)
    run_jobs(database)
    again = findings(database, version.id)[(REQUESTS_1, "CVE-2099-1101")]
    assert again.id == gone.id and again.resolved_at is None


def test_malformed_bom_fails_with_one_line_and_keeps_previous_state(database: Database) -> None:
    import_advisories(database)
    alpha = team_key(database, "alpha")
    upload(database, alpha, APP_1)
    run_jobs(database)
    version = version_of(database)
    before = (purls(database, version.id), _state(database, version.id))
    for name, expected in (
        ("truncated.cdx.json", r"^truncated\.cdx\.json:13: invalid JSON: "),
        ("not-a-bom.json", r"^not-a-bom\.json: not an SBOM assay can read"),
    ):
        bad = upload(database, alpha, TESTDATA / name)
        run_jobs(database)
        row = _upload_row(database, bad)
        assert row.state == "failed"
        assert row.error is not None and "\n" not in row.error
        assert re.match(expected, row.error), row.error
        assert str(database.settings.blob_dir) not in row.error  # no server path leaks
    assert (purls(database, version.id), _state(database, version.id)) == before
    assert version_of(database).components == version.components


def test_hostile_bytes_fail_cleanly(database: Database) -> None:
    alpha = team_key(database, "alpha")
    for data in (b"\x00\x01\x02binary", b"[" * 100_000, b'{"bomFormat": "CycloneDX"'):
        bad = upload(database, alpha, data, filename="x.json")
        run_jobs(database)
        row = _upload_row(database, bad)
        assert row.state == "failed" and row.error and row.error.startswith("x.json"), row.error


def test_an_older_upload_finishing_last_is_superseded(database: Database) -> None:
    alpha = team_key(database, "alpha")
    older = upload(database, alpha, APP_1)
    newer = upload(database, alpha, APP_2)
    process_bom(database, newer)
    process_bom(database, older)
    assert _upload_row(database, older).error == f"superseded by upload {newer}"
    assert _upload_row(database, older).state == "done"
    assert purls(database, version_of(database).id) == [
        "pkg:npm/lodash@4.17.20",
        "pkg:pypi/requests@2.31.0",
        "pkg:pypi/urllib3@2.0.7",
    ]


def test_a_job_left_running_by_a_killed_process_resumes(database: Database) -> None:
    import_advisories(database)
    upload_id = upload(database, team_key(database, "alpha"), APP_1)
    claimed = jobs.claim(database)  # a worker took it ...
    assert claimed is not None and claimed.kind == "process_bom"
    with database.session() as session:  # ... and died half-way through
        session.execute(update(BomUpload).values(state="processing"))
    assert jobs.recover(database) == 1
    assert run_jobs(database) == 2  # process_bom, then the policy.evaluate it queues
    assert _upload_row(database, upload_id).state == "done"
    assert len(findings(database, version_of(database).id)) == 2


def test_running_a_finished_upload_again_changes_nothing(database: Database) -> None:
    upload_id = upload(database, team_key(database, "alpha"), APP_1)
    run_jobs(database)
    with database.session() as session:
        audits = session.scalar(select(func.count(AuditEntry.id)))
    process_bom(database, upload_id)
    process_bom(database, 999_999)  # gone with its version: nothing to do
    with database.session() as session:
        assert session.scalar(select(func.count(AuditEntry.id))) == audits


def test_empty_knowledge_base_stores_components_without_findings(database: Database) -> None:
    upload(database, team_key(database, "alpha"), APP_1)
    run_jobs(database)
    version = version_of(database)
    assert version.components == 5 and findings(database, version.id) == {}


def test_overlong_refs_and_names_fit_their_columns() -> None:
    long_ref = "r" * 5000
    bom = Bom(
        components=[
            Component("npm", "n" * 900, "1" * 300, bom_ref=long_ref, purl_override="pkg:npm/x@1"),
            Component("npm", "dup", "1", bom_ref=long_ref),  # same ref: listed once
        ]
    )
    (row,) = component_rows(bom, 1, "f.json")
    assert row["bom_ref"].startswith("sha256:") and len(row["bom_ref"]) == 71
    assert len(row["name"]) <= 512 and len(row["version"]) <= 256


def test_an_unexpected_error_fails_the_upload_and_a_database_error_retries(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    alpha = team_key(database, "alpha")
    first = upload(database, alpha, APP_1)

    def broken(*_: object) -> None:
        raise RuntimeError("boom\nsecond line")

    monkeypatch.setattr(analysis, "match_bom", broken)
    run_jobs(database)
    row = _upload_row(database, first)
    assert (row.state, row.error) == ("failed", "internal error: RuntimeError: boom second line")

    def locked(*_: object) -> None:
        raise OperationalError("SELECT 1", {}, Exception("database is locked"))

    second = upload(database, alpha, APP_1)
    monkeypatch.setattr(analysis, "match_bom", locked)
    assert run_jobs(database) == jobs.MAX_ATTEMPTS  # retried, then given up
    assert _upload_row(database, second).state != "failed"  # not the upload's fault
    with database.session() as session:
        job = session.scalars(select(jobs.Job).order_by(jobs.Job.id.desc())).first()
        assert (
            job is not None and job.state == "failed" and "database is locked" in (job.error or "")
        )


def test_nul_characters_and_odd_values_are_stored_on_both_engines(database: Database) -> None:
    doc = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "components": [
            {"type": "library", "bom-ref": "a\u0000b", "name": "x\u0000y", "version": "1\u0000",
             "purl": "pkg:npm/x%00y@1"},
            {"type": "library", "bom-ref": "q", "name": "quote'\"\\tab\t", "version": "2"},
        ],
    }  # fmt: skip
    done = upload(database, team_key(database, "alpha"), json.dumps(doc).encode())
    run_jobs(database)
    assert _upload_row(database, done).state == "done", _upload_row(database, done).error
    assert version_of(database).components == 2
