"""Stored policies: apply (upsert by digest, prune), put, delete, seeding, audit (both engines)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select

from assay.core.audit import AuditEntry
from assay.core.db import Database
from assay.core.errors import Forbidden, NotFound
from assay.core.jobs import Job
from assay.core.permissions import SYSTEM, Permission, Principal
from assay.policy import service
from assay.policy.conditions.interface import InvalidPolicy
from assay.policy.loader import policy_from_dict
from assay.policy.model import Policy
from assay.policy.starter import starter_policies
from assay.policy.store import PolicyRow
from tests.inventory.factories import make_project, make_version

MANAGER = Principal("user", "pat", frozenset({Permission.MANAGE_POLICY}), frozenset())
VIEWER = Principal("user", "val", frozenset({Permission.VIEW_PORTFOLIO}), frozenset())


def policy(name: str, level: str = "critical", **extra: Any) -> Policy:
    data = {"name": name, "verdict": "fail", "conditions": [{"severity": {"at_least": level}}]}
    return policy_from_dict({**data, **extra}, "test")


def _audit(db: Database) -> list[tuple[str, str]]:
    with db.session() as s:
        rows = s.scalars(select(AuditEntry).where(AuditEntry.action.like("policy.%")))
        return [(r.action, r.target_id) for r in rows]


def _jobs(db: Database) -> list[dict[str, Any]]:
    with db.session() as s:
        return [
            json.loads(j.args) for j in s.scalars(select(Job).where(Job.kind == "policy.evaluate"))
        ]


def test_apply_creates_then_reports_unchanged_updated_and_pruned(database: Database) -> None:
    with database.session() as s:
        first = service.apply(s, MANAGER, [policy("a"), policy("b")], "p.yaml")
    assert (first.created, first.updated, first.unchanged) == (("a", "b"), (), ())
    with database.session() as s:
        again = service.apply(s, MANAGER, [policy("a"), policy("b")], "p.yaml")
    assert (again.created, again.updated, again.unchanged, again.changed) == (
        (),
        (),
        ("a", "b"),
        False,
    )
    with database.session() as s:
        planned = service.plan(s, [policy("a", "high")], prune=True)
        changed = service.apply(s, MANAGER, [policy("a", "high")], "p.yaml", prune=True)
    assert planned == changed
    assert (changed.updated, changed.removed) == (("a",), ("b",))
    with database.session() as s:
        assert [r.name for r in service.list_policies(s)] == ["a"]
        (stored,) = service.active_policies(s)
        assert service.digest(stored) == service.digest(policy("a", "high"))
        assert service.get(s, "a").updated_by == "user:pat" and stored.source == "p.yaml"
    assert _audit(database) == [
        ("policy.create", "a"), ("policy.create", "b"),
        ("policy.update", "a"), ("policy.delete", "b"),
    ]  # fmt: skip
    assert _jobs(database) == [{"all": True}, {"all": True}]  # not for the unchanged apply


def test_put_and_delete_one_policy(database: Database) -> None:
    with database.session() as s:
        assert service.put(s, MANAGER, policy("one")) == "created"
        assert service.put(s, MANAGER, policy("one")) == "unchanged"
        assert service.put(s, MANAGER, policy("one", enabled=False)) == "updated"
        assert service.active_policies(s) == []  # disabled
    with database.session() as s:
        service.delete(s, MANAGER, "one")
        with pytest.raises(NotFound, match="no policy named 'one'"):
            service.get(s, "one")
        with pytest.raises(NotFound):
            service.delete(s, MANAGER, "one")
    assert [a for a, _ in _audit(database)] == ["policy.create", "policy.update", "policy.delete"]


def test_writing_needs_manage_policy_and_a_set_names_each_policy_once(database: Database) -> None:
    with database.session() as s:
        with pytest.raises(Forbidden, match="manage_policy"):
            service.apply(s, VIEWER, [policy("a")], "x")
        with pytest.raises(Forbidden):
            service.put(s, VIEWER, policy("a"))
        with pytest.raises(Forbidden):
            service.delete(s, VIEWER, "a")
        with pytest.raises(InvalidPolicy, match="policy 'a' is defined twice"):
            service.apply(s, MANAGER, [policy("a"), policy("a", "high")], "x")
    with database.session() as s:
        assert service.list_policies(s) == []
    assert _audit(database) == []


def test_a_stored_policy_that_no_longer_reads_is_an_error_not_a_pass(database: Database) -> None:
    with database.session() as s:
        service.put(s, MANAGER, policy("a"))
    with database.session() as s:
        service.get(s, "a").conditions = json.dumps([{"no-such-kind": {}}])
    with database.session() as s, pytest.raises(InvalidPolicy, match="stored policy 'a'"):
        service.active_policies(s)


def test_starter_policies_are_seeded_once_per_database(database: Database) -> None:
    names = sorted(p.name for p in starter_policies())
    with database.session() as s:
        assert service.seed_starter(s) is True
    with database.session() as s:
        assert [r.name for r in service.list_policies(s)] == names
        assert service.seed_starter(s) is False
        service.apply(s, SYSTEM, [], "cleanup", prune=True)
    with database.session() as s:
        assert service.seed_starter(s) is False  # deleting them does not bring them back
        assert service.list_policies(s) == []
    assert _jobs(database) == [{"all": True}]  # only for the prune: no version existed at seeding


def test_seeding_an_existing_portfolio_queues_an_evaluation(database: Database) -> None:
    with database.session() as s:
        make_version(s, make_project(s, "shop", None))
    with database.session() as s:
        assert service.seed_starter(s) is True
        assert s.scalar(select(PolicyRow.id).limit(1)) is not None
    assert _jobs(database) == [{"all": True}]
