"""Fetching from a registry: size limits while streaming, User-Agent, offline, schemes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from assay.vetting.registry import http
from assay.vetting.registry.hosts import for_registry
from assay.vetting.registry.interface import RegistryError
from assay.vetting.registry.pypi import PypiClient
from tests.vetting.packages import publish_pypi, settings_for
from tests.vulndb.feed_server import FeedServer


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer.running() as running:
        yield running


def test_huge_answer_is_refused_while_streaming(
    server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(http, "JSON_LIMIT", 1000)
    server.put(
        "/pypi/demo/json", b'{"info": {"name": "' + b"a" * 5000 + b'"}}', content_length=False
    )
    client = PypiClient(settings_for(server))
    with pytest.raises(RegistryError, match="more than the limit"):
        http.get_json(client.base_url + "/pypi/demo/json", client.settings, limit=http.JSON_LIMIT)


def test_declared_length_over_the_limit_is_refused_before_reading(server: FeedServer) -> None:
    server.put("/big", b"x" * 5000)
    with pytest.raises(RegistryError, match="over the limit"):
        http.get_bytes(server.url("/big"), settings_for(server), limit=100)


def test_user_agent_names_assay(server: FeedServer) -> None:
    publish_pypi(server, "demo", "1.0", {"demo-1.0.tar.gz": b"x"})
    PypiClient(settings_for(server)).fetch("demo")
    assert server.hits[0].headers["user-agent"].startswith("assay/")


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://x/y", "../relative"])
def test_only_http_urls_are_fetched(server: FeedServer, url: str) -> None:
    with pytest.raises(RegistryError, match="only http"):
        http.get_bytes(url, settings_for(server), limit=100)


def test_redirects_are_followed(server: FeedServer) -> None:
    server.put("/real", b"{}")
    server.redirect("/old", server.url("/real"))
    assert http.get_json(server.url("/old"), settings_for(server)) == {}


def test_credentials_in_the_url_are_not_shown(server: FeedServer) -> None:
    url = server.url("/missing").replace("http://", "http://user:s3cret@")
    with pytest.raises(RegistryError) as raised:
        http.get_bytes(url, settings_for(server), limit=100)
    assert "s3cret" not in str(raised.value)


def test_a_redirect_to_another_host_is_refused_before_it_is_asked(server: FeedServer) -> None:
    with FeedServer.running() as other:
        other.put("/secret", b"internal")
        server.redirect("/files/x.tgz", other.url("/secret"))
        with pytest.raises(RegistryError, match=rf"redirect refused: 127.0.0.1:{other.port}"):
            http.get_bytes(server.url("/files/x.tgz"), settings_for(server), limit=100)
        assert other.hits == []


def test_a_url_outside_the_allowed_hosts_is_never_asked(server: FeedServer) -> None:
    with FeedServer.running() as other:
        other.put("/x", b"{}")
        allowed = for_registry(server.url(""))
        with pytest.raises(RegistryError, match=rf"refused: 127.0.0.1:{other.port} is not"):
            http.get_bytes(other.url("/x"), settings_for(server), limit=100, allowed=allowed)
        assert other.hits == []


def test_redirect_loops_stop(server: FeedServer) -> None:
    server.redirect("/a", server.url("/b"))
    server.redirect("/b", server.url("/a"))
    with pytest.raises(RegistryError, match="more than 5 redirects"):
        http.get_bytes(server.url("/a"), settings_for(server), limit=100)
    assert len(server.hits) == 6


def test_credentials_follow_a_redirect_on_the_same_origin_only(server: FeedServer) -> None:
    server.put("/real", b"{}")
    server.redirect("/old", server.url("/real"))
    url = server.url("/old").replace("http://", "http://svc:S3cret@")
    assert http.get_json(url, settings_for(server)) == {}
    assert [h.headers.get("authorization", "")[:6] for h in server.hits] == ["Basic "] * 2
