"""Tests for triage decisions: vocabulary, scopes and precedence, expiry, permissions, history."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from assay.api.errors import NotFound
from assay.core.audit import AuditEntry
from assay.core.clock import in_future
from assay.core.db import Database
from assay.inventory import triage
from assay.inventory.models import AnalysisDecision, ProjectVersion, RiskSnapshot
from assay.inventory.vex_terms import (
    Analysis,
    Justification,
    NotPermitted,
    Response,
    State,
    TriageError,
)
from tests.inventory._triage_data import World, build


@pytest.fixture
def world(database: Database) -> World:
    with database.session() as s:
        return build(s)


def test_vocabulary_is_cyclonedx_1_6(shared_data: Path) -> None:
    """The lists are exactly the CycloneDX 1.6 schema's impactAnalysis enums."""
    schema = json.loads((shared_data / "schemas" / "cyclonedx" / "bom-1.6.schema.json").read_text())
    d = schema["definitions"]
    assert {s.value for s in State} == set(d["impactAnalysisState"]["enum"])
    assert {j.value for j in Justification} == set(d["impactAnalysisJustification"]["enum"])
    responses = d["vulnerability"]["properties"]["analysis"]["properties"]["response"]
    assert {r.value for r in Response} == set(responses["items"]["enum"])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("not_affected",), "not_affected requires a justification"),
        (("maybe",), "unknown state 'maybe'"),
        (("not_affected", "because"), "unknown justification 'because'"),
        (("exploitable", None, ["pray"]), "unknown response 'pray'"),
        (("exploitable", None, [], "x" * 10_001), "detail is longer than 10,000"),
    ],
)
def test_analysis_rules(args: tuple[object, ...], message: str) -> None:
    with pytest.raises(TriageError, match=message):
        Analysis.validated(*args)  # type: ignore[arg-type]


def test_analysis_dedupes_responses() -> None:
    a = Analysis.validated("exploitable", None, ["update", "update", "rollback"])
    assert a.response == ("update", "rollback")


def test_finding_decision_applies_recounts_audits_and_snapshots(
    database: Database, world: World
) -> None:
    with database.session() as s:
        row = triage.decide(
            s, world.alpha, finding_id=world.f_v1_django, state="not_affected",
            justification="code_not_reachable", response=["will_not_fix"], detail="not called",
        )  # fmt: skip
        assert (row.scope, row.vuln_id, row.version_id, row.created_by) == (
            "finding", "CVE-2021-1", world.v1, "user:alice",
        )  # fmt: skip
    with database.session() as s:
        states = triage.effective_states(
            s, [world.f_v1_django, world.f_v1_lodash, world.f_v2_django]
        )
        assert states == {
            world.f_v1_django: "not_affected",
            world.f_v1_lodash: "in_triage",
            world.f_v2_django: "in_triage",
        }
        v1 = s.get(ProjectVersion, world.v1)
        assert v1 is not None
        assert (v1.critical, v1.high, v1.suppressed) == (0, 1, 1)
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "decision.create")).one()
        assert entry.team_id == world.alpha_team
        assert json.loads(entry.detail)["state"] == "not_affected"
        snaps = s.scalars(select(RiskSnapshot).order_by(RiskSnapshot.id)).all()
        assert [x.project_id for x in snaps] == [world.alpha_project, None]
        assert snaps[0].suppressed == 1


def test_precedence_finding_over_version_over_project_over_portfolio(
    database: Database, world: World
) -> None:
    django = [world.f_v1_django, world.f_v2_django, world.f_beta_django]
    with database.session() as s:
        triage.decide(
            s, world.admin, vuln_id="CVE-2021-1", scope="portfolio", state="not_affected",
            justification="requires_configuration", expires_at=in_future(30),
        )  # fmt: skip
        assert set(triage.effective_states(s, django).values()) == {"not_affected"}
        triage.decide(
            s, world.alpha, vuln_id="CVE-2021-1", scope="project", target_id=world.alpha_project,
            state="exploitable",
        )  # fmt: skip
        triage.decide(
            s, world.alpha, vuln_id="CVE-2021-1", scope="version", target_id=world.v2,
            state="resolved",
        )  # fmt: skip
        assert list(triage.effective_states(s, django).values()) == [
            "exploitable", "resolved", "not_affected",
        ]  # fmt: skip
        triage.decide(s, world.alpha, finding_id=world.f_v2_django, state="in_triage")
        assert triage.effective_states(s, django)[world.f_v2_django] == "in_triage"
        # Within one scope, the latest decision wins.
        triage.decide(
            s, world.alpha, vuln_id="CVE-2021-1", scope="project", target_id=world.alpha_project,
            state="false_positive", expires_at=in_future(1),
        )  # fmt: skip
        assert (
            triage.effective_states(s, [world.f_v1_django])[world.f_v1_django] == "false_positive"
        )


def test_a_decision_by_alias_and_limited_to_a_component(database: Database, world: World) -> None:
    with database.session() as s:
        triage.decide(
            s, world.alpha, vuln_id="GHSA-aaaa-bbbb-cccc", scope="version", target_id=world.v1,
            state="exploitable",
        )  # fmt: skip
        triage.decide(
            s, world.alpha, vuln_id="CVE-2021-2", scope="version", target_id=world.v1,
            state="exploitable", component_purl="pkg:npm/other@1.0.0",
        )  # fmt: skip
        states = triage.effective_states(s, [world.f_v1_django, world.f_v1_lodash])
        assert states == {world.f_v1_django: "exploitable", world.f_v1_lodash: "in_triage"}
        triage.decide(
            s, world.alpha, vuln_id="CVE-2021-2", scope="version", target_id=world.v1,
            state="exploitable", component_purl="pkg:npm/lodash@4.17.0",
        )  # fmt: skip
        assert triage.effective_states(s, [world.f_v1_lodash])[world.f_v1_lodash] == "exploitable"


def test_an_expired_decision_stops_applying(database: Database, world: World) -> None:
    with database.session() as s:
        triage.decide(s, world.alpha, finding_id=world.f_v1_django, state="exploitable")
        s.add(
            AnalysisDecision(
                vuln_id="CVE-2021-1", scope="project", project_id=world.alpha_project,
                state="not_affected", justification="code_not_present", response="[]",
                detail="", expires_at="2000-01-01T00:00:00.000000Z",
                created_at="2000-01-01T00:00:00.000000Z", created_by="user:old",
            )
        )  # fmt: skip
    with database.session() as s:
        states = triage.effective_states(s, [world.f_v1_django, world.f_v2_django])
        assert states == {world.f_v1_django: "exploitable", world.f_v2_django: "in_triage"}
        past = triage.history(s, world.alpha, world.f_v2_django)
        assert [(e.decision.state, e.expired, e.in_force) for e in past.decisions] == [
            ("not_affected", True, False)
        ]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"scope": "project", "state": "not_affected", "justification": "code_not_present"},
            "needs an expires_at",
        ),
        (
            {"scope": "project", "state": "false_positive", "expires_at": "2001-01-01"},
            "must be in the future",
        ),
        (
            {"scope": "project", "state": "exploitable", "expires_at": "next week"},
            "not an ISO 8601 date",
        ),
        ({"scope": "galaxy", "state": "exploitable"}, "unknown scope 'galaxy'"),
        ({"scope": "finding", "state": "exploitable"}, "made on the finding"),
        ({"scope": "version", "state": "exploitable", "target_id": None}, "needs the version's id"),
        ({"scope": "project", "state": "exploitable", "vuln_id": "CVE 1"}, "without spaces"),
        ({"scope": "project", "state": "exploitable", "vuln_id": ""}, "1-128 printable characters"),
        (
            {"scope": "project", "state": "exploitable", "component_purl": "django"},
            "must be a purl",
        ),
    ],
)
def test_bad_decisions_are_refused(
    database: Database, world: World, kwargs: dict[str, object], message: str
) -> None:
    args: dict[str, object] = {"vuln_id": "CVE-2021-1", "target_id": world.alpha_project, **kwargs}
    with database.session() as s:
        with pytest.raises(TriageError, match=message):
            triage.decide(s, world.alpha, **args)  # type: ignore[arg-type]
        assert s.scalar(select(func.count()).select_from(AnalysisDecision)) == 0


def test_who_may_decide(database: Database, world: World) -> None:
    with database.session() as s:
        with pytest.raises(NotPermitted, match="triage permission"):
            triage.decide(s, world.alpha_viewer, finding_id=world.f_v1_django, state="exploitable")
        with pytest.raises(NotFound, match=f"no finding with id {world.f_v1_django}"):
            triage.decide(s, world.beta, finding_id=world.f_v1_django, state="exploitable")
        with pytest.raises(NotFound, match="no project with id"):
            triage.decide(
                s, world.beta, vuln_id="CVE-2021-1", scope="project",
                target_id=world.alpha_project, state="exploitable",
            )  # fmt: skip
        with pytest.raises(NotFound, match="no project version"):
            triage.decide(
                s, world.beta, vuln_id="CVE-2021-1", scope="version", target_id=world.v1,
                state="exploitable",
            )  # fmt: skip
        with pytest.raises(NotPermitted, match="portfolio decision needs"):
            triage.decide(
                s, world.alpha, vuln_id="CVE-2021-1", scope="portfolio", state="exploitable"
            )
        row = triage.decide(
            s, world.wide_triager, vuln_id="CVE-2021-1", scope="portfolio", state="exploitable"
        )
        assert row.project_id is None


def test_history_is_complete_and_append_only(database: Database, world: World) -> None:
    with database.session() as s:
        first = triage.decide(s, world.alpha, finding_id=world.f_v1_django, state="in_triage")
        triage.comment(s, world.alpha, world.f_v1_django, "  looking at it  ")
        second = triage.decide(
            s, world.alpha, vuln_id="CVE-2021-1", scope="version", target_id=world.v1,
            state="exploitable", response=["update"],
        )  # fmt: skip
        third = triage.decide(
            s, world.alpha, finding_id=world.f_v1_django, state="resolved", detail="upgraded"
        )
        triage.decide(s, world.alpha, finding_id=world.f_v1_lodash, state="exploitable")
        triage.decide(s, world.beta, finding_id=world.f_beta_django, state="exploitable")
        first_id, first_state, first_at = first.id, first.state, first.created_at
    with database.session() as s:
        found = triage.history(s, world.alpha_viewer, world.f_v1_django)
        assert [e.decision.id for e in found.decisions] == [third.id, second.id, first_id]
        assert [e.in_force for e in found.decisions] == [True, False, False]
        assert found.decisions[1].analysis.response == ("update",)
        assert [c.text for c in found.comments] == ["looking at it"]
        assert found.comments[0].author == "user:alice"
        kept = s.get(AnalysisDecision, first_id)
        assert kept is not None
        assert (kept.state, kept.created_at) == (first_state, first_at)
        with pytest.raises(NotFound):
            triage.history(s, world.beta, world.f_v1_django)


@pytest.mark.parametrize(
    ("text", "message"), [("   ", "1-10,000 characters"), ("x" * 10_001, "1-10,000")]
)
def test_bad_comments(database: Database, world: World, text: str, message: str) -> None:
    with database.session() as s, pytest.raises(TriageError, match=message):
        triage.comment(s, world.alpha, world.f_v1_django, text)


def test_comment_is_audited_and_needs_triage(database: Database, world: World) -> None:
    with database.session() as s:
        row = triage.comment(s, world.alpha, world.f_v1_django, "ok")
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "finding.comment")).one()
        assert (entry.target_id, entry.team_id) == (str(world.f_v1_django), world.alpha_team)
        assert json.loads(entry.detail) == {"comment_id": row.id, "length": 2}
        with pytest.raises(NotPermitted):
            triage.comment(s, world.alpha_viewer, world.f_v1_django, "hello")
        with pytest.raises(NotFound):
            triage.comment(s, world.beta, world.f_v1_django, "hello")


def test_effective_states_without_decisions_and_for_unknown_ids(
    database: Database, world: World
) -> None:
    with database.session() as s:
        assert triage.effective_states(s, []) == {}
        assert triage.effective_states(s, [world.f_v1_django, 999_999]) == {
            world.f_v1_django: "in_triage",
            999_999: "in_triage",
        }
        assert triage.effective(s, [world.f_v1_django]) == {}


def test_a_recorded_decision_cannot_be_changed(database: Database, world: World) -> None:
    with database.session() as s:
        row = triage.decide(s, world.alpha, finding_id=world.f_v1_django, state="exploitable")
        row.state = "not_affected"
        with pytest.raises(triage.DecisionsAreFinal, match="cannot be changed"):
            s.flush()
        s.rollback()
