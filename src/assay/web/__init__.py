"""The web UI: server-rendered Jinja2 pages with HTMX and Apache ECharts.

:func:`install` mounts the static files and the page routers on the app.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

STATIC = Path(__file__).parent / "static"
TEMPLATES = Path(__file__).parent / "templates"


def install(app: FastAPI) -> None:
    STATIC.mkdir(exist_ok=True)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
