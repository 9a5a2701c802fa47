"""One module per resource, each exposing ``router``; :data:`ROUTERS` is the explicit registry.

Routers are added here as they are written (projects, bom, findings, search, admin ...).
"""

from __future__ import annotations

from fastapi import APIRouter

from assay.api.routers import (
    admin,
    audit,
    bom,
    findings,
    metrics_portfolio,
    projects,
    search,
    vulnerabilities,
)

ROUTERS: list[APIRouter] = [
    admin.router,
    audit.router,
    bom.router,
    findings.router,
    metrics_portfolio.router,
    projects.router,
    search.router,
    vulnerabilities.router,
]
