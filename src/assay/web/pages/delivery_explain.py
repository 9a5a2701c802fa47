"""``/delivery/explain``: the events behind a dashboard number ("every number is traceable").

The page asks :func:`dora_report` for the same selection with ``explain=True``
and lists the "explain" section that made the number: the deployments counted
(and why one counts as failed: an explicit or inferred incident, a rollback, a
hotfix), the lead times measured (change, commits, deployment, phases) or the
incidents whose recovery was timed. The CLI prints the same lists with
``assay metrics dora --explain --format json``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from fastapi import HTTPException, Query, Request
from fastapi.responses import HTMLResponse

from assay.delivery.metrics.dora import dora_report
from assay.web import render
from assay.web.pages._base import PageSession, PageViewer, page_router
from assay.web.pages.delivery import (
    DEFAULT_DAYS,
    Days,
    Format,
    Scope,
    selection,
    service_path,
    team_path,
    visible_configs,
)

router = page_router()

Metric = Literal["deployments", "lead_time", "change_failure_rate", "recovery_time"]
MAX_ROWS = 2000  # more are listed by the CLI; a page of tens of thousands of rows helps nobody


@dataclass(frozen=True, slots=True)
class Explained:
    """One metric's title, the events section it lists, and how the number follows from it."""

    title: str
    section: str  # key of the report's "explain"
    rule: str


METRICS: dict[str, Explained] = {
    "deployments": Explained(
        "Deployments", "deployments",
        "Successful deployments to a production environment of the service (or a successful "
        "deployment stage of a default-branch pipeline run, when configured), finished in "
        "the window.",
    ),
    "change_failure_rate": Explained(
        "Change failure rate", "deployments",
        "Failed deployments ÷ deployments. A deployment failed when an incident names it "
        "(explicit), an incident without a cause opened within the incident window after it "
        "and it was the service's latest deployment before the incident (inferred), or the "
        "next deployment within the failure window was a rollback or a hotfix.",
    ),
    "lead_time": Explained(
        "Lead time for changes", "lead_times",
        "Per change (or per commit where no change is known): from its first commit's "
        "authored time to the finish of the first successful production deployment that "
        "contains it. Median and p90 over the lead times deployed in the window.",
    ),
    "recovery_time": Explained(
        "Failed deployment recovery time", "incidents",
        "Per incident created in the window and resolved: resolved_at − created_at. "
        "Median and p90; unresolved incidents are listed but not timed.",
    ),
}  # fmt: skip


def failure_rule(failure: str | None, matched: Mapping[str, str]) -> str:
    """A deployment's failure reason as a sentence: ``incident:INC-1`` -> ``incident INC-1
    (explicit)``; ``rollback:D9`` -> ``next deployment D9 was a rollback``."""
    if not failure:
        return ""
    kind, _, ref = failure.partition(":")
    if kind == "incident":
        how = matched.get(ref)
        return f"incident {ref} ({how})" if how else f"incident {ref}"
    if kind in ("rollback", "hotfix"):
        return f"next deployment {ref} was a {kind}"
    return failure


def rows_for(metric: str, explain: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The listed events of ``metric``, each with a readable ``rule`` where one applies."""
    rows = [dict(r) for r in explain.get(METRICS[metric].section) or () if isinstance(r, Mapping)]
    if METRICS[metric].section == "deployments":
        matched = {
            str(i.get("id")): str(i.get("matched"))
            for i in explain.get("incidents") or ()
            if isinstance(i, Mapping)
        }
        for row in rows:
            row["rule"] = failure_rule(row.get("failure"), matched)
        if metric == "change_failure_rate":
            rows.sort(key=lambda r: not r.get("failed"))  # failed first, order kept otherwise
    return rows


@router.get("/delivery/explain", response_class=HTMLResponse)
def explain(
    request: Request,
    session: PageSession,
    who: PageViewer,
    metric: Metric,
    service: Annotated[str | None, Query(max_length=200)] = None,
    team: Annotated[str | None, Query(max_length=200)] = None,
    days: Days = DEFAULT_DAYS,
) -> HTMLResponse:
    if service:
        scope = Scope("service", service, service, service_path(service))
    elif team:
        scope = Scope("team", team, team, team_path(team))
    else:
        scope = Scope("organisation", "", "Organisation", "/delivery")
    configs = visible_configs(session, who, team=team or None, service=service or None)
    if not configs and scope.kind != "organisation":
        raise HTTPException(404, f"no {scope.kind} {scope.name!r} you can see")
    report = dora_report(session, selection(configs, days), explain=True).to_json()
    rows = rows_for(metric, report.get("explain") or {})
    return render.page(
        request, "delivery_explain.html", who, title=f"{METRICS[metric].title} · explain",
        metric=metric, explained=METRICS[metric], scope=scope, days=days, dora=report,
        rows=rows[:MAX_ROWS], total=len(rows), max_rows=MAX_ROWS, fmt=Format,
        active_path="/delivery",
    )  # fmt: skip
