"""Request bodies are limited before any parsing or authentication."""

from __future__ import annotations

from collections.abc import Iterator

from tests.api.conftest import Api


def _chunks(total: int, size: int = 64 * 1024) -> Iterator[bytes]:
    sent = 0
    while sent < total:
        yield b"x" * size
        sent += size


def test_an_anonymous_oversized_upload_is_refused_by_its_length(api: Api) -> None:
    limit = api.db.settings.max_input_bytes
    answer = api.anonymous.post(
        "/api/v1/bom",
        content=b"x" * 16,
        headers={"content-length": str(limit + 2 * 1024 * 1024), "content-type": "text/plain"},
    )
    assert answer.status_code == 413


def test_a_streamed_body_without_length_is_counted(api: Api) -> None:
    answer = api.anonymous.post(
        "/login",
        content=_chunks(256 * 1024),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert answer.status_code == 413
    assert "larger than 64 KiB" in answer.json()["detail"]


def test_json_bodies_have_a_small_limit_and_normal_requests_pass(api: Api) -> None:
    admin = api.as_role("admin")
    big = admin.post("/api/v1/projects", content=_chunks(2 * 1024 * 1024))
    assert big.status_code == 413
    assert admin.post("/api/v1/projects", json={"name": "fits"}).status_code == 201
