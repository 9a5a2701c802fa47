"""The catalogue's tables: entries, their transitions, remediation items after a ban,
and vetting reports."""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from assay.core.orm import Base


class CatalogueEntry(Base):
    """One component (purl without version) and what the organisation decided about it."""

    __tablename__ = "catalogue_entry"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    purl: Mapped[str] = mapped_column(String(1024), unique=True)  # pkg:pypi/requests, canonical
    ecosystem: Mapped[str] = mapped_column(String(64))  # OSV ecosystem name, as components store it
    name: Mapped[str] = mapped_column(String(512))  # normalised, as components store it
    state: Mapped[str] = mapped_column(String(16), index=True)
    allowed_versions: Mapped[str | None] = mapped_column(String(300))  # range; None: all
    banned_versions: Mapped[str | None] = mapped_column(String(300))  # range banned in any state
    recommended_version: Mapped[str | None] = mapped_column(String(128))
    replacement: Mapped[str | None] = mapped_column(String(1024))  # purl of the successor
    sunset_date: Mapped[str | None] = mapped_column(String(10))  # YYYY-MM-DD
    owner_team_id: Mapped[int | None] = mapped_column(
        ForeignKey("team.id", ondelete="SET NULL"), index=True
    )
    reason: Mapped[str] = mapped_column(Text, default="")  # of the latest transition
    requested_version: Mapped[str | None] = mapped_column(String(128))  # as requested
    requested_by: Mapped[str] = mapped_column(String(160))
    requested_at: Mapped[str] = mapped_column(String(40))
    decided_by: Mapped[str | None] = mapped_column(String(160))
    decided_at: Mapped[str | None] = mapped_column(String(40))
    updated_at: Mapped[str] = mapped_column(String(40))


class CatalogueTransition(Base):
    """Every change of an entry, in order: the entry's history (also in the audit log)."""

    __tablename__ = "catalogue_transition"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    entry_id: Mapped[int] = mapped_column(
        ForeignKey("catalogue_entry.id", ondelete="CASCADE"), index=True
    )
    action: Mapped[str] = mapped_column(String(16))
    from_state: Mapped[str | None] = mapped_column(String(16))
    to_state: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(160))
    reason: Mapped[str] = mapped_column(Text, default="")
    detail: Mapped[str] = mapped_column(Text, default="{}")  # JSON: ranges, dates, replacement
    at: Mapped[str] = mapped_column(String(40))


class RemediationItem(Base):
    """A project version that must stop using a banned (or sunset) component: owner, due
    date, open until the component is gone from the version (or the version is retired)."""

    __tablename__ = "remediation_item"
    __table_args__ = (UniqueConstraint("entry_id", "version_id", "component_purl"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    entry_id: Mapped[int] = mapped_column(
        ForeignKey("catalogue_entry.id", ondelete="CASCADE"), index=True
    )
    project_id: Mapped[int] = mapped_column(
        ForeignKey("project.id", ondelete="CASCADE"), index=True
    )
    version_id: Mapped[int] = mapped_column(
        ForeignKey("project_version.id", ondelete="CASCADE"), index=True
    )
    component_purl: Mapped[str] = mapped_column(String(1024))
    component_version: Mapped[str] = mapped_column(String(256), default="")
    owner_team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id", ondelete="SET NULL"))
    due_date: Mapped[str] = mapped_column(String(10))
    state: Mapped[str] = mapped_column(String(16), default="open")  # open | done
    created_at: Mapped[str] = mapped_column(String(40))
    closed_at: Mapped[str | None] = mapped_column(String(40))


class VettingReport(Base):
    """The automatic vetting report of one package version, as `assay vet` wrote it."""

    __tablename__ = "vetting_report"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("catalogue_entry.id", ondelete="CASCADE"), index=True
    )
    purl: Mapped[str] = mapped_column(String(1024), index=True)  # with version
    verdict: Mapped[str] = mapped_column(String(16))  # pass | review | fail
    report: Mapped[str] = mapped_column(Text)  # JSON, the vetting report schema
    complete: Mapped[bool] = mapped_column(Boolean, default=True)  # every check could run
    created_by: Mapped[str] = mapped_column(String(160))
    created_at: Mapped[str] = mapped_column(String(40))
