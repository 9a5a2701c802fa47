"""Fetching advisory feeds to local files: HTTP(S) with conditional requests, or a local mirror.

One place decides how assay talks to a feed, so every source behaves the same:

* ``http://`` and ``https://`` URLs go through one ``httpx`` client that honours
  the proxy and CA variables of the environment (``trust_env``), sends a
  ``User-Agent`` naming assay and its version, times out, follows at most a few
  redirects (never from https down to http), and retries connection errors,
  5xx and 429 answers a bounded number of times with exponential backoff
  (a ``Retry-After`` is honoured up to a cap).
* ``file://`` URLs and plain paths are local mirrors; their "ETag" is the file's
  modification time and size, so an unchanged mirror is skipped like a 304.
* The body is streamed to a temporary file in the destination directory and
  renamed into place only when complete, so a crash never leaves half a feed.
  A body over the size limit (``ASSAY_MAX_INPUT_MB``) is refused while streaming.
* Every failure is a :class:`~assay.core.errors.SourceUnavailable` naming the URL
  with any user, password or secret-looking query value replaced by ``***``.
* With ``settings.offline`` an HTTP URL is refused before any socket is opened;
  local mirrors stay readable offline (they are not network access).
"""

from __future__ import annotations

import email.utils
import hashlib
import os
import re
import socket
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

import httpx

from assay import __version__
from assay.core.config import Settings
from assay.core.errors import SourceUnavailable

USER_AGENT = f"assay/{__version__} (vulnerability database sync; python-httpx/{httpx.__version__})"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
CHUNK_BYTES = 64 * 1024
_SECRET_PARAM = re.compile(r"token|key|secret|pass|sig|auth|credential|session", re.IGNORECASE)
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")

ByteProgress = Callable[[int, int | None], None]
"""Called with (bytes received so far, expected total or None) while a body streams."""


@dataclass(frozen=True, slots=True)
class HttpPolicy:
    """Timeouts and retry rules; one instance for production, fast ones in tests."""

    attempts: int = 4
    backoff_seconds: float = 1.0  # the first retry waits this long, then it doubles
    max_wait_seconds: float = 60.0  # cap on any one wait, Retry-After included
    connect_timeout: float = 15.0
    read_timeout: float = 60.0
    max_redirects: int = 5
    sleep: Callable[[float], None] = time.sleep


DEFAULT_POLICY = HttpPolicy()


@dataclass(frozen=True, slots=True)
class Fetched:
    """The outcome of a conditional fetch; ``path`` is None when nothing changed (304)."""

    url: str  # redacted, safe to print
    path: Path | None
    etag: str | None
    last_modified: str | None

    @property
    def not_modified(self) -> bool:
        return self.path is None


def redact_url(url: str) -> str:
    """``url`` with credentials and secret-looking query values replaced by ``***``."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unparseable URL>"
    netloc = parts.netloc
    if "@" in netloc:
        netloc = "***@" + netloc.rpartition("@")[2]
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        query = urlencode(
            [(k, "***" if _SECRET_PARAM.search(k) else v) for k, v in pairs], safe="*/:"
        )
    return urlunsplit(parts._replace(netloc=netloc, query=query, fragment=""))


def fetch_to_file(
    url: str,
    dest_dir: Path,
    settings: Settings,
    *,
    progress: ByteProgress | None = None,
    policy: HttpPolicy | None = None,
) -> Path:
    """Download ``url`` (or copy a local mirror) into ``dest_dir``; the new file's path."""
    fetched = fetch_conditional(url, dest_dir, settings, progress=progress, policy=policy)
    assert fetched.path is not None  # no validators were sent, so never "not modified"
    return fetched.path


def fetch_conditional(
    url: str,
    dest_dir: Path,
    settings: Settings,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    progress: ByteProgress | None = None,
    policy: HttpPolicy | None = None,
) -> Fetched:
    """Fetch ``url`` unless it still matches ``etag``/``last_modified`` (then ``path`` is None)."""
    shown = redact_url(url)
    scheme = _scheme(url)
    if scheme in {"http", "https"}:
        if settings.offline:
            raise SourceUnavailable(f"offline: {shown} not fetched (ASSAY_OFFLINE is set)")
        target = _target(dest_dir, url, shown)
        return _HttpFetch(url, shown, target, settings.max_input_bytes, policy).run(
            etag, last_modified, progress
        )
    if scheme == "file":
        parts = urlsplit(url)
        if parts.netloc not in {"", "localhost"}:
            raise SourceUnavailable(f"{shown}: file URLs must name a local path")
        local = Path(unquote(parts.path))
    elif scheme == "":
        local = Path(url)
    else:
        raise SourceUnavailable(f"{shown}: unsupported URL scheme {scheme!r}")
    return _copy_local(local, shown, _target(dest_dir, url, shown), settings, etag, progress)


def _scheme(url: str) -> str:
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        raise SourceUnavailable(f"{redact_url(url)}: not a valid URL") from None
    # A Windows drive letter ("C:\\feeds\\kev.json") is a path, not a scheme.
    return "" if len(scheme) == 1 else scheme


def _target(dest_dir: Path, url: str, shown: str) -> Path:
    """A stable file name per URL, keeping the URL's base name (and so its suffix)."""
    try:
        dest_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SourceUnavailable(f"{shown}: cannot create {dest_dir}: {exc.strerror}") from None
    base = unquote(urlsplit(url).path.rstrip("/").rpartition("/")[2]) or "download"
    base = _UNSAFE_NAME.sub("_", base)[-80:].lstrip(".") or "download"
    digest = hashlib.sha256(shown.encode()).hexdigest()[:12]
    return dest_dir / f"{digest}-{base}"


def _local_etag(st: os.stat_result) -> str:
    return f'"{st.st_mtime_ns:x}-{st.st_size:x}"'


def _copy_local(
    local: Path,
    shown: str,
    target: Path,
    settings: Settings,
    etag: str | None,
    progress: ByteProgress | None,
) -> Fetched:
    try:
        st = local.stat()
        if not local.is_file():
            raise SourceUnavailable(f"{shown}: not a regular file")
        new_etag = _local_etag(st)
        modified = email.utils.formatdate(st.st_mtime, usegmt=True)
        if etag is not None and etag == new_etag:
            return Fetched(shown, None, new_etag, modified)
        if st.st_size > settings.max_input_bytes:
            raise SourceUnavailable(_too_large(shown, st.st_size, settings.max_input_bytes))
        with local.open("rb") as src, _Staging(target, shown) as out:
            chunks = iter(lambda: src.read(CHUNK_BYTES), b"")
            out.write_all(chunks, settings.max_input_bytes, st.st_size, progress)
    except OSError as exc:
        raise SourceUnavailable(f"{shown}: cannot read: {exc.strerror or exc}") from None
    return Fetched(shown, target, new_etag, modified)


def _too_large(shown: str, size: int, limit: int) -> str:
    return (
        f"{shown}: response is over the {limit:,}-byte limit ({size:,} bytes; ASSAY_MAX_INPUT_MB)"
    )


class _Staging:
    """A temporary file beside ``target``, renamed onto it only on success."""

    def __init__(self, target: Path, shown: str) -> None:
        self.target = target
        self.shown = shown
        fd, name = tempfile.mkstemp(dir=target.parent, prefix=".assay-", suffix=".part")
        self.tmp = Path(name)
        self.fh: BinaryIO = os.fdopen(fd, "wb")
        self.size = 0

    def __enter__(self) -> _Staging:
        return self

    def write_all(
        self,
        chunks: Iterable[bytes],
        limit: int,
        expected: int | None,
        progress: ByteProgress | None,
    ) -> None:
        for chunk in chunks:
            self.size += len(chunk)
            if self.size > limit:
                raise SourceUnavailable(_too_large(self.shown, self.size, limit))
            self.fh.write(chunk)
            if progress is not None:
                progress(self.size, expected)

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        try:
            self.fh.close()
            if exc_type is None:
                self.tmp.replace(self.target)
        finally:
            self.tmp.unlink(missing_ok=True)


class _Retry(Exception):
    """Internal: a transient failure worth another attempt; never escapes this module."""

    def __init__(self, reason: str, wait: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.wait = wait


class _HttpFetch:
    """One download with its retries."""

    def __init__(
        self, url: str, shown: str, target: Path, limit: int, policy: HttpPolicy | None
    ) -> None:
        self.url = url
        self.shown = shown
        self.target = target
        self.limit = limit
        self.policy = policy or DEFAULT_POLICY
        self.secret = urlsplit(url).password or ""

    def run(
        self, etag: str | None, last_modified: str | None, progress: ByteProgress | None
    ) -> Fetched:
        policy = self.policy
        headers = {"User-Agent": USER_AGENT, "Accept": "*/*"}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        timeout = httpx.Timeout(policy.read_timeout, connect=policy.connect_timeout)
        try:
            client = httpx.Client(
                headers=headers,
                timeout=timeout,
                trust_env=True,
                follow_redirects=True,
                max_redirects=policy.max_redirects,
            )
        except (httpx.HTTPError, OSError, ValueError) as exc:  # bad proxy or CA settings
            raise SourceUnavailable(
                f"{self.shown}: cannot set up HTTP: {self._scrub(exc)}"
            ) from None
        with client:
            attempt = 1
            while True:
                try:
                    return self._attempt(client, etag, last_modified, progress)
                except _Retry as retry:
                    if attempt >= policy.attempts:
                        raise SourceUnavailable(
                            f"{self.shown}: {retry.reason} (gave up after {attempt} attempt"
                            + ("s)" if attempt > 1 else ")")
                        ) from None
                    backoff = policy.backoff_seconds * 2 ** (attempt - 1)
                    wait = retry.wait if retry.wait is not None else backoff
                    policy.sleep(min(max(wait, 0.0), policy.max_wait_seconds))
                    attempt += 1

    def _scrub(self, exc: BaseException) -> str:
        text = str(exc) or type(exc).__name__
        text = text.replace(self.url, self.shown)
        if self.secret:
            text = text.replace(self.secret, "***")
        return text.splitlines()[0] if text.strip() else type(exc).__name__

    def _attempt(
        self,
        client: httpx.Client,
        etag: str | None,
        last_modified: str | None,
        progress: ByteProgress | None,
    ) -> Fetched:
        try:
            with client.stream("GET", self.url) as response:
                return self._handle(response, etag, last_modified, progress)
        except httpx.TooManyRedirects:
            raise SourceUnavailable(f"{self.shown}: too many redirects") from None
        except (httpx.UnsupportedProtocol, httpx.InvalidURL) as exc:
            raise SourceUnavailable(f"{self.shown}: {self._scrub(exc)}") from None
        except httpx.TimeoutException as exc:
            raise _Retry(f"timed out ({type(exc).__name__})") from None
        except httpx.TransportError as exc:
            if _unknown_host(exc):  # retrying cannot help: say so at once (offline machines)
                raise SourceUnavailable(
                    f"{self.shown}: host not found (no DNS entry; offline or a mirror URL typo?)"
                ) from None
            raise _Retry(f"{type(exc).__name__}: {self._scrub(exc)}") from None
        except httpx.HTTPError as exc:
            raise SourceUnavailable(f"{self.shown}: {self._scrub(exc)}") from None
        except OSError as exc:
            raise SourceUnavailable(
                f"{self.shown}: cannot write {self.target.parent}: {exc.strerror or exc}"
            ) from None

    def _handle(
        self,
        response: httpx.Response,
        etag: str | None,
        last_modified: str | None,
        progress: ByteProgress | None,
    ) -> Fetched:
        status = response.status_code
        if self.url.lower().startswith("https:") and response.url.scheme != "https":
            raise SourceUnavailable(f"{self.shown}: refused a redirect from https to plain http")
        new_etag = response.headers.get("ETag") or etag
        new_modified = response.headers.get("Last-Modified") or last_modified
        if status == 304:
            if etag is None and last_modified is None:
                raise SourceUnavailable(f"{self.shown}: HTTP 304 to an unconditional request")
            return Fetched(self.shown, None, new_etag, new_modified)
        if status in RETRY_STATUSES:
            wait = _retry_after(response.headers.get("Retry-After"))
            raise _Retry(f"HTTP {status} {response.reason_phrase}".rstrip(), wait)
        if status != 200:
            raise SourceUnavailable(
                f"{self.shown}: HTTP {status} {response.reason_phrase}".rstrip()
            )
        expected = _content_length(response)
        if expected is not None and expected > self.limit:
            raise SourceUnavailable(_too_large(self.shown, expected, self.limit))
        # With a Content-Encoding the length counts compressed bytes, the cap decoded ones.
        encoded = response.headers.get("Content-Encoding", "identity").strip() != "identity"
        total = None if encoded else expected
        with _Staging(self.target, self.shown) as out:
            out.write_all(response.iter_bytes(CHUNK_BYTES), self.limit, total, progress)
            if total is not None and out.size != total:
                raise _Retry(f"body truncated: {out.size:,} of {total:,} bytes")
        return Fetched(
            self.shown,
            self.target,
            response.headers.get("ETag"),
            response.headers.get("Last-Modified"),
        )


def _content_length(response: httpx.Response) -> int | None:
    raw = response.headers.get("Content-Length")
    if raw is None or not raw.strip().isdigit():
        return None
    return int(raw)


def _unknown_host(exc: BaseException) -> bool:
    """True when the cause is a name that does not resolve (EAI_NONAME), not a transient
    resolver failure (EAI_AGAIN), which is worth retrying."""
    seen: BaseException | None = exc
    for _ in range(8):
        if seen is None:
            return False
        if isinstance(seen, socket.gaierror):
            return seen.errno == socket.EAI_NONAME
        seen = seen.__cause__ or seen.__context__
    return False


def _retry_after(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - datetime.now(UTC)).total_seconds(), 0.0)
