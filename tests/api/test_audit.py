"""``/api/v1/audit``: who sees which entries, filters, pages and the streamed export."""

from __future__ import annotations

import csv
import io
import json

import pytest

from assay.core import audit
from assay.core.permissions import SYSTEM
from tests.api.conftest import Api


@pytest.fixture
def trail(api: Api) -> Api:
    """Entries of alpha, of beta, and one without a team (account administration)."""
    for role in ("admin", "auditor", "alpha", "alpha_ci", "beta"):
        api.role(role)  # team.create + key.create for each standard team
    alpha, beta = api.team_id("alpha"), api.team_id("beta")
    with api.db.session() as session:
        audit.record(session, SYSTEM, "bom.upload", "project", 7, team_id=alpha, file="a.json")
        audit.record(session, SYSTEM, "bom.upload", "project", 8, team_id=beta, file="b.json")
        audit.record(session, SYSTEM, "user.create", "user", 1, username="root")
        audit.record(session, "user:mallory", "finding.comment", "finding", 3, team_id=alpha,
                     text="=HYPERLINK(\"http://evil\")")  # fmt: skip
    return api


def _all(client: object, **params: object) -> list[dict[str, object]]:
    response = client.get("/api/v1/audit", params={"page_size": 500, **params})  # type: ignore[attr-defined]
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


def test_scope_per_role(trail: Api) -> None:
    alpha, beta = trail.team_id("alpha"), trail.team_id("beta")
    everything = _all(trail.as_role("admin"))
    assert {e["team_id"] for e in everything} >= {alpha, beta, None}
    assert any(e["action"] == "user.create" for e in everything)

    seen_by_alpha = _all(trail.as_role("alpha"))
    assert seen_by_alpha and {e["team_id"] for e in seen_by_alpha} == {alpha}
    assert "b.json" not in json.dumps(seen_by_alpha)

    seen_by_beta = _all(trail.as_role("beta"))
    assert {e["team_id"] for e in seen_by_beta} == {beta}

    wide = _all(trail.as_role("auditor"))
    assert None not in {e["team_id"] for e in wide}  # account administration: admins only
    assert {alpha, beta} <= {e["team_id"] for e in wide}

    assert trail.as_role("alpha_ci").get("/api/v1/audit").status_code == 403
    assert trail.anonymous.get("/api/v1/audit").status_code == 401
    assert trail.as_role("alpha_ci").get("/api/v1/audit/export").status_code == 403


def test_filters_and_pages(trail: Api) -> None:
    admin = trail.as_role("admin")
    assert {e["action"] for e in _all(admin, action="bom.upload")} == {"bom.upload"}
    assert {e["action"] for e in _all(admin, action="key.*")} == {"key.create"}
    assert _all(admin, action="key%") == []  # wildcards of LIKE are literal
    (comment,) = _all(admin, actor="user:mallory")
    assert comment["detail"] == {"text": '=HYPERLINK("http://evil")'}
    (upload,) = _all(admin, target_type="project", target_id="8")
    assert upload["detail"] == {"file": "b.json"}
    assert _all(admin, since="2999-01-01") == []
    assert len(_all(admin, until="2999-01-01T00:00:00+02:00")) == len(_all(admin))
    assert _all(admin, until="2000-01-01") == []

    total = len(_all(admin))
    first = admin.get("/api/v1/audit", params={"page_size": 2}).json()
    second = admin.get("/api/v1/audit", params={"page_size": 2, "page": 2}).json()
    assert first["total"] == total and first["page"] == 1 and len(first["items"]) == 2
    assert first["items"][0]["id"] > first["items"][1]["id"] > second["items"][0]["id"]
    by_action = [e["action"] for e in _all(admin, sort="action", order="asc")]
    assert by_action == sorted(by_action)
    oldest = admin.get("/api/v1/audit", params={"order": "asc", "page_size": 1}).json()
    assert oldest["items"][0]["id"] == min(e["id"] for e in _all(admin))


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"since": "yesterday"}, "since: 'yesterday' is not an ISO 8601 time"),
        ({"until": "2024-13-01"}, "until:"),
        ({"page_size": 501}, "less than or equal to 500"),
        ({"page": 0}, "greater than or equal to 1"),
        ({"action": "a\x00b"}, "pattern"),
        ({"actor": "x" * 161}, "at most 160"),
        ({"order": "sideways"}, "asc"),
        ({"sort": "detail"}, "action"),
    ],
)
def test_bad_filters_are_422(trail: Api, params: dict[str, object], match: str) -> None:
    response = trail.as_role("admin").get("/api/v1/audit", params=params)
    assert response.status_code == 422
    assert match in response.text


def test_export_jsonl_has_the_same_scope(trail: Api) -> None:
    response = trail.as_role("alpha").get("/api/v1/audit/export", params={"format": "jsonl"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/x-ndjson")
    assert "attachment" in response.headers["content-disposition"]
    rows = [json.loads(line) for line in response.text.splitlines()]
    assert rows == sorted(rows, key=lambda r: r["id"])
    assert {r["team_id"] for r in rows} == {trail.team_id("alpha")}
    assert [r["id"] for r in rows] == sorted(e["id"] for e in _all(trail.as_role("alpha")))


def test_export_csv_defuses_formulas(trail: Api) -> None:
    response = trail.as_role("admin").get(
        "/api/v1/audit/export", params={"format": "csv", "actor": "user:mallory"}
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    (row,) = list(csv.DictReader(io.StringIO(response.text)))
    assert row["action"] == "finding.comment"
    assert json.loads(row["detail"]) == {"text": '=HYPERLINK("http://evil")'}  # JSON: "{...": safe
    assert (
        trail.as_role("admin").get("/api/v1/audit/export", params={"format": "xml"}).status_code
        == 422
    )
