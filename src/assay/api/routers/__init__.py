"""One module per resource, each exposing ``router``; :data:`ROUTERS` is the explicit registry.

Routers are added here as they are written (projects, bom, findings, search, admin ...).
"""

from __future__ import annotations

from fastapi import APIRouter

from assay.api.routers import (
    admin,
    audit,
    bom,
    catalogue,
    delivery,
    events,
    findings,
    gate,
    metrics_portfolio,
    policies,
    projects,
    search,
    violations,
    vulnerabilities,
    waivers,
    webhooks,
)

ROUTERS: list[APIRouter] = [
    admin.router,
    audit.router,
    bom.router,
    catalogue.router,
    delivery.router,
    events.router,
    findings.router,
    gate.router,
    metrics_portfolio.router,
    policies.router,
    projects.router,
    search.router,
    violations.router,
    vulnerabilities.router,
    waivers.router,
    webhooks.router,
]
