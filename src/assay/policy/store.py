"""The server's tables of policies, their violations, and waivers."""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from assay.core.orm import Base


class PolicyRow(Base):
    __tablename__ = "policy"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    verdict: Mapped[str] = mapped_column(String(8))
    match: Mapped[str] = mapped_column(String(8), default="all")
    scope: Mapped[str] = mapped_column(Text, default="{}")  # JSON, as the policy file writes it
    conditions: Mapped[str] = mapped_column(Text)  # JSON list, as the policy file writes it
    remediation: Mapped[str] = mapped_column(Text, default="")
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    source: Mapped[str] = mapped_column(String(512), default="")  # file it was applied from
    digest: Mapped[str] = mapped_column(String(64))  # sha256 of the canonical JSON
    created_at: Mapped[str] = mapped_column(String(40))
    updated_at: Mapped[str] = mapped_column(String(40))
    updated_by: Mapped[str] = mapped_column(String(160))


class ViolationRow(Base):
    """A policy violated (or not evaluable) by a component of a project version.

    Kept like findings: keyed by (version, policy, component purl), never deleted while
    the version exists; ``resolved_at`` is set when it no longer holds.
    """

    __tablename__ = "policy_violation"
    __table_args__ = (
        UniqueConstraint("version_id", "policy_name", "component_purl"),
        Index("ix_policy_violation_open", "project_id", "resolved_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("project_version.id", ondelete="CASCADE"), index=True
    )
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    policy_name: Mapped[str] = mapped_column(String(100), index=True)
    verdict: Mapped[str] = mapped_column(String(8))
    outcome: Mapped[str] = mapped_column(String(16), default="violation")  # | unevaluated
    component_purl: Mapped[str] = mapped_column(String(1024), default="")  # "": the project
    component_name: Mapped[str] = mapped_column(String(512), default="")
    component_version: Mapped[str] = mapped_column(String(256), default="")
    reasons: Mapped[str] = mapped_column(
        Text, default="[]"
    )  # JSON list (missing data if unevaluated)
    waiver_id: Mapped[int | None] = mapped_column(
        ForeignKey("policy_waiver.id", ondelete="SET NULL")
    )
    first_seen_at: Mapped[str] = mapped_column(String(40))
    last_seen_at: Mapped[str] = mapped_column(String(40))
    resolved_at: Mapped[str | None] = mapped_column(String(40))


class WaiverRow(Base):
    __tablename__ = "policy_waiver"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    policy_name: Mapped[str] = mapped_column(String(100), index=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("project.id", ondelete="CASCADE"), index=True
    )
    component: Mapped[str | None] = mapped_column(String(1024))  # purl without version, globs
    versions: Mapped[str | None] = mapped_column(String(300))  # range of the component's versions
    reason: Mapped[str] = mapped_column(Text)
    expires_on: Mapped[str] = mapped_column(String(10))  # YYYY-MM-DD, last day it applies
    created_by: Mapped[str] = mapped_column(String(160))
    created_at: Mapped[str] = mapped_column(String(40))
    revoked_by: Mapped[str | None] = mapped_column(String(160))
    revoked_at: Mapped[str | None] = mapped_column(String(40))
