"""The app factory: ``assay serve`` and the tests build the server with :func:`create_app`.

The REST API lives under ``/api/v1`` (OpenAPI at ``/api/v1/openapi.json``,
interactive docs at ``/api/docs``), the web UI at ``/``, health at
``/healthz``, Prometheus metrics at ``/metrics``. Background work runs in a
:class:`~assay.core.jobs.Worker` thread of this process unless
``start_worker=False`` (tests drain the queue themselves; a cluster can run
workers elsewhere).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI
from sqlalchemy import text

from assay import __version__
from assay.api import errors, metrics, security
from assay.api.limits import BodyLimit
from assay.api.state import AppState
from assay.api.tasks import TASKS
from assay.core.blobs import BlobStore
from assay.core.config import Settings
from assay.core.db import Database
from assay.core.jobs import Worker

API_PREFIX = "/api/v1"


def _routers() -> list[APIRouter]:
    """The explicit registry of API routers (each module exposes ``router``)."""
    from assay.api.routers import ROUTERS

    return list(ROUTERS)


def _seed(db: Database) -> None:
    """Apply the starter policies once per database (another server may win the race)."""
    from sqlalchemy.exc import IntegrityError

    from assay.policy.service import seed_starter

    try:
        with db.session() as session:
            seed_starter(session)
    except IntegrityError:
        pass  # seeded by another process starting at the same moment


def create_app(
    settings: Settings | None = None,
    *,
    database: Database | None = None,
    start_worker: bool = True,
) -> FastAPI:
    settings = settings or Settings.from_env()
    db = database or Database(settings)
    state = AppState(
        settings=settings,
        db=db,
        blobs=BlobStore(settings.blob_dir, settings.max_input_bytes),
        secret=settings.server_secret(),  # refuses a missing/weak key outside development
    )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        db.ensure_schema()
        _seed(db)
        if start_worker:
            state.worker = Worker(db, TASKS)
            state.worker.start()
        try:
            yield
        finally:
            if state.worker is not None:
                state.worker.stop()
            if database is None:
                db.dispose()

    app = FastAPI(
        title="assay",
        version=__version__,
        description="DevSecOps governance: portfolio inventory, findings, triage.",
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=None,  # served by assay.api.security from the package (no CDN)
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.assay = state
    errors.install(app)
    metrics.install(app, state)
    security.install(app)
    app.add_middleware(BodyLimit, document_bytes=settings.max_input_bytes)
    for router in _routers():
        app.include_router(router, prefix=API_PREFIX)
    _install_web(app)

    @app.get("/healthz", tags=["health"])
    def healthz() -> dict[str, Any]:
        with db.session() as session:
            session.execute(text("SELECT 1"))
        return {"status": "ok", "version": __version__}

    return app


def _install_web(app: FastAPI) -> None:
    from assay.web import install

    install(app)
