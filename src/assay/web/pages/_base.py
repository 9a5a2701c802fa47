"""What every page router shares: the signed-in user, error pages, and the CSRF check.

Page routers are built with :func:`page_router`: its route class turns the
errors services raise into HTML pages (not the API's JSON): "not found" for
anything the user may not see, exactly as for what does not exist. The sign-in
redirect and the CSRF check of every form post are :func:`assay.web.session.page_principal`'s
(a POST without the session's token, as hidden ``csrf_token`` input or htmx
header, is refused with 403 before a handler runs).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from sqlalchemy.orm import Session

from assay.api.deps import State
from assay.api.errors import status_for
from assay.core.db import take_write_lock
from assay.core.errors import AssayError
from assay.core.permissions import Permission, Principal
from assay.inventory.projects import NotPermitted as ProjectNotPermitted
from assay.inventory.vex_terms import NotPermitted as TriageNotPermitted
from assay.web import render
from assay.web.session import page_principal

Handler = Callable[[Request], Coroutine[Any, Any, Response]]


def _who(request: Request) -> Principal | None:
    found = getattr(request.state, "assay_principal", None)
    return found if isinstance(found, Principal) else None


class _Discard(Exception):
    """Raised inside :func:`page_session` to roll back a request that ended in an error page."""


def page_session(request: Request, state: State) -> Iterator[Session]:
    """One transaction per page request: committed when the page was answered, rolled back
    when it ended in an error page (which :class:`PageRoute` renders after catching the error,
    so the transaction must not commit what was written before it) or an exception."""
    try:
        with state.db.session() as session:
            if request.method not in ("GET", "HEAD", "OPTIONS"):
                take_write_lock(session)  # a form post: see assay.core.db.take_write_lock
            yield session
            if getattr(request.state, "page_failed", False):
                raise _Discard
    except _Discard:
        pass


# "function" scope: committed before the answer is sent (a browser following a 303 finds
# what the post created); see assay.api.deps.DbSession.
PageSession = Annotated[Session, Depends(page_session, scope="function")]


def error_page(request: Request, status_code: int, message: str) -> Response:
    request.state.page_failed = True
    titles = {
        400: "Cannot do that", 403: "Not allowed", 404: "Not found", 409: "Conflict",
        413: "Too large", 422: "Cannot do that", 503: "Unavailable",
    }  # fmt: skip
    return render.page(
        request,
        "error.html",
        _who(request),
        status_code=status_code,
        title=titles.get(status_code, "Error"),
        message=message,
    )


def _validation_message(exc: RequestValidationError) -> str:
    """One line naming the first bad parameter, e.g. ``page: Input should be >= 1``."""
    for error in exc.errors():
        where = ".".join(str(part) for part in error.get("loc", ())[1:]) or "request"
        return f"{where}: {error.get('msg', 'invalid value')}"
    return "invalid request"


def _status(exc: AssayError) -> int:
    if isinstance(exc, TriageNotPermitted | ProjectNotPermitted):
        return 403
    return status_for(exc)


class PageRoute(APIRoute):
    """A route whose errors are HTML pages."""

    def get_route_handler(self) -> Handler:
        original = super().get_route_handler()

        async def handler(request: Request) -> Response:
            try:
                return await original(request)
            except RequestValidationError as exc:
                return error_page(request, 422, _validation_message(exc))
            except HTTPException as exc:
                location = (exc.headers or {}).get("Location")
                if location and render.is_htmx(request):
                    # htmx would follow a redirect and swap the sign-in page into a table
                    return Response(status_code=204, headers={"HX-Redirect": location})
                if exc.status_code in (401, 403, 404, 422) and not exc.headers:
                    return error_page(request, exc.status_code, str(exc.detail))
                raise
            except AssayError as exc:
                return error_page(request, _status(exc), str(exc))

        return handler


def page_router() -> APIRouter:
    return APIRouter(route_class=PageRoute, include_in_schema=False)


def signed_in(request: Request, who: Annotated[Principal, Depends(page_principal)]) -> Principal:
    """The signed-in user (else a redirect to /login), remembered for error pages."""
    request.state.assay_principal = who
    return who


def viewer(who: Annotated[Principal, Depends(signed_in)]) -> Principal:
    if not who.can(Permission.VIEW_PORTFOLIO):
        raise HTTPException(403, "viewing the portfolio needs the view_portfolio permission")
    return who


def administrator(who: Annotated[Principal, Depends(signed_in)]) -> Principal:
    """Administrators only; anyone else is told the page does not exist."""
    if not who.is_admin:
        raise HTTPException(404, "page not found")
    return who


SignedIn = Annotated[Principal, Depends(signed_in)]
PageViewer = Annotated[Principal, Depends(viewer)]
PageAdmin = Annotated[Principal, Depends(administrator)]
