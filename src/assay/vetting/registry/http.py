"""One way to ask a registry for bytes: timeouts, a User-Agent, a size cap while streaming.

A response body larger than the cap is refused as it streams (memory stays
bounded even when the server lies about, or omits, ``Content-Length``). Requests go
only to allowed hosts (:mod:`.hosts`); redirects are followed here, at most
:data:`MAX_REDIRECTS`, each hop checked before it is asked. With
``settings.offline`` nothing is requested at all. Every failure becomes a
:class:`RegistryError` naming the URL with credentials removed; no retry loop:
a vetting run reports a check it could not run rather than waiting minutes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

import httpx

from assay import __version__
from assay.core.config import Settings
from assay.core.errors import InputError
from assay.core.inputs import parse_json
from assay.vetting.registry.hosts import AllowedHosts, for_registry, origin
from assay.vetting.registry.interface import PackageNotFound, RegistryError
from assay.vulndb.download import redact_url

USER_AGENT = f"assay/{__version__} (package vetting; python-httpx/{httpx.__version__})"
JSON_LIMIT = 64 * 1024 * 1024  # the largest packuments on npm are tens of MB
CHUNK = 64 * 1024
MAX_REDIRECTS = 5

Progress = Callable[[int, int | None], None]


@dataclass(frozen=True, slots=True)
class Timeouts:
    connect: float = 10.0
    read: float = 30.0


DEFAULT_TIMEOUTS = Timeouts()


def get_bytes(
    url: str,
    settings: Settings,
    *,
    limit: int,
    timeouts: Timeouts | None = None,
    progress: Progress | None = None,
    accept: str = "*/*",
    allowed: AllowedHosts | None = None,
) -> bytes:
    """The body of ``url``, at most ``limit`` bytes; RegistryError otherwise.

    Only hosts in ``allowed`` are asked (by default: the host and port of ``url`` itself),
    and every redirect hop is checked before it is followed."""
    shown = redact_url(url)
    if settings.offline:
        raise RegistryError(f"offline: {shown} not fetched (ASSAY_OFFLINE is set)")
    if not url.startswith(("http://", "https://")):
        raise RegistryError(f"{shown}: only http(s) URLs are fetched")
    try:
        allowed = allowed or for_registry(url)
        allowed.check(url)
    except RegistryError as exc:
        raise RegistryError(f"{shown}: {exc}") from None
    timeouts = timeouts or DEFAULT_TIMEOUTS  # read at call time: tests shorten it
    timeout = httpx.Timeout(timeouts.read, connect=timeouts.connect)
    headers = {"User-Agent": USER_AGENT, "Accept": accept}
    try:
        with httpx.Client(timeout=timeout, headers=headers, follow_redirects=False) as client:
            return _follow(client, url, allowed, limit, progress)
    except httpx.TimeoutException:
        raise RegistryError(f"{shown}: the registry did not answer in time") from None
    except httpx.HTTPError as exc:
        reason = type(exc).__name__
        raise RegistryError(f"{shown}: cannot fetch ({reason})") from None


def _follow(
    client: httpx.Client,
    url: str,
    allowed: AllowedHosts,
    limit: int,
    progress: Progress | None,
) -> bytes:
    """GET ``url``, following at most MAX_REDIRECTS redirects, each checked against ``allowed``.

    Credentials written in ``url`` are sent again only to a hop on the same origin."""
    shown = redact_url(url)
    userinfo = httpx.URL(url).userinfo  # httpx sends it as Basic authentication
    request, current = client.build_request("GET", url), url
    for _ in range(MAX_REDIRECTS + 1):
        response = client.send(request, stream=True)
        try:
            if response.is_redirect:
                location = response.headers.get("Location", "")
                target = urljoin(current, location)
                if current.startswith("https://") and not target.startswith("https://"):
                    raise RegistryError(f"{shown}: redirected from https to plain http, refused")
                try:
                    allowed.check(target)
                except RegistryError as exc:
                    raise RegistryError(f"{shown}: redirect {exc}") from None
                current = target
                following = httpx.URL(current)
                if userinfo and not following.userinfo and origin(current) == origin(url):
                    following = following.copy_with(userinfo=userinfo)
                request = client.build_request("GET", following)
                continue
            return _body(response, shown, limit, progress)
        finally:
            response.close()
    raise RegistryError(f"{shown}: more than {MAX_REDIRECTS} redirects")


def _body(response: httpx.Response, shown: str, limit: int, progress: Progress | None) -> bytes:
    if response.status_code == 404:
        raise PackageNotFound(f"{shown}: not found in the registry (HTTP 404)")
    if response.status_code != 200:
        raise RegistryError(f"{shown}: the registry answered HTTP {response.status_code}")
    declared = response.headers.get("Content-Length")
    total = int(declared) if declared and declared.isdigit() else None
    if total is not None and total > limit:
        raise RegistryError(f"{shown}: {total} bytes is over the limit of {limit} bytes")
    chunks: list[bytes] = []
    received = 0
    for chunk in response.iter_bytes(CHUNK):
        received += len(chunk)
        if received > limit:
            raise RegistryError(f"{shown}: more than the limit of {limit} bytes")
        chunks.append(chunk)
        if progress is not None:
            progress(received, total)
    return b"".join(chunks)


def get_json(
    url: str,
    settings: Settings,
    *,
    limit: int = JSON_LIMIT,
    timeouts: Timeouts | None = None,
    allowed: AllowedHosts | None = None,
) -> Any:
    body = get_bytes(
        url, settings, limit=limit, timeouts=timeouts, accept="application/json", allowed=allowed
    )
    try:
        return parse_json(body, redact_url(url))
    except InputError as exc:
        raise RegistryError(str(exc)) from None
