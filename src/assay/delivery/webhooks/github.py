"""GitHub webhook deliveries (``X-GitHub-Event``) as delivery events.

=====================  ==========================================================
GitHub event           delivery event
=====================  ==========================================================
push                   one ``commit`` per pushed commit (no parents: GitHub does
                       not send them; import history with ``assay events git``)
pull_request           ``change`` (id = the number; merge_sha once merged)
pull_request_review    ``change`` with ``first_review_at`` (reviews by the author
                       are not reviews)
workflow_run           ``pipeline_run`` when completed (stages come from jobs)
workflow_job           the job, completed, as a stage of its ``pipeline_run``
deployment_status      ``deployment`` for the states success, failure and error
issues                 ``incident`` when the issue carries the incident label
=====================  ==========================================================

Ids are stable across re-sent deliveries (``github:<id>``): a re-sent delivery
replaces the stored event, never adds one. GitHub has no stages: a job is
recorded in the stage named by its name without a matrix suffix and without the
called workflow's part (``test (3.12)`` and ``test (3.13)`` -> stage ``test``;
``deploy / eu`` -> stage ``deploy``). A job delivery is a run placeholder with
that one job (``Translation.partial``); :mod:`.accumulate` merges it into the
stored run. Issue and pull request deliveries carry their ``updated_at`` as
``Translation.as_of`` so a late delivery cannot undo a newer one.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from assay.delivery.events import DEPLOYMENT_KINDS, Event
from assay.delivery.webhooks.interface import Context, Payload, Translation, ignore

_CONCLUSIONS = {
    "success": "success",
    "failure": "failure",
    "timed_out": "failure",
    "startup_failure": "failure",
    "action_required": "failure",
    "cancelled": "cancelled",
    "skipped": "skipped",
    "neutral": "skipped",
    "stale": "skipped",
}
_DEPLOYMENT_STATES = {"success": "success", "failure": "failure", "error": "failure"}
_ISSUE_ACTIONS = ("opened", "edited", "labeled", "closed", "reopened")
_ZERO_SHA = "0" * 40
_MATRIX_SUFFIX = re.compile(r"\s*\([^()]*\)\s*$")
_JOB_URL = re.compile(r"^(https://[^\s]+/actions/runs/\d+)/job/\d+/?$")


def _subject(message: str) -> str:
    return message.split("\n", 1)[0]


def _push(p: Payload, _: Context) -> Translation:
    repo = p.need("repository.full_name")
    if p.get("deleted") is True or p.text("after") == _ZERO_SHA:
        return ignore("push deleted a branch or tag: no commits to record")
    events: list[Event] = []
    for i, commit in enumerate(p.items("commits")):
        if not isinstance(commit, dict):
            raise p.fail(f"commits[{i}]", "expected an object")
        at = p.time("timestamp", base=commit, required=True)
        author = p.text("author.username", base=commit) or p.text("author.name", base=commit)
        events.append(
            p.event(
                {
                    "type": "commit",
                    "repo": repo,
                    "sha": p.need("id", base=commit),
                    "authored_at": at,
                    "committed_at": at,
                    "author": author[:200],
                    "message": _subject(p.text("message", base=commit)),
                }
            )
        )
    if not events:
        return ignore("push without commits")
    return Translation(tuple(events))


def _change(p: Payload, pr: dict[str, Any], first_review_at: str | None = None) -> Event:
    repo = p.text("base.repo.full_name", base=pr) or p.need("repository.full_name")
    merged_at = p.time("merged_at", base=pr)
    head = p.text("head.sha", base=pr)
    return p.event(
        {
            "type": "change",
            "repo": repo,
            "id": p.ident("number", base=pr),
            "created_at": p.time("created_at", base=pr, required=True),
            "author": p.text("user.login", base=pr),
            "first_review_at": first_review_at,
            "merged_at": merged_at,
            "closed_at": None if merged_at else p.time("closed_at", base=pr),
            "merge_sha": p.text("merge_commit_sha", base=pr) if merged_at else None,
            "commits": [head] if head else [],
            "target_branch": p.text("base.ref", base=pr),
            "title": p.text("title", base=pr),
            "url": p.text("html_url", base=pr),
        }
    )


def _pull_request(p: Payload, _: Context) -> Translation:
    pr = p.need("pull_request", dict)
    return Translation((_change(p, pr),), as_of=p.moment("updated_at", base=pr))


def _pull_request_review(p: Payload, _: Context) -> Translation:
    action = p.text("action")
    if action != "submitted":
        return ignore(f"pull_request_review {action or 'without action'}: only submitted reviews")
    pr = p.need("pull_request", dict)
    reviewer, author = p.text("review.user.login"), p.text("user.login", base=pr)
    if reviewer and reviewer == author:
        return ignore("a review by the pull request's author is not a review")
    submitted = p.time("review.submitted_at", required=True)
    return Translation((_change(p, pr, submitted),), as_of=p.moment("updated_at", base=pr))


def _run_id(p: Payload, run: dict[str, Any], field: str = "id") -> str:
    attempt = run.get("run_attempt")
    base = f"github:{p.ident(field, base=run)}"
    return f"{base}:{attempt}" if isinstance(attempt, int) and attempt > 1 else base


def _workflow_run(p: Payload, _: Context) -> Translation:
    action = p.text("action")
    if action != "completed":
        return ignore(f"workflow_run {action or 'without action'}: recorded once completed")
    run = p.need("workflow_run", dict)
    conclusion = p.text("conclusion", base=run)
    result = _CONCLUSIONS.get(conclusion)
    if result is None:
        raise p.fail("workflow_run.conclusion", f"unknown conclusion {conclusion[:40]!r}")
    event = p.event(
        {
            "type": "pipeline_run",
            "id": _run_id(p, run),
            "repo": p.need("repository.full_name"),
            "sha": p.need("head_sha", base=run),
            "ref": p.text("head_branch", base=run) or "HEAD",
            "result": result,
            "queued_at": p.time("created_at", base=run),
            "started_at": p.time("run_started_at", base=run),
            "finished_at": p.time("updated_at", base=run),
            "name": p.text("name", base=run)[:200],
            "url": p.text("html_url", base=run),
        }
    )
    return Translation((event,))


def stage_name(job: str) -> str:
    """The stage of a GitHub job: its name without the called workflow's part and matrix values."""
    caller = job.split(" / ", 1)[0]
    return _MATRIX_SUFFIX.sub("", caller).strip() or caller.strip() or job


def _workflow_job(p: Payload, _: Context) -> Translation:
    action = p.text("action")
    if action != "completed":
        return ignore(f"workflow_job {action or 'without action'}: recorded once completed")
    job = p.need("workflow_job", dict)
    conclusion = p.text("conclusion", base=job)
    result = _CONCLUSIONS.get(conclusion)
    if result is None:
        raise p.fail("workflow_job.conclusion", f"unknown conclusion {conclusion[:40]!r}")
    name = p.need("name", base=job)[:200]
    created, started = p.moment("created_at", base=job), p.moment("started_at", base=job)
    if created is not None and started is not None and created > started:
        created = started  # clock skew: a job is not queued after it started
    run_url = _JOB_URL.match(p.text("html_url", base=job))
    stage = {
        "name": stage_name(name),
        "result": result,
        "started_at": p.time("started_at", base=job),
        "finished_at": p.time("completed_at", base=job),
        "jobs": [
            {
                "name": name,
                "result": result,
                "queued_at": created.isoformat() if created else None,
                "started_at": p.time("started_at", base=job),
                "finished_at": p.time("completed_at", base=job),
            }
        ],
    }
    event = p.event(
        {
            "type": "pipeline_run",
            "id": _run_id(p, job, "run_id"),
            "repo": p.need("repository.full_name"),
            "sha": p.need("head_sha", base=job),
            "ref": p.text("head_branch", base=job) or "HEAD",
            "result": result,
            "queued_at": created.isoformat() if created else None,
            "started_at": p.time("started_at", base=job),
            "stages": [stage],
            "name": p.text("workflow_name", base=job)[:200],
            "url": run_url.group(1) if run_url else "",
        }
    )
    return Translation((event,), partial=True)


def _deployment_payload(value: Any) -> dict[str, Any]:
    """The deployment's free-form ``payload`` (an object, or JSON text of one)."""
    if isinstance(value, str) and value.strip().startswith("{") and len(value) < 65536:
        try:
            value = json.loads(value)
        except ValueError:
            return {}
    return value if isinstance(value, dict) else {}


def _deployment_status(p: Payload, context: Context) -> Translation:
    state = p.text("deployment_status.state")
    result = _DEPLOYMENT_STATES.get(state)
    if result is None:
        return ignore(f"deployment_status {state or 'without state'}: not finished")
    deployment = p.need("deployment", dict)
    repo = p.need("repository.full_name")
    extra = _deployment_payload(deployment.get("payload"))
    service = extra.get("service")
    kind = extra.get("kind")
    run = p.get("workflow_run")
    event = p.event(
        {
            "type": "deployment",
            "id": f"github:{p.ident('id', base=deployment)}",
            "service": service if isinstance(service, str) else context.service_for(repo),
            "environment": p.text("deployment_status.environment")
            or p.need("environment", base=deployment),
            "result": result,
            "finished_at": p.time("deployment_status.created_at", required=True),
            "started_at": p.time("created_at", base=deployment),
            "version": p.text("ref", base=deployment)[:200],
            "kind": kind if kind in DEPLOYMENT_KINDS else "normal",
            "commits": [{"repo": repo, "sha": p.need("sha", base=deployment)}],
            "pipeline_run": _run_id(p, run) if isinstance(run, dict) else None,
            "url": p.text("deployment_status.log_url") or p.text("deployment_status.target_url"),
        }
    )
    return Translation((event,))


def _labels(p: Payload, issue: dict[str, Any]) -> list[str]:
    found = []
    for label in p.items("labels", base=issue):
        name = label.get("name") if isinstance(label, dict) else None
        if isinstance(name, str):
            found.append(name.strip())
    return found


def _label_value(labels: list[str], prefix: str) -> str:
    for label in labels:
        if label.casefold().startswith(prefix):
            return label[len(prefix) :].strip()
    return ""


def _issues(p: Payload, context: Context) -> Translation:
    action = p.text("action")
    if action not in _ISSUE_ACTIONS:
        return ignore(f"issues {action or 'without action'}: not recorded")
    issue = p.need("issue", dict)
    labels = _labels(p, issue)
    if context.incident_label.casefold() not in {label.casefold() for label in labels}:
        return ignore(f"issue without the {context.incident_label!r} label: not an incident")
    repo = p.need("repository.full_name")
    closed = p.text("state", base=issue) == "closed"
    event = p.event(
        {
            "type": "incident",
            "id": f"github:{repo}#{p.ident('number', base=issue)}",
            "service": _label_value(labels, "service:") or context.service_for(repo),
            "created_at": p.time("created_at", base=issue, required=True),
            "severity": _label_value(labels, "severity:")[:32],
            "resolved_at": p.time("closed_at", base=issue) if closed else None,
            "title": p.text("title", base=issue),
            "url": p.text("html_url", base=issue),
        }
    )
    return Translation((event,), as_of=p.moment("updated_at", base=issue))


def _ping(_: Payload, __: Context) -> Translation:
    return ignore("ping: the webhook reaches assay")


_HANDLERS: dict[str, Callable[[Payload, Context], Translation]] = {
    "push": _push,
    "pull_request": _pull_request,
    "pull_request_review": _pull_request_review,
    "workflow_run": _workflow_run,
    "workflow_job": _workflow_job,
    "deployment_status": _deployment_status,
    "issues": _issues,
    "ping": _ping,
}
RECORDED = tuple(name for name in _HANDLERS if name != "ping")


def translate(event: str, data: Any, context: Context) -> Translation:
    """The delivery events of one GitHub delivery of type ``event`` (``X-GitHub-Event``)."""
    handler = _HANDLERS.get(event)
    if handler is None:
        shown = event[:60] or "(none)"
        return ignore(f"GitHub event {shown!r} is not recorded (recorded: {', '.join(RECORDED)})")
    return handler(Payload("github", event, data), context)
