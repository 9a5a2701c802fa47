"""``/delivery``: the delivery dashboards of the organisation, a team and a service.

Every figure is the JSON of a metric function (:func:`dora_report`,
:func:`dora_series`, :func:`quality_report`, :func:`flow_report`, the same
documents ``assay metrics ... --format json`` prints) over the services the
viewer may see (:func:`assay.delivery.access.visible_services`); every headline
number links to ``/delivery/explain``, which lists the events behind it. A
request from htmx or delivery.js (``HX-Request: true``) gets only the headline
tiles, which the page re-fetches when ``/delivery/stream`` says events arrived.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import HTTPException, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from assay.core.clock import now
from assay.core.permissions import Principal
from assay.delivery.access import visible_services
from assay.delivery.config import ServiceConfig
from assay.delivery.metrics.dora import dora_report, dora_series
from assay.delivery.metrics.flow import flow_report
from assay.delivery.metrics.model import Selection
from assay.delivery.metrics.quality import quality_report
from assay.delivery.services import resolve
from assay.web import render
from assay.web.pages import delivery_charts as charts
from assay.web.pages._base import PageSession, PageViewer, page_router
from assay.web.pages.delivery_reads import latest_received, latest_run

router = page_router()

WINDOWS = (30, 90, 180)  # the selector's choices; any 1..730 is accepted
DEFAULT_DAYS = 90
BUCKET_DAYS = 7
NO_TEAM = ""
Days = Annotated[int, Query(ge=1, le=730)]


class Format:
    """Display helpers the templates call (the JSON stays in hours and fractions)."""

    @staticmethod
    def hours(value: Any) -> str:
        if not isinstance(value, int | float):
            return "–"
        if value < 1:
            return f"{value * 60:.0f} min"
        if value < 48:
            return f"{value:.1f} h"
        return f"{value / 24:.1f} d"

    @staticmethod
    def rate(value: Any) -> str:
        return f"{value * 100:.1f} %" if isinstance(value, int | float) else "–"

    @staticmethod
    def number(value: Any, digits: int = 2) -> str:
        return f"{value:.{digits}f}" if isinstance(value, int | float) else "–"

    @staticmethod
    def minutes(value: Any) -> str:
        return f"{value:.1f} min" if isinstance(value, int | float) else "–"


@dataclass(frozen=True, slots=True)
class Scope:
    """What a dashboard covers: the organisation, one team or one service."""

    kind: str  # "organisation" | "team" | "service"
    name: str  # "" for the organisation
    title: str
    path: str  # the page's path, without the query

    def explain(self, metric: str, days: int) -> str:
        """The URL of the explain page of ``metric`` over this scope and window."""
        params = {"metric": metric, "days": str(days)}
        if self.kind in ("team", "service"):
            params[self.kind] = self.name
        return f"/delivery/explain?{urlencode(params)}"

    def stream(self, since: int) -> str:
        """The URL of /delivery/stream watching this scope's services from ``since``."""
        params = {"since": str(since)}
        if self.kind in ("team", "service"):
            params[self.kind] = self.name
        return f"/delivery/stream?{urlencode(params)}"

    def at(self, days: int) -> str:
        """This dashboard over another window."""
        return f"{self.path}?{urlencode({'days': str(days)})}"


@dataclass(frozen=True, slots=True)
class Row:
    """One team or service in a dashboard's table; its figures are loaded by the row itself
    (``/delivery/row``, when it scrolls into view), so a page of many services is drawn at once."""

    kind: str  # "team" | "service"
    name: str  # "" for the services of no team
    href: str | None

    @property
    def label(self) -> str:
        return self.name or "(no team)"

    def explain(self, metric: str, days: int) -> str | None:
        """The explain page of this row's ``metric`` (none for the services of no team)."""
        if not self.name:
            return None
        return Scope(self.kind, self.name, self.name, self.href or "").explain(metric, days)

    def source(self, days: int) -> str:
        params = {"kind": self.kind, "name": self.name, "days": str(days)}
        return f"/delivery/row?{urlencode(params)}"


def team_path(name: str) -> str:
    return f"/delivery/teams/{quote(name, safe='')}"


def service_path(name: str) -> str:
    return f"/delivery/services/{quote(name, safe='')}"


def selection(configs: Sequence[ServiceConfig], days: int) -> Selection:
    """The last ``days`` days up to now, over ``configs``."""
    until = now().replace(microsecond=0) + timedelta(seconds=1)  # "now" is inside the window
    return Selection(since=until - timedelta(days=days), until=until, services=tuple(configs))


def visible_configs(
    session: Session, who: Principal, *, team: str | None = None, service: str | None = None
) -> list[ServiceConfig]:
    """The configurations of the services ``who`` may see, narrowed to a team or a service."""
    visible = visible_services(session, who)
    return resolve(session, (service,) if service else (), team=team, visible=visible)


def team_rows(configs: Sequence[ServiceConfig]) -> list[Row]:
    """A row per team of ``configs`` (services of no team last, not linked)."""
    teams = sorted({c.team for c in configs}, key=lambda name: (name == NO_TEAM, name))
    return [Row("team", name, team_path(name) if name else None) for name in teams]


def service_rows(configs: Sequence[ServiceConfig]) -> list[Row]:
    return [Row("service", c.name, service_path(c.name)) for c in configs]


def _headline(
    request: Request,
    session: Session,
    who: Principal,
    scope: Scope,
    configs: list[ServiceConfig],
    days: int,
) -> HTMLResponse:
    dora = dora_report(session, selection(configs, days)).to_json()
    return render.fragment(
        request,
        "partials/delivery_headline.html",
        who,
        scope=scope,
        days=days,
        dora=dora,
        fmt=Format,
    )


def _dashboard(
    request: Request,
    session: Session,
    who: Principal,
    scope: Scope,
    configs: list[ServiceConfig],
    days: int,
) -> HTMLResponse:
    if render.is_htmx(request):
        return _headline(request, session, who, scope, configs, days)
    stamp = latest_received(session, configs)
    values: dict[str, Any] = {
        "scope": scope, "days": days, "windows": WINDOWS, "fmt": Format, "since_stamp": stamp,
        "empty": not configs or stamp == 0,
    }  # fmt: skip
    if values["empty"]:
        values["restricted"] = visible_services(session, who) is not None
        return render.page(request, "delivery.html", who, title=scope.title, **values)
    chosen = selection(configs, days)
    dora = dora_report(session, chosen).to_json()
    series = [r.to_json() for r in dora_series(session, chosen, bucket_days=BUCKET_DAYS)]
    values |= {
        "dora": dora,
        "quality": quality_report(session, chosen).to_json(),
        "series": charts.series_options(series),
    }
    if scope.kind == "organisation":
        values["teams"] = team_rows(configs)
    if scope.kind in ("organisation", "team"):
        values["services"] = service_rows(configs)
    if scope.kind == "service":
        flow = flow_report(session, chosen).to_json()
        run = latest_run(session, configs[0])
        values |= {
            "config": configs[0],
            "team_href": team_path(configs[0].team) if configs[0].team else None,
            "flow": flow,
            "phases_chart": charts.phases_option(flow),
            "stages_chart": charts.stage_shares_option(flow),
            "run": run,
            "waterfall": charts.waterfall_option(run.stages) if run else None,
        }
    return render.page(request, "delivery.html", who, title=scope.title, **values)


@router.get("/delivery", response_class=HTMLResponse)
def organisation(
    request: Request, session: PageSession, who: PageViewer, days: Days = DEFAULT_DAYS
) -> HTMLResponse:
    scope = Scope("organisation", "", "Delivery", "/delivery")
    return _dashboard(request, session, who, scope, visible_configs(session, who), days)


@router.get("/delivery/teams/{team:path}", response_class=HTMLResponse)
def team(
    request: Request, team: str, session: PageSession, who: PageViewer, days: Days = DEFAULT_DAYS
) -> HTMLResponse:
    configs = visible_configs(session, who, team=team)
    if not configs:
        raise HTTPException(404, f"no team {team!r} with services you can see")
    scope = Scope("team", team, f"Delivery · {team}", team_path(team))
    return _dashboard(request, session, who, scope, configs, days)


@router.get("/delivery/services/{service:path}", response_class=HTMLResponse)
def service(
    request: Request, service: str, session: PageSession, who: PageViewer, days: Days = DEFAULT_DAYS
) -> HTMLResponse:
    configs = visible_configs(session, who, service=service)
    if not configs:
        raise HTTPException(404, f"no service {service!r} you can see")
    scope = Scope("service", service, f"Delivery · {service}", service_path(service))
    return _dashboard(request, session, who, scope, configs, days)
