"""Stored service configurations: files in, apply by name (audited), resolve a selection."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from assay.core.audit import AuditEntry
from assay.core.db import Database
from assay.delivery.config import InvalidServiceConfig, ServiceConfig
from assay.delivery.events import Defect, Deployment, Incident
from assay.delivery.services import apply, configured, event_services, load_file, resolve
from assay.delivery.store import ingest

T0 = datetime(2026, 3, 1, tzinfo=UTC)

YAML = """\
services:
  - name: payments
    team: pay-team
    repos: [acme/pay]
    production_environments: [prod-eu]
  - name: ledger
"""


def test_a_yaml_file_is_read(tmp_path: Path) -> None:
    path = tmp_path / "services.yaml"
    path.write_text(YAML)
    got = load_file(path)
    assert [c.name for c in got] == ["payments", "ledger"]
    assert got[0].production_environments == ("prod-eu",)


def test_a_json_file_is_read(tmp_path: Path) -> None:
    path = tmp_path / "services.json"
    path.write_text(json.dumps({"services": [{"name": "a", "team": "t"}]}))
    assert load_file(path)[0].team == "t"


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("empty.yaml", "", "file is empty"),
        ("truncated.yaml", "services:\n  - name: [a", "invalid YAML"),
        ("wrong.yaml", "- just\n- a list\n", "expected a mapping"),
        ("truncated.json", '{"services": [', "truncated.json"),
        ("deep.yaml", "services: " + "[" * 5000 + "]" * 5000, "deep"),
        (
            "anchors.yaml",
            "a: &a [x, x]\nb: &b [*a, *a]\nservices: [*b]\n",
            "anchors and aliases are not accepted",
        ),
        ("null.yaml", "~\n", "expected a mapping with one key, 'services'"),
    ],
)
def test_bad_files_are_one_line_errors(tmp_path: Path, name: str, text: str, message: str) -> None:
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(InvalidServiceConfig) as caught:
        load_file(path)
    assert str(path) in str(caught.value)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_apply_adds_changes_keeps_and_prunes(database: Database) -> None:
    first = [ServiceConfig("a", team="t1"), ServiceConfig("b")]
    with database.session() as s:
        done = apply(s, first, actor="user:pat")
    assert (done.added, done.changed, done.removed) == (("a", "b"), (), ())
    with database.session() as s:
        planned = apply(
            s, [ServiceConfig("a", team="t2")], actor="user:pat", prune=True, dry_run=True
        )
    assert (planned.changed, planned.removed) == (("a",), ("b",))
    with database.session() as s:
        assert configured(s)["a"].team == "t1"  # a dry run changes nothing
        done = apply(s, [ServiceConfig("a", team="t2")], actor="user:pat", prune=True)
    assert (done.changed, done.removed) == (("a",), ("b",))
    with database.session() as s:
        stored = configured(s)
        assert list(stored) == ["a"]
        assert stored["a"].team == "t2"
        assert stored["a"].configured
        again = apply(s, [ServiceConfig("a", team="t2")], actor="user:pat")
        assert again.unchanged == ("a",)
        actions = s.scalars(
            select(AuditEntry.action).where(AuditEntry.target_type == "delivery_service")
        ).all()
    assert sorted(actions) == [
        "delivery.service.apply", "delivery.service.apply", "delivery.service.apply",
        "delivery.service.remove",
    ]  # fmt: skip


def test_resolve_includes_services_seen_only_in_events(database: Database) -> None:
    with database.session() as s:
        ingest(
            s,
            [
                Deployment("d1", "orders", "production", "success", T0),
                Incident("i1", "search", T0),
                Defect("x1", "billing", T0, "testing"),
            ],
        )
        apply(s, [ServiceConfig("payments", team="pay")], actor="cli")
    with database.session() as s:
        assert event_services(s) == {"orders", "search", "billing"}
        everything = resolve(s)
        assert [c.name for c in everything] == ["billing", "orders", "payments", "search"]
        assert not everything[1].configured
        assert [c.name for c in resolve(s, team="pay")] == ["payments"]
        assert [c.name for c in resolve(s, ["orders", "nope"])] == ["orders"]
        assert [c.name for c in resolve(s, visible={"payments", "search"})] == [
            "payments",
            "search",
        ]
        assert resolve(s, visible=set()) == []
