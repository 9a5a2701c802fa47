"""Tables of the vulnerability knowledge base.

Design notes
* One row per advisory record, keyed by its OSV id, with its source (provenance)
  and the whole record as JSON text, so every source's record stays reachable.
* ``affected`` has one row per (advisory, affected package) with the package
  name normalised per ecosystem; the (ecosystem, name) index makes a lookup one
  index probe. ``entry`` is the OSV ``affected[]`` object as JSON text: the
  matcher evaluates it with ``assay.versions.ranges``.
* Aliases are rows, so "who is affected by CVE-X" is one index probe too;
  advisories that share an alias are one vulnerability, grouped when read.
* Timestamps are ISO 8601 UTC strings (``2024-01-31T12:00:00Z``): they sort
  lexically, compare across SQLite and PostgreSQL, and keep OSV's precision.
* Withdrawn advisories are kept (a withdrawal must close findings later) and
  filtered out by the matcher.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from assay.core.orm import Base


class Advisory(Base):
    __tablename__ = "advisory"
    # Covering index: counting live advisories and the last import time must not
    # read the records (30 MB for the shared data set; 18 ms per scan without it).
    __table_args__ = (Index("ix_advisory_withdrawn_imported_at", "withdrawn", "imported_at"),)

    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    source: Mapped[str] = mapped_column(String(128), index=True)
    modified: Mapped[str] = mapped_column(String(40))
    published: Mapped[str | None] = mapped_column(String(40))
    withdrawn: Mapped[str | None] = mapped_column(String(40))
    summary: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[str] = mapped_column(Text, default="")
    aliases: Mapped[str] = mapped_column(Text, default="[]")  # JSON list, for display
    severity: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of {type, score}
    cvss_score: Mapped[float | None] = mapped_column(Float)
    severity_level: Mapped[str] = mapped_column(String(16), default="unknown")
    malicious: Mapped[bool] = mapped_column(Boolean, default=False)
    record: Mapped[str] = mapped_column(Text)  # the OSV record as imported, JSON
    content_hash: Mapped[str] = mapped_column(String(64))
    imported_at: Mapped[str] = mapped_column(String(40))


class Affected(Base):
    __tablename__ = "affected"
    __table_args__ = (Index("ix_affected_ecosystem_name", "ecosystem", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    advisory_id: Mapped[str] = mapped_column(
        ForeignKey("advisory.id", ondelete="CASCADE"), index=True
    )
    ecosystem: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(512))  # normalised per ecosystem
    entry: Mapped[str] = mapped_column(Text)  # OSV affected[] object, JSON


class Alias(Base):
    __tablename__ = "alias"

    advisory_id: Mapped[str] = mapped_column(
        ForeignKey("advisory.id", ondelete="CASCADE"), primary_key=True
    )
    alias: Mapped[str] = mapped_column(String(128), primary_key=True, index=True)


class SourceState(Base):
    """What was last fetched from one configured source (for incremental sync)."""

    __tablename__ = "source_state"

    name: Mapped[str] = mapped_column(String(128), primary_key=True)
    url: Mapped[str] = mapped_column(Text, default="")
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(Text)
    synced_at: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(32), default="never")
    records: Mapped[int] = mapped_column(Integer, default=0)
    message: Mapped[str] = mapped_column(Text, default="")


class KevEntry(Base):
    """CISA Known Exploited Vulnerabilities catalogue, by CVE."""

    __tablename__ = "kev"

    cve_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    vendor: Mapped[str] = mapped_column(Text, default="")
    product: Mapped[str] = mapped_column(Text, default="")
    name: Mapped[str] = mapped_column(Text, default="")
    date_added: Mapped[str] = mapped_column(String(10), default="")
    due_date: Mapped[str] = mapped_column(String(10), default="")
    ransomware: Mapped[str] = mapped_column(String(16), default="Unknown")


class EpssScore(Base):
    """FIRST Exploit Prediction Scoring System score, by CVE."""

    __tablename__ = "epss"

    cve_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    score: Mapped[float] = mapped_column(Float)
    percentile: Mapped[float] = mapped_column(Float)
    date: Mapped[str] = mapped_column(String(10), default="")


class Meta(Base):
    """Small key/value facts about the knowledge base (last import, last sync)."""

    __tablename__ = "meta"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text, default="")
