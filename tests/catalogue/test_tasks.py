"""The ``catalogue.vet`` task: the real vetting of a requested component, stored beside it."""

from __future__ import annotations

import dataclasses
import json

import pytest
from sqlalchemy import select

from assay.api.tasks import TASKS as SERVER_TASKS
from assay.catalogue import service
from assay.catalogue.models import VettingReport
from assay.catalogue.tasks import TASKS, _not_run, vet_entry
from assay.core.db import Database
from assay.core.jobs import Job, drain
from tests.catalogue._support import Portfolio, alice, portfolio


@pytest.fixture
def world(database: Database) -> Portfolio:
    with database.session() as s:
        return portfolio(s)


def test_the_task_is_registered_for_the_server() -> None:
    assert SERVER_TASKS["catalogue.vet"] is vet_entry
    assert {"catalogue.vet": vet_entry} == TASKS


@pytest.mark.parametrize(
    ("report", "not_run"),
    [
        ({"checks": [{"name": "typosquat", "status": "pass"}]}, False),
        ({"checks": [{"name": "registry", "status": "not_run", "reason": "offline"}]}, True),
        ({"checks": [{"name": "a", "status": "pass", "details": ["status: not_run"]}]}, False),
        ({"checks": []}, False),
        ({}, False),
    ],
)
def test_a_report_is_complete_unless_a_check_could_not_run(
    report: dict[str, object], not_run: bool
) -> None:
    assert _not_run(report) is not_run


def test_an_entry_deleted_before_the_job_runs_leaves_nothing(database: Database) -> None:
    vet_entry(database, entry_id=12345, purl="pkg:pypi/requests@2.32.3")
    with database.session() as s:
        assert s.scalars(select(VettingReport)).all() == []


def test_a_request_is_vetted_offline_and_the_report_says_what_could_not_run(
    database: Database, world: Portfolio
) -> None:
    pytest.importorskip(
        "assay.vetting.vet", reason="assay.vetting.vet (issue 5, vetting) not here yet"
    )
    offline = Database(dataclasses.replace(database.settings, offline=True))
    try:
        with offline.session() as s:
            entry_id = service.request(s, alice(world), "pkg:pypi/requests@2.32.3", "http").id
            s.query(Job).filter(Job.kind != "catalogue.vet").delete()
        assert drain(offline, TASKS) == 1
        with offline.session() as s:
            job = s.scalars(select(Job)).one()
            assert (job.state, job.error) == ("done", None)
            report = s.scalars(select(VettingReport)).one()
            assert (report.entry_id, report.purl) == (entry_id, "pkg:pypi/requests@2.32.3")
            assert report.verdict in {"pass", "review", "fail"}
            assert report.complete is False  # offline: the registry checks could not run
            assert json.loads(report.report)
            assert report.created_by == "system:assay"
    finally:
        offline.dispose()


def test_a_request_without_a_version_gets_a_report_saying_vetting_could_not_run(
    database: Database, world: Portfolio
) -> None:
    pytest.importorskip("assay.vetting.vet", reason="assay.vetting.vet not here yet")
    offline = Database(dataclasses.replace(database.settings, offline=True))
    try:
        with offline.session() as s:
            entry_id = service.request(s, alice(world), "pkg:pypi/requests", "http").id
            s.query(Job).filter(Job.kind != "catalogue.vet").delete()
        assert drain(offline, TASKS) == 1
        with offline.session() as s:
            assert s.scalars(select(Job.state)).one() == "done"  # not retried: it cannot change
            report = s.scalars(select(VettingReport)).one()
            assert (report.entry_id, report.verdict, report.complete) == (entry_id, "review", False)
            (check,) = json.loads(report.report)["checks"]
            assert check["status"] == "not_run"
            assert "has no version" in check["summary"]
    finally:
        offline.dispose()
