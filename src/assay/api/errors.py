"""The one place the API turns assay's errors into HTTP answers (no tracebacks leak)."""

from __future__ import annotations

import json
import logging

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from assay.core.errors import (
    AssayError,
    Conflict,
    DatabaseError,
    Forbidden,
    InputError,
    InputTooLarge,
    NotFound,
    UsageError,
)

__all__ = ["Conflict", "Forbidden", "NotFound", "install", "status_for"]

log = logging.getLogger("assay.api")

_STATUS: tuple[tuple[type[AssayError], int], ...] = (
    (NotFound, 404),
    (Forbidden, 403),
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
    @app.exception_handler(RequestValidationError)
    async def _invalid_request(_: Request, exc: RequestValidationError) -> Response:
        # Never echo the input: it may be a password, or a NaN or lone surrogate that JSON
        # output cannot carry (ensure_ascii also escapes a surrogate in a ``loc`` key).
        problems = [
            {"type": e.get("type"), "loc": list(e.get("loc", ())), "msg": e.get("msg")}
            for e in exc.errors()
        ]
        body = json.dumps({"detail": problems}, ensure_ascii=True, default=str)
        return Response(body, status_code=422, media_type="application/json")

    @app.exception_handler(AssayError)
    async def _assay_error(_: Request, exc: AssayError) -> JSONResponse:
        code = status_for(exc)
        if code >= 500:
            log.error("%s", exc)
        return JSONResponse({"detail": str(exc)}, status_code=code)
