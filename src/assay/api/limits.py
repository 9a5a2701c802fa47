"""A limit on request bodies, enforced before any endpoint, form parser or auth check.

Without it, FastAPI reads a whole multipart body to a temporary file before it
knows who is calling, so an anonymous client could fill the disk. The limit is
checked on ``Content-Length`` and again on the bytes actually streamed
(chunked bodies have no length).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]

SMALL = 64 * 1024  # sign-in forms
DEFAULT = 1024 * 1024  # JSON bodies and page forms
#: paths that take documents (SBOMs, VEX): the configured input limit plus form overhead
DOCUMENT_SUFFIXES = (
    "/api/v1/bom",
    "/vex",
    "/api/v1/gate",
    "/api/v1/events",
    "/api/v1/webhooks/github",
    "/api/v1/webhooks/gitlab",
)


class BodyTooLarge(Exception):
    pass


class BodyLimit:
    def __init__(self, app: App, document_bytes: int) -> None:
        self.app = app
        self.document_bytes = document_bytes + 1024 * 1024

    def limit_for(self, path: str) -> int:
        if path in {"/login", "/logout"}:
            return SMALL
        if path.endswith(DOCUMENT_SUFFIXES):
            return self.document_bytes
        return DEFAULT

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        for name, value in scope.get("headers", ()):
            if name == b"content-length" and value.isdigit() and int(value) > limit:
                await _refuse(send, limit)
                return
        seen = 0
        started = refused = False

        async def counted() -> Message:
            nonlocal seen, refused
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    if not started and not refused:
                        refused = True
                        await _refuse(send, limit)  # the answer, whatever the app makes of it
                    raise BodyTooLarge
            return message

        async def tracked(message: Message) -> None:
            nonlocal started
            if refused:
                return  # the 413 is already sent; the app's own answer is dropped
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, tracked)
        except BodyTooLarge:
            if not started and not refused:
                await _refuse(send, limit)


async def _refuse(send: Send, limit: int) -> None:
    body = json.dumps({"detail": f"request body larger than {limit // 1024} KiB"}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
