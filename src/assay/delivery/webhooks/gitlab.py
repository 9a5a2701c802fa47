"""GitLab webhook deliveries (``X-Gitlab-Event``) as delivery events.

=====================  ==========================================================
GitLab event           delivery event
=====================  ==========================================================
Push Hook              one ``commit`` per pushed commit (no parents: GitLab does
                       not send them; import history with ``assay events git``)
Merge Request Hook     ``change`` (id = the iid; ``approved``/``approval`` sets
                       ``first_review_at``; merge_sha once merged)
Pipeline Hook          ``pipeline_run`` once finished, with stages and jobs
Deployment Hook        ``deployment`` for success, failed and canceled
Issue Hook             ``incident`` for an issue with the incident label or of
                       type incident
=====================  ==========================================================

GitLab writes times as ``2021-04-28 21:50:00 UTC`` (or ``+0200``); they are read
as UTC. Ids are GitLab's global ids (``gitlab:<id>``), stable across re-sent
deliveries. Merge request and issue deliveries carry their ``updated_at`` as
``Translation.as_of`` so a late delivery cannot undo a newer one.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from assay.delivery.events import Event
from assay.delivery.webhooks.interface import (
    Context,
    Payload,
    Translation,
    ignore,
    platform_time,
)

# GitLab's pipeline and job statuses; ones not listed here mean "not finished".
_RUN_RESULTS = {"success": "success", "failed": "failure", "canceled": "cancelled",
                "skipped": "skipped"}  # fmt: skip
_JOB_RESULTS = {**_RUN_RESULTS, "manual": "skipped", "created": "skipped"}
_DEPLOYMENT_RESULTS = {"success": "success", "failed": "failure", "canceled": "cancelled"}
_ZERO_SHA = "0" * 40
_COMMIT_URL_SHA = re.compile(r"/commit/([0-9a-fA-F]{40}|[0-9a-fA-F]{64})/?$")


def _project(p: Payload) -> str:
    return str(p.need("project.path_with_namespace"))


def _push(p: Payload, _: Context) -> Translation:
    repo = _project(p)
    if p.text("after") == _ZERO_SHA:
        return ignore("push deleted a branch or tag: no commits to record")
    events: list[Event] = []
    for i, commit in enumerate(p.items("commits")):
        if not isinstance(commit, dict):
            raise p.fail(f"commits[{i}]", "expected an object")
        at = p.time("timestamp", base=commit, required=True)
        events.append(
            p.event(
                {
                    "type": "commit",
                    "repo": repo,
                    "sha": p.need("id", base=commit),
                    "authored_at": at,
                    "committed_at": at,
                    "author": p.text("author.name", base=commit)[:200],
                    "message": p.text("title", base=commit)
                    or p.text("message", base=commit).split("\n", 1)[0],
                }
            )
        )
    if not events:
        return ignore("push without commits")
    return Translation(tuple(events))


def _merge_request(p: Payload, _: Context) -> Translation:
    attrs = p.need("object_attributes", dict)
    state, action = p.text("state", base=attrs), p.text("action", base=attrs)
    updated = p.time("updated_at", base=attrs)
    merged_at = p.time("merged_at", base=attrs) or (updated if state == "merged" else None)
    closed_at = (p.time("closed_at", base=attrs) or updated) if state == "closed" else None
    last = p.text("last_commit.id", base=attrs)
    event = p.event(
        {
            "type": "change",
            "repo": p.text("target.path_with_namespace", base=attrs) or _project(p),
            "id": p.ident("iid", base=attrs),
            "created_at": p.time("created_at", base=attrs, required=True),
            "author": p.text("user.username") if action == "open" else "",
            "first_review_at": updated if action in {"approved", "approval"} else None,
            "merged_at": merged_at,
            "closed_at": closed_at,
            "merge_sha": (p.text("merge_commit_sha", base=attrs) or None) if merged_at else None,
            "commits": [last] if last else [],
            "target_branch": p.text("target_branch", base=attrs),
            "title": p.text("title", base=attrs),
            "url": p.text("url", base=attrs),
        }
    )
    return Translation((event,), as_of=p.moment("updated_at", base=attrs))


def _job(p: Payload, build: dict[str, Any]) -> dict[str, Any]:
    status = p.text("status", base=build)
    started = p.time("started_at", base=build)
    queued = p.time("created_at", base=build)
    wait = build.get("queued_duration")
    if started and isinstance(wait, int | float) and not isinstance(wait, bool) and wait >= 0:
        start = platform_time(started, lambda problem: p.fail("builds.started_at", problem))
        queued = (start - timedelta(seconds=float(wait))).isoformat().replace("+00:00", "Z")
    return {
        "name": p.text("name", base=build)[:200] or str(build.get("id", "job")),
        "result": _JOB_RESULTS.get(status, "skipped"),
        "queued_at": queued,
        "started_at": started,
        "finished_at": p.time("finished_at", base=build),
        "allow_failure": build.get("allow_failure") is True,
    }


def _stage_result(jobs: list[dict[str, Any]]) -> str:
    counted = [j for j in jobs if not (j["allow_failure"] and j["result"] == "failure")]
    results = {j["result"] for j in counted}
    if "failure" in results:
        return "failure"
    if "cancelled" in results:
        return "cancelled"
    if results and results <= {"skipped"}:
        return "skipped"
    return "success"


def _stages(p: Payload, order: list[Any]) -> list[dict[str, Any]]:
    by_stage: dict[str, list[dict[str, Any]]] = {}
    for i, build in enumerate(p.items("builds")):
        if not isinstance(build, dict):
            raise p.fail(f"builds[{i}]", "expected an object")
        stage = p.text("stage", base=build) or "test"
        by_stage.setdefault(stage[:200], []).append(_job(p, build))
    names = [n for n in order if isinstance(n, str) and n in by_stage]
    names += [n for n in by_stage if n not in names]
    stages = []
    for name in names:
        jobs = by_stage[name]
        starts = [j["started_at"] for j in jobs if j["started_at"]]
        ends = [j["finished_at"] for j in jobs if j["finished_at"]]
        stages.append(
            {
                "name": name,
                "result": _stage_result(jobs),
                "started_at": min(starts, key=_instant) if starts else None,
                "finished_at": max(ends, key=_instant) if ends else None,
                "jobs": jobs,
            }
        )
    return stages


def _instant(text: str) -> float:
    return platform_time(text, ValueError).timestamp()


def _pipeline(p: Payload, _: Context) -> Translation:
    attrs = p.need("object_attributes", dict)
    status = p.text("status", base=attrs)
    result = _RUN_RESULTS.get(status)
    if result is None:
        return ignore(f"pipeline {status[:40] or 'without status'}: recorded once finished")
    stages = _stages(p, p.items("stages", base=attrs, objects=False))
    starts = [s["started_at"] for s in stages if s["started_at"]]
    project_url = p.text("project.web_url")
    pipeline_id = p.ident("id", base=attrs)
    event = p.event(
        {
            "type": "pipeline_run",
            "id": f"gitlab:{pipeline_id}",
            "repo": _project(p),
            "sha": p.need("sha", base=attrs),
            "ref": p.need("ref", base=attrs),
            "result": result,
            "queued_at": p.time("created_at", base=attrs),
            "started_at": min(starts, key=_instant) if starts else None,
            "finished_at": p.time("finished_at", base=attrs),
            "stages": stages,
            "name": p.text("name", base=attrs)[:200],
            "url": f"{project_url}/-/pipelines/{pipeline_id}" if project_url else "",
        }
    )
    return Translation((event,))


def _deployment(p: Payload, context: Context) -> Translation:
    status = p.text("status")
    result = _DEPLOYMENT_RESULTS.get(status)
    if result is None:
        return ignore(f"deployment {status[:40] or 'without status'}: not finished")
    repo = _project(p)
    found = _COMMIT_URL_SHA.search(p.text("commit_url"))
    event = p.event(
        {
            "type": "deployment",
            "id": f"gitlab:{p.ident('deployment_id')}",
            "service": context.service_for(repo),
            "environment": p.need("environment"),
            "result": result,
            "finished_at": p.time("status_changed_at", required=True),
            "version": p.text("ref")[:200],
            "commits": [{"repo": repo, "sha": found.group(1).lower()}] if found else [],
            "url": p.text("deployable_url"),
        }
    )
    return Translation((event,))


def _label_titles(p: Payload, attrs: dict[str, Any]) -> list[str]:
    labels = p.items("labels") or p.items("labels", base=attrs)
    titles = [label.get("title") for label in labels if isinstance(label, dict)]
    return [t.strip() for t in titles if isinstance(t, str)]


def _label_value(labels: list[str], prefix: str) -> str:
    for label in labels:
        if label.casefold().startswith(prefix):
            return label[len(prefix) :].strip()
    return ""


def _issue(p: Payload, context: Context) -> Translation:
    attrs = p.need("object_attributes", dict)
    labels = _label_titles(p, attrs)
    typed = "incident" in {
        p.text("issue_type", base=attrs).casefold(),
        p.text("type", base=attrs).casefold(),
    }
    if not typed and context.incident_label.casefold() not in {x.casefold() for x in labels}:
        return ignore(f"issue without the {context.incident_label!r} label: not an incident")
    repo = _project(p)
    closed = p.text("state", base=attrs) == "closed"
    resolved = (
        (p.time("closed_at", base=attrs) or p.time("updated_at", base=attrs)) if closed else None
    )
    event = p.event(
        {
            "type": "incident",
            "id": f"gitlab:{repo}#{p.ident('iid', base=attrs)}",
            "service": _label_value(labels, "service:") or context.service_for(repo),
            "created_at": p.time("created_at", base=attrs, required=True),
            "severity": (_label_value(labels, "severity:") or p.text("severity", base=attrs))[:32],
            "resolved_at": resolved,
            "title": p.text("title", base=attrs),
            "url": p.text("url", base=attrs),
        }
    )
    return Translation((event,), as_of=p.moment("updated_at", base=attrs))


_HANDLERS: dict[str, Callable[[Payload, Context], Translation]] = {
    "Push Hook": _push,
    "Merge Request Hook": _merge_request,
    "Pipeline Hook": _pipeline,
    "Deployment Hook": _deployment,
    "Issue Hook": _issue,
    "Confidential Issue Hook": _issue,
}


def translate(event: str, data: Any, context: Context) -> Translation:
    """The delivery events of one GitLab delivery of type ``event`` (``X-Gitlab-Event``)."""
    handler = _HANDLERS.get(event)
    if handler is None:
        shown = event[:60] or "(none)"
        recorded = ", ".join(_HANDLERS)
        return ignore(f"GitLab event {shown!r} is not recorded (recorded: {recorded})")
    return handler(Payload("gitlab", event, data), context)
