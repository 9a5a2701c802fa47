"""rematch: a new advisory opens findings for exactly the components it names."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import func, select, update

from assay.core.audit import AuditEntry
from assay.core.db import Database
from assay.core.jobs import Job
from assay.inventory.models import RiskSnapshot
from assay.inventory.rematch import enqueue_after_import, rematch
from assay.vulndb.importer import import_paths
from assay.vulndb.importer import now as import_clock
from assay.vulndb.models import Advisory
from tests.inventory.intake_support import (
    ADVISORIES,
    APP_1,
    findings,
    import_advisories,
    run_jobs,
    team_key,
    upload,
    version_of,
)

URLLIB3 = "pkg:pypi/urllib3@1.26.0"


def _imported_long_ago(db: Database) -> None:
    """Date the advisories imported so far back (the import clock counts whole seconds)."""
    with db.session() as session:
        session.execute(update(Advisory).values(imported_at="2000-01-01T00:00:00Z"))


def test_new_advisory_opens_a_finding_for_exactly_the_named_component(
    database: Database,
) -> None:
    import_advisories(database)
    alpha = team_key(database, "alpha")
    upload(database, alpha, APP_1)
    upload(database, alpha, APP_1, project="other")
    run_jobs(database)
    version = version_of(database)
    before = findings(database, version.id)
    assert (URLLIB3, "CVE-2099-1103") not in before
    _imported_long_ago(database)
    since = import_clock()
    import_paths(database, [ADVISORIES / "later"])
    assert enqueue_after_import(database, since) == 1
    with database.session() as session:
        job = session.scalars(select(Job).where(Job.kind == "rematch")).one()
        snapshots = session.scalar(select(func.count(RiskSnapshot.id)))
    assert json.loads(job.args) == {"advisory_ids": ["PYSEC-2099-12"]}
    assert run_jobs(database) == 3  # rematch, then policy.evaluate of each version it changed
    after = findings(database, version.id)
    assert set(after) - set(before) == {(URLLIB3, "CVE-2099-1103")}
    for key, row in before.items():  # other components' findings untouched
        assert (after[key].last_seen_at, after[key].resolved_at) == (row.last_seen_at, None)
    assert version_of(database).unknown == version.unknown + 1
    assert (URLLIB3, "CVE-2099-1103") in findings(database, version_of(database, "other").id)
    with database.session() as session:
        assert session.scalar(select(func.count(RiskSnapshot.id))) == snapshots + 3
        audits = list(
            session.scalars(select(AuditEntry.detail).where(AuditEntry.action == "finding.rematch"))
        )
    assert len(audits) == 2 and json.loads(audits[0])["opened"] == 1


def test_a_withdrawn_advisory_resolves_its_findings(database: Database) -> None:
    import_advisories(database)
    upload(database, team_key(database, "alpha"), APP_1)
    run_jobs(database)
    with database.session() as session:
        session.execute(
            update(Advisory)
            .where(Advisory.id == "PYSEC-2099-11")
            .values(withdrawn="2099-01-01T00:00:00Z")
        )
    rematch(database, ["PYSEC-2099-11"])
    found = findings(database, version_of(database).id)
    assert found[("pkg:pypi/requests@2.25.0", "CVE-2099-1101")].resolved_at is not None
    assert found[("pkg:npm/lodash@4.17.20", "CVE-2099-1102")].resolved_at is None
    assert version_of(database).critical == 0


def test_nothing_is_queued_without_components_or_changes(database: Database) -> None:
    since = import_clock()
    import_advisories(database)
    assert enqueue_after_import(database, since) == 0  # empty portfolio: scan users pay nothing
    upload(database, team_key(database, "alpha"), APP_1)
    run_jobs(database)
    assert enqueue_after_import(database, "9999-01-01T00:00:00Z") == 0
    with database.session() as session:
        assert session.scalar(select(func.count(Job.id)).where(Job.kind == "rematch")) == 0
    rematch(database, [])
    rematch(database, ["NO-SUCH-ADVISORY"])


def test_a_new_os_advisory_naming_a_source_package_finds_its_binary_packages(
    database: Database, tmp_path: Path
) -> None:
    """Debian advisories name source packages (openssl); images hold binaries (libssl3)."""
    purl = "pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12"
    component = {
        "type": "library", "bom-ref": "libssl3", "name": "libssl3",
        "version": "3.0.11-1~deb12u2", "purl": purl,
        "properties": [
            {"name": "assay:source-name", "value": "openssl"},
            {"name": "assay:source-version", "value": "3.0.11-1~deb12u2"},
        ],
    }  # fmt: skip
    bom = {"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1, "components": [component]}
    import_advisories(database)
    upload(database, team_key(database, "alpha"), json.dumps(bom).encode(), project="image")
    run_jobs(database)
    version = version_of(database, "image")
    assert findings(database, version.id) == {}
    advisory = {
        "schema_version": "1.6.0", "id": "DSA-9999-1", "modified": "2099-01-01T00:00:00Z",
        "affected": [{
            "package": {"ecosystem": "Debian:12", "name": "openssl"},
            "ranges": [{"type": "ECOSYSTEM",
                        "events": [{"introduced": "0"}, {"fixed": "3.0.13-1~deb12u1"}]}],
        }],
    }  # fmt: skip
    (tmp_path / "DSA-9999-1.json").write_text(json.dumps(advisory), encoding="utf-8")
    _imported_long_ago(database)
    since = import_clock()
    import_paths(database, [tmp_path])
    assert enqueue_after_import(database, since) == 1
    assert run_jobs(database) == 2  # rematch, then policy.evaluate of the version it changed
    found = findings(database, version.id)
    assert [vuln for _, vuln in found] == ["DSA-9999-1"]
    assert next(iter(found.values())).component_name == "libssl3"
