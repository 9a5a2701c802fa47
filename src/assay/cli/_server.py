"""Talking to an assay server from the CLI: one client, one way to report its refusals.

The API key comes from ``ASSAY_API_KEY`` only (never the command line, where it
would show in process lists and CI logs) and is never printed. Every command
that calls the server (``upload``, ``catalogue``, ``policy apply``, ``waiver``,
``gate --server``) goes through :func:`connect` and :func:`answer`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from assay.core.errors import AssayError, ConfigError, SourceUnavailable

if TYPE_CHECKING:
    import httpx

MAX_DETAIL = 300


class ServerRefused(AssayError):
    """The server answered with an error; the message carries its reason in one line."""


def detail(response: httpx.Response) -> str:
    """The server's reason in one line (FastAPI's ``detail``: text or validation errors)."""
    try:
        reason: Any = response.json().get("detail")
    except (ValueError, AttributeError):
        reason = None
    if isinstance(reason, list):  # request validation errors
        reason = "; ".join(
            f"{'.'.join(str(p) for p in item.get('loc', [])[1:])}: {item.get('msg', '')}"
            for item in reason
            if isinstance(item, dict)
        )
    text = str(reason) if reason else response.reason_phrase or "error"
    return " ".join(text.split())[:MAX_DETAIL]


def answer(response: httpx.Response, what: str) -> Any:
    """The JSON body of a successful answer; ServerRefused naming ``what`` otherwise."""
    if response.status_code >= 400:
        raise ServerRefused(f"{what}: server answered {response.status_code}: {detail(response)}")
    if response.status_code == 204 or not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        raise ServerRefused(f"{what}: the server's answer is not JSON") from None


def server_url(given: str | None) -> str:
    from assay.cli.context import settings

    server = (given or settings().server_url).rstrip("/")
    if not server.startswith(("http://", "https://")):
        raise ConfigError(f"--server: {server!r} is not an http(s) URL")
    return server


@contextmanager
def connect(server: str | None = None, timeout: float = 60.0) -> Iterator[httpx.Client]:
    """An authenticated client for ``server`` (default ``ASSAY_SERVER_URL``); transport
    failures become one-line SourceUnavailable errors (exit 2)."""
    import httpx

    from assay.cli.context import settings

    key = settings().api_key
    if key is None:
        raise ConfigError("ASSAY_API_KEY is not set: create a key for your team on the server")
    base = server_url(server)
    headers = {"Authorization": f"Bearer {key}", "User-Agent": "assay-cli"}
    try:
        with httpx.Client(base_url=base, headers=headers, timeout=timeout) as client:
            yield client
    except httpx.HTTPError as exc:
        raise SourceUnavailable(f"{base}: cannot reach the server: {exc}") from None
