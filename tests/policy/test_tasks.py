"""The ``policy.evaluate`` task: which versions each kind of trigger reaches (both engines)."""

from __future__ import annotations

from sqlalchemy import select

from assay.api.tasks import TASKS
from assay.core.db import Database
from assay.core.jobs import enqueue
from assay.policy.store import ViolationRow
from assay.policy.tasks import TASKS as POLICY_TASKS
from assay.policy.tasks import evaluate_task, versions_to_evaluate
from tests.inventory.factories import add_components, add_finding, make_project, make_version
from tests.inventory.intake_support import run_jobs
from tests.policy.test_service import MANAGER, policy


def _versions(db: Database) -> dict[str, int]:
    with db.session() as s:
        shop = make_project(s, "shop", None)
        bank = make_project(s, "bank", None)
        v1, v2 = make_version(s, shop, "1.0"), make_version(s, bank, "1.0")
        (req,) = add_components(s, v1, ["pkg:pypi/requests@2.25.0"])
        add_components(s, v2, ["pkg:npm/lodash@4.17.20", "pkg:pypi/Flask@2.0.0"])
        add_finding(s, v1, req, "PYSEC-1", severity="critical")
        return {"shop": v1.id, "bank": v2.id}


def test_arguments_name_versions_by_id_component_or_all(database: Database) -> None:
    ids = _versions(database)
    assert versions_to_evaluate(database, version_ids=[ids["bank"]]) == [ids["bank"]]
    assert versions_to_evaluate(database, components=[["npm", "lodash"]]) == [ids["bank"]]
    assert versions_to_evaluate(database, components=[["PyPI", "flask"]]) == [ids["bank"]]
    assert versions_to_evaluate(database, components=[["PyPI", "requests"], ["npm", "x"]]) == [
        ids["shop"]
    ]
    assert versions_to_evaluate(database, components=[["bad"], ["npm", "none"]]) == []
    assert versions_to_evaluate(database, all=True) == sorted(ids.values())
    assert versions_to_evaluate(database) == []


def test_the_task_is_registered_and_evaluates_by_name(database: Database) -> None:
    assert TASKS["policy.evaluate"] is evaluate_task is POLICY_TASKS["policy.evaluate"]
    ids = _versions(database)
    from assay.policy import service

    with database.session() as s:
        service.put(s, MANAGER, policy("no-critical"))  # queues policy.evaluate all=True
        enqueue(s, "policy.evaluate", version_ids=[ids["shop"], 999_999])  # one deleted since
    run_jobs(database)
    with database.session() as s:
        rows = s.scalars(select(ViolationRow)).all()
        assert [(r.version_id, r.component_purl) for r in rows] == [
            (ids["shop"], "pkg:pypi/requests@2.25.0")
        ]
