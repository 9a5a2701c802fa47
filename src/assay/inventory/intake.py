"""BOM intake: accept an upload at once, analyse it in the background.

:func:`submit` streams the document into the blob store (bounded memory),
records a :class:`~assay.inventory.models.BomUpload` with a random token and
enqueues the ``process_bom`` job in the caller's transaction, so the upload,
its job and its audit entry commit together or not at all. :func:`status`
answers what a client polling the token may know.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from assay.core.audit import record
from assay.core.blobs import BlobStore
from assay.core.clock import now_iso
from assay.core.errors import InputError, NotFound
from assay.core.jobs import enqueue
from assay.core.permissions import Principal
from assay.inventory.models import BomUpload, Project, ProjectVersion
from assay.inventory.projects_ensure import ensure_version

QUEUED = "queued"
PROCESSING_STATES = frozenset({"queued", "processing"})
MAX_FILENAME = 512


def _nonempty(chunks: Iterable[bytes]) -> Iterator[bytes]:
    return (chunk for chunk in chunks if chunk)


def submit(
    session: Session,
    blobs: BlobStore,
    principal: Principal,
    project: str,
    version: str,
    data_chunks: Iterable[bytes],
    filename: str,
    auto_create: bool,
) -> BomUpload:
    """Store the document and queue its analysis; returns the upload (its ``token`` is for polling).

    Raises NotFound when the project version is not there (or not visible) and
    ``auto_create`` is false, :class:`~assay.core.errors.InputTooLarge` above
    the size limit, InputError for an empty document.
    """
    name = "".join(ch for ch in filename if ch.isprintable())[:MAX_FILENAME]
    # The blob is written before any row: on SQLite the first write takes the database's
    # lock, which must not be held while a large document streams to disk. A refused
    # upload leaves an unreferenced blob (content-addressed, harmless).
    digest, size = blobs.put_chunks(_nonempty(data_chunks), name or "upload")
    if size == 0:
        raise InputError(name or "upload", "empty document")
    target = ensure_version(session, principal, project, version, auto_create)
    upload = BomUpload(
        token=secrets.token_hex(16),
        version_id=target.id,
        state=QUEUED,
        digest=digest,
        size=size,
        filename=name,
        uploaded_by=principal.actor,
        created_at=now_iso(),
    )
    session.add(upload)
    session.flush()
    enqueue(session, "process_bom", upload_id=upload.id)
    owner = session.get(Project, target.project_id)
    record(
        session,
        principal,
        "bom.upload",
        "bom_upload",
        upload.id,
        team_id=owner.team_id if owner else None,
        project=project,
        version=version,
        digest=digest,
        size=size,
        filename=name,
    )
    return upload


@dataclass(frozen=True, slots=True)
class UploadStatus:
    token: str
    state: str
    processing: bool
    error: str | None
    project: str
    version: str
    components: int | None
    findings: int | None
    format: str | None


def status(session: Session, principal: Principal, token: str) -> UploadStatus:
    """What became of the upload ``token``.

    Visible to whoever sees the project, and to the caller who uploaded it;
    anyone else gets NotFound, exactly as for an unknown token.
    """
    row = session.execute(
        select(BomUpload, ProjectVersion, Project)
        .join(ProjectVersion, ProjectVersion.id == BomUpload.version_id)
        .join(Project, Project.id == ProjectVersion.project_id)
        .where(BomUpload.token == token)
    ).first()
    if row is None:
        raise NotFound("no upload with this token")
    upload, version, project = row
    if not (principal.sees_team(project.team_id) or upload.uploaded_by == principal.actor):
        raise NotFound("no upload with this token")
    return UploadStatus(
        token=upload.token,
        state=upload.state,
        processing=upload.state in PROCESSING_STATES,
        error=upload.error,
        project=project.name,
        version=version.version,
        components=upload.component_count,
        findings=upload.finding_count,
        format=upload.bom_format,
    )
