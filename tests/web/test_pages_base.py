"""The page route: errors become HTML pages, and what was written before an error is rolled back."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from assay.api.app import create_app
from assay.api.errors import NotFound
from assay.core import audit
from assay.core.audit import AuditEntry
from assay.core.db import Database
from assay.core.errors import UsageError
from assay.core.permissions import SYSTEM
from assay.web.pages._base import PageSession, page_router

pytestmark = pytest.mark.parametrize("database", ["sqlite"], indirect=True)


@pytest.fixture
def client(database: Database) -> Iterator[TestClient]:
    app = create_app(database.settings, database=database, start_worker=False)
    router = page_router()

    @router.get("/test/write-then/{outcome}")
    def write_then(session: PageSession, outcome: str) -> dict[str, str]:
        audit.record(session, SYSTEM, f"test.{outcome}")
        if outcome == "missing":
            raise NotFound("no such thing")
        if outcome == "refused":
            raise UsageError("cannot do that: <b>bold</b>")
        return {"ok": outcome}

    app.include_router(router)
    with TestClient(app) as test_client:
        yield test_client


def _actions(database: Database) -> list[str]:
    with database.session() as s:
        return [e.action for e in s.query(AuditEntry)]


@pytest.mark.parametrize(("outcome", "status"), [("missing", 404), ("refused", 422)])
def test_an_error_page_rolls_back(
    client: TestClient, database: Database, outcome: str, status: int
) -> None:
    answer = client.get(f"/test/write-then/{outcome}")
    assert answer.status_code == status
    assert answer.headers["content-type"].startswith("text/html")
    assert f"test.{outcome}" not in _actions(database)


def test_error_messages_are_escaped(client: TestClient) -> None:
    text = client.get("/test/write-then/refused").text
    assert "&lt;b&gt;bold&lt;/b&gt;" in text


def test_a_page_that_answers_commits(client: TestClient, database: Database) -> None:
    assert client.get("/test/write-then/fine").status_code == 200
    assert "test.fine" in _actions(database)


def test_bad_parameters_are_an_html_page(client: TestClient) -> None:
    answer = client.get("/test/write-then/x" + "y" * 10, params={"page": "nope"})
    assert answer.status_code == 200  # unknown parameters are ignored
