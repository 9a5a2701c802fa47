"""``/api/v1/bom``: upload a BOM (answered at once with a token) and poll its processing.

``POST /bom`` needs UPLOAD_BOM and a project the caller sees (or
``auto_create``); the document is streamed into the blob store in chunks, so a
large upload never sits in memory whole. Analysis runs in the background
worker, woken as soon as the upload has committed.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Annotated

from fastapi import APIRouter, File, Form, HTTPException, Path, UploadFile, status
from sqlalchemy import event

from assay.api.deps import Caller, DbSession, State, Uploader
from assay.api.schemas.bom import (
    MAX_PROJECT,
    MAX_VERSION,
    NO_CONTROL,
    UPLOAD_ID_PATTERN,
    BomAccepted,
    BomStatus,
)
from assay.core.blobs import CHUNK
from assay.core.permissions import Permission
from assay.inventory import intake

router = APIRouter(prefix="/bom", tags=["bom"])


def _chunks(stream: IO[bytes]) -> Iterator[bytes]:
    while chunk := stream.read(CHUNK):
        yield chunk


@router.post(
    "",
    status_code=status.HTTP_202_ACCEPTED,
    responses={404: {"description": "no such project or version (and no auto_create)"}},
)
def upload_bom(
    session: DbSession,
    state: State,
    who: Uploader,
    project: Annotated[str, Form(min_length=1, max_length=MAX_PROJECT, pattern=NO_CONTROL)],
    version: Annotated[str, Form(min_length=1, max_length=MAX_VERSION, pattern=NO_CONTROL)],
    bom: Annotated[UploadFile, File(description="CycloneDX (JSON, XML) or SPDX (JSON, tag-value)")],
    auto_create: Annotated[bool, Form()] = False,
) -> BomAccepted:
    """Store the document and queue its analysis; ``202`` with the token to poll."""
    upload = intake.submit(
        session,
        state.blobs,
        who,
        project,
        version,
        _chunks(bom.file),
        bom.filename or "",
        auto_create,
    )
    # The job becomes visible to the worker when the request's transaction commits.
    event.listen(session, "after_commit", lambda _: state.wake_worker(), once=True)
    return BomAccepted(token=upload.token)


@router.get("/token/{token}")
def upload_status(
    session: DbSession,
    who: Caller,
    token: Annotated[str, Path(max_length=64, pattern=UPLOAD_ID_PATTERN)],
) -> BomStatus:
    """Processing state of an upload; needs VIEW_PORTFOLIO or UPLOAD_BOM."""
    if not (who.can(Permission.VIEW_PORTFOLIO) or who.can(Permission.UPLOAD_BOM)):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "requires the view_portfolio permission")
    found = intake.status(session, who, token)
    return BomStatus(
        token=found.token,
        state=found.state,
        processing=found.processing,
        error=found.error,
        project=found.project,
        version=found.version,
        components=found.components,
        findings=found.findings,
        format=found.format,
    )
