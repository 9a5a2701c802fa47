"""The web UI's page routers, one module per page group; :data:`PAGES` is the explicit list."""

from __future__ import annotations

from fastapi import APIRouter

from assay.web.pages import (
    admin,
    audit,
    catalogue,
    components,
    dashboard,
    delivery,
    delivery_explain,
    delivery_rows,
    delivery_stream,
    findings,
    policies,
    projects,
    unification,
    versions,
    violations,
    vulnerabilities,
)

PAGES: list[APIRouter] = [
    dashboard.router,
    projects.router,
    versions.router,
    findings.router,
    components.router,
    vulnerabilities.router,
    policies.router,
    violations.router,
    catalogue.router,
    unification.router,
    delivery.router,
    delivery_explain.router,
    delivery_rows.router,
    delivery_stream.router,
    audit.router,
    admin.router,
]
