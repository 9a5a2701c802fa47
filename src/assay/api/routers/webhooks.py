"""``POST /api/v1/webhooks/github`` and ``/gitlab``: platform deliveries in, as delivery events.

A webhook authenticates only by the platform's shared secret, never by an API
key: GitHub's HMAC-SHA256 signature of the raw body (``X-Hub-Signature-256``,
secret ``ASSAY_GITHUB_WEBHOOK_SECRET``), GitLab's ``X-Gitlab-Token``
(``ASSAY_GITLAB_WEBHOOK_TOKEN``), both compared in constant time.

* no secret configured: 404 ``webhook not configured`` (an unsigned delivery
  is never accepted);
* wrong or missing signature: 401, and an audit entry naming the platform and
  the delivery id (never the secret or the signature sent);
* an event type or action assay does not record: 202 with the reason;
* otherwise the translated events are folded into what earlier deliveries
  recorded (:mod:`assay.delivery.webhooks.accumulate`) and ingested with the
  actor ``webhook:<platform>``; a re-sent delivery changes nothing.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request, status
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from assay.api.deps import DbSession, State
from assay.api.routers.events import Body, media_type
from assay.core.audit import record
from assay.core.inputs import parse_json
from assay.delivery.store import ingest
from assay.delivery.webhooks.accumulate import fold
from assay.delivery.webhooks.interface import Context, InvalidPayload, Platform
from assay.delivery.webhooks.registry import PLATFORMS
from assay.delivery.webhooks.signatures import github_valid, gitlab_valid

router = APIRouter(prefix="/webhooks", tags=["delivery"])

_RESPONSES: dict[int | str, dict[str, Any]] = {
    202: {"description": "an event type or action that is not recorded; the reason"},
    401: {"description": "missing or invalid signature"},
    404: {"description": "the webhook's secret is not configured"},
    415: {"description": "the payload is not JSON"},
    422: {"description": "a payload that cannot be read"},
}


def _not_configured() -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, "webhook not configured")


def github_secret(state: State) -> str:
    """The GitHub secret; 404 before the body is read when there is none."""
    if not state.settings.github_webhook_secret:
        raise _not_configured()
    return state.settings.github_webhook_secret


def gitlab_token(state: State) -> str:
    if not state.settings.gitlab_webhook_token:
        raise _not_configured()
    return state.settings.gitlab_webhook_token


def _services_by_repo(session: Session) -> dict[str, str]:
    from assay.delivery.services import configured

    found: dict[str, str] = {}
    for name, config in configured(session).items():
        for repo in config.repos:
            found.setdefault(repo, name)
    return found


def _header(request: Request, name: str) -> str:
    """A header's value cut to 100 printable ASCII characters (it is echoed and audited)."""
    value = request.headers.get(name, "")
    return "".join(c for c in value if " " <= c <= "~")[:100]


def _receive(
    platform: Platform, request: Request, session: Session, state: State, body: bytes, valid: bool
) -> JSONResponse:
    actor = f"webhook:{platform.name}"
    delivery = _header(request, platform.delivery_header)
    event = _header(request, platform.event_header)
    if not valid:
        record(session, actor, "webhook.rejected", "webhook", platform.name,
               reason="missing or invalid signature", delivery=delivery, event=event)  # fmt: skip
        return JSONResponse(
            {"detail": "missing or invalid webhook signature"}, status.HTTP_401_UNAUTHORIZED
        )
    if media_type(request) != "application/json":
        raise HTTPException(
            status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
            "set the webhook's content type to application/json",
        )
    source = f"{platform.name} {event or 'webhook'} payload"
    data = parse_json(body, source, error=InvalidPayload)
    context = Context(
        incident_label=state.settings.incident_label or "incident",
        services_by_repo=_services_by_repo(session),
    )
    translation = platform.translate(event, data, context)
    if not translation.events:
        record(session, actor, "webhook.ignored", "webhook", platform.name,
               delivery=delivery, event=event, reason=translation.ignored)  # fmt: skip
        return JSONResponse(
            {"ignored": translation.ignored, "event": event}, status.HTTP_202_ACCEPTED
        )
    events = fold(session, translation.events, as_of=translation.as_of, partial=translation.partial)
    result = ingest(session, events, source=f"{actor}:{delivery or event}", actor=actor)
    return JSONResponse(
        {
            "event": event,
            "inserted": result.inserted,
            "updated": result.updated,
            "unchanged": result.unchanged,
        }
    )


@router.post("/github", responses=_RESPONSES)
def github_webhook(
    request: Request,
    session: DbSession,
    state: State,
    secret: Annotated[str, Depends(github_secret)],
    body: Body,
) -> JSONResponse:
    """A GitHub delivery, signed with the webhook secret (HMAC-SHA256 of the raw body)."""
    valid = github_valid(secret, body, request.headers.get("x-hub-signature-256"))
    return _receive(PLATFORMS["github"], request, session, state, body, valid)


@router.post("/gitlab", responses=_RESPONSES)
def gitlab_webhook(
    request: Request,
    session: DbSession,
    state: State,
    token: Annotated[str, Depends(gitlab_token)],
    body: Body,
) -> JSONResponse:
    """A GitLab delivery carrying the webhook's secret token in ``X-Gitlab-Token``."""
    valid = gitlab_valid(token, request.headers.get("x-gitlab-token"))
    return _receive(PLATFORMS["gitlab"], request, session, state, body, valid)
