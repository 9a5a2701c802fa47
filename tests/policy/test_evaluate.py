"""Evaluation on every change: intake, advisory sync, waivers, policy edits (both engines).

Violations are kept like findings: a row per (version, policy, component), refreshed,
resolved when gone and re-opened when back, with the waiver that covers it.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select, update

from assay.core.audit import AuditEntry
from assay.core.db import Database
from assay.core.permissions import Permission, Principal
from assay.inventory.rematch import enqueue_after_import
from assay.policy import service, waiver_service
from assay.policy.evaluate import evaluate_version
from assay.policy.loader import policy_from_dict
from assay.policy.store import ViolationRow
from assay.policy.violations import state_of
from assay.vulndb.importer import import_paths
from assay.vulndb.models import Advisory
from tests.inventory.intake_support import (
    ADVISORIES,
    APP_1,
    import_advisories,
    run_jobs,
    team_key,
    upload,
    version_of,
)

REQUESTS = "pkg:pypi/requests@2.25.0"
URLLIB3 = "pkg:pypi/urllib3@1.26.0"
DAY = date(2026, 3, 1)
NO_CRITICAL = {
    "name": "no-critical",
    "verdict": "fail",
    "conditions": [{"severity": {"at_least": "critical"}}],
    "remediation": "upgrade",
}


def _rows(db: Database, version_id: int) -> dict[tuple[str, str], ViolationRow]:
    with db.session() as s:
        rows = list(s.scalars(select(ViolationRow).where(ViolationRow.version_id == version_id)))
        for row in rows:
            s.expunge(row)
    return {(r.policy_name, r.component_purl): r for r in rows}


def _actions(db: Database, prefix: str) -> list[str]:
    with db.session() as s:
        return list(s.scalars(select(AuditEntry.action).where(AuditEntry.action.like(prefix))))


def _date_back(db: Database) -> str:
    """The import clock counts whole seconds: earlier imports are dated back."""
    with db.session() as s:
        s.execute(update(Advisory).values(imported_at="2000-01-01T00:00:00Z"))
    return "2000-01-02T00:00:00Z"


@pytest.fixture
def shop(database: Database) -> tuple[Database, int, Principal]:
    """shop 1.0 (APP_1) analysed with the initial advisories, under one policy."""
    import_advisories(database)
    with database.session() as s:
        service.put(s, _manager(), policy_from_dict(NO_CRITICAL, "test"))
    owner = team_key(
        database,
        "alpha",
        frozenset({Permission.VIEW_PORTFOLIO, Permission.UPLOAD_BOM, Permission.GRANT_WAIVER}),
    )
    upload(database, owner, APP_1)
    run_jobs(database)
    return database, version_of(database).id, owner


def _manager() -> Principal:
    return Principal("user", "pat", frozenset({Permission.MANAGE_POLICY}), frozenset())


def test_an_intake_creates_violations_and_stores_the_quality_score(
    shop: tuple[Database, int, Principal],
) -> None:
    db, version_id, _ = shop
    rows = _rows(db, version_id)
    assert set(rows) == {("no-critical", REQUESTS)}
    row = rows[("no-critical", REQUESTS)]
    assert (row.verdict, row.outcome, state_of(row), row.component_name) == (
        "fail",
        "violation",
        "open",
        "requests",
    )
    assert "PYSEC-2099-11" in row.reasons or "CVE-2099-1101" in row.reasons
    assert version_of(db).quality_score is not None
    assert "policy.evaluate" in _actions(db, "policy.%")


def test_a_sync_that_adds_an_advisory_raises_a_violation(
    shop: tuple[Database, int, Principal], tmp_path: Path
) -> None:
    db, version_id, _ = shop
    since = _date_back(db)
    import_paths(db, [ADVISORIES / "later"])  # urllib3, no severity: cannot be judged
    assert enqueue_after_import(db, since) == 1
    run_jobs(db)
    # what could not be evaluated is one row per policy, counting the components
    row = _rows(db, version_id)[("no-critical", "")]
    assert (row.outcome, state_of(row)) == ("unevaluated", "unevaluated")
    assert "severity" in json.loads(row.reasons)[0]
    rated = json.loads((ADVISORIES / "later" / "PYSEC-2099-12.json").read_text())
    rated["modified"] = "2099-12-31T00:00:00Z"
    rated["severity"] = [
        {"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}
    ]
    (tmp_path / "PYSEC-2099-12.json").write_text(json.dumps(rated))
    since = _date_back(db)
    import_paths(db, [tmp_path])
    assert enqueue_after_import(db, since) == 1
    run_jobs(db)
    rows = _rows(db, version_id)
    again = rows[("no-critical", URLLIB3)]
    assert (again.outcome, state_of(again)) == ("violation", "open")
    assert rows[("no-critical", "")].resolved_at is not None


def test_a_waiver_hides_a_violation_until_it_expires_and_revoking_brings_it_back(
    shop: tuple[Database, int, Principal],
) -> None:
    db, version_id, owner = shop
    key = ("no-critical", REQUESTS)
    with db.session() as s:
        project_id = version_of(db).project_id
        waiver = waiver_service.create(
            s, owner, project_id, "no-critical", "fix planned in sprint 12", date(2026, 3, 31),
            component="pkg:pypi/requests", versions="<3", today=DAY,
        )  # fmt: skip
        waiver_id = waiver.id
    with db.session() as s:
        report = evaluate_version(s, version_id, today=DAY)
    assert not report.failed() and _rows(db, version_id)[key].waiver_id == waiver_id
    assert state_of(_rows(db, version_id)[key]) == "waived"
    with db.session() as s:
        assert evaluate_version(s, version_id, today=date(2026, 3, 31)).failed() is False
    with db.session() as s:
        assert evaluate_version(s, version_id, today=date(2026, 4, 1)).failed() is True  # expired
    assert state_of(_rows(db, version_id)[key]) == "open"
    with db.session() as s:
        evaluate_version(s, version_id, today=DAY)
    assert _rows(db, version_id)[key].waiver_id == waiver_id
    with db.session() as s:
        waiver_service.revoke(s, owner, waiver_id, "the fix slipped; accept no longer")
    run_jobs(db)  # the revocation queued a re-evaluation of the project's versions
    with db.session() as s:
        assert evaluate_version(s, version_id, today=DAY).failed() is True
    assert _rows(db, version_id)[key].waiver_id is None
    assert _actions(db, "waiver.%") == ["waiver.create", "waiver.revoke"]


def test_a_violation_resolves_when_its_policy_goes_and_reopens_when_it_returns(
    shop: tuple[Database, int, Principal],
) -> None:
    db, version_id, _ = shop
    first = _rows(db, version_id)[("no-critical", REQUESTS)]
    with db.session() as s:
        service.delete(s, _manager(), "no-critical")
    run_jobs(db)
    gone = _rows(db, version_id)[("no-critical", REQUESTS)]
    assert gone.resolved_at is not None and state_of(gone) == "resolved"
    with db.session() as s:
        service.put(s, _manager(), policy_from_dict(NO_CRITICAL, "test"))
    run_jobs(db)
    back = _rows(db, version_id)[("no-critical", REQUESTS)]
    assert (back.id, back.first_seen_at, back.resolved_at) == (first.id, first.first_seen_at, None)


def test_evaluating_a_missing_version_says_so(database: Database) -> None:
    from assay.core.errors import NotFound

    with (
        database.session() as s,
        pytest.raises(NotFound, match="no project version with id 424242"),
    ):
        evaluate_version(s, 424242)


def test_what_could_not_be_evaluated_is_one_row_per_policy_counting_components() -> None:
    from assay.policy.evaluate import wanted_rows
    from assay.policy.model import ComponentRef, EvaluationReport, Subject, Unevaluated, Verdict

    def ref(name: str) -> ComponentRef:
        return ComponentRef(f"pkg:pypi/{name}@1.0", name, "1.0", "PyPI")

    note, other = "release date unknown: use --online", "licence: none stated"
    report = EvaluationReport(
        Subject(project="shop"), ("quarantine",), 3,
        unevaluated=(
            Unevaluated("quarantine", Verdict.FAIL, ref("a"), (note,)),
            Unevaluated("quarantine", Verdict.FAIL, ref("b"), (note, other)),
            Unevaluated("quarantine", Verdict.FAIL, ref("c"), (note,)),
        ),
    )  # fmt: skip
    rows = wanted_rows(report)
    assert list(rows) == [("quarantine", "")]
    row = rows[("quarantine", "")]
    assert (row["outcome"], row["verdict"], row["component_name"]) == ("unevaluated", "fail", "")
    assert json.loads(row["reasons"]) == [f"{note} (3 components)", other]
