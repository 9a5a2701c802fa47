"""Facts the engine reads, from the store: KEV, EPSS, triage, catalogue, subject (both engines)."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from assay.core.clock import now_iso
from assay.core.db import Database
from assay.core.errors import NotFound
from assay.inventory.models import AnalysisDecision
from assay.matching.model import Finding, Vulnerability
from assay.policy.facts import (
    component_key,
    facts_for_components,
    facts_for_version,
    stored_component,
    subject_for_version,
)
from assay.sbom.model import Component
from tests.inventory.factories import (
    Comp,
    add_components,
    add_epss,
    add_finding,
    add_kev,
    make_project,
    make_team,
    make_version,
)

REQUESTS = "pkg:pypi/requests@2.25.0"
FLASK = "pkg:pypi/flask@2.0.0"


def _version(db: Database) -> int:
    with db.session() as s:
        team = make_team(s, "alpha")
        project = make_project(
            s, "shop", team, criticality="high", exposure="public", tags=["pci", "web"]
        )
        version = make_version(s, project, "1.0")
        version.quality_score = 71.5
        rows = add_components(s, version, [REQUESTS, FLASK, Comp("", "settings.yaml")])
        add_finding(s, version, rows[0], "PYSEC-1", aliases=["CVE-2099-1"], severity="critical")
        add_finding(s, version, rows[0], "PYSEC-2", aliases=["CVE-2099-2"], severity="low")
        add_finding(s, version, rows[1], "MAL-2099-3", severity="critical")
        add_finding(s, version, rows[1], "GHSA-old", resolved_at=now_iso())
        return version.id


def _by_name(facts: list) -> dict[str, object]:  # type: ignore[type-arg]
    return {f.component.name: f for f in facts}


def test_never_imported_exploit_data_and_catalogue_are_unknown(database: Database) -> None:
    version_id = _version(database)
    with database.session() as s:
        facts = _by_name(facts_for_version(s, version_id))
    requests = facts["requests"]
    assert [v.id for v in requests.vulnerabilities] == ["PYSEC-1", "PYSEC-2"]
    assert all(v.kev is None and v.epss is None for v in requests.vulnerabilities)
    assert requests.catalogue is None and requests.release is None
    assert facts["settings.yaml"].vulnerabilities == ()
    flask = facts["flask"].vulnerabilities
    assert [(v.id, v.malicious) for v in flask] == [("MAL-2099-3", True)]  # resolved one left out


def test_kev_and_epss_by_any_cve_alias(database: Database) -> None:
    version_id = _version(database)
    with database.session() as s:
        add_kev(s, "CVE-2099-1")
        add_epss(s, "CVE-2099-2", 0.42, 0.9)
    with database.session() as s:
        vulns = {
            v.id: v for v in _by_name(facts_for_version(s, version_id))["requests"].vulnerabilities
        }
    assert (vulns["PYSEC-1"].kev, vulns["PYSEC-1"].epss) == (True, None)  # EPSS imported, unscored
    assert (vulns["PYSEC-2"].kev, vulns["PYSEC-2"].epss) == (False, 0.42)
    assert vulns["PYSEC-1"].aliases == ("CVE-2099-1",) and vulns["PYSEC-1"].cvss is None


def test_a_finding_triaged_not_affected_is_suppressed(database: Database) -> None:
    version_id = _version(database)
    with database.session() as s:
        s.add(
            AnalysisDecision(
                vuln_id="CVE-2099-1", scope="version", version_id=version_id,
                state="not_affected", justification="code_not_reachable", response="[]",
                detail="", created_at=now_iso(), created_by="user:t",
            )
        )  # fmt: skip
    with database.session() as s:
        vulns = {
            v.id: v for v in _by_name(facts_for_version(s, version_id))["requests"].vulnerabilities
        }
    assert (vulns["PYSEC-1"].suppressed, vulns["PYSEC-2"].suppressed) == (True, False)


def test_subject_carries_the_project_classification(database: Database) -> None:
    version_id = _version(database)
    with database.session() as s:
        subject = subject_for_version(s, version_id)
        with pytest.raises(NotFound, match="no project version with id 999999"):
            subject_for_version(s, 999_999)
    assert (subject.project, subject.version, subject.team) == ("shop", "1.0", "alpha")
    assert subject.tags == frozenset({"pci", "web"})
    assert (subject.criticality, subject.exposure, subject.quality_score) == (
        "high",
        "public",
        71.5,
    )


def test_components_in_memory_with_and_without_an_advisory_database(database: Database) -> None:
    comp = Component("PyPI", "Requests", "2.25.0")
    vuln = Vulnerability("PYSEC-1", ("CVE-2099-1",), level="high", score=8.1)
    with database.session() as s:
        add_kev(s, "CVE-2099-1")
    with database.session() as s:
        (offline,) = facts_for_components(s, [comp], None, licenses_known=False)
        (found,) = facts_for_components(s, [comp], [Finding(comp, vuln)], licenses_known=True)
    assert offline.vulnerabilities is None and offline.licenses_known is False
    (fact,) = found.vulnerabilities or ()
    assert (fact.id, fact.severity, fact.cvss, fact.kev, fact.epss) == (
        "PYSEC-1",
        "high",
        8.1,
        True,
        None,
    )
    assert component_key(comp) == ("PyPI", "requests", "2.25.0")


def test_stored_components_keep_their_purl(database: Database) -> None:
    version_id = _version(database)
    from sqlalchemy import select

    from assay.inventory.models import ComponentRow

    with database.session() as s:
        rows = s.scalars(select(ComponentRow).where(ComponentRow.version_id == version_id)).all()
        assert sorted(str(stored_component(r).purl) for r in rows if r.purl) == [FLASK, REQUESTS]


def test_ten_thousand_components_take_a_bounded_number_of_queries(database: Database) -> None:
    with database.session() as s:
        project = make_project(s, "big", make_team(s, "alpha"))
        version = make_version(s, project, "1")
        rows = add_components(s, version, [f"pkg:pypi/p{i}@1.0" for i in range(10_000)])
        for row in rows[:600]:
            add_finding(s, version, row, f"PYSEC-{row.id}", aliases=[f"CVE-2099-{row.id}"])
        add_kev(s, "CVE-2099-5")
        version_id = version.id
    statements: list[str] = []
    with database.session() as s:
        engine = s.get_bind()

        def count(*args: object) -> None:
            statements.append(str(args[2]))

        event.listen(engine, "before_cursor_execute", count)
        try:
            facts = facts_for_version(s, version_id)
        finally:
            event.remove(engine, "before_cursor_execute", count)
    assert len(facts) == 10_000
    assert sum(len(f.vulnerabilities or ()) for f in facts) == 600
    assert len(statements) < 100  # batched by the hundred, not one per component
