"""The browser test harness for the web UI.

``browser``: headless Chromium driven by Playwright, once per session. It is
Debian's ``/usr/bin/chromium`` (``playwright install`` needs a download);
when that file is absent the browser tests are skipped with a message, unless
the environment variable ``CI`` is set (``.ci/run`` sets it), where they fail.

``page``: a fresh browser context and page per test (no cookies shared),
sized like a laptop screen (1280x800).

``screenshot(page, name)``: saves a full-page PNG as
``tests/web/artifacts/<name>.png`` (kept as a test artefact, gitignored).

``live_server(app)``: serves an ASGI app with uvicorn in a background thread
on 127.0.0.1 and a free port, waits until ``/healthz`` answers 200, returns
the base URL, and shuts the server down when the test ends.

Playwright and uvicorn are imported by the fixtures that need them, so the
web tests that use neither run without them.
"""

from __future__ import annotations

import os
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, ViewportSize

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
VIEWPORT: ViewportSize = {"width": 1280, "height": 800}
# Guards against a hang, not measurements: a healthy server starts in well under a second.
STARTUP_LIMIT_S = 30.0
SHUTDOWN_LIMIT_S = 15.0
_SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")

Screenshot = Callable[["Page", str], Path]
LiveServer = Callable[[Any], str]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.is_file():
        message = (
            f"{CHROMIUM} not found: install Debian's chromium package (apt-get install chromium)"
        )
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        playwright.stop()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=VIEWPORT)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def screenshot() -> Screenshot:
    def save(page: Page, name: str) -> Path:
        if not _SAFE_NAME.fullmatch(name):
            raise ValueError(f"screenshot name {name!r}: use letters, digits, '.', '_' or '-'")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return save


class _ServerThread:
    """One uvicorn server on an already-bound socket, run in a daemon thread."""

    def __init__(self, app: Any) -> None:
        import uvicorn

        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.bind(("127.0.0.1", 0))  # port 0: the kernel picks a free port, no race
        host, port = self.socket.getsockname()
        self.url = f"http://{host}:{port}"
        config = uvicorn.Config(app, log_level="warning", lifespan="auto")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.socket]}, daemon=True
        )

    def start(self) -> None:
        self.thread.start()
        deadline = time.monotonic() + STARTUP_LIMIT_S
        while not self.server.started:
            if not self.thread.is_alive():
                pytest.fail(f"live server on {self.url} exited during start-up (see its log)")
            if time.monotonic() > deadline:
                self.stop()
                pytest.fail(f"live server on {self.url} did not start in {STARTUP_LIMIT_S} s")
            time.sleep(0.01)
        response = httpx.get(f"{self.url}/healthz", timeout=STARTUP_LIMIT_S)
        if response.status_code != 200:
            self.stop()
            pytest.fail(f"live server: GET /healthz answered {response.status_code}")

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(SHUTDOWN_LIMIT_S)
        if self.thread.is_alive():
            self.server.force_exit = True
            self.thread.join(SHUTDOWN_LIMIT_S)
        self.socket.close()


@pytest.fixture
def live_server() -> Iterator[LiveServer]:
    servers: list[_ServerThread] = []

    def start(app: Any) -> str:
        server = _ServerThread(app)
        servers.append(server)
        server.start()
        return server.url

    yield start
    for server in reversed(servers):
        server.stop()
    stuck = [server.url for server in servers if server.thread.is_alive()]
    assert not stuck, f"live servers did not shut down: {stuck}"
