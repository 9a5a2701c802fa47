"""The ``process_bom`` task: read an uploaded BOM, match it, store the version whole.

Parsing and matching happen outside any write transaction. Then, in ONE
transaction holding the version's lock, the version's components and edges
are replaced, its findings reconciled (:mod:`assay.inventory.findings`), its
counts recomputed, the upload marked done, risk snapshots appended and the
work audited, so a reader sees the version before or after, never half-way.

The task is idempotent (a job re-run after a crash finds the upload done and
stops) and ordered: an upload older than one already applied to its version is
marked done, "superseded", and changes nothing. A document that cannot be read
marks the upload failed with a one-line error and changes nothing else.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from assay.core.audit import record
from assay.core.blobs import BlobStore
from assay.core.clock import now_iso
from assay.core.db import Database
from assay.core.ecosystems import canonical_ecosystem, normalise_name
from assay.core.errors import InputError
from assay.core.jobs import enqueue
from assay.core.permissions import SYSTEM
from assay.inventory.bulk import bulk_insert
from assay.inventory.findings import (
    fit,
    lock_version,
    open_count,
    reconcile,
    recount,
    table_of,
)
from assay.inventory.matcher import advisories_stamp, match_bom
from assay.inventory.models import (
    BomUpload,
    ComponentEdge,
    ComponentRow,
    Project,
    ProjectVersion,
)
from assay.inventory.snapshots import record_snapshot
from assay.matching.model import Finding
from assay.sbom.model import SOURCE_NAME, SOURCE_VERSION, Bom, Component

log = logging.getLogger("assay.inventory")

QUEUED, PROCESSING, DONE, FAILED = "queued", "processing", "done", "failed"
MAX_ERROR = 500  # characters of an error kept on the upload


def read_document(path: Path, filename: str) -> tuple[Bom, str]:
    """The BOM in the stored blob at ``path`` and its format's name.

    Errors name ``filename`` (what the client sent), never the server's path.
    """
    from assay.sbom.formats.registry import reader_for

    try:
        reader = reader_for(path)
        if reader is None:
            raise InputError(
                path, "not an SBOM assay can read (CycloneDX JSON or XML, SPDX JSON or tag-value)"
            )
        return reader.read(path), reader.name
    except InputError as exc:
        raise InputError(filename or "upload", _one_line(exc.reason, path), line=exc.line) from None
    except RecursionError:
        raise InputError(filename or "upload", "nested too deeply") from None


def _one_line(text: str, path: Path | None = None) -> str:
    line = " ".join((text.replace(str(path), "upload") if path else text).split())
    return line[:MAX_ERROR]


def component_rows(bom: Bom, version_id: int, source: str) -> list[dict[str, Any]]:
    """One row per distinct component ref of the document, in document order."""
    rows: dict[str, dict[str, Any]] = {}
    for c in bom.components:
        ref = fit(c.ref, 1024)
        if ref in rows:
            continue
        rows[ref] = _row(c, version_id, ref, source)
    return list(rows.values())


def _row(c: Component, version_id: int, ref: str, source: str) -> dict[str, Any]:
    purl = c.purl if c.ecosystem or c.purl_override else None
    return {
        "version_id": version_id,
        "ecosystem": fit(canonical_ecosystem(c.ecosystem), 64) if c.ecosystem else "",
        "name": fit(c.key_name if c.ecosystem else c.name, 512),
        "display_name": fit(c.name, 512),
        "version": fit(c.version, 256),
        "purl": fit(purl, 1024) if purl else None,
        "licenses": fit(c.licenses, 1024) if c.licenses else None,
        "scope": c.scope.value,
        "direct": c.direct,
        "bom_ref": ref,
        "hashes": json.dumps([list(h) for h in c.hashes]),
        "source": source,
        **_source_package(c),
    }


def _source_package(c: Component) -> dict[str, str | None]:
    """The OS source package the advisories name, when the cataloger recorded one."""
    props = dict(c.properties) if c.properties else {}
    name, version = props.get(SOURCE_NAME), props.get(SOURCE_VERSION)
    if not name or not c.ecosystem:
        return {"source_name": None, "source_version": None}
    return {
        "source_name": fit(normalise_name(c.ecosystem, name), 512),
        "source_version": fit(version, 256) if version else None,
    }


def edge_rows(bom: Bom, version_id: int) -> list[dict[str, Any]]:
    pairs = {(fit(parent, 1024), fit(child, 1024)) for parent, child in bom.edges}
    return [{"version_id": version_id, "parent": p, "child": c} for p, c in sorted(pairs)]


def _start(db: Database, upload_id: int) -> BomUpload | None:
    """Mark the upload processing; None when there is nothing (left) to do."""
    with db.session() as session:
        upload = session.get(BomUpload, upload_id)
        if upload is None or upload.state in (DONE, FAILED):
            return None  # gone with its version, or finished before a crash ended the job
        upload.state = PROCESSING
        session.flush()
        session.expunge(upload)
        return upload


def _fail(db: Database, upload: BomUpload, message: str) -> None:
    with db.session() as session:
        row = session.get(BomUpload, upload.id)
        if row is None:
            return
        row.state, row.error, row.finished_at = FAILED, message, now_iso()
        project = _project_of(session, upload.version_id)
        record(
            session,
            SYSTEM,
            "bom.processed",
            "bom_upload",
            upload.id,
            team_id=project.team_id if project else None,
            state=FAILED,
            error=message,
        )


def _project_of(session: Session, version_id: int) -> Project | None:
    version = session.get(ProjectVersion, version_id)
    return session.get(Project, version.project_id) if version is not None else None


def _quality(bom: Bom) -> float | None:
    """The SBOM quality score policies read (None if the document defeats the assessor)."""
    from assay.sbom.quality import assess

    try:
        return assess(bom).score
    except (ValueError, TypeError, AttributeError):
        log.warning("SBOM quality could not be assessed", exc_info=True)
        return None


def process_bom(db: Database, upload_id: int) -> None:
    """Task: analyse upload ``upload_id`` and store its version (see the module docstring).

    Database errors (a lock timeout, a lost connection) propagate so the job is
    retried; any other unexpected error fails the upload with a one-line
    message rather than leaving it "processing" for ever.
    """
    upload = _start(db, upload_id)
    if upload is None:
        return
    blobs = BlobStore(db.settings.blob_dir, db.settings.max_input_bytes)
    try:
        bom, fmt = read_document(blobs.path(upload.digest), upload.filename)
        _store(db, upload, bom, fmt)
    except InputError as exc:
        _fail(db, upload, str(exc))
    except SQLAlchemyError:
        raise
    except Exception as exc:
        log.exception("upload %s could not be processed", upload.id)
        _fail(db, upload, _one_line(f"internal error: {type(exc).__name__}: {exc}"))


def _store(db: Database, upload: BomUpload, bom: Bom, fmt: str) -> None:
    """Match ``bom`` and store it as the version's contents, unless a newer upload won."""
    with db.session() as session:
        stamp = advisories_stamp(session)
    result = match_bom(db, bom)
    with db.session() as session:
        lock_version(session, upload.version_id)
        version = session.get(ProjectVersion, upload.version_id, populate_existing=True)
        row = session.get(BomUpload, upload.id, populate_existing=True)
        if version is None or row is None or row.state in (DONE, FAILED):
            return
        now = now_iso()
        newer = session.scalar(
            select(BomUpload.id)
            .where(
                BomUpload.version_id == version.id,
                BomUpload.id > upload.id,
                BomUpload.state == DONE,
            )
            .order_by(BomUpload.id.desc())
            .limit(1)
        )
        if newer is not None:
            row.state, row.error, row.finished_at = DONE, f"superseded by upload {newer}", now
            return
        if advisories_stamp(session) != stamp:  # advisories imported meanwhile: match again
            result = match_bom(db, bom)
        _apply(session, version, row, bom, fmt, result.findings, now)
        if db.settings.registry_refresh and not db.settings.offline:
            enqueue(session, "registry.refresh", version_ids=[version.id])  # release dates


def _apply(
    session: Session,
    version: ProjectVersion,
    upload: BomUpload,
    bom: Bom,
    fmt: str,
    findings: Sequence[Finding],
    now: str,
) -> None:
    """Replace the version's contents with ``bom`` (the caller holds the version's lock)."""
    components = component_rows(bom, version.id, upload.filename[:256])
    edges = edge_rows(bom, version.id)
    session.execute(delete(ComponentEdge).where(ComponentEdge.version_id == version.id))
    session.execute(delete(ComponentRow).where(ComponentRow.version_id == version.id))
    bulk_insert(session, table_of(ComponentRow), components)
    bulk_insert(session, table_of(ComponentEdge), edges)
    changes = reconcile(session, version, findings, now)
    version = session.get(ProjectVersion, version.id, populate_existing=True) or version
    version.components = len(components)
    version.analysed_at = now
    version.bom_digest = upload.digest
    version.bom_format = fmt
    version.quality_score = _quality(bom)
    session.flush()
    recount(session, version.id)
    found = open_count(session, version.id)
    upload = session.get(BomUpload, upload.id, populate_existing=True) or upload
    upload.state, upload.error, upload.finished_at = DONE, None, now
    upload.bom_format, upload.component_count, upload.finding_count = fmt, len(components), found
    project = session.get(Project, version.project_id)
    team_id = project.team_id if project else None
    record_snapshot(session, version.project_id)
    record_snapshot(session, None)
    record(
        session,
        SYSTEM,
        "bom.processed",
        "bom_upload",
        upload.id,
        team_id=team_id,
        state=DONE,
        version_id=version.id,
        format=fmt,
        components=len(components),
        findings=found,
        opened=changes.opened,
        reopened=changes.reopened,
        resolved=changes.resolved,
    )
    enqueue(session, "policy.evaluate", version_ids=[version.id])  # by name: no policy import
    if bom.warnings:
        log.info("upload %s: %d reader warning(s)", upload.id, len(bom.warnings))
