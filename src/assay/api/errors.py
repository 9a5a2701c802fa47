"""The one place the API turns assay's errors into HTTP answers (no tracebacks leak)."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from assay.core.errors import AssayError, DatabaseError, InputError, InputTooLarge, UsageError

log = logging.getLogger("assay.api")


class NotFound(AssayError):
    """The thing does not exist, or the caller may not know that it does."""


class Conflict(AssayError):
    """The request contradicts the current state (e.g. a name already taken)."""


_STATUS: tuple[tuple[type[AssayError], int], ...] = (
    (NotFound, 404),
    (Conflict, 409),
    (InputTooLarge, 413),
    (InputError, 422),
    (UsageError, 422),
    (DatabaseError, 503),
)


def status_for(exc: AssayError) -> int:
    for kind, code in _STATUS:
        if isinstance(exc, kind):
            return code
    return 400


def install(app: FastAPI) -> None:
    @app.exception_handler(AssayError)
    async def _assay_error(_: Request, exc: AssayError) -> JSONResponse:
        code = status_for(exc)
        if code >= 500:
            log.error("%s", exc)
        return JSONResponse({"detail": str(exc)}, status_code=code)
