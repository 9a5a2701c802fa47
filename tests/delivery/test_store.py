"""The event store: idempotent, batched upserts by natural key, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from assay.core.audit import AuditEntry
from assay.core.db import Database
from assay.delivery import models as m
from assay.delivery import store
from assay.delivery.events import (
    Change,
    Commit,
    CommitRef,
    Coverage,
    Defect,
    Deployment,
    FileCoverage,
    Incident,
    Job,
    PipelineRun,
    Stage,
    TestCase,
    TestRun,
)
from assay.delivery.store import IngestResult, from_ms, ingest, ms

IST = timezone(timedelta(hours=5, minutes=30))
T0 = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)
SHA1 = "a" * 40
SHA2 = "b" * 40
SHA3 = "c" * 64


def one_of_each() -> list:
    return [
        Commit("acme/pay", SHA1, T0, T0, "ann", ()),
        Commit("acme/pay", SHA2, T0 + timedelta(hours=1), T0 + timedelta(hours=1), "bob", (SHA1,)),
        Change(
            "acme/pay",
            "12",
            T0,
            merged_at=T0 + timedelta(hours=3),
            merge_sha=SHA2,
            commits=(SHA1,),
        ),
        PipelineRun(
            "run-1",
            "acme/pay",
            SHA2,
            "main",
            "success",
            queued_at=T0,
            started_at=T0 + timedelta(minutes=2),
            finished_at=T0 + timedelta(minutes=9),
            stages=(
                Stage("build", "success", jobs=(Job("compile", "success"),)),
                Stage("deploy", "success", jobs=(Job("lint", "failure", allow_failure=True),)),
            ),
        ),
        Deployment(
            "dep-1",
            "payments",
            "production",
            "success",
            T0 + timedelta(hours=4),
            commits=(CommitRef("acme/pay", SHA2),),
        ),
        Incident(
            "inc-1", "payments", T0 + timedelta(hours=5), "sev1", caused_by_deployment="dep-1"
        ),
        Defect("BUG-1", "payments", T0, "production"),
        TestRun(
            "acme/pay",
            SHA2,
            "pytest",
            cases=(TestCase("test_a", "passed"), TestCase("test_b", "failed", message="boom")),
        ),
        Coverage(
            "acme/pay",
            SHA2,
            "lcov",
            8,
            10,
            1,
            2,
            files=(FileCoverage("a.py", 8, 10, 1, 2),),
        ),
    ]


def count(db: Database, model: type) -> int:
    with db.session() as s:
        return s.execute(select(func.count()).select_from(model)).scalar_one()


def test_every_type_is_stored_once_and_resending_is_unchanged(database: Database) -> None:
    events = one_of_each()
    with database.session() as s:
        assert ingest(s, events, source="test") == IngestResult(inserted=9)
    with database.session() as s:
        assert ingest(s, events) == IngestResult(unchanged=9)
    for model, expected in [
        (m.CommitRow, 2),
        (m.CommitParentRow, 1),
        (m.ChangeRow, 1),
        (m.ChangeCommitRow, 1),
        (m.PipelineRunRow, 1),
        (m.PipelineStageRow, 2),
        (m.PipelineJobRow, 2),
        (m.DeploymentRow, 1),
        (m.DeploymentCommitRow, 1),
        (m.IncidentRow, 1),
        (m.DefectRow, 1),
        (m.TestRunRow, 1),
        (m.TestCaseRow, 2),
        (m.CoverageRow, 1),
        (m.CoverageFileRow, 1),
    ]:
        assert count(database, model) == expected, model.__tablename__
    with database.session() as s:
        job = s.execute(
            select(m.PipelineJobRow).where(m.PipelineJobRow.name == "lint")
        ).scalar_one()
        assert job.allow_failure and job.result == "failure" and job.stage_position == 1
        run = s.execute(select(m.TestRunRow)).scalar_one()
        assert (run.tests, run.passed, run.failed) == (2, 1, 1)
        audits = s.execute(select(AuditEntry).where(AuditEntry.action == "events.ingest")).scalars()
        assert [json.loads(a.detail)["inserted"] for a in audits] == [9, 0]


def test_a_changed_event_replaces_the_row_and_its_children(database: Database) -> None:
    first = Deployment(
        "dep-1",
        "payments",
        "production",
        "failure",
        T0,
        commits=(CommitRef("acme/pay", SHA1), CommitRef("acme/pay", SHA2)),
    )
    second = Deployment(
        "dep-1", "payments", "production", "success", T0, commits=(CommitRef("acme/pay", SHA3),)
    )
    with database.session() as s:
        assert ingest(s, [first]) == IngestResult(inserted=1)
    with database.session() as s:
        assert ingest(s, [second]) == IngestResult(updated=1)
    with database.session() as s:
        row = s.execute(select(m.DeploymentRow)).scalar_one()
        assert row.result == "success"
        assert json.loads(row.data)["result"] == "success"
        shas = s.execute(select(m.DeploymentCommitRow.sha)).scalars().all()
        assert shas == [SHA3]


def test_duplicates_inside_one_batch_count_as_sequential_ingestion(database: Database) -> None:
    a = Incident("inc-1", "payments", T0, "sev2")
    b = Incident("inc-1", "payments", T0, "sev1")
    with database.session() as s:
        assert ingest(s, [a, a, b, b, a]) == IngestResult(inserted=1, unchanged=2, updated=2)
    with database.session() as s:
        assert s.execute(select(m.IncidentRow.severity)).scalar_one() == "sev2"


def test_batches_smaller_than_the_input_give_the_same_counts(database: Database) -> None:
    commits = [
        Commit("r", f"{i:040x}", T0 + timedelta(seconds=i), T0, parents=(f"{i - 1:040x}",))
        for i in range(1, 26)
    ]
    with database.session() as s:
        assert ingest(s, commits, batch=7) == IngestResult(inserted=25)
    with database.session() as s:
        assert ingest(s, commits[::-1] + commits[:3], batch=4) == IngestResult(unchanged=28)
    assert count(database, m.CommitParentRow) == 25


def test_out_of_order_arrival_is_harmless(database: Database) -> None:
    """A deployment may arrive before its commits, an incident before its deployment."""
    events = one_of_each()
    with database.session() as s:
        assert ingest(s, events[::-1]) == IngestResult(inserted=9)
    with database.session() as s:
        joined = (
            s.execute(
                select(m.CommitRow.sha).join(
                    m.DeploymentCommitRow,
                    (m.DeploymentCommitRow.repo == m.CommitRow.repo)
                    & (m.DeploymentCommitRow.sha == m.CommitRow.sha),
                )
            )
            .scalars()
            .all()
        )
        assert joined == [SHA2]


def test_times_are_utc_epoch_milliseconds(database: Database) -> None:
    local = datetime(2026, 3, 29, 6, 0, 0, 123456, tzinfo=IST)  # 00:30:00.123456 UTC
    with database.session() as s:
        ingest(s, [Commit("r", SHA1, local, local)])
    with database.session() as s:
        row = s.execute(select(m.CommitRow)).scalar_one()
        assert row.authored_at == ms(T0) + 123
        assert from_ms(row.authored_at) == T0 + timedelta(milliseconds=123)
        assert json.loads(row.data)["authored_at"] == "2026-03-29T00:30:00.123456Z"
    assert ms(datetime(1969, 12, 31, 23, 59, 59, 999000, tzinfo=UTC)) == -1


def test_large_events_are_written_in_smaller_batches(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A batch is flushed by size too; the counts stay those of one-by-one ingestion."""
    monkeypatch.setattr(store, "BATCH_BYTES", 1)
    cases = tuple(TestCase(f"test_{i}", "passed" if i % 7 else "failed") for i in range(3000))
    run = TestRun("acme/pay", SHA1, "unit", cases=cases)
    rerun = TestRun("acme/pay", SHA1, "unit", cases=cases[:10])
    with database.session() as s:
        assert ingest(s, [run, run, rerun]) == IngestResult(inserted=1, unchanged=1, updated=1)
    assert count(database, m.TestCaseRow) == 10
    with database.session() as s:
        assert ingest(s, [run]) == IngestResult(updated=1)
    with database.session() as s:
        row = s.execute(select(m.TestRunRow)).scalar_one()
        assert (row.tests, row.failed) == (3000, 429)
    assert count(database, m.TestCaseRow) == 3000
