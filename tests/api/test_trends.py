"""Tests for the portfolio summary and the portfolio and project trends: no leaks across teams."""

from __future__ import annotations

from datetime import timedelta

import pytest

from assay.core.clock import now
from assay.inventory.counts import recount
from assay.inventory.models import RiskSnapshot
from tests.api.conftest import Api
from tests.inventory._triage_data import World, build

ROLES = ("admin", "auditor", "alpha", "alpha_ci", "beta")


@pytest.fixture
def world(api: Api) -> World:
    for role in ROLES:
        api.role(role)
    with api.db.session() as s:
        found = build(s, alpha_team=api.team_id("alpha"), beta_team=api.team_id("beta"))
        recount(s, [found.v1, found.v2, found.beta_v1])
        today = now().date()
        for project_id, critical, ago in (
            (found.alpha_project, 9, 1), (found.beta_project, 2, 1), (None, 11, 1),
            (found.beta_project, 3, 0),
        ):  # fmt: skip
            day = (today - timedelta(days=ago)).isoformat()
            s.add(RiskSnapshot(at=f"{day}T12:00:00.000000Z", day=day, project_id=project_id,
                               critical=critical, high=0, medium=0, low=0, unknown=0,
                               suppressed=0, components=1))  # fmt: skip
    return found


def _criticals(body: dict[str, object]) -> list[int]:
    points = body["points"]
    assert isinstance(points, list)
    return [p["critical"] for p in points]


def test_portfolio_trend_per_role(api: Api, world: World) -> None:
    assert _criticals(api.as_role("beta").get("/api/v1/portfolio/trend?days=2").json()) == [2, 3]
    assert _criticals(api.as_role("alpha").get("/api/v1/portfolio/trend?days=2").json()) == [9, 9]
    assert _criticals(api.as_role("auditor").get("/api/v1/portfolio/trend?days=2").json()) == [
        11,
        11,
    ]
    assert api.as_role("alpha_ci").get("/api/v1/portfolio/trend").status_code == 403
    assert api.anonymous.get("/api/v1/portfolio/trend").status_code == 401


@pytest.mark.parametrize("days", ["0", "731", "x", "-3"])
def test_days_is_validated(api: Api, world: World, days: str) -> None:
    assert api.as_role("alpha").get(f"/api/v1/portfolio/trend?days={days}").status_code == 422


def test_project_trend(api: Api, world: World) -> None:
    url = f"/api/v1/projects/{world.alpha_project}/trend"
    body = api.as_role("alpha").get(url, params={"days": 3}).json()
    assert (body["project_id"], body["days"], _criticals(body)) == (world.alpha_project, 3, [9, 9])
    assert api.as_role("beta").get(url).status_code == 404
    assert api.as_role("beta").get("/api/v1/projects/999999/trend").status_code == 404
    assert api.as_role("admin").get(url).status_code == 200


def test_summary_per_role(api: Api, world: World) -> None:
    beta = api.as_role("beta").get("/api/v1/portfolio/summary").json()
    assert (beta["projects"], beta["counts"]["critical"]) == (1, 1)
    assert beta["top_components"] == [
        {
            "ecosystem": "PyPI",
            "name": "django",
            "version": "3.2.4",
            "critical": 1,
            "high": 0,
            "projects": 1,
        }
    ]
    assert beta["projects_by_severity"]["critical"] == 1
    wide = api.as_role("auditor").get("/api/v1/portfolio/summary").json()
    assert (
        wide["projects"],
        wide["counts"]["critical"],
        wide["top_components"][0]["projects"],
    ) == (2, 2, 2)
    assert api.as_role("alpha_ci").get("/api/v1/portfolio/summary").status_code == 403
