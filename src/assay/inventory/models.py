"""Tables of the portfolio: projects, versions, components, findings, triage, trends.

Design notes
* A project version's components are replaced whole on every BOM upload, in
  the same transaction that updates its findings, so a reader never sees a
  half-processed version.
* Findings are keyed by (version, component purl, vulnerability id), not by a
  component row, so they outlive the component rows a re-upload replaces: a
  finding whose component or advisory is gone gets ``resolved_at`` and is never
  deleted. ``vuln_id`` is the group's primary id (:func:`assay.vulndb.ids.primary_id`):
  CVE and GHSA of one flaw are one finding.
* Counts per severity are kept on the version row, so the project list is one
  indexed query however large the portfolio.
* Analysis decisions are never updated: a new decision supersedes older ones.
  A decision applies to one finding, or to a vulnerability across a project
  version, a project (every version) or the portfolio; the most specific
  unexpired decision wins.
* Risk snapshots are append-only; a trend reads the last snapshot of each day.
* Timestamps are ISO 8601 UTC strings (:mod:`assay.core.clock`).
"""

from __future__ import annotations

from sqlalchemy import (
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

SEVERITY_COLUMNS = ("critical", "high", "medium", "low", "unknown")


class Project(Base):
    __tablename__ = "project"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(256), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    business_unit: Mapped[str] = mapped_column(String(128), default="")
    team_id: Mapped[int | None] = mapped_column(
        ForeignKey("team.id", ondelete="SET NULL"), index=True
    )
    criticality: Mapped[str] = mapped_column(String(16), default="medium")
    exposure: Mapped[str] = mapped_column(String(16), default="internal")
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("project.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[str] = mapped_column(String(40))
    updated_at: Mapped[str] = mapped_column(String(40))


class ProjectTag(Base):
    __tablename__ = "project_tag"

    project_id: Mapped[int] = mapped_column(
        ForeignKey("project.id", ondelete="CASCADE"), primary_key=True
    )
    tag: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)


class ProjectVersion(Base):
    __tablename__ = "project_version"
    __table_args__ = (UniqueConstraint("project_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("project.id", ondelete="CASCADE"), index=True
    )
    version: Mapped[str] = mapped_column(String(128))
    is_latest: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[str] = mapped_column(String(40))
    analysed_at: Mapped[str | None] = mapped_column(String(40))  # last BOM processed
    bom_digest: Mapped[str | None] = mapped_column(String(64))  # blob of the last BOM
    bom_format: Mapped[str | None] = mapped_column(String(64))
    components: Mapped[int] = mapped_column(Integer, default=0)
    critical: Mapped[int] = mapped_column(Integer, default=0)  # open, unsuppressed findings
    high: Mapped[int] = mapped_column(Integer, default=0)
    medium: Mapped[int] = mapped_column(Integer, default=0)
    low: Mapped[int] = mapped_column(Integer, default=0)
    unknown: Mapped[int] = mapped_column(Integer, default=0)
    suppressed: Mapped[int] = mapped_column(Integer, default=0)
    quality_score: Mapped[float | None] = mapped_column(Float)  # SBOM quality 0..100


class ComponentRow(Base):
    __tablename__ = "component"
    __table_args__ = (
        Index("ix_component_ecosystem_name_version", "ecosystem", "name", "version"),
        Index("ix_component_purl", "purl"),
        Index("ix_component_licenses", "licenses"),
        Index("ix_component_ecosystem_source_name", "ecosystem", "source_name"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("project_version.id", ondelete="CASCADE"), index=True
    )
    ecosystem: Mapped[str] = mapped_column(String(64), default="")  # OSV name; "" without purl
    name: Mapped[str] = mapped_column(String(512))  # normalised for its ecosystem
    display_name: Mapped[str] = mapped_column(String(512))  # as the BOM writes it
    version: Mapped[str] = mapped_column(String(256), default="")
    purl: Mapped[str | None] = mapped_column(String(1024))  # as the BOM writes it
    licenses: Mapped[str | None] = mapped_column(String(1024))  # SPDX expression
    scope: Mapped[str] = mapped_column(String(16), default="required")
    direct: Mapped[bool | None] = mapped_column(Boolean)
    bom_ref: Mapped[str] = mapped_column(String(1024))
    hashes: Mapped[str] = mapped_column(Text, default="[]")  # JSON [[alg, value], ...]
    source: Mapped[str] = mapped_column(Text, default="")
    # The source package an OS binary package was built from (normalised), which is
    # what Debian-like advisories name; kept so re-matching after a sync finds it.
    source_name: Mapped[str | None] = mapped_column(String(512))
    source_version: Mapped[str | None] = mapped_column(String(256))


class ComponentEdge(Base):
    __tablename__ = "component_edge"

    version_id: Mapped[int] = mapped_column(
        ForeignKey("project_version.id", ondelete="CASCADE"), primary_key=True
    )
    parent: Mapped[str] = mapped_column(String(1024), primary_key=True)  # bom_ref
    child: Mapped[str] = mapped_column(String(1024), primary_key=True)


class FindingRow(Base):
    __tablename__ = "finding"
    __table_args__ = (
        UniqueConstraint("version_id", "component_purl", "vuln_id"),
        Index("ix_finding_version_id_resolved_at", "version_id", "resolved_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("project_version.id", ondelete="CASCADE"))
    project_id: Mapped[int] = mapped_column(
        ForeignKey("project.id", ondelete="CASCADE"), index=True
    )
    component_purl: Mapped[str] = mapped_column(String(1024))
    component_name: Mapped[str] = mapped_column(String(512))
    component_version: Mapped[str] = mapped_column(String(256))
    ecosystem: Mapped[str] = mapped_column(String(64))
    vuln_id: Mapped[str] = mapped_column(String(128), index=True)
    aliases: Mapped[str] = mapped_column(Text, default="[]")  # JSON list, every id of the group
    summary: Mapped[str] = mapped_column(Text, default="")
    severity: Mapped[str] = mapped_column(String(16), default="unknown")
    cvss_score: Mapped[float | None] = mapped_column(Float)
    fixed_versions: Mapped[str] = mapped_column(Text, default="[]")  # JSON list
    fix: Mapped[str | None] = mapped_column(String(256))  # smallest upgrade fixing all
    first_seen_at: Mapped[str] = mapped_column(String(40))
    last_seen_at: Mapped[str] = mapped_column(String(40))
    resolved_at: Mapped[str | None] = mapped_column(String(40))


class AnalysisDecision(Base):
    """A triage decision in the CycloneDX VEX vocabulary; never updated, only superseded."""

    __tablename__ = "analysis_decision"
    __table_args__ = (Index("ix_analysis_decision_vuln_id_scope", "vuln_id", "scope"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    vuln_id: Mapped[str] = mapped_column(String(128))
    scope: Mapped[str] = mapped_column(String(16))  # finding | version | project | portfolio
    finding_id: Mapped[int | None] = mapped_column(
        ForeignKey("finding.id", ondelete="CASCADE"), index=True
    )
    version_id: Mapped[int | None] = mapped_column(
        ForeignKey("project_version.id", ondelete="CASCADE")
    )
    project_id: Mapped[int | None] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    component_purl: Mapped[str | None] = mapped_column(String(1024))  # None: any component
    state: Mapped[str] = mapped_column(String(32))  # in_triage, exploitable, resolved, ...
    justification: Mapped[str | None] = mapped_column(String(64))
    response: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of VEX responses
    detail: Mapped[str] = mapped_column(Text, default="")
    expires_at: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[str] = mapped_column(String(40))
    created_by: Mapped[str] = mapped_column(String(160))


class FindingComment(Base):
    __tablename__ = "finding_comment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    finding_id: Mapped[int] = mapped_column(
        ForeignKey("finding.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[str] = mapped_column(String(40))
    author: Mapped[str] = mapped_column(String(160))
    text: Mapped[str] = mapped_column(Text)


class RiskSnapshot(Base):
    """Counts at one moment, for one project or (``project_id`` None) the portfolio."""

    __tablename__ = "risk_snapshot"
    __table_args__ = (Index("ix_risk_snapshot_project_id_day", "project_id", "day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[str] = mapped_column(String(40))
    day: Mapped[str] = mapped_column(String(10))  # YYYY-MM-DD of ``at``
    project_id: Mapped[int | None] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    critical: Mapped[int] = mapped_column(Integer, default=0)
    high: Mapped[int] = mapped_column(Integer, default=0)
    medium: Mapped[int] = mapped_column(Integer, default=0)
    low: Mapped[int] = mapped_column(Integer, default=0)
    unknown: Mapped[int] = mapped_column(Integer, default=0)
    suppressed: Mapped[int] = mapped_column(Integer, default=0)
    components: Mapped[int] = mapped_column(Integer, default=0)


class BomUpload(Base):
    """One BOM received; ``token`` is what the client polls."""

    __tablename__ = "bom_upload"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("project_version.id", ondelete="CASCADE"), index=True
    )
    state: Mapped[str] = mapped_column(String(16))  # queued, processing, done, failed
    digest: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    filename: Mapped[str] = mapped_column(String(512), default="")
    uploaded_by: Mapped[str] = mapped_column(String(160))
    created_at: Mapped[str] = mapped_column(String(40))
    finished_at: Mapped[str | None] = mapped_column(String(40))
    error: Mapped[str | None] = mapped_column(Text)
    bom_format: Mapped[str | None] = mapped_column(String(64))
    component_count: Mapped[int | None] = mapped_column(Integer)
    finding_count: Mapped[int | None] = mapped_column(Integer)
