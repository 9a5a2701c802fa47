"""People and a small portfolio for the catalogue's tests.

Two teams: alpha (payments: requests 2.28.1 in its latest version 2.0, 2.25.0 in its old
version 1.0) and beta (web: requests 2.32.3). ``ALICE`` (alpha, may request) and ``BOB``
and ``CAROL`` (catalogue managers) act on them.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from assay.core.permissions import Permission, Principal
from tests.inventory.factories import add_components, make_project, make_team, make_version

P = Permission
VIEW = frozenset({P.VIEW_PORTFOLIO})
MANAGE = frozenset({P.VIEW_PORTFOLIO, P.MANAGE_CATALOGUE})


def person(name: str, perms: frozenset[Permission], *teams: int) -> Principal:
    return Principal("user", name, perms, frozenset(teams))


@dataclass(frozen=True)
class Portfolio:
    alpha: int
    beta: int
    payments: int
    payments_old: int
    payments_latest: int
    web: int
    web_latest: int


def portfolio(s: Session) -> Portfolio:
    alpha, beta = make_team(s, "alpha"), make_team(s, "beta")
    payments = make_project(s, "payments", alpha)
    old = make_version(s, payments, "1.0")
    add_components(s, old, ["pkg:pypi/requests@2.25.0", "pkg:pypi/flask@2.0.0"])
    latest = make_version(s, payments, "2.0")
    add_components(s, latest, ["pkg:pypi/requests@2.28.1", "pkg:pypi/flask@3.0.0"])
    web = make_project(s, "web", beta)
    web_v = make_version(s, web, "5.1")
    add_components(s, web_v, ["pkg:pypi/Requests@2.32.3", "pkg:npm/left-pad@1.3.0"])
    return Portfolio(alpha, beta, payments.id, old.id, latest.id, web.id, web_v.id)


def alice(world: Portfolio) -> Principal:
    return person("alice", VIEW, world.alpha)


def bob(world: Portfolio) -> Principal:
    return person("bob", MANAGE, world.alpha)


def carol(world: Portfolio) -> Principal:
    return person("carol", MANAGE | {P.PORTFOLIO_WIDE})
