"""``POST /api/v1/events``: delivery events in over HTTP, as ``assay events import`` takes them.

The body is a JSON array of events (``Content-Type: application/json``) or
JSON Lines (``application/x-ndjson``), each event checked by the strict codec
of :mod:`assay.delivery.codec` under the same limits as a file import
(``ASSAY_MAX_INPUT_MB`` for the whole body, :data:`~assay.delivery.jsonl.MAX_LINE`
per line). All or nothing: the first bad event answers 422 with one line
naming its index or line, and nothing is stored. Needs SEND_EVENTS; the store
records the source ``api:<actor>`` and audits the call.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, status

from assay.api.deps import DbSession, State, require
from assay.core.errors import InputTooLarge
from assay.core.inputs import parse_json
from assay.core.permissions import Permission, Principal
from assay.delivery.access import out_of_scope
from assay.delivery.codec import EventError, decode
from assay.delivery.events import Event
from assay.delivery.jsonl import MAX_LINE, InvalidEvents
from assay.delivery.store import ingest

router = APIRouter(tags=["delivery"])

Sender = Annotated[Principal, Depends(require(Permission.SEND_EVENTS))]
SOURCE = "request body"
JSON_TYPES = ("application/json",)
LINES_TYPES = ("application/x-ndjson", "application/jsonl", "application/json-lines")


async def read_body(request: Request, state: State) -> bytes:
    """The raw body, refused with 413 as soon as it passes ``ASSAY_MAX_INPUT_MB``."""
    limit = state.settings.max_input_bytes
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise InputTooLarge(SOURCE, f"over the {limit:,}-byte limit (ASSAY_MAX_INPUT_MB)")
        chunks.append(chunk)
    return b"".join(chunks)


Body = Annotated[bytes, Depends(read_body)]


def media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";", 1)[0].strip().lower()


def decode_array(raw: bytes) -> list[Event]:
    """The events of a JSON array; an error names the index (``events[3]: deployment: ...``)."""
    data = parse_json(raw, SOURCE, error=InvalidEvents)
    if not isinstance(data, list):
        raise InvalidEvents(SOURCE, "expected a JSON array of events")
    events: list[Event] = []
    for index, item in enumerate(data):
        try:
            events.append(decode(item))
        except EventError as exc:
            raise InvalidEvents(SOURCE, f"events[{index}]: {exc}") from None
    return events


def decode_lines(raw: bytes, *, max_line: int = MAX_LINE) -> list[Event]:
    """The events of JSON Lines text; an error names the line, as ``assay events import`` does."""
    events: list[Event] = []
    for number, line in enumerate(raw.split(b"\n"), start=1):
        if number == 1 and line.startswith(b"\xef\xbb\xbf"):
            line = line[3:]
        if len(line) > max_line:
            raise InvalidEvents(SOURCE, f"line longer than {max_line:,} bytes", line=number)
        if not line.strip():
            continue
        if b"\x00" in line:
            raise InvalidEvents(SOURCE, "binary data, expected JSON Lines text", line=number)
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidEvents(SOURCE, "not valid UTF-8 text", line=number) from None
        try:
            item = parse_json(line, SOURCE, error=InvalidEvents)
        except InvalidEvents as exc:
            raise InvalidEvents(SOURCE, exc.reason, line=number) from None
        try:
            events.append(decode(item))
        except EventError as exc:
            raise InvalidEvents(SOURCE, str(exc), line=number) from None
    return events


@router.post(
    "/events",
    responses={
        403: {"description": "an event of a service or repository outside the sender's teams"},
        413: {"description": "body over ASSAY_MAX_INPUT_MB"},
        415: {"description": "neither application/json nor application/x-ndjson"},
        422: {"description": "an event that cannot be read; nothing was stored"},
    },
)
def send_events(request: Request, session: DbSession, who: Sender, body: Body) -> dict[str, int]:
    """Store a batch of delivery events (idempotent by natural key); counts per outcome."""
    kind = media_type(request)
    if kind in JSON_TYPES:
        events = decode_array(body)
    elif kind in LINES_TYPES:
        events = decode_lines(body)
    else:
        raise HTTPException(
            status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
            "send events as application/json (an array) or application/x-ndjson (JSON Lines)",
        )
    if not events:
        raise InvalidEvents(SOURCE, "no events (expected at least one)")
    refused = out_of_scope(session, who, events)
    if refused is not None:
        raise HTTPException(status.HTTP_403_FORBIDDEN, f"{refused}; nothing was stored")
    result = ingest(session, events, source=f"api:{who.actor}", actor=who.actor)
    return {"inserted": result.inserted, "updated": result.updated, "unchanged": result.unchanged}
