"""``POST /api/v1/gate``: judge an SBOM by the organisation's policies, for a CI pipeline.

The SBOM (CycloneDX or SPDX, JSON or XML) is the raw request body, or the
``bom`` part of a multipart form, within the document size limit. The caller
needs VIEW_PORTFOLIO and must see the project (404 otherwise, the same answer
as for a project that does not exist). The answer is the gate report, JSON
schema version 1 (docs/gate.md); nothing is stored but a ``gate.evaluate``
audit entry with the verdict and counts.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from assay.api.deps import DbSession, State, Viewer
from assay.api.schemas.bom import MAX_PROJECT, MAX_VERSION, NO_CONTROL
from assay.core.errors import InputTooLarge

router = APIRouter(prefix="/gate", tags=["gate"])

DOCUMENT_TYPES = {
    "application/json": {"schema": {"type": "object"}},
    "application/xml": {"schema": {"type": "string"}},
    "text/plain": {"schema": {"type": "string"}},
    "multipart/form-data": {
        "schema": {
            "type": "object",
            "properties": {"bom": {"type": "string", "format": "binary"}},
            "required": ["bom"],
        }
    },
}


async def _document(request: Request, limit: int) -> tuple[bytes, str]:
    """The SBOM bytes from a multipart ``bom`` part or the raw body, at most ``limit``."""
    too_large = f"SBOM documents are limited to {limit:,} bytes"
    if request.headers.get("content-type", "").startswith("multipart/form-data"):
        form = await request.form(max_files=1, max_fields=10)
        part = form.get("bom")
        if not isinstance(part, UploadFile):
            raise HTTPException(422, "send the document as the 'bom' file of the form")
        data = await part.read(limit + 1)
        name = "".join(ch for ch in (part.filename or "bom") if ch.isprintable())[:200]
    else:
        chunks = []
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise InputTooLarge("bom", too_large)
            chunks.append(chunk)
        data, name = b"".join(chunks), "bom"
    if len(data) > limit:
        raise InputTooLarge(name, too_large)
    return data, name or "bom"


@router.post(
    "",
    openapi_extra={"requestBody": {"content": DOCUMENT_TYPES, "required": True}},
    responses={404: {"description": "no such project, or the caller may not see it"}},
)
async def gate(
    request: Request,
    session: DbSession,
    state: State,
    who: Viewer,
    project: Annotated[str, Query(min_length=1, max_length=MAX_PROJECT, pattern=NO_CONTROL)],
    version: Annotated[str, Query(max_length=MAX_VERSION, pattern=NO_CONTROL)] = "",
    strict: bool = False,
    licenses_known: Annotated[
        bool,
        Query(
            description="false when the document was generated from lockfiles: a component "
            "without a licence then has an unknown licence, not none"
        ),
    ] = True,
) -> dict[str, Any]:
    """Evaluate the SBOM for the project with its policies and waivers; the gate report."""
    from assay.policy.gate.service import gate_document

    data, name = await _document(request, state.settings.max_input_bytes)

    def run() -> dict[str, Any]:
        report = gate_document(
            state.db,
            session,
            who,
            project,
            version,
            data,
            name,
            licenses_known=licenses_known,
            strict=strict,
        )
        return report.to_dict()

    return await run_in_threadpool(run)
