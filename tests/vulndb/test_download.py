"""assay.vulndb.download against a real HTTP server on 127.0.0.1 and local mirrors."""

from __future__ import annotations

import email.utils
import os
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from assay import __version__
from assay.core.config import Settings
from assay.core.errors import SourceUnavailable
from assay.vulndb import download
from assay.vulndb.download import (
    HttpPolicy,
    fetch_conditional,
    fetch_to_file,
    redact_url,
)
from tests.vulndb.feed_server import Fault, FeedServer

BODY = b'{"vulnerabilities": []}\n' * 100


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer.running() as s:
        yield s


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(home=tmp_path / "home", database_url="sqlite://")


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def policy(sleeps: list[float]) -> HttpPolicy:
    return HttpPolicy(
        attempts=3,
        backoff_seconds=0.5,
        max_wait_seconds=30.0,
        connect_timeout=2.0,
        read_timeout=2.0,
        sleep=sleeps.append,
    )


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.startswith("."))


def test_downloads_to_dest_dir_with_user_agent(
    server: FeedServer, settings: Settings, tmp_path: Path, policy: HttpPolicy
) -> None:
    server.put("/feed.json", BODY)
    seen: list[tuple[int, int | None]] = []
    path = fetch_to_file(
        server.url("/feed.json"),
        tmp_path / "dl",
        settings,
        policy=policy,
        progress=lambda done, total: seen.append((done, total)),
    )
    assert path.parent == tmp_path / "dl"
    assert path.name.endswith("-feed.json")
    assert path.read_bytes() == BODY
    assert leftovers(tmp_path / "dl") == []
    agent = server.requests_to("/feed.json")[0].headers["user-agent"]
    assert agent.startswith(f"assay/{__version__} ")
    assert seen[-1] == (len(BODY), len(BODY))


def test_second_fetch_with_etag_is_not_modified(
    server: FeedServer, settings: Settings, tmp_path: Path, policy: HttpPolicy
) -> None:
    resource = server.put("/kev.json", BODY)
    first = fetch_conditional(server.url("/kev.json"), tmp_path, settings, policy=policy)
    assert first.path is not None and first.etag == resource.etag
    assert first.last_modified == resource.last_modified
    second = fetch_conditional(
        server.url("/kev.json"),
        tmp_path,
        settings,
        etag=first.etag,
        last_modified=first.last_modified,
        policy=policy,
    )
    assert second.not_modified and second.path is None
    assert second.etag == first.etag
    hit = server.requests_to("/kev.json")[1]
    assert hit.headers["if-none-match"] == first.etag
    assert hit.headers["if-modified-since"] == first.last_modified


def test_if_modified_since_alone_gives_304(
    server: FeedServer, settings: Settings, tmp_path: Path, policy: HttpPolicy
) -> None:
    server.put("/epss.csv.gz", BODY, etag=None)
    first = fetch_conditional(server.url("/epss.csv.gz"), tmp_path, settings, policy=policy)
    assert first.etag is None and first.last_modified is not None
    second = fetch_conditional(
        server.url("/epss.csv.gz"),
        tmp_path,
        settings,
        last_modified=first.last_modified,
        policy=policy,
    )
    assert second.not_modified


def test_changed_body_is_fetched_again(
    server: FeedServer, settings: Settings, tmp_path: Path, policy: HttpPolicy
) -> None:
    server.put("/kev.json", BODY)
    first = fetch_conditional(server.url("/kev.json"), tmp_path, settings, policy=policy)
    server.put("/kev.json", BODY + b"more\n", last_modified="Thu, 10 Oct 2024 12:00:00 GMT")
    second = fetch_conditional(
        server.url("/kev.json"), tmp_path, settings, etag=first.etag, policy=policy
    )
    assert second.path is not None and second.path.read_bytes() == BODY + b"more\n"
    assert second.etag != first.etag


def test_retries_5xx_with_exponential_backoff(
    server: FeedServer,
    settings: Settings,
    tmp_path: Path,
    policy: HttpPolicy,
    sleeps: list[float],
) -> None:
    server.put("/f", BODY)
    server.fail("/f", Fault(500), Fault(502))
    path = fetch_to_file(server.url("/f"), tmp_path, settings, policy=policy)
    assert path.read_bytes() == BODY
    assert sleeps == [0.5, 1.0]
    assert len(server.requests_to("/f")) == 3


@pytest.mark.parametrize(
    ("retry_after", "expected"),
    [("7", 7.0), ("3600", 30.0), ("soon", 0.5)],
    ids=["seconds", "capped", "unparseable-falls-back-to-backoff"],
)
def test_429_honours_retry_after_up_to_the_cap(
    server: FeedServer,
    settings: Settings,
    tmp_path: Path,
    policy: HttpPolicy,
    sleeps: list[float],
    retry_after: str,
    expected: float,
) -> None:
    server.put("/f", BODY)
    server.fail("/f", Fault(429, {"Retry-After": retry_after}))
    fetch_to_file(server.url("/f"), tmp_path, settings, policy=policy)
    assert sleeps == [expected]


def test_retry_after_as_http_date(
    server: FeedServer,
    settings: Settings,
    tmp_path: Path,
    policy: HttpPolicy,
    sleeps: list[float],
) -> None:
    later = email.utils.formatdate(time.time() + 20, usegmt=True)
    server.put("/f", BODY)
    server.fail("/f", Fault(503, {"Retry-After": later}))
    fetch_to_file(server.url("/f"), tmp_path, settings, policy=policy)
    assert len(sleeps) == 1 and 0 < sleeps[0] <= 20


def test_persistent_5xx_gives_up_after_the_attempts(
    server: FeedServer,
    settings: Settings,
    tmp_path: Path,
    policy: HttpPolicy,
    sleeps: list[float],
) -> None:
    server.put("/f", BODY)
    server.fail("/f", Fault(503), Fault(503), Fault(503), Fault(503))
    with pytest.raises(SourceUnavailable, match=r"/f: HTTP 503 .*gave up after 3 attempts"):
        fetch_to_file(server.url("/f"), tmp_path, settings, policy=policy)
    assert len(server.requests_to("/f")) == 3
    assert sleeps == [0.5, 1.0]
    assert list(tmp_path.iterdir()) == []


def test_4xx_is_not_retried(
    server: FeedServer, settings: Settings, tmp_path: Path, policy: HttpPolicy
) -> None:
    with pytest.raises(SourceUnavailable, match=r"^http://127\.0\.0\.1:\d+/missing: HTTP 404"):
        fetch_to_file(server.url("/missing"), tmp_path, settings, policy=policy)
    assert len(server.requests_to("/missing")) == 1


def test_slow_server_times_out_and_is_retried(
    server: FeedServer, settings: Settings, tmp_path: Path, sleeps: list[float]
) -> None:
    fast = HttpPolicy(attempts=2, read_timeout=0.2, connect_timeout=2.0, sleep=sleeps.append)
    server.put("/slow", BODY)
    server.fail("/slow", Fault(delay=5.0), Fault(delay=5.0))
    with pytest.raises(SourceUnavailable, match=r"/slow: timed out .*gave up after 2 attempts"):
        fetch_to_file(server.url("/slow"), tmp_path, settings, policy=fast)
    assert len(sleeps) == 1


def test_slow_then_fast_succeeds(
    server: FeedServer, settings: Settings, tmp_path: Path, sleeps: list[float]
) -> None:
    fast = HttpPolicy(attempts=2, read_timeout=0.2, connect_timeout=2.0, sleep=sleeps.append)
    server.put("/slow", BODY)
    server.fail("/slow", Fault(delay=5.0))
    assert fetch_to_file(server.url("/slow"), tmp_path, settings, policy=fast).read_bytes() == BODY


def test_truncated_body_leaves_no_file(
    server: FeedServer, settings: Settings, tmp_path: Path, policy: HttpPolicy
) -> None:
    server.put("/t", BODY)
    server.fail("/t", Fault(truncate=True), Fault(truncate=True), Fault(truncate=True))
    with pytest.raises(SourceUnavailable, match=r"/t: .*gave up after 3 attempts"):
        fetch_to_file(server.url("/t"), tmp_path, settings, policy=policy)
    assert list(tmp_path.iterdir()) == []


def test_truncated_once_then_complete(
    server: FeedServer, settings: Settings, tmp_path: Path, policy: HttpPolicy
) -> None:
    server.put("/t", BODY)
    server.fail("/t", Fault(truncate=True))
    assert fetch_to_file(server.url("/t"), tmp_path, settings, policy=policy).read_bytes() == BODY
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("with_length", [True, False], ids=["content-length", "until-close"])
def test_body_over_the_size_limit_is_refused(
    server: FeedServer, tmp_path: Path, policy: HttpPolicy, with_length: bool
) -> None:
    small = Settings(home=tmp_path, database_url="sqlite://", max_input_bytes=1000)
    server.put("/big", b"x" * 5000, content_length=with_length)
    with pytest.raises(SourceUnavailable, match=r"/big: response is over the 1,000-byte limit"):
        fetch_to_file(server.url("/big"), tmp_path / "dl", small, policy=policy)
    assert list((tmp_path / "dl").iterdir()) == []


def test_follows_a_redirect(
    server: FeedServer, settings: Settings, tmp_path: Path, policy: HttpPolicy
) -> None:
    server.put("/real.json", BODY)
    server.redirect("/old.json", "/real.json")
    assert (
        fetch_to_file(server.url("/old.json"), tmp_path, settings, policy=policy).read_bytes()
        == BODY
    )


def test_redirect_loop_is_refused(
    server: FeedServer, settings: Settings, tmp_path: Path, policy: HttpPolicy
) -> None:
    server.redirect("/a", "/b")
    server.redirect("/b", "/a")
    with pytest.raises(SourceUnavailable, match=r"/a: too many redirects"):
        fetch_to_file(server.url("/a"), tmp_path, settings, policy=policy)


def test_304_to_an_unconditional_request_is_an_error(
    server: FeedServer, settings: Settings, tmp_path: Path, policy: HttpPolicy
) -> None:
    server.fail("/odd", Fault(304))
    with pytest.raises(SourceUnavailable, match=r"/odd: HTTP 304 to an unconditional request"):
        fetch_to_file(server.url("/odd"), tmp_path, settings, policy=policy)


def test_credentials_never_appear_in_errors(
    server: FeedServer, settings: Settings, tmp_path: Path, policy: HttpPolicy
) -> None:
    url = f"http://mirror-user:s3cr3t-pw@127.0.0.1:{server.port}/missing?token=abc123&x=1"
    with pytest.raises(SourceUnavailable) as caught:
        fetch_to_file(url, tmp_path, settings, policy=policy)
    message = str(caught.value)
    assert "s3cr3t-pw" not in message and "mirror-user" not in message
    assert "abc123" not in message
    assert message.startswith(f"http://***@127.0.0.1:{server.port}/missing?token=***&x=1: HTTP 404")
    # The credentials were still sent, as HTTP basic authentication.
    assert (
        server.requests_to("/missing?token=abc123&x=1")[0]
        .headers["authorization"]
        .startswith("Basic ")
    )


def test_connection_refused_is_retried_then_reported(
    settings: Settings, tmp_path: Path, policy: HttpPolicy, sleeps: list[float]
) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://user:hunter2@127.0.0.1:{port}/kev.json"
    with pytest.raises(
        SourceUnavailable, match=r"^http://\*\*\*@127\.0\.0\.1:\d+/kev\.json: Connect"
    ) as caught:
        fetch_to_file(url, tmp_path, settings, policy=policy)
    assert "hunter2" not in str(caught.value)
    assert len(sleeps) == 2


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://u:p@mirror.example/osv/all.zip", "https://***@mirror.example/osv/all.zip"),
        ("https://token@mirror.example/x", "https://***@mirror.example/x"),
        (
            "https://mirror.example/x?sig=abc&name=PyPI",
            "https://mirror.example/x?sig=***&name=PyPI",
        ),
        (
            "https://mirror.example/x?X-Goog-Signature=s&k=1",
            "https://mirror.example/x?X-Goog-Signature=***&k=1",
        ),
        ("https://mirror.example/x?api_key=z", "https://mirror.example/x?api_key=***"),
        ("https://mirror.example/plain.json", "https://mirror.example/plain.json"),
        ("http://[::1", "<unparseable URL>"),
    ],
)
def test_redact_url(url: str, shown: str) -> None:
    assert redact_url(url) == shown


def test_offline_refuses_before_opening_a_socket(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_connect(*_args: object) -> None:
        pytest.fail("a socket was connected while offline")

    monkeypatch.setattr(socket.socket, "connect", no_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", no_connect)
    offline = Settings(home=tmp_path, database_url="sqlite://", offline=True)
    with pytest.raises(
        SourceUnavailable, match=r"^offline: https://\*\*\*@feeds\.example/kev\.json"
    ):
        fetch_to_file("https://u:pw@feeds.example/kev.json", tmp_path, offline)


def test_local_mirror_path_and_file_url(settings: Settings, tmp_path: Path) -> None:
    mirror = tmp_path / "mirror dir" / "kev.json"
    mirror.parent.mkdir()
    mirror.write_bytes(BODY)
    by_path = fetch_conditional(str(mirror), tmp_path / "dl", settings)
    by_url = fetch_conditional(mirror.as_uri(), tmp_path / "dl", settings)
    assert by_path.path is not None and by_path.path.read_bytes() == BODY
    assert by_url.path is not None and by_url.path.read_bytes() == BODY
    assert by_url.etag == by_path.etag and by_url.etag is not None
    again = fetch_conditional(mirror.as_uri(), tmp_path / "dl", settings, etag=by_url.etag)
    assert again.not_modified
    os.utime(mirror, ns=(time.time_ns(), time.time_ns() + 10**9))
    changed = fetch_conditional(mirror.as_uri(), tmp_path / "dl", settings, etag=by_url.etag)
    assert changed.path is not None
    assert mirror.read_bytes() == BODY  # the mirror itself is never touched


def test_local_mirror_works_offline(tmp_path: Path) -> None:
    mirror = tmp_path / "kev.json"
    mirror.write_bytes(BODY)
    offline = Settings(home=tmp_path, database_url="sqlite://", offline=True)
    assert fetch_to_file(mirror.as_uri(), tmp_path / "dl", offline).read_bytes() == BODY


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda d: str(d / "absent.json"), r"absent\.json: cannot read"),
        (lambda d: str(d), r": not a regular file"),
        (lambda d: "file://fileserver/share/kev.json", r"file URLs must name a local path"),
        (lambda d: "ftp://mirror.example/kev.json", r"unsupported URL scheme 'ftp'"),
    ],
    ids=["missing", "directory", "remote-file-url", "ftp"],
)
def test_bad_local_sources(settings: Settings, tmp_path: Path, make: object, match: str) -> None:
    assert callable(make)
    with pytest.raises(SourceUnavailable, match=match):
        fetch_to_file(make(tmp_path), tmp_path / "dl", settings)


def test_local_mirror_over_the_limit(tmp_path: Path) -> None:
    mirror = tmp_path / "big.json"
    mirror.write_bytes(b"x" * 2000)
    small = Settings(home=tmp_path, database_url="sqlite://", max_input_bytes=1000)
    with pytest.raises(SourceUnavailable, match=r"over the 1,000-byte limit"):
        fetch_to_file(str(mirror), tmp_path / "dl", small)


def test_same_basename_from_two_urls_does_not_collide(
    server: FeedServer, settings: Settings, tmp_path: Path, policy: HttpPolicy
) -> None:
    server.put("/PyPI/all.zip", b"pypi")
    server.put("/npm/all.zip", b"npm")
    a = fetch_to_file(server.url("/PyPI/all.zip"), tmp_path, settings, policy=policy)
    b = fetch_to_file(server.url("/npm/all.zip"), tmp_path, settings, policy=policy)
    assert a != b and a.read_bytes() == b"pypi" and b.read_bytes() == b"npm"
    assert a.suffix == ".zip"


def test_default_policy_is_read_at_call_time(
    server: FeedServer, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[float] = []
    monkeypatch.setattr(download, "DEFAULT_POLICY", HttpPolicy(attempts=2, sleep=calls.append))
    server.put("/f", BODY)
    server.fail("/f", Fault(500))
    fetch_to_file(server.url("/f"), tmp_path, settings)
    assert calls == [1.0]


def test_redirect_from_https_to_http_is_refused(tmp_path: Path) -> None:
    """No TLS server here: the check is exercised on the response a redirect would end in."""
    import httpx

    fetch = download._HttpFetch(
        "https://mirror.example/kev.json", "https://mirror.example/kev.json", tmp_path, 10, None
    )
    landed = httpx.Response(200, request=httpx.Request("GET", "http://mirror.example/kev.json"))
    with pytest.raises(SourceUnavailable, match=r"refused a redirect from https to plain http"):
        fetch._handle(landed, None, None, None)


def test_content_encoding_is_decoded_and_capped_after_decoding(
    server: FeedServer, tmp_path: Path, policy: HttpPolicy
) -> None:
    import gzip

    small = Settings(home=tmp_path, database_url="sqlite://", max_input_bytes=10_000)
    server.put("/ok.json", gzip.compress(BODY), headers={"Content-Encoding": "gzip"})
    path = fetch_to_file(server.url("/ok.json"), tmp_path / "dl", small, policy=policy)
    assert path.read_bytes() == BODY
    bomb = gzip.compress(b" " * 1_000_000)  # ~1 kB on the wire, 1 MB decoded
    server.put("/bomb.json", bomb, headers={"Content-Encoding": "gzip"})
    with pytest.raises(SourceUnavailable, match=r"/bomb\.json: response is over the 10,000-byte"):
        fetch_to_file(server.url("/bomb.json"), tmp_path / "dl", small, policy=policy)


def test_only_a_name_that_does_not_resolve_stops_the_retries() -> None:
    """EAI_NONAME will not change on retry; EAI_AGAIN (resolver unreachable) might."""
    import socket

    import httpx

    from assay.vulndb.download import _unknown_host

    def wrapped(cause: BaseException) -> httpx.ConnectError:
        try:
            try:
                raise cause
            except OSError as inner:
                raise httpx.ConnectError("failed") from inner
        except httpx.ConnectError as outer:
            return outer

    assert _unknown_host(wrapped(socket.gaierror(socket.EAI_NONAME, "Name or service not known")))
    assert not _unknown_host(wrapped(socket.gaierror(socket.EAI_AGAIN, "Temporary failure")))
    assert not _unknown_host(wrapped(ConnectionRefusedError(111, "refused")))
