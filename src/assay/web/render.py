"""Rendering pages: one Jinja2 environment (autoescaped) and the context every page gets.

Every full page is rendered by :func:`page`, which adds what ``base.html``
needs: the signed-in user, the navigation for that user (Admin only for
administrators, Audit only for those who may see the portfolio) and the
session's CSRF token. HTMX fragments are rendered by :func:`fragment` with the
same context, so a swapped-in form carries the token too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from assay.core.permissions import Permission, Principal
from assay.web.session import csrf_token

TEMPLATES = Path(__file__).parent / "templates"

#: The ``Content-Security-Policy`` of every page: no inline script, no third-party origin.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)

templates = Jinja2Templates(directory=str(TEMPLATES))  # autoescape is on for every template


@dataclass(frozen=True, slots=True)
class NavItem:
    href: str
    label: str


def nav_for(who: Principal) -> list[NavItem]:
    """The top navigation this principal may follow."""
    items = [NavItem("/", "Dashboard")]
    if who.can(Permission.VIEW_PORTFOLIO):
        items += [
            NavItem("/projects", "Projects"),
            NavItem("/components", "Components"),
            NavItem("/catalogue", "Catalogue"),
            NavItem("/policies", "Policies"),
            NavItem("/delivery", "Delivery"),
            NavItem("/audit", "Audit log"),
        ]
    if who.is_admin:
        items.append(NavItem("/admin", "Admin"))
    return items


def context(request: Request, who: Principal | None, values: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "request": request,
        "principal": who,
        "user": {"username": who.name} if who is not None else None,
        "nav": nav_for(who) if who is not None else [],
        "csrf_token": csrf_token(request),
    }
    out.update(values)
    return out


def _respond(
    request: Request, name: str, who: Principal | None, status_code: int, values: Mapping[str, Any]
) -> HTMLResponse:
    response = templates.TemplateResponse(
        request, name, context(request, who, values), status_code=status_code
    )
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Cache-Control"] = "no-store"
    return response


def page(
    request: Request, name: str, who: Principal | None, *, status_code: int = 200, **values: Any
) -> HTMLResponse:
    """A whole page: ``name`` extends base.html."""
    return _respond(request, name, who, status_code, values)


def fragment(
    request: Request, name: str, who: Principal | None, *, status_code: int = 200, **values: Any
) -> HTMLResponse:
    """An HTMX fragment (``partials/*.html``): no layout, same context."""
    return _respond(request, name, who, status_code, values)


def is_htmx(request: Request) -> bool:
    """True when HTMX asked for a fragment rather than a browser for a page."""
    return request.headers.get("hx-request") == "true"
