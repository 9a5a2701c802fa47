"""The web UI: server-rendered Jinja2 pages with HTMX and Apache ECharts.

:func:`install` mounts the static files, the sign-in pages
(:mod:`assay.web.auth`) and the page routers (:data:`assay.web.pages.PAGES`)
on the app. The vendor scripts (htmx, ECharts) are built by ``make``; without
them the pages still render and work as plain links and forms, without charts.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

STATIC = Path(__file__).parent / "static"
TEMPLATES = Path(__file__).parent / "templates"


def install(app: FastAPI) -> None:
    from assay.web.auth import router as auth_router
    from assay.web.pages import PAGES

    STATIC.mkdir(exist_ok=True)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(auth_router)
    for router in PAGES:
        app.include_router(router)
