"""Every operation of the OpenAPI document against every role, on both engines.

The operations come from ``app.openapi()``, so a new endpoint is tested as soon
as it is registered, and fails until :data:`POLICY` says who may call it. Each
operation is called with its path parameters pointing at alpha's objects (see
``tests/api/_portfolio_world.py``) and a minimal valid body, by each role of
``tests/api/conftest.py`` and anonymously. The expected answer follows from
the policy row and the role's permissions:

* anonymous: 401 (except public operations);
* a role holding none of the permissions the operation needs: 403, decided
  before any object is looked at, so it says nothing about the object;
* a role that holds the permission but cannot see alpha's object: 404, with the
  same answer as for an object that does not exist (never 403, never 200);
* otherwise the operation's success status.

Whatever the status, no answer to a role that cannot see alpha's team may hold
alpha's names, purls, vulnerability ids, comments or ids, and no answer and no
audit entry may hold a raw API key.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from assay.core.audit import AuditEntry
from assay.core.permissions import Permission
from tests.api._module_db import ENGINES, api_operations, module_api
from tests.api._policy_world import MATRIX_DELETED_POLICY, MATRIX_POLICY
from tests.api._portfolio_world import (
    ALPHA_APP,
    ALPHA_CVE,
    ALPHA_GHSA,
    ALPHA_PRIVATE_VULN,
    ALPHA_PURL,
    ALPHA_VERSION,
    BETA_APP,
    BETA_COUNTS,
    DJANGO,
    SHARED_CVE,
    World,
    build_world,
    cyclonedx,
)
from tests.api.conftest import ROLES, Api

P = Permission
V1 = "/api/v1"
ALPHA, ANY, PUBLIC_KB = "alpha's object", "no object", "public knowledge base"
Body = Callable[[World, str], dict[str, Any]]


@dataclass(frozen=True)
class Rule:
    """Who may call an operation: any one of ``needs`` (None: no sign-in), and on what.

    ``scope`` ALPHA: the path or body names one of alpha's objects, so a role
    that cannot see team alpha gets 404. ANY: no object; results are filtered
    to what the caller sees. PUBLIC_KB: the public vulnerability knowledge base
    (the affected projects in it are filtered).
    """

    needs: frozenset[Permission] | None
    scope: str
    ok: int = 200
    query: dict[str, str] = field(default_factory=dict)
    body: Body | None = None
    upload: bool = False
    path: dict[str, str] = field(default_factory=dict)  # path values replacing the usual ones


def _need(*perms: Permission) -> frozenset[Permission]:
    return frozenset(perms)


VIEW, UPLOAD, TRIAGE = _need(P.VIEW_PORTFOLIO), _need(P.UPLOAD_BOM), _need(P.TRIAGE)
ADMIN = _need(P.ADMINISTER)
MANAGE, GRANT = _need(P.MANAGE_POLICY), _need(P.GRANT_WAIVER)


def _policy_set(name: str) -> dict[str, Any]:
    policy = {"name": name, "verdict": "warn", "conditions": [{"malicious": True}]}
    return {"apiVersion": "assay.dev/v1", "kind": "PolicySet", "policies": [policy]}


def _in_days(days: int) -> str:
    return (date.today() + timedelta(days=days)).isoformat()


VEX_DOC = {"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1, "vulnerabilities": []}

POLICY: dict[str, Rule] = {
    "GET /healthz": Rule(None, ANY),
    # administration: ADMINISTER only
    f"GET {V1}/admin/users": Rule(ADMIN, ANY),
    f"POST {V1}/admin/users": Rule(
        ADMIN, ANY, 201, body=lambda w, r: {"username": f"u-{r}", "password": "x" * 16}
    ),
    f"PATCH {V1}/admin/users/{{user_id}}": Rule(ADMIN, ANY, body=lambda w, r: {}),
    f"GET {V1}/admin/teams": Rule(ADMIN, ANY),
    f"POST {V1}/admin/teams": Rule(ADMIN, ANY, 201, body=lambda w, r: {"name": f"t-{r}"}),
    f"PATCH {V1}/admin/teams/{{team_id}}": Rule(ADMIN, ANY, body=lambda w, r: {}),
    f"GET {V1}/admin/teams/{{team_id}}/keys": Rule(ADMIN, ANY),
    f"POST {V1}/admin/teams/{{team_id}}/keys": Rule(
        ADMIN, ANY, 201, body=lambda w, r: {"name": f"k-{r}"}
    ),
    f"DELETE {V1}/admin/keys/{{key_id}}": Rule(ADMIN, ANY),
    # the audit log: filtered to the caller's teams
    f"GET {V1}/audit": Rule(VIEW, ANY),
    f"GET {V1}/audit/export": Rule(VIEW, ANY),
    # BOM intake
    f"POST {V1}/bom": Rule(UPLOAD, ALPHA, 202, upload=True),
    f"GET {V1}/bom/token/{{token}}": Rule(_need(P.VIEW_PORTFOLIO, P.UPLOAD_BOM), ALPHA),
    # the CI gate: an SBOM judged for one of alpha's projects, nothing stored
    f"POST {V1}/gate": Rule(
        VIEW, ALPHA, query={"project": ALPHA_APP}, body=lambda w, r: json.loads(cyclonedx(DJANGO))
    ),
    # triage
    f"GET {V1}/findings/{{finding_id}}": Rule(VIEW, ALPHA),
    f"GET {V1}/findings/{{finding_id}}/analysis": Rule(VIEW, ALPHA),
    f"POST {V1}/findings/{{finding_id}}/analysis": Rule(
        TRIAGE, ALPHA, 201, body=lambda w, r: {"state": "exploitable", "detail": f"by {r}"}
    ),
    f"POST {V1}/findings/{{finding_id}}/comments": Rule(
        TRIAGE, ALPHA, 201, body=lambda w, r: {"text": f"comment by {r}"}
    ),
    f"POST {V1}/decisions": Rule(
        TRIAGE,
        ALPHA,
        201,
        body=lambda w, r: {
            "vuln_id": ALPHA_CVE,
            "scope": "project",
            "target_id": w.alpha_project,
            "state": "exploitable",
        },
    ),
    f"GET {V1}/decisions": Rule(VIEW, ANY),
    f"GET {V1}/versions/{{version_id}}/vex": Rule(VIEW, ALPHA),
    f"POST {V1}/versions/{{version_id}}/vex": Rule(TRIAGE, ALPHA, body=lambda w, r: VEX_DOC),
    # dashboard figures
    f"GET {V1}/portfolio/summary": Rule(VIEW, ANY),
    f"GET {V1}/portfolio/trend": Rule(VIEW, ANY),
    f"GET {V1}/projects/{{project_id}}/trend": Rule(VIEW, ALPHA),
    # projects and versions
    f"GET {V1}/projects": Rule(VIEW, ANY),
    f"POST {V1}/projects": Rule(UPLOAD, ANY, 201, body=lambda w, r: {"name": f"new-{r}"}),
    f"GET {V1}/projects/{{project_id}}": Rule(VIEW, ALPHA),
    f"PATCH {V1}/projects/{{project_id}}": Rule(
        UPLOAD, ALPHA, body=lambda w, r: {"description": f"edited by {r}"}
    ),
    f"GET {V1}/projects/{{project_id}}/versions": Rule(VIEW, ALPHA),
    f"GET {V1}/versions/{{version_id}}": Rule(VIEW, ALPHA),
    f"GET {V1}/versions/{{version_id}}/components": Rule(VIEW, ALPHA),
    f"GET {V1}/versions/{{version_id}}/graph": Rule(VIEW, ALPHA),
    f"GET {V1}/versions/{{version_id}}/findings": Rule(VIEW, ALPHA),
    f"GET {V1}/versions/{{version_id}}/sbom": Rule(VIEW, ALPHA),
    # the component catalogue: organisation-wide; who uses a component is filtered
    f"GET {V1}/catalogue": Rule(VIEW, ANY),
    f"GET {V1}/catalogue/unification": Rule(VIEW, ANY),
    f"GET {V1}/catalogue/{{entry_id}}": Rule(VIEW, ANY),
    f"GET {V1}/catalogue/{{entry_id}}/affected": Rule(VIEW, ANY),
    f"GET {V1}/catalogue/{{entry_id}}/vetting": Rule(VIEW, ANY),
    f"GET {V1}/remediation": Rule(VIEW, ANY),
    f"POST {V1}/catalogue/requests": Rule(
        VIEW, ANY, 201, body=lambda w, r: {"purl": f"pkg:pypi/wanted-by-{r}", "reason": r}
    ),
    f"POST {V1}/catalogue/{{entry_id}}/transitions": Rule(
        _need(P.MANAGE_CATALOGUE), ANY, body=lambda w, r: {"action": "review", "reason": r}
    ),
    f"PATCH {V1}/catalogue/{{entry_id}}": Rule(
        _need(P.MANAGE_CATALOGUE), ANY, body=lambda w, r: {"recommended_version": "3.2.4"}
    ),
    f"POST {V1}/catalogue/bans": Rule(
        _need(P.MANAGE_CATALOGUE),
        ANY,
        201,
        body=lambda w, r: {"purl": "pkg:npm/matrix-banned", "reason": f"by {r}"},
    ),
    # policies (organisation-wide), violations and waivers (filtered to visible projects);
    # among the roles only the administrator holds MANAGE_POLICY and GRANT_WAIVER
    f"GET {V1}/policies": Rule(VIEW, ANY),
    f"GET {V1}/policies/{{name}}": Rule(VIEW, ANY),
    f"PUT {V1}/policies/{{name}}": Rule(
        MANAGE, ANY, body=lambda w, r: {"verdict": "fail", "conditions": [{"malicious": True}]}
    ),
    f"DELETE {V1}/policies/{{name}}": Rule(MANAGE, ANY, path={"name": MATRIX_DELETED_POLICY}),
    f"POST {V1}/policies/apply": Rule(
        MANAGE, ANY, body=lambda w, r: {"document": _policy_set(f"by-{r}"), "dry_run": True}
    ),
    f"GET {V1}/violations": Rule(VIEW, ANY),
    f"GET {V1}/versions/{{version_id}}/policy": Rule(VIEW, ALPHA),
    f"GET {V1}/waivers": Rule(VIEW, ANY),
    f"POST {V1}/waivers": Rule(
        GRANT,
        ANY,
        201,
        body=lambda w, r: {
            "project_id": w.alpha_project,
            "policy": MATRIX_POLICY,
            "reason": f"by {r}",
            "expires": _in_days(30),
        },
    ),
    f"DELETE {V1}/waivers/{{waiver_id}}": Rule(GRANT, ANY, query={"reason": "matrix"}),
    # delivery: events in (SEND_EVENTS), service configurations (MANAGE_SERVICES), metrics of
    # the caller's services; webhooks answer only to their secret (unset here: 404 for all)
    f"POST {V1}/events": Rule(
        _need(P.SEND_EVENTS),
        ANY,
        body=lambda w, r: [
            {"type": "incident", "id": f"m-{r}", "service": "m", "created_at": "2026-03-29T10:00Z"}
        ],
    ),
    f"GET {V1}/services": Rule(VIEW, ANY),
    f"PUT {V1}/services/{{name}}": Rule(
        _need(P.MANAGE_SERVICES),
        ANY,
        path={"name": "matrix-service"},
        body=lambda w, r: {"team": "alpha"},
    ),
    # no service is configured when the delete runs (operations run sorted): the admin's 404
    f"DELETE {V1}/services/{{name}}": Rule(
        _need(P.MANAGE_SERVICES), ANY, 404, path={"name": "matrix-no-such-service"}
    ),
    f"GET {V1}/metrics/dora": Rule(VIEW, ANY),
    f"GET {V1}/metrics/quality": Rule(VIEW, ANY),
    f"GET {V1}/metrics/flow": Rule(VIEW, ANY),
    f"POST {V1}/webhooks/github": Rule(None, ANY, 404, body=lambda w, r: {"zen": r}),
    f"POST {V1}/webhooks/gitlab": Rule(None, ANY, 404, body=lambda w, r: {"object_kind": r}),
    # search and the vulnerability page
    f"GET {V1}/search/components": Rule(VIEW, ANY, query={"purl": ALPHA_PURL}),
    f"GET {V1}/search/vulnerability/{{vuln_id}}": Rule(VIEW, PUBLIC_KB),
    f"GET {V1}/vulnerabilities/{{vuln_id}}": Rule(VIEW, PUBLIC_KB),
    f"GET {V1}/vulnerabilities/{{vuln_id}}/advisories/{{advisory_id}}": Rule(VIEW, PUBLIC_KB),
}

# Who calls, in this order (the administrator last, after every refusal was seen).
CALLERS: tuple[str | None, ...] = (None, "alpha_ci", "beta", "auditor", "alpha", "admin")
MISSING_ID = 2_000_000_000
# Served without sign-in and absent from the OpenAPI document: checked for alpha's data after
# every operation has run (Prometheus labels must be route templates, never ids or names).
UNLISTED = ("/metrics", "/api/v1/openapi.json", "/api/docs")


OPERATIONS = api_operations()


def sees_alpha(role: str | None) -> bool:
    """Whether ``role`` may see team alpha's projects."""
    if role is None:
        return False
    team, perms = ROLES[role]
    return bool({P.ADMINISTER, P.PORTFOLIO_WIDE} & perms) or team == "alpha"


def expected(rule: Rule, role: str | None) -> int:
    """The status the policy gives ``role`` (see the module docstring)."""
    if rule.needs is None:
        return rule.ok
    if role is None:
        return 401
    perms = ROLES[role][1]
    if not (P.ADMINISTER in perms or perms & rule.needs):
        return 403
    if rule.scope == ALPHA and not sees_alpha(role):
        return 404
    return rule.ok


def _path_values(w: World) -> dict[str, str]:
    return {
        "user_id": str(w.spare_user_id), "team_id": str(w.alpha_team),
        "key_id": str(w.spare_key_id), "token": w.upload_token,
        "finding_id": str(w.alpha_finding), "version_id": str(w.alpha_version),
        "project_id": str(w.alpha_project), "vuln_id": ALPHA_CVE, "advisory_id": ALPHA_GHSA,
        "entry_id": str(w.catalogue_entry), "name": MATRIX_POLICY,
        "waiver_id": str(w.policy_waiver),
    }  # fmt: skip


def _url(template: str, values: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], template)


@dataclass(frozen=True)
class Call:
    """One request made for the matrix: what was asked (for echo checks) and the answer."""

    asked: str
    answer: httpx.Response


def call(api: Api, w: World, operation: str, role: str | None, url: str | None = None) -> Call:
    rule = POLICY[operation]
    method, template = operation.split(" ", 1)
    url = url or _url(template, {**_path_values(w), **rule.path})
    client = api.as_role(role) if role else api.client(None)
    kwargs: dict[str, Any] = {"params": rule.query}
    if rule.body is not None:
        kwargs["json"] = rule.body(w, role or "anonymous")
    if rule.upload:
        kwargs["data"] = {"project": ALPHA_APP, "version": ALPHA_VERSION}
        kwargs["files"] = {"bom": ("m.cdx.json", cyclonedx(DJANGO), "application/json")}
    answer = client.request(method, url, **kwargs)
    asked = " ".join([url, json.dumps(rule.query), json.dumps(kwargs.get("json")),
                      json.dumps(kwargs.get("data"))])  # fmt: skip
    return Call(asked, answer)


def _new_keys(answer: httpx.Response) -> set[str]:
    try:
        body = answer.json()
    except ValueError:
        return set()
    return {body["key"]} if isinstance(body, dict) and isinstance(body.get("key"), str) else set()


def _audit_text(api: Api) -> str:
    with api.db.session() as s:
        rows = s.scalars(select(AuditEntry)).all()
        return "\n".join(f"{r.actor} {r.action} {r.target_id} {r.detail}" for r in rows)


def _placeholders(template: str) -> list[str]:
    return re.findall(r"\{(\w+)\}", template)


def check_roles(api: Api, w: World, operation: str) -> tuple[list[str], set[str]]:
    """Problems found calling ``operation`` as every caller, and the API keys it created."""
    rule = POLICY[operation]
    problems: list[str] = []
    made: set[str] = set()
    secrets = {*w.keys.values(), w.spare_key}
    for role in CALLERS:
        got = call(api, w, operation, role)
        want, who = expected(rule, role), role or "anonymous"
        if got.answer.status_code != want:
            problems.append(
                f"{who}: {got.answer.status_code}, want {want}: {got.answer.text[:300]}"
            )
        if not sees_alpha(role) and (found := w.leaks(got.answer.text, got.asked)):
            problems.append(f"{who} was shown alpha's {found}")
        problems += [f"{who} was shown a raw API key" for k in secrets if k in got.answer.text]
        made |= _new_keys(got.answer)
    return problems, made


def check_hidden_like_missing(api: Api, w: World, operation: str) -> list[str]:
    """beta asking for alpha's object and for one that does not exist: the same 404, same words."""
    template = operation.split(" ", 1)[1]
    names = _placeholders(template)
    if POLICY[operation].scope != ALPHA or not names:
        return []
    values = _path_values(w)
    missing = {k: (str(MISSING_ID) if v.isdigit() else "0" * 32) for k, v in values.items()}
    hidden = call(api, w, operation, "beta").answer
    absent = call(api, w, operation, "beta", url=_url(template, missing)).answer
    if (hidden.status_code, absent.status_code) != (404, 404):
        return [f"beta: hidden {hidden.status_code}, missing {absent.status_code}, want 404, 404"]
    shown = _replaced(hidden.text, [values[k] for k in names])
    if shown != _replaced(absent.text, [missing[k] for k in names]):
        return [f"beta: a hidden object answers {hidden.text!r}, a missing one {absent.text!r}"]
    return []


def _replaced(text: str, values: list[str]) -> str:
    for value in values:
        text = text.replace(value, "ID")
    return text


@dataclass(frozen=True)
class Matrix:
    """The whole matrix, run once per engine: problems per operation (empty when it passed)."""

    problems: dict[str, list[str]]
    audit_leaks: int


@pytest.fixture(scope="module", params=ENGINES)
def matrix(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Matrix]:
    """The matrix run once per engine on one world (one world per operation took minutes)."""
    with module_api(request, tmp_path_factory, request.param) as api:
        w = build_world(api)
        problems: dict[str, list[str]] = {}
        made: set[str] = set()
        for operation in OPERATIONS:
            if operation in POLICY:
                found, keys = check_roles(api, w, operation)
                problems[operation] = found + check_hidden_like_missing(api, w, operation)
                made |= keys
        for url in UNLISTED:
            answer = api.anonymous.get(url)
            problems[url] = [f"{answer.status_code}: {found}" for found in w.leaks(answer.text)]
        audit = _audit_text(api)
        leaked = sum(k in audit for k in {*w.keys.values(), w.spare_key, *made})
        yield Matrix(problems, leaked)


@pytest.mark.parametrize("operation", OPERATIONS)
def test_every_role_gets_the_answer_the_policy_gives(matrix: Matrix, operation: str) -> None:
    if operation not in POLICY:
        pytest.fail(f"{operation} is not in POLICY: add who may call it and on what")
    assert matrix.problems[operation] == []


@pytest.mark.parametrize("url", UNLISTED)
def test_what_is_served_without_sign_in_holds_no_team_data(matrix: Matrix, url: str) -> None:
    assert matrix.problems[url] == []


def test_no_raw_api_key_reaches_the_audit_log(matrix: Matrix) -> None:
    assert matrix.audit_leaks == 0


def test_the_policy_names_only_operations_that_exist() -> None:
    assert sorted(set(POLICY) - set(OPERATIONS)) == []


def test_an_upload_to_an_invisible_project_is_refused_like_an_unknown_one(api: Api) -> None:
    w = build_world(api)
    files = {"bom": ("b.cdx.json", cyclonedx(DJANGO), "application/json")}
    beta = api.as_role("beta")
    hidden = beta.post(f"{V1}/bom", data={"project": ALPHA_APP, "version": "1"}, files=files)
    absent = beta.post(f"{V1}/bom", data={"project": "nowhere", "version": "1"}, files=files)
    auto = beta.post(
        f"{V1}/bom", data={"project": ALPHA_APP, "version": "9", "auto_create": "true"}, files=files
    )
    assert (hidden.status_code, absent.status_code, auto.status_code) == (404, 404, 404)
    assert hidden.text.replace(ALPHA_APP, "P") == absent.text.replace("nowhere", "P")
    assert not w.leaks(auto.text, ALPHA_APP)


def test_a_decision_on_an_invisible_project_is_refused_like_on_an_unknown_one(api: Api) -> None:
    w = build_world(api)
    body = {"vuln_id": SHARED_CVE, "scope": "project", "state": "exploitable"}
    beta = api.as_role("beta")
    hidden = beta.post(f"{V1}/decisions", json={**body, "target_id": w.alpha_project})
    absent = beta.post(f"{V1}/decisions", json={**body, "target_id": MISSING_ID})
    assert (hidden.status_code, absent.status_code) == (404, 404)
    assert hidden.text.replace(str(w.alpha_project), "ID") == absent.text.replace(
        str(MISSING_ID), "ID"
    )


def test_beta_counts_and_lists_only_its_own_projects(api: Api) -> None:
    w = build_world(api)
    beta = api.as_role("beta")
    summary = beta.get(f"{V1}/portfolio/summary").json()
    assert summary["projects"] == 1
    assert {k: summary["counts"][k] for k in BETA_COUNTS} == BETA_COUNTS
    trend = beta.get(f"{V1}/portfolio/trend", params={"days": 1}).json()
    assert [{k: p[k] for k in BETA_COUNTS} for p in trend["points"]] == [BETA_COUNTS]
    projects = beta.get(f"{V1}/projects").json()
    assert [p["name"] for p in projects["items"]] == [BETA_APP]
    assert projects["total"] == 1
    shared = beta.get(f"{V1}/search/components", params={"purl": DJANGO}).json()
    assert shared["total"] == 1
    assert {h["project"] for h in shared["items"]} == {BETA_APP}
    mine = beta.get(f"{V1}/search/components", params={"purl": ALPHA_PURL}).json()
    assert (mine["total"], mine["items"]) == (0, [])
    affected = beta.get(f"{V1}/search/vulnerability/{SHARED_CVE}").json()
    assert (affected["projects"], affected["affected"]["total"]) == (1, 1)
    decisions = beta.get(f"{V1}/decisions").json()
    assert decisions["total"] == 0
    lists = ("/portfolio/summary", "/projects", "/decisions", "/audit", "/audit/export")
    for url in (*lists, f"/vulnerabilities/{SHARED_CVE}", f"/search/vulnerability/{SHARED_CVE}"):
        text = beta.get(V1 + url).text
        assert not w.leaks(text), (url, w.leaks(text))


def test_a_vulnerability_known_only_from_alpha_findings_is_hidden_from_beta(api: Api) -> None:
    w = build_world(api)
    url = f"{V1}/vulnerabilities/{ALPHA_PRIVATE_VULN}"
    assert api.as_role("alpha").get(url).status_code == 200
    hidden = api.as_role("beta").get(url)
    absent = api.as_role("beta").get(f"{V1}/vulnerabilities/NOWHERE-1")
    assert (hidden.status_code, absent.status_code) == (404, 404)
    assert hidden.text.replace(ALPHA_PRIVATE_VULN, "V") == absent.text.replace("NOWHERE-1", "V")
    affected = api.as_role("beta").get(f"{V1}/search/vulnerability/{ALPHA_PRIVATE_VULN}")
    assert not w.leaks(affected.text, ALPHA_PRIVATE_VULN), affected.text


def test_alpha_sees_its_own_data_so_the_leak_checks_can_fail(api: Api) -> None:
    """The same requests as alpha do show alpha's markers: the probes above are not blind."""
    w = build_world(api)
    alpha = api.as_role("alpha")
    for url in ("/projects", "/audit", "/decisions", "/portfolio/summary"):
        assert w.leaks(alpha.get(V1 + url).text), url
    found = alpha.get(f"{V1}/search/components", params={"purl": ALPHA_PURL}).json()
    assert found["total"] == 1
