"""A small two-team portfolio for the triage, VEX and trend tests (built with the factories).

alpha-app (team alpha): versions 1.0 and 2.0 (latest), each with django 3.2.4
  affected by CVE-2021-1 (alias GHSA-aaaa-bbbb-cccc, critical); 1.0 also has
  lodash 4.17.0 affected by CVE-2021-2 (high).
beta-app (team beta): version 1.0 with django 3.2.4 affected by CVE-2021-1.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from assay.core.permissions import Permission, Principal
from tests.inventory.factories import (
    add_components,
    add_finding,
    make_project,
    make_team,
    make_version,
)

P = Permission
DJANGO = "pkg:pypi/django@3.2.4"
LODASH = "pkg:npm/lodash@4.17.0"


@dataclass(frozen=True)
class World:
    alpha_team: int
    beta_team: int
    alpha_project: int
    beta_project: int
    v1: int
    v2: int
    beta_v1: int
    f_v1_django: int
    f_v1_lodash: int
    f_v2_django: int
    f_beta_django: int

    def principal(self, name: str, *perms: Permission, teams: tuple[int, ...] = ()) -> Principal:
        return Principal("user", name, frozenset(perms), frozenset(teams))

    @property
    def alpha(self) -> Principal:
        return self.principal("alice", P.VIEW_PORTFOLIO, P.TRIAGE, teams=(self.alpha_team,))

    @property
    def alpha_viewer(self) -> Principal:
        return self.principal("victor", P.VIEW_PORTFOLIO, teams=(self.alpha_team,))

    @property
    def beta(self) -> Principal:
        return self.principal("bob", P.VIEW_PORTFOLIO, P.TRIAGE, teams=(self.beta_team,))

    @property
    def admin(self) -> Principal:
        return self.principal("root", P.ADMINISTER)

    @property
    def wide_triager(self) -> Principal:
        return self.principal("wendy", P.VIEW_PORTFOLIO, P.PORTFOLIO_WIDE, P.TRIAGE)


def build(
    session: Session, *, alpha_team: int | None = None, beta_team: int | None = None
) -> World:
    alpha_team = alpha_team or make_team(session, "alpha")
    beta_team = beta_team or make_team(session, "beta")
    alpha = make_project(session, "alpha-app", alpha_team)
    beta = make_project(session, "beta-app", beta_team)
    v1 = make_version(session, alpha, "1.0")
    d1, l1 = add_components(session, v1, [DJANGO, LODASH])
    f1 = add_finding(
        session,
        v1,
        d1,
        "CVE-2021-1",
        severity="critical",
        aliases=["GHSA-aaaa-bbbb-cccc"],
        fixed_versions=["3.2.5"],
        summary="SQL injection",
        cvss_score=9.8,
    )
    f2 = add_finding(session, v1, l1, "CVE-2021-2", severity="high")
    v2 = make_version(session, alpha, "2.0")
    (d2,) = add_components(session, v2, [DJANGO])
    f3 = add_finding(
        session, v2, d2, "CVE-2021-1", severity="critical", aliases=["GHSA-aaaa-bbbb-cccc"]
    )
    bv = make_version(session, beta, "1.0")
    (bd,) = add_components(session, bv, [DJANGO])
    f4 = add_finding(
        session, bv, bd, "CVE-2021-1", severity="critical", aliases=["GHSA-aaaa-bbbb-cccc"]
    )
    return World(
        alpha_team, beta_team, alpha.id, beta.id, v1.id, v2.id, bv.id, f1.id, f2.id, f3.id, f4.id
    )
