"""The live-update stream's messages (:func:`assay.web.pages.delivery_stream.updates`), driven
by a fake clock: an update only when newer events arrived, heartbeats while nothing happens,
an end when the client leaves or the stream's life is over. The HTTP side (headers,
permissions, a real ingestion seen by a real server) is in test_delivery_pages.py and the
browser journey."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path

import httpx

from assay.api.app import create_app
from assay.core import account_service as accounts
from assay.core.config import Settings
from assay.core.db import Database
from assay.core.permissions import SYSTEM
from assay.web.pages.delivery_reads import latest_received
from assay.web.pages.delivery_stream import RETRY_MS, updates
from tests.web.conftest import LiveServer
from tests.web.delivery_history import seed_history
from tests.web.pages_support import PASSWORD


class Fake:
    """A clock advanced by ``sleep``, and a scripted ``latest()`` per poll."""

    def __init__(self, values: list[int], disconnect_after: int | None = None) -> None:
        self.values = values
        self.now = 0.0
        self.polls = 0
        self.disconnect_after = disconnect_after

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds

    async def latest(self) -> int:
        value = self.values[min(self.polls, len(self.values) - 1)]
        self.polls += 1
        return value

    async def disconnected(self) -> bool:
        return self.disconnect_after is not None and self.polls >= self.disconnect_after


def _collect(fake: Fake, since: int | None, **limits: float) -> list[str]:
    async def run() -> list[str]:
        latest: Callable[[], Awaitable[int]] = fake.latest
        return [
            message
            async for message in updates(
                latest, fake.disconnected, since, clock=fake.clock, sleep=fake.sleep, **limits
            )
        ]

    # A thread of its own: Playwright's sync API leaves an event loop running in the main
    # thread of the test session, where asyncio.run refuses to start another.
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, run()).result()


def test_an_update_is_sent_once_per_newer_arrival() -> None:
    fake = Fake([100, 100, 250, 250, 300])
    messages = _collect(fake, since=100, poll_s=2, heartbeat_s=1000, lifetime_s=10)
    assert messages[0] == f"retry: {RETRY_MS}\n\n"
    assert messages[1:] == [
        "id: 250\nevent: update\ndata: 250\n\n",
        "id: 300\nevent: update\ndata: 300\n\n",
    ]


def test_without_since_the_first_poll_is_the_baseline() -> None:
    fake = Fake([500, 500, 500])
    messages = _collect(fake, since=None, poll_s=2, heartbeat_s=1000, lifetime_s=6)
    assert messages == [f"retry: {RETRY_MS}\n\n"]


def test_events_that_arrived_before_connecting_are_announced() -> None:
    """The page passes the newest arrival it was drawn with: one that came in between the
    page and the stream is not missed."""
    fake = Fake([700])
    messages = _collect(fake, since=600, poll_s=2, heartbeat_s=1000, lifetime_s=2)
    assert "id: 700\nevent: update\ndata: 700\n\n" in messages


def test_heartbeats_while_nothing_arrives() -> None:
    fake = Fake([1])
    messages = _collect(fake, since=1, poll_s=2, heartbeat_s=15, lifetime_s=60)
    beats = [m for m in messages if m.startswith(":")]
    assert beats and all(m == ": heartbeat\n\n" for m in beats)
    assert len(beats) == 3  # at 16 s, 32 s and 48 s of a 60 s life, polled every 2 s


def test_the_stream_ends_when_the_client_leaves() -> None:
    fake = Fake([1, 1, 1, 9], disconnect_after=2)
    messages = _collect(fake, since=1, poll_s=2, heartbeat_s=1000, lifetime_s=10_000)
    assert messages == [f"retry: {RETRY_MS}\n\n"]
    assert fake.polls == 2


def test_the_stream_ends_after_its_lifetime() -> None:
    fake = Fake([1])
    _collect(fake, since=1, poll_s=2, heartbeat_s=1000, lifetime_s=20)
    assert fake.now == 20 and fake.polls == 10


def test_the_stream_over_http_announces_events_and_closes_with_the_client(
    tmp_path: Path, live_server: LiveServer
) -> None:
    """A real server: the stream is text/event-stream, uncached, starts with the retry
    interval and sends an update for events newer than ``since``; closing the client ends it
    (the live server's shutdown would otherwise wait for it and the fixture fail)."""
    settings = Settings.from_env({"ASSAY_HOME": str(tmp_path / "home"), "ASSAY_ENV": "development"})
    db = Database(settings)
    db.ensure_schema()
    with db.session() as s:
        accounts.create_user(s, SYSTEM, "root", PASSWORD, admin=True)
        seed_history(s, datetime.now(UTC))
        stamp = latest_received(s, None)
    db.dispose()
    url = live_server(create_app(settings))
    with httpx.Client(base_url=url, timeout=30) as client:
        form = client.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
        assert token
        signed = client.post(
            "/login", data={"username": "root", "password": PASSWORD, "csrf_token": token[1]}
        )
        assert signed.status_code == 303
        with client.stream("GET", f"/delivery/stream?since={stamp - 1}") as answer:
            assert answer.status_code == 200
            assert answer.headers["content-type"].startswith("text/event-stream")
            assert answer.headers["cache-control"] == "no-store"
            lines = answer.iter_lines()
            assert next(lines) == f"retry: {RETRY_MS}"
            got = list(islice((line for line in lines if line), 3))
            assert got == [f"id: {stamp}", "event: update", f"data: {stamp}"]
