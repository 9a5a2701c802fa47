"""The web UI's page routers, one module per page group; :data:`PAGES` is the explicit list."""

from __future__ import annotations

from fastapi import APIRouter

from assay.web.pages import (
    admin,
    audit,
    catalogue,
    components,
    dashboard,
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
    audit.router,
    admin.router,
]
