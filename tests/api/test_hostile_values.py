"""Values a schema-driven fuzzer does not make, sent to every engine: never a 5xx, never an echo.

schemathesis builds its bodies with ``json.dumps``, so it never sends NaN,
Infinity or a lone surrogate escape (``"\\ud800"``), which Python's JSON parser
accepts but UTF-8 and JSON output cannot carry; and it rarely sends NUL, which
SQLite stores but PostgreSQL text refuses. Each probe here is one such request
and must be answered below 500.

:data:`KNOWN_BUGS` lists the probes that fail today, with the engines they fail
on: they are reported as expected failures until fixed, and fail the suite as
soon as they pass, so the list cannot go stale.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from tests.api._module_db import ENGINES, module_api
from tests.api._portfolio_world import ALPHA_CVE, ALPHA_PURL, SHARED_CVE, World, build_world
from tests.api.conftest import Api

JSON = {"content-type": "application/json"}
BOTH = ("sqlite", "postgresql")
PG = ("postgresql",)


@dataclass(frozen=True)
class Probe:
    """One request, its body as raw JSON text; ``url`` may name ids as ``{w.alpha_finding}``."""

    method: str
    url: str
    body: str | None = None
    role: str = "admin"


def _vex(analysis: str, vuln: str = ALPHA_CVE) -> str:
    statement = (
        f'{{"id": "{vuln}", "analysis": {analysis}, "affects": [{{"ref": "{ALPHA_PURL}"}}]}}'
    )
    return f'{{"bomFormat": "CycloneDX", "specVersion": "1.6", "vulnerabilities": [{statement}]}}'


V1 = "/api/v1"
PROBES: dict[str, Probe] = {
    # JSON that Python parses but a 422 answer that echoes it cannot render
    "nan-in-a-body": Probe("POST", f"{V1}/projects", '{"name": NaN}'),
    "infinity-in-a-body": Probe(
        "POST",
        f"{V1}/decisions",
        '{"vuln_id": "X-1", "scope": "project", "target_id": 1e400, "state": "exploitable"}',
    ),
    "lone-surrogate-in-a-body": Probe("POST", f"{V1}/projects", '{"name": "a\\ud800b"}'),
    "lone-surrogate-as-a-key": Probe("POST", f"{V1}/projects", '{"\\ud800": 1, "name": "x"}'),
    # NUL, which PostgreSQL text cannot hold
    "nul-in-a-comment": Probe(
        "POST", f"{V1}/findings/{{w.alpha_finding}}/comments", '{"text": "a\\u0000b"}'
    ),
    "nul-in-a-decision-detail": Probe(
        "POST",
        f"{V1}/findings/{{w.alpha_finding}}/analysis",
        '{"state": "exploitable", "detail": "a\\u0000b"}',
    ),
    "nul-in-a-decision-vuln-id": Probe(
        "POST",
        f"{V1}/decisions",
        '{"vuln_id": "a\\u0000b", "scope": "portfolio", "state": "exploitable"}',
    ),
    "nul-in-the-decisions-filter": Probe("GET", f"{V1}/decisions?vuln_id=a%00b"),
    "nul-in-a-vex-detail": Probe(
        "POST",
        f"{V1}/versions/{{w.alpha_version}}/vex",
        _vex('{"state": "exploitable", "detail": "a\\u0000b"}'),
    ),
    "lone-surrogate-in-a-vex-detail": Probe(
        "POST",
        f"{V1}/versions/{{w.alpha_version}}/vex",
        _vex('{"state": "exploitable", "detail": "a\\ud800b"}'),
    ),
    "nul-in-a-project-description": Probe(
        "POST", f"{V1}/projects", '{"name": "n", "description": "a\\u0000"}'
    ),
    "nul-in-a-project-filter": Probe("GET", f"{V1}/projects?q=a%00b"),
    "nul-in-a-component-search": Probe("GET", f"{V1}/search/components?name=a%00b"),
    "nul-in-an-advisory-id": Probe("GET", f"{V1}/vulnerabilities/{SHARED_CVE}/advisories/%00"),
    "control-character-in-an-audit-filter": Probe("GET", f"{V1}/audit?actor=a%01b"),
    "invalid-utf8-in-a-query": Probe("GET", f"{V1}/search/components?name=%ED%A0%80"),
    "invalid-utf8-in-a-path": Probe("GET", f"{V1}/vulnerabilities/{SHARED_CVE}/advisories/%FF"),
    # sizes and nesting
    "deeply-nested-body": Probe("POST", f"{V1}/projects", "[" * 100_000),
    "deeply-nested-vex": Probe("POST", f"{V1}/versions/{{w.alpha_version}}/vex", "[" * 100_000),
    "last-page-of-everything": Probe("GET", f"{V1}/projects?page=1000000&page_size=500"),
}

KNOWN_BUGS: dict[str, tuple[tuple[str, ...], str]] = {}


@dataclass(frozen=True)
class Env:
    api: Api
    world: World
    engine: str


@pytest.fixture(scope="module", params=ENGINES)
def env(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    with module_api(request, tmp_path_factory, request.param) as api:
        yield Env(api, build_world(api), request.param)


def send(env: Env, probe: Probe) -> tuple[int, str]:
    """The status and text of the answer; an exception the app raised counts as a 500."""
    url = probe.url.format(w=env.world)
    body = probe.body
    client = env.api.as_role(probe.role)
    try:
        answer: httpx.Response = client.request(
            probe.method, url, content=body, headers=JSON if body is not None else None
        )
    except Exception as exc:  # raised through the test client: a 500 in production
        return 500, f"{type(exc).__name__}: {exc}"
    return answer.status_code, answer.text


def expect(env: Env, name: str, ok: bool, problem: str) -> None:
    """Assert ``ok``; for a known bug on this engine, an expected failure while it lasts."""
    engines, reason = KNOWN_BUGS.get(name, ((), ""))
    if env.engine in engines:
        if ok:
            pytest.fail(f"{name} is fixed on {env.engine}: take it out of KNOWN_BUGS")
        pytest.xfail(reason)
    assert ok, f"{name}: {problem}"


@pytest.mark.parametrize("name", sorted(PROBES))
def test_a_hostile_value_is_refused_without_a_server_error(env: Env, name: str) -> None:
    status, text = send(env, PROBES[name])
    expect(env, name, status < 500, f"{status} {text[:300]}")


def test_a_rejected_password_is_not_echoed(env: Env) -> None:
    secret = "hunter2x"  # too short: refused by the schema
    body = f'{{"username": "echo", "password": "{secret}"}}'
    status, text = send(env, Probe("POST", f"{V1}/admin/users", body))
    assert status == 422, text
    expect(env, "password-echo", secret not in text, text)


def test_a_bom_with_a_lone_surrogate_fails_with_a_reason(env: Env) -> None:
    """A document Python's JSON parser accepts but no database can store: an input error."""
    doc = (
        b'{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": '
        b'[{"type": "library", "name": "a\\ud800", "version": "1"}]}'
    )
    alpha = env.api.as_role("alpha")
    sent = alpha.post(
        f"{V1}/bom",
        data={"project": "surrogates", "version": "1", "auto_create": "true"},
        files={"bom": ("odd.cdx.json", doc, "application/json")},
    )
    assert sent.status_code in (202, 422), sent.text
    if sent.status_code == 202:
        env.api.drain()
        status = alpha.get(f"{V1}/bom/token/{sent.json()['token']}").json()
        error = status["error"] or ""
        assert status["state"] == "failed", status
        expect(env, "bom-lone-surrogate", not error.startswith("internal error"), error)
