"""``/delivery/stream``: server-sent events telling an open dashboard that delivery events arrived.

The stream sends ``event: update`` (its ``id`` and ``data`` are the newest
``received_at``, epoch ms) whenever an event of a service the viewer may see
has arrived since the page was drawn (``?since=``, or the browser's
``Last-Event-ID`` after a reconnect), a comment as a heartbeat every
:data:`HEARTBEAT_S` seconds, and ends after :data:`LIFETIME_S` (the browser's
EventSource reconnects by itself). It is an async generator: it holds no
server thread while it waits, and no database session between polls (each
poll opens one in the thread pool and closes it at once). It stops when the
client disconnects.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Annotated

from fastapi import Header, Query, Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from assay.api.deps import State
from assay.core.db import Database
from assay.core.permissions import Principal
from assay.delivery.access import visible_services
from assay.delivery.config import ServiceConfig
from assay.web.pages._base import PageViewer, page_router
from assay.web.pages.delivery import visible_configs
from assay.web.pages.delivery_reads import latest_received

router = page_router()

POLL_S = 2.0
HEARTBEAT_S = 15.0
LIFETIME_S = 600.0
RETRY_MS = 3000  # how long the browser waits before reconnecting


def _watched(
    db: Database, who: Principal, team: str | None, service: str | None
) -> list[ServiceConfig] | None:
    """The services whose events the stream watches; None: every event (a portfolio-wide
    viewer of the organisation, who must also hear of services not seen before)."""
    with db.session() as session:
        if team is None and service is None and visible_services(session, who) is None:
            return None
        return visible_configs(session, who, team=team, service=service)


def _latest(db: Database, configs: list[ServiceConfig] | None) -> int:
    with db.session() as session:
        return latest_received(session, configs)


async def updates(
    latest: Callable[[], Awaitable[int]],
    disconnected: Callable[[], Awaitable[bool]],
    since: int | None,
    *,
    poll_s: float = POLL_S,
    heartbeat_s: float = HEARTBEAT_S,
    lifetime_s: float = LIFETIME_S,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> AsyncIterator[str]:
    """The stream's messages: ``update`` when ``latest()`` passes the last value seen."""
    yield f"retry: {RETRY_MS}\n\n"
    seen = await latest() if since is None else since
    start = beat = clock()
    while clock() - start < lifetime_s:
        await sleep(poll_s)
        if await disconnected():
            return
        newest = await latest()
        if newest > seen:
            seen = newest
            beat = clock()
            yield f"id: {newest}\nevent: update\ndata: {newest}\n\n"
        elif clock() - beat >= heartbeat_s:
            beat = clock()
            yield ": heartbeat\n\n"


def _stamp(*values: str | None) -> int | None:
    for value in values:
        if value is not None and value.isdigit() and len(value) <= 18:
            return int(value)
    return None


@router.get("/delivery/stream")
async def stream(
    request: Request,
    state: State,
    who: PageViewer,
    since: Annotated[str | None, Query(max_length=18)] = None,
    team: Annotated[str | None, Query(max_length=200)] = None,
    service: Annotated[str | None, Query(max_length=200)] = None,
    last_event_id: Annotated[str | None, Header(max_length=18)] = None,
) -> StreamingResponse:
    configs = await run_in_threadpool(_watched, state.db, who, team or None, service or None)

    async def latest() -> int:
        return await run_in_threadpool(_latest, state.db, configs)

    messages = updates(latest, request.is_disconnected, _stamp(last_event_id, since))
    return StreamingResponse(
        messages,
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
