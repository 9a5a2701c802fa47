"""Seeing the whole portfolio grants no right to change another team's projects.

A central team with PORTFOLIO_WIDE + UPLOAD_BOM sees alpha's project but may
neither take it over, rename it, hang children under it, nor replace its BOM.
"""

from __future__ import annotations

from sqlalchemy import select

from assay.core.audit import AuditEntry
from assay.core.permissions import Permission as P
from tests.api.conftest import Api
from tests.api.test_bom import _post
from tests.inventory.intake_support import APP_1

CENTRAL = frozenset({P.VIEW_PORTFOLIO, P.PORTFOLIO_WIDE, P.UPLOAD_BOM})


def _alpha_project(api: Api) -> int:
    answer = api.as_role("alpha").post("/api/v1/projects", json={"name": "alpha-app"})
    assert answer.status_code == 201, answer.text
    return int(answer.json()["id"])


def test_a_portfolio_wide_uploader_cannot_take_over_or_change_a_project(api: Api) -> None:
    project = _alpha_project(api)
    central = api.client(api.key("central", CENTRAL))
    assert central.get(f"/api/v1/projects/{project}").status_code == 200  # it may look
    for change in ({"team_id": None}, {"name": "pwned"}, {"description": "x"}):
        answer = central.patch(f"/api/v1/projects/{project}", json=change)
        assert answer.status_code == 403, (change, answer.text)
    child = central.post("/api/v1/projects", json={"name": "child", "parent_id": project})
    assert child.status_code == 403
    assert _post(central, APP_1.read_bytes(), project="alpha-app").status_code == 403
    assert api.as_role("alpha").get(f"/api/v1/projects/{project}").json()["name"] == "alpha-app"


def test_a_team_change_is_audited_for_the_team_that_lost_the_project(api: Api) -> None:
    project = _alpha_project(api)
    alpha, beta = api.team_id("alpha"), api.key("beta", frozenset({P.VIEW_PORTFOLIO}))
    del beta  # makes the team
    moved = api.as_role("admin").patch(
        f"/api/v1/projects/{project}", json={"team_id": api.team_id("beta")}
    )
    assert moved.status_code == 200, moved.text
    with api.db.session() as session:
        teams = session.scalars(
            select(AuditEntry.team_id).where(AuditEntry.action == "project.update")
        ).all()
    assert sorted(teams) == sorted([alpha, api.team_id("beta")])
