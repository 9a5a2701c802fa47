"""Catalogue changes: who may make them, which moves the lifecycle allows, and that each
one leaves a history row, an audit entry and the jobs that follow from it."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from assay.catalogue import service
from assay.catalogue.identity import InvalidComponent
from assay.catalogue.lifecycle import Action, PersonRequired, TransitionRefused
from assay.catalogue.models import CatalogueEntry, CatalogueTransition, RemediationItem
from assay.core.audit import AuditEntry
from assay.core.db import Database
from assay.core.errors import Conflict, NotFound
from assay.core.jobs import Job
from assay.core.permissions import Principal
from tests.catalogue._support import (
    MANAGE,
    VIEW,
    Portfolio,
    alice,
    bob,
    carol,
    person,
    portfolio,
)

TOMORROW = (date.today() + timedelta(days=1)).isoformat()
YESTERDAY = (date.today() - timedelta(days=1)).isoformat()


@pytest.fixture
def world(database: Database) -> Portfolio:
    with database.session() as s:
        return portfolio(s)


def _jobs(database: Database) -> list[tuple[str, dict[str, object]]]:
    with database.session() as s:
        return [(j.kind, json.loads(j.args)) for j in s.scalars(select(Job).order_by(Job.id))]


def _requested(database: Database, world: Portfolio, purl: str = "pkg:pypi/requests@2.32.3") -> int:
    with database.session() as s:
        return service.request(s, alice(world), purl, "we need HTTP").id


def test_a_request_files_the_canonical_purl_and_queues_vetting_and_evaluation(
    database: Database, world: Portfolio
) -> None:
    entry_id = _requested(database, world, "pkg:pypi/Requests@2.32.3")
    with database.session() as s:
        entry = s.get(CatalogueEntry, entry_id)
        assert entry is not None
        assert (entry.purl, entry.ecosystem, entry.name, entry.state) == (
            "pkg:pypi/requests", "PyPI", "requests", "requested",
        )  # fmt: skip
        assert (entry.requested_by, entry.requested_version) == ("user:alice", "2.32.3")
        audit = s.scalars(select(AuditEntry).where(AuditEntry.action == "catalogue.request")).one()
        assert (audit.actor, audit.target_id) == ("user:alice", str(entry_id))
        assert json.loads(audit.detail)["reason"] == "we need HTTP"
    assert _jobs(database) == [
        ("policy.evaluate", {"components": [["PyPI", "requests"]]}),
        ("catalogue.vet", {"entry_id": entry_id, "purl": "pkg:pypi/requests@2.32.3"}),
    ]


def test_a_second_request_is_refused_with_the_state_but_a_rejected_one_may_be_asked_again(
    database: Database, world: Portfolio
) -> None:
    entry_id = _requested(database, world)
    with (
        database.session() as s,
        pytest.raises(Conflict, match=r"already in the catalogue \(requested\)"),
    ):
        service.request(s, alice(world), "pkg:pypi/requests", "again")
    with database.session() as s:
        service.transition(s, bob(world), entry_id, Action.REJECT, "use httpx")
    with database.session() as s:
        again = service.request(s, alice(world), "pkg:pypi/requests@2.33.0", "httpx is not enough")
        assert (again.id, again.state, again.requested_version) == (entry_id, "requested", "2.33.0")
        assert again.decided_by is None


def test_the_requester_cannot_approve_their_own_request(
    database: Database, world: Portfolio
) -> None:
    with database.session() as s:
        entry_id = service.request(s, bob(world), "pkg:pypi/httpx", "async HTTP").id
    with (
        database.session() as s,
        pytest.raises(
            TransitionRefused, match="user:bob requested this component and cannot approve it"
        ),
    ):
        service.transition(s, bob(world), entry_id, Action.APPROVE, "looks fine")
    with database.session() as s, pytest.raises(TransitionRefused, match="cannot reject it"):
        service.transition(s, bob(world), entry_id, Action.REJECT, "changed my mind")
    with database.session() as s:
        approved = service.transition(s, carol(world), entry_id, Action.APPROVE, "second look ok")
        assert (approved.state, approved.decided_by) == ("approved", "user:carol")


def test_every_transition_is_in_the_history_and_the_audit_log(
    database: Database, world: Portfolio
) -> None:
    entry_id = _requested(database, world)
    steps = [
        (Action.REVIEW, {}),
        (Action.APPROVE, {"allowed_versions": ">=2.28", "recommended_version": "2.32.3"}),
        (Action.DEPRECATE, {"sunset_date": TOMORROW, "replacement": "pkg:pypi/HTTPX"}),
        (Action.REINSTATE, {}),
        (Action.DEPRECATE, {"sunset_date": TOMORROW}),
        (Action.BAN, {}),
        (Action.REVIEW, {}),
    ]
    for action, options in steps:
        with database.session() as s:
            service.transition(s, bob(world), entry_id, action, f"step {action}", **options)
    with database.session() as s:
        history = s.scalars(
            select(CatalogueTransition)
            .where(CatalogueTransition.entry_id == entry_id)
            .order_by(CatalogueTransition.id)
        ).all()
        assert [(h.action, h.from_state, h.to_state) for h in history] == [
            ("request", None, "requested"),
            ("review", "requested", "in_review"),
            ("approve", "in_review", "approved"),
            ("deprecate", "approved", "deprecated"),
            ("reinstate", "deprecated", "approved"),
            ("deprecate", "approved", "deprecated"),
            ("ban", "deprecated", "banned"),
            ("review", "banned", "in_review"),
        ]
        audits = s.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.action.like("catalogue.%"))
            .order_by(AuditEntry.id)
        ).all()
        assert audits == [f"catalogue.{h.action}" for h in history]
        deprecated = json.loads(history[3].detail)
        assert deprecated == {"replacement": "pkg:pypi/httpx", "sunset_date": TOMORROW}
        entry = s.get(CatalogueEntry, entry_id)
        assert entry is not None
        assert (entry.allowed_versions, entry.recommended_version) == (">=2.28", "2.32.3")
        assert entry.reason == "step review"
    evaluations = [j for j in _jobs(database) if j[0] == "policy.evaluate"]
    assert len(evaluations) == len(steps) + 1


@pytest.mark.parametrize(
    ("setup", "action", "message"),
    [
        ([], Action.DEPRECATE, "cannot deprecate a component that is requested"),
        ([], Action.REINSTATE, "cannot reinstate a component that is requested"),
        ([Action.REVIEW], Action.REVIEW, "cannot review a component that is in_review"),
        ([Action.REJECT], Action.APPROVE, "cannot approve a component that is rejected"),
    ],
)
def test_illegal_transitions_are_refused_and_change_nothing(
    database: Database, world: Portfolio, setup: list[Action], action: Action, message: str
) -> None:
    entry_id = _requested(database, world)
    for step in setup:
        with database.session() as s:
            service.transition(s, bob(world), entry_id, step, "setup")
    with database.session() as s:
        before = s.scalar(select(func.count()).select_from(AuditEntry))
    options = {"sunset_date": TOMORROW} if action is Action.DEPRECATE else {}
    with database.session() as s, pytest.raises(TransitionRefused, match=message):
        service.transition(s, bob(world), entry_id, action, "try", **options)
    with database.session() as s:
        assert s.scalar(select(func.count()).select_from(AuditEntry)) == before


def test_only_catalogue_managers_decide(database: Database, world: Portfolio) -> None:
    entry_id = _requested(database, world)
    with (
        database.session() as s,
        pytest.raises(service.NotPermitted, match="requires the manage_catalogue permission"),
    ):
        service.transition(s, alice(world), entry_id, Action.REVIEW, "me")
    with database.session() as s, pytest.raises(service.NotPermitted):
        service.ban(s, alice(world), "pkg:pypi/requests", "me")
    with database.session() as s, pytest.raises(service.NotPermitted):
        service.update(s, alice(world), entry_id, recommended_version="1")


@pytest.mark.parametrize(
    ("action", "reason", "options", "error", "message"),
    [
        (Action.REVIEW, "", {}, service.InvalidChange, "a reason is required"),
        (Action.REVIEW, "   ", {}, service.InvalidChange, "a reason is required"),
        (Action.REVIEW, "x" * 2001, {}, service.InvalidChange, "at most 2000 characters"),
        (Action.REVIEW, "a\x00b", {}, service.InvalidChange, "NUL"),
        (Action.DEPRECATE, "old", {}, service.InvalidChange, "needs a sunset date"),
        (Action.DEPRECATE, "old", {"sunset_date": YESTERDAY}, service.InvalidChange, "in the past"),
        (Action.DEPRECATE, "old", {"sunset_date": "31/01/2027"}, service.InvalidChange,
         "not a date"),
        (Action.DEPRECATE, "old", {"sunset_date": TOMORROW, "replacement": "httpx"},
         InvalidComponent, "must start with 'pkg:'"),
        (Action.APPROVE, "ok", {"allowed_versions": ">=2.0,<=1.0,<3"}, service.InvalidChange,
         "allowed versions: version range"),
        (Action.APPROVE, "ok", {"banned_versions": "<2"}, service.InvalidChange,
         "approve does not take banned_versions"),
        (Action.BAN, "bad", {"due_date": YESTERDAY}, service.InvalidChange, "due date .* past"),
        (Action.APPROVE, "ok", {"recommended_version": "1 2"}, service.InvalidChange,
         "printable"),
    ],
)  # fmt: skip
def test_bad_fields_are_refused_with_one_clear_line(
    database: Database,
    world: Portfolio,
    action: Action,
    reason: str,
    options: dict[str, str],
    error: type[Exception],
    message: str,
) -> None:
    entry_id = _requested(database, world)
    if action is Action.DEPRECATE:
        with database.session() as s:
            service.transition(s, carol(world), entry_id, Action.APPROVE, "ok")
    with database.session() as s, pytest.raises(error, match=message):
        service.transition(s, bob(world), entry_id, action, reason, **options)


@pytest.mark.parametrize(
    ("purl", "message"),
    [
        ("", "component purl is empty"),
        ("requests", "must start with 'pkg:'"),
        ("pkg:unknown/x@1", "has no vulnerability ecosystem"),
        ("pkg:pypi/", "component purl 'pkg:pypi/'"),
        ("pkg:pypi/a\nb", "printable"),
        ("pkg:pypi/" + "a" * 2000, "at most 1024"),
    ],
)
def test_a_request_for_something_that_is_not_a_purl_names_it(
    database: Database, world: Portfolio, purl: str, message: str
) -> None:
    with database.session() as s, pytest.raises(InvalidComponent, match=message):
        service.request(s, alice(world), purl, "need it")


def test_an_unknown_entry_is_not_found(database: Database, world: Portfolio) -> None:
    with database.session() as s, pytest.raises(NotFound, match="no catalogue entry with id 99"):
        service.transition(s, bob(world), 99, Action.REVIEW, "x")


def test_the_emergency_ban_works_for_a_component_not_in_the_catalogue(
    database: Database, world: Portfolio
) -> None:
    with database.session() as s:
        entry = service.ban(s, bob(world), "pkg:npm/left-pad", "unpublished and hijacked")
        assert (entry.state, entry.banned_versions, entry.requested_by) == (
            "banned",
            None,
            "user:bob",
        )
    with database.session() as s:
        history = s.scalars(select(CatalogueTransition)).one()
        assert (history.action, history.from_state, history.to_state) == ("ban", None, "banned")
        due = json.loads(history.detail)["due_date"]
        assert due == (date.today() + timedelta(days=14)).isoformat()
        items = s.scalars(select(RemediationItem)).all()
        assert [(i.project_id, i.version_id, i.owner_team_id, i.due_date) for i in items] == [
            (world.web, world.web_latest, world.beta, due)
        ]


def test_a_range_ban_keeps_the_state_and_bans_only_those_versions(
    database: Database, world: Portfolio
) -> None:
    entry_id = _requested(database, world)
    with database.session() as s:
        service.transition(s, carol(world), entry_id, Action.APPROVE, "ok")
    with database.session() as s:
        entry = service.ban(
            s, bob(world), "pkg:pypi/requests", "CVE", versions="<2.30", due_date=TOMORROW
        )
        assert (entry.state, entry.banned_versions) == ("approved", "<2.30")
    with database.session() as s:
        items = s.scalars(select(RemediationItem)).all()
        assert [(i.version_id, i.component_version, i.due_date) for i in items] == [
            (world.payments_latest, "2.28.1", TOMORROW)
        ]
    with database.session() as s:  # a range ban of a component nobody listed yet
        fresh = service.ban(s, bob(world), "pkg:pypi/flask", "CVE", versions="<3")
        assert (fresh.state, fresh.banned_versions) == ("in_review", "<3")


def test_update_is_audited_and_validated(database: Database, world: Portfolio) -> None:
    entry_id = _requested(database, world)
    with database.session() as s:
        service.update(
            s, bob(world), entry_id, recommended_version="2.32.3", allowed_versions=">=2.28",
            owner_team_id=world.beta, reason="2.28 fixed the proxy leak",
        )  # fmt: skip
    with database.session() as s:
        audit = s.scalars(select(AuditEntry).where(AuditEntry.action == "catalogue.update")).one()
        assert json.loads(audit.detail)["changes"] == {
            "allowed_versions": ">=2.28", "owner_team_id": world.beta,
            "recommended_version": "2.32.3",
        }  # fmt: skip
        assert json.loads(audit.detail)["reason"] == "2.28 fixed the proxy leak"
        assert audit.team_id == world.beta
        row = s.scalars(select(CatalogueTransition).where(CatalogueTransition.action == "update"))
        assert row.one().reason == "2.28 fixed the proxy leak"
    with database.session() as s, pytest.raises(service.InvalidChange, match="allowed versions"):
        service.update(s, bob(world), entry_id, allowed_versions="~>2", reason="r")
    with database.session() as s, pytest.raises(service.InvalidChange, match="team 999"):
        service.update(s, bob(world), entry_id, owner_team_id=999)
    with database.session() as s:  # nothing changed: nothing recorded
        service.update(s, bob(world), entry_id, recommended_version="2.32.3")
        assert s.scalar(select(func.count()).where(AuditEntry.action == "catalogue.update")) == 1


def test_a_request_for_another_teams_ownership_is_refused(
    database: Database, world: Portfolio
) -> None:
    with (
        database.session() as s,
        pytest.raises(service.InvalidChange, match="not one of your teams"),
    ):
        service.request(s, alice(world), "pkg:pypi/httpx", "x", owner_team_id=world.beta)
    with database.session() as s:
        entry = service.request(s, alice(world), "pkg:pypi/httpx", "x", owner_team_id=world.alpha)
        assert entry.owner_team_id == world.alpha


def _key(name: str, team: int) -> Principal:
    """A catalogue team's API key: a team credential with an actor of its own."""
    return Principal("key", name, MANAGE, frozenset({team}), key_id=1)


def _entry_of(database: Database, entry_id: int) -> CatalogueEntry:
    with database.session() as s:
        entry = s.get(CatalogueEntry, entry_id)
        assert entry is not None
        s.expunge(entry)
        return entry


@pytest.mark.parametrize("action", [Action.APPROVE, Action.REJECT])
def test_an_api_key_cannot_decide_even_on_another_keys_request(
    database: Database, world: Portfolio, action: Action
) -> None:
    with database.session() as s:  # key 1 of the catalogue team requests
        entry_id = service.request(s, _key("ab12cd34", world.alpha), "pkg:pypi/httpx", "x").id
    with (
        database.session() as s,
        pytest.raises(PersonRequired, match=r"^a person must decide: sign in to the web UI"),
    ):  # key 2 of the same team: a different actor, but no person
        service.transition(s, _key("ef56ab78", world.alpha), entry_id, action, "ok")
    assert _entry_of(database, entry_id).state == "requested"


def test_a_user_cannot_approve_their_own_request_with_the_teams_key(
    database: Database, world: Portfolio
) -> None:
    with database.session() as s:
        entry_id = service.request(s, bob(world), "pkg:pypi/httpx", "async HTTP").id
    with database.session() as s, pytest.raises(PersonRequired):
        service.transition(s, _key("ab12cd34", world.alpha), entry_id, Action.APPROVE, "ok")
    with database.session() as s, pytest.raises(TransitionRefused, match="user:bob requested"):
        service.transition(s, bob(world), entry_id, Action.APPROVE, "ok")


def test_a_keys_request_is_decided_by_any_person_and_the_decision_records_the_key(
    database: Database, world: Portfolio
) -> None:
    with database.session() as s:
        entry_id = service.request(s, _key("ab12cd34", world.alpha), "pkg:pypi/httpx", "x").id
    with database.session() as s:
        service.transition(s, bob(world), entry_id, Action.APPROVE, "vetting is clean")
    with database.session() as s:
        row = s.scalars(
            select(CatalogueTransition).where(CatalogueTransition.action == "approve")
        ).one()
        assert (row.actor, json.loads(row.detail)) == ("user:bob", {"requested_by": "key:ab12cd34"})
        audit = s.scalars(select(AuditEntry).where(AuditEntry.action == "catalogue.approve")).one()
        assert json.loads(audit.detail)["requested_by"] == "key:ab12cd34"


@pytest.mark.parametrize("closing", [Action.REJECT, Action.BAN])
def test_whoever_reopens_an_entry_becomes_its_requester(
    database: Database, world: Portfolio, closing: Action
) -> None:
    entry_id = _requested(database, world)  # alice asks, bob closes it
    with database.session() as s:
        service.transition(s, bob(world), entry_id, closing, "no")
    with database.session() as s:  # carol neither asked nor closed it: she re-opens it ...
        reopened = service.transition(s, carol(world), entry_id, Action.REVIEW, "look again")
        assert (reopened.state, reopened.requested_by) == ("in_review", "user:carol")
    with database.session() as s, pytest.raises(TransitionRefused, match="user:carol requested"):
        service.transition(s, carol(world), entry_id, Action.APPROVE, "fine")  # ... not alone
    with database.session() as s:
        review = s.scalars(
            select(CatalogueTransition).where(CatalogueTransition.action == "review")
        ).one()
        assert json.loads(review.detail) == {"previous_requester": "user:alice"}
    with database.session() as s:
        assert service.transition(s, bob(world), entry_id, Action.APPROVE, "ok").state == "approved"


def test_a_new_request_of_a_rejected_entry_records_the_previous_requester(
    database: Database, world: Portfolio
) -> None:
    entry_id = _requested(database, world)
    with database.session() as s:
        service.transition(s, bob(world), entry_id, Action.REJECT, "use httpx")
    with database.session() as s:
        again = service.transition(s, carol(world), entry_id, Action.REQUEST, "httpx lacks it")
        assert again.requested_by == "user:carol"
    with database.session() as s, pytest.raises(TransitionRefused, match="user:carol requested"):
        service.transition(s, carol(world), entry_id, Action.APPROVE, "fine")
    with database.session() as s:
        rows = s.scalars(
            select(CatalogueTransition)
            .where(CatalogueTransition.action == "request")
            .order_by(CatalogueTransition.id)
        ).all()
        assert [json.loads(r.detail).get("previous_requester") for r in rows] == [
            None, "user:alice",
        ]  # fmt: skip


def test_re_requesting_through_a_transition_keeps_the_owner_and_skips_the_team_check(
    database: Database, world: Portfolio
) -> None:
    with database.session() as s:
        entry_id = service.request(
            s, alice(world), "pkg:pypi/httpx", "x", owner_team_id=world.alpha
        ).id
        service.transition(s, bob(world), entry_id, Action.REJECT, "no")
    outsider = person("dave", VIEW, world.beta)  # may view the portfolio, not in alpha
    with database.session() as s:
        again = service.transition(s, outsider, entry_id, Action.REQUEST, "we need it too")
        assert (again.state, again.owner_team_id, again.requested_by) == (
            "requested", world.alpha, "user:dave",
        )  # fmt: skip


def _approved(database: Database, world: Portfolio, **ranges: str) -> int:
    entry_id = _requested(database, world)
    with database.session() as s:
        service.transition(s, carol(world), entry_id, Action.APPROVE, "ok", **ranges)
    return entry_id


def test_an_edit_of_a_range_needs_a_reason(database: Database, world: Portfolio) -> None:
    entry_id = _approved(database, world)
    for change in ({"allowed_versions": ">=2.28"}, {"banned_versions": "<2.0"}):
        with (
            database.session() as s,
            pytest.raises(service.InvalidChange, match="versions needs a reason"),
        ):
            service.update(s, bob(world), entry_id, **change)  # type: ignore[arg-type]
    entry = _entry_of(database, entry_id)
    assert (entry.allowed_versions, entry.banned_versions) == (None, None)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (">=2.28", None),  # cleared: every version
        (">=2.28", ">=2.20"),  # a lower floor
        ("[2.28,3.0)", "[2.28,3.0]"),  # the upper bound now included
        ("<3", ">=2.0"),  # no upper bound any more
    ],
)
def test_an_edit_may_not_widen_the_allowed_range(
    database: Database, world: Portfolio, old: str, new: str | None
) -> None:
    entry_id = _approved(database, world, allowed_versions=old)
    with database.session() as s, pytest.raises(Conflict, match="needs a second person"):
        service.update(s, bob(world), entry_id, allowed_versions=new, reason="wider")
    assert _entry_of(database, entry_id).allowed_versions == old


@pytest.mark.parametrize(
    ("old", "new"),
    [(None, ">=2.28"), (">=2.28", ">2.28,<3"), ("[2.0,3.0]", "[2.0,3.0)"), ("<3", "<=2.9")],
)
def test_an_edit_may_narrow_the_allowed_range(
    database: Database, world: Portfolio, old: str | None, new: str
) -> None:
    entry_id = _approved(database, world, **({"allowed_versions": old} if old else {}))
    with database.session() as s:
        service.update(s, bob(world), entry_id, allowed_versions=new, reason="narrower")
    assert _entry_of(database, entry_id).allowed_versions == new


def _range_banned(database: Database, world: Portfolio, banned: str) -> int:
    entry_id = _approved(database, world)
    with database.session() as s:
        service.ban(s, bob(world), "pkg:pypi/requests", "CVE", versions=banned)
    return entry_id


@pytest.mark.parametrize("new", [None, "<2.20", ">=2.0,<2.30", "(,2.30)"])
def test_an_edit_may_not_lift_or_narrow_a_banned_range(
    database: Database, world: Portfolio, new: str | None
) -> None:
    entry_id = _range_banned(database, world, "<=2.30")
    with database.session() as s, pytest.raises(Conflict, match="would lift part of the ban"):
        service.update(s, bob(world), entry_id, banned_versions=new, reason="not so bad")
    assert _entry_of(database, entry_id).banned_versions == "<=2.30"


def test_an_edit_may_add_or_extend_a_banned_range(database: Database, world: Portfolio) -> None:
    entry_id = _approved(database, world)
    for banned in ("<2.20", "<2.30", "(,2.30]"):
        with database.session() as s:
            service.update(s, bob(world), entry_id, banned_versions=banned, reason="CVE")
        assert _entry_of(database, entry_id).banned_versions == banned


def test_a_range_ban_may_not_lift_part_of_an_earlier_one(
    database: Database, world: Portfolio
) -> None:
    entry_id = _range_banned(database, world, "<2.30")
    with database.session() as s, pytest.raises(Conflict, match="does not cover the banned range"):
        service.ban(s, bob(world), "pkg:pypi/requests", "smaller", versions="<2.0")
    with database.session() as s:
        assert service.ban(s, bob(world), "pkg:pypi/requests", "more", versions="<2.31").id == (
            entry_id
        )
    assert _entry_of(database, entry_id).banned_versions == "<2.31"


def test_reinstating_may_narrow_the_allowed_range_but_not_widen_it(
    database: Database, world: Portfolio
) -> None:
    entry_id = _approved(database, world, allowed_versions=">=2.28")
    with database.session() as s:
        service.transition(s, bob(world), entry_id, Action.DEPRECATE, "old", sunset_date=TOMORROW)
    with database.session() as s, pytest.raises(Conflict, match=r"would widen '>=2\.28'"):
        service.transition(
            s, bob(world), entry_id, Action.REINSTATE, "back", allowed_versions=">=2.0"
        )
    with database.session() as s:
        back = service.transition(
            s, bob(world), entry_id, Action.REINSTATE, "back", allowed_versions=">=2.30"
        )
        assert (back.state, back.allowed_versions) == ("approved", ">=2.30")
