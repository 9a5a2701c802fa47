"""reconcile and recount: findings upserted by key, resolved not deleted, counts per severity."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from assay.core.clock import now_iso
from assay.core.db import Database
from assay.inventory.findings import fit, reconcile, recount
from assay.inventory.models import AnalysisDecision, FindingRow, ProjectVersion
from assay.matching.model import Finding, Vulnerability
from assay.sbom.model import Component
from tests.inventory.factories import make_project, make_team, make_version

A = Component("PyPI", "alpha", "1.0", purl_override="pkg:pypi/alpha@1.0")
B = Component("PyPI", "beta", "2.0", purl_override="pkg:pypi/beta@2.0")


def vuln(primary: str, *aliases: str, level: str = "high") -> Vulnerability:
    return Vulnerability(id=primary, aliases=aliases, level=level, summary=f"about {primary}")


def _version(db: Database) -> int:
    with db.session() as session:
        team = make_team(session, "alpha")
        return make_version(session, make_project(session, "shop", team)).id


def _reconcile(
    db: Database, version_id: int, found: list[Finding], **kw: object
) -> tuple[int, ...]:
    with db.session() as session:
        version = session.get(ProjectVersion, version_id)
        assert version is not None
        changes = reconcile(session, version, found, now_iso(), **kw)  # type: ignore[arg-type]
        return (changes.opened, changes.refreshed, changes.reopened, changes.resolved)


def _rows(db: Database) -> dict[tuple[str, str], FindingRow]:
    with db.session() as session:
        rows = list(session.scalars(select(FindingRow)))
        for row in rows:
            session.expunge(row)
        return {(r.component_purl, r.vuln_id): r for r in rows}


def test_open_refresh_resolve_reopen(database: Database) -> None:
    vid = _version(database)
    first = [Finding(A, vuln("CVE-1")), Finding(B, vuln("CVE-2"))]
    assert _reconcile(database, vid, first) == (2, 0, 0, 0)
    assert _reconcile(database, vid, first + first) == (0, 2, 0, 0)  # duplicates count once
    assert _reconcile(database, vid, [Finding(A, vuln("CVE-1", level="critical"))]) == (0, 1, 0, 1)
    rows = _rows(database)
    assert rows[("pkg:pypi/alpha@1.0", "CVE-1")].severity == "critical"
    assert rows[("pkg:pypi/beta@2.0", "CVE-2")].resolved_at is not None
    assert _reconcile(database, vid, first) == (0, 1, 1, 0)
    assert all(r.resolved_at is None for r in _rows(database).values())
    assert _reconcile(database, vid, []) == (0, 0, 0, 2)
    assert _reconcile(database, vid, []) == (0, 0, 0, 0)  # resolved once, date kept
    assert len(_rows(database)) == 2


def test_a_new_primary_id_renames_the_row_instead_of_resolving_it(database: Database) -> None:
    vid = _version(database)
    _reconcile(database, vid, [Finding(A, vuln("GHSA-xxxx-yyyy-zzzz"))])
    before = _rows(database)[("pkg:pypi/alpha@1.0", "GHSA-xxxx-yyyy-zzzz")]
    # The advisory gained a CVE alias: the group's primary id is now the CVE.
    assert _reconcile(database, vid, [Finding(A, vuln("CVE-9", "GHSA-xxxx-yyyy-zzzz"))]) == (
        0,
        1,
        0,
        0,
    )
    (after,) = _rows(database).values()
    assert (after.id, after.vuln_id, after.first_seen_at) == (
        before.id,
        "CVE-9",
        before.first_seen_at,
    )


def test_only_purls_leaves_other_components_alone(database: Database) -> None:
    vid = _version(database)
    _reconcile(database, vid, [Finding(A, vuln("CVE-1")), Finding(B, vuln("CVE-2"))])
    changes = _reconcile(database, vid, [], only_purls={"pkg:pypi/alpha@1.0"})
    assert changes == (0, 0, 0, 1)
    rows = _rows(database)
    assert rows[("pkg:pypi/beta@2.0", "CVE-2")].resolved_at is None
    assert _reconcile(database, vid, [], only_purls=set()) == (0, 0, 0, 0)


def test_recount_counts_open_unsuppressed_findings_by_severity(database: Database) -> None:
    vid = _version(database)
    found = [
        Finding(A, vuln("CVE-1", level="critical")),
        Finding(A, vuln("CVE-2", level="none")),
        Finding(B, vuln("CVE-3", level="medium")),
        Finding(B, vuln("CVE-4", level="low")),
    ]
    _reconcile(database, vid, found)
    with database.session() as session:
        session.add(
            AnalysisDecision(
                vuln_id="CVE-4",
                scope="version",
                version_id=vid,
                state="false_positive",
                created_at=now_iso(),
                created_by="user:alice",
            )
        )
    with database.session() as session:
        counts = recount(session, vid)
    assert counts == {
        "critical": 1,
        "high": 0,
        "medium": 1,
        "low": 0,
        "unknown": 1,  # CVSS "none" is not a column: counted as unknown
        "suppressed": 1,
    }
    with database.session() as session:
        version = session.get(ProjectVersion, vid)
        assert version is not None and (version.critical, version.suppressed) == (1, 1)


@pytest.mark.parametrize(
    ("value", "limit", "expected_length"),
    [("short", 10, 5), ("x" * 2000, 1024, 71), ("y" * 80, 64, 64)],
)
def test_fit_keeps_short_values_and_shrinks_long_ones(
    value: str, limit: int, expected_length: int
) -> None:
    assert len(fit(value, limit)) == expected_length
    assert fit(value, limit) == fit(value, limit)
