"""Tables of delivery events: one typed table per event type, plus child tables for lists.

Design notes
* Each event table has the columns metrics filter and aggregate on, indexed for
  them, and the canonical event as JSON (``data``) with its SHA-256 (``digest``),
  so every number can be traced back to the event that made it.
* The natural key of each event type (docs/events.md) is a unique constraint;
  the store upserts on it, so a re-sent event replaces the stored one when it
  differs and is ``unchanged`` otherwise, never duplicated.
* No foreign keys between event types: a deployment may name commits, runs or a
  change that arrive later (or never). Links are by natural key (repo + sha,
  deployment id, pipeline run id) and resolved when metrics read them, so
  out-of-order arrival is harmless. Child rows (a run's stages and jobs, a
  deployment's commits) belong to their event row and are replaced with it.
* Times are integers: milliseconds since the Unix epoch, UTC (``*_at``
  columns). Window filters, durations (``finished_at - started_at``) and
  day buckets (``finished_at / 86400000``) are then the same plain integer SQL
  on SQLite and PostgreSQL; ISO strings would need julianday() on one and casts
  on the other. ``data`` keeps the ISO 8601 text.
* ``received_at`` is when the stored version arrived (epoch ms) and ``source``
  where from (``jsonl:FILE``, ``junit``, ``git``, ``api`` ...), for live views and audits.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from assay.core.orm import Base
from assay.delivery.events import MAX_ID, MAX_NAME, MAX_PATH, MAX_SHORT

SHA = 64  # SHA-1 (40) or SHA-256 (64) object names


class EventRow:
    """Columns every event table has."""

    pk: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    digest: Mapped[str] = mapped_column(String(64))  # SHA-256 of data
    received_at: Mapped[int] = mapped_column(BigInteger, index=True)
    source: Mapped[str] = mapped_column(String(MAX_PATH), default="")
    data: Mapped[str] = mapped_column(Text)  # the canonical event, JSON


class CommitRow(EventRow, Base):
    __tablename__ = "delivery_commit"
    __table_args__ = (UniqueConstraint("repo", "sha"),)

    repo: Mapped[str] = mapped_column(String(MAX_NAME))
    sha: Mapped[str] = mapped_column(String(SHA))
    authored_at: Mapped[int] = mapped_column(BigInteger)
    committed_at: Mapped[int] = mapped_column(BigInteger)
    author: Mapped[str] = mapped_column(String(MAX_NAME), default="")
    parent_count: Mapped[int] = mapped_column(Integer, default=0)  # > 1: a merge commit


class CommitParentRow(Base):
    """A commit's parents, first parent first; indexed both ways for graph walks."""

    __tablename__ = "delivery_commit_parent"
    __table_args__ = (Index("ix_delivery_commit_parent_repo_parent_sha", "repo", "parent_sha"),)

    commit_pk: Mapped[int] = mapped_column(
        ForeignKey("delivery_commit.pk", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    repo: Mapped[str] = mapped_column(String(MAX_NAME))
    parent_sha: Mapped[str] = mapped_column(String(SHA))


class ChangeRow(EventRow, Base):
    __tablename__ = "delivery_change"
    __table_args__ = (
        UniqueConstraint("repo", "change_id"),
        Index("ix_delivery_change_repo_merge_sha", "repo", "merge_sha"),
        Index("ix_delivery_change_merged_at", "merged_at"),
    )

    repo: Mapped[str] = mapped_column(String(MAX_NAME))
    change_id: Mapped[str] = mapped_column(String(MAX_ID))
    created_at: Mapped[int] = mapped_column(BigInteger)
    first_review_at: Mapped[int | None] = mapped_column(BigInteger)
    merged_at: Mapped[int | None] = mapped_column(BigInteger)
    closed_at: Mapped[int | None] = mapped_column(BigInteger)
    merge_sha: Mapped[str | None] = mapped_column(String(SHA))
    author: Mapped[str] = mapped_column(String(MAX_NAME), default="")
    target_branch: Mapped[str] = mapped_column(String(MAX_NAME), default="")


class ChangeCommitRow(Base):
    __tablename__ = "delivery_change_commit"
    __table_args__ = (Index("ix_delivery_change_commit_repo_sha", "repo", "sha"),)

    change_pk: Mapped[int] = mapped_column(
        ForeignKey("delivery_change.pk", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    repo: Mapped[str] = mapped_column(String(MAX_NAME))
    sha: Mapped[str] = mapped_column(String(SHA))


class PipelineRunRow(EventRow, Base):
    __tablename__ = "delivery_pipeline_run"
    __table_args__ = (
        UniqueConstraint("run_id"),
        Index("ix_delivery_pipeline_run_repo_ref_finished_at", "repo", "ref", "finished_at"),
        Index("ix_delivery_pipeline_run_repo_sha", "repo", "sha"),
        Index("ix_delivery_pipeline_run_finished_at", "finished_at"),
    )

    run_id: Mapped[str] = mapped_column(String(MAX_ID))
    repo: Mapped[str] = mapped_column(String(MAX_NAME))
    sha: Mapped[str] = mapped_column(String(SHA))
    ref: Mapped[str] = mapped_column(String(MAX_PATH))
    name: Mapped[str] = mapped_column(String(MAX_NAME), default="")
    result: Mapped[str] = mapped_column(String(16))
    queued_at: Mapped[int | None] = mapped_column(BigInteger)
    started_at: Mapped[int | None] = mapped_column(BigInteger)
    finished_at: Mapped[int | None] = mapped_column(BigInteger)


class PipelineStageRow(Base):
    __tablename__ = "delivery_pipeline_stage"

    run_pk: Mapped[int] = mapped_column(
        ForeignKey("delivery_pipeline_run.pk", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(MAX_NAME))
    result: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[int | None] = mapped_column(BigInteger)
    finished_at: Mapped[int | None] = mapped_column(BigInteger)


class PipelineJobRow(Base):
    __tablename__ = "delivery_pipeline_job"

    run_pk: Mapped[int] = mapped_column(
        ForeignKey("delivery_pipeline_run.pk", ondelete="CASCADE"), primary_key=True
    )
    stage_position: Mapped[int] = mapped_column(Integer, primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(MAX_NAME))
    result: Mapped[str] = mapped_column(String(16))
    allow_failure: Mapped[bool] = mapped_column(Boolean, default=False)
    queued_at: Mapped[int | None] = mapped_column(BigInteger)
    started_at: Mapped[int | None] = mapped_column(BigInteger)
    finished_at: Mapped[int | None] = mapped_column(BigInteger)


class DeploymentRow(EventRow, Base):
    __tablename__ = "delivery_deployment"
    __table_args__ = (
        UniqueConstraint("deployment_id"),
        Index(
            "ix_delivery_deployment_service_environment_finished_at",
            "service",
            "environment",
            "finished_at",
        ),
        Index("ix_delivery_deployment_environment_finished_at", "environment", "finished_at"),
    )

    deployment_id: Mapped[str] = mapped_column(String(MAX_ID))
    service: Mapped[str] = mapped_column(String(MAX_NAME))
    environment: Mapped[str] = mapped_column(String(MAX_NAME))
    result: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(16), default="normal")
    version: Mapped[str] = mapped_column(String(MAX_NAME), default="")
    started_at: Mapped[int | None] = mapped_column(BigInteger)
    finished_at: Mapped[int] = mapped_column(BigInteger)
    pipeline_run: Mapped[str | None] = mapped_column(String(MAX_ID))


class DeploymentCommitRow(Base):
    __tablename__ = "delivery_deployment_commit"
    __table_args__ = (Index("ix_delivery_deployment_commit_repo_sha", "repo", "sha"),)

    deployment_pk: Mapped[int] = mapped_column(
        ForeignKey("delivery_deployment.pk", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    repo: Mapped[str] = mapped_column(String(MAX_NAME))
    sha: Mapped[str] = mapped_column(String(SHA))


class IncidentRow(EventRow, Base):
    __tablename__ = "delivery_incident"
    __table_args__ = (
        UniqueConstraint("incident_id"),
        Index("ix_delivery_incident_service_created_at", "service", "created_at"),
        Index("ix_delivery_incident_caused_by_deployment", "caused_by_deployment"),
    )

    incident_id: Mapped[str] = mapped_column(String(MAX_ID))
    service: Mapped[str] = mapped_column(String(MAX_NAME))
    severity: Mapped[str] = mapped_column(String(MAX_SHORT), default="")
    created_at: Mapped[int] = mapped_column(BigInteger)
    resolved_at: Mapped[int | None] = mapped_column(BigInteger)
    caused_by_deployment: Mapped[str | None] = mapped_column(String(MAX_ID))


class DefectRow(EventRow, Base):
    __tablename__ = "delivery_defect"
    __table_args__ = (
        UniqueConstraint("defect_id"),
        Index("ix_delivery_defect_service_created_at", "service", "created_at"),
    )

    defect_id: Mapped[str] = mapped_column(String(MAX_ID))
    service: Mapped[str] = mapped_column(String(MAX_NAME))
    severity: Mapped[str] = mapped_column(String(MAX_SHORT), default="")
    found_in: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[int] = mapped_column(BigInteger)
    resolved_at: Mapped[int | None] = mapped_column(BigInteger)


class TestRunRow(EventRow, Base):
    __test__ = False  # not a pytest test class
    __tablename__ = "delivery_test_run"
    __table_args__ = (UniqueConstraint("repo", "sha", "suite", "run_id"),)

    repo: Mapped[str] = mapped_column(String(MAX_NAME))
    sha: Mapped[str] = mapped_column(String(SHA))
    suite: Mapped[str] = mapped_column(String(MAX_NAME))
    run_id: Mapped[str] = mapped_column(String(MAX_ID), default="")
    pipeline_run: Mapped[str | None] = mapped_column(String(MAX_ID))
    started_at: Mapped[int | None] = mapped_column(BigInteger)
    seconds: Mapped[float | None] = mapped_column(Float)
    tests: Mapped[int] = mapped_column(Integer)
    passed: Mapped[int] = mapped_column(Integer)
    failed: Mapped[int] = mapped_column(Integer)
    errors: Mapped[int] = mapped_column(Integer)
    skipped: Mapped[int] = mapped_column(Integer)


class TestCaseRow(Base):
    __test__ = False
    __tablename__ = "delivery_test_case"

    run_pk: Mapped[int] = mapped_column(
        ForeignKey("delivery_test_run.pk", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    suite: Mapped[str] = mapped_column(String(MAX_PATH), default="")
    classname: Mapped[str] = mapped_column(String(MAX_PATH), default="")
    name: Mapped[str] = mapped_column(String(MAX_PATH))
    file: Mapped[str] = mapped_column(String(MAX_PATH), default="")
    result: Mapped[str] = mapped_column(String(8))  # passed | failed | error | skipped
    seconds: Mapped[float | None] = mapped_column(Float)
    error_type: Mapped[str] = mapped_column(String(MAX_PATH), default="")
    message: Mapped[str] = mapped_column(Text, default="")


class CoverageRow(EventRow, Base):
    __tablename__ = "delivery_coverage"
    __table_args__ = (UniqueConstraint("repo", "sha", "format", "report_id"),)

    repo: Mapped[str] = mapped_column(String(MAX_NAME))
    sha: Mapped[str] = mapped_column(String(SHA))
    format: Mapped[str] = mapped_column(String(16))
    report_id: Mapped[str] = mapped_column(String(MAX_ID), default="")
    pipeline_run: Mapped[str | None] = mapped_column(String(MAX_ID))
    measured_at: Mapped[int | None] = mapped_column(BigInteger)
    lines_covered: Mapped[int] = mapped_column(Integer)
    lines_valid: Mapped[int] = mapped_column(Integer)
    branches_covered: Mapped[int | None] = mapped_column(Integer)
    branches_valid: Mapped[int | None] = mapped_column(Integer)


class CoverageFileRow(Base):
    __tablename__ = "delivery_coverage_file"

    coverage_pk: Mapped[int] = mapped_column(
        ForeignKey("delivery_coverage.pk", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    path: Mapped[str] = mapped_column(String(MAX_PATH))
    lines_covered: Mapped[int] = mapped_column(Integer)
    lines_valid: Mapped[int] = mapped_column(Integer)
    branches_covered: Mapped[int | None] = mapped_column(Integer)
    branches_valid: Mapped[int | None] = mapped_column(Integer)


class ServiceRow(Base):
    """A service's delivery configuration (assay.delivery.config), from a file or the API."""

    __tablename__ = "delivery_service"
    __table_args__ = (UniqueConstraint("name"),)

    pk: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(MAX_NAME))
    team: Mapped[str] = mapped_column(String(MAX_NAME), default="", index=True)
    data: Mapped[str] = mapped_column(Text)  # ServiceConfig.to_dict() as JSON
    updated_at: Mapped[int] = mapped_column(BigInteger)
    updated_by: Mapped[str] = mapped_column(String(MAX_NAME), default="")
