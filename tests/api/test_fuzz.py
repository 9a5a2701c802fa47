"""The whole API fuzzed with schemathesis from its own OpenAPI document: never a 500.

Every operation of ``/api/v1/openapi.json`` gets a bounded, derandomised run
of schema-conforming and schema-violating requests (path, query, headers and
body), sent in-process to the ASGI app over a seeded two-team portfolio (see
``tests/api/_portfolio_world.py``): on SQLite as the administrator and as beta
(who sees only its own team's projects), on PostgreSQL as the administrator
with fewer examples. A third of the cases aim their path parameters at objects
that exist, so bodies and queries reach the services instead of stopping at a
404. The one property checked is schemathesis's ``not_a_server_error``: the
answer is a 2xx, 3xx or 4xx, never a traceback. BOM uploads, which the OpenAPI
document cannot describe today, are fuzzed by hand below. Values schemathesis
never sends (NaN, lone surrogates) are in test_hostile_values.py.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.schemas import BaseSchema
from sqlalchemy import select

from assay.core.identity import principal_for_key
from assay.core.jobs import Job
from tests.api._module_db import api_operations, module_api
from tests.api._policy_world import MATRIX_POLICY
from tests.api._portfolio_world import (
    DJANGO,
    SHARED_CVE,
    SHARED_GHSA,
    World,
    build_world,
    cyclonedx,
)
from tests.api.conftest import ROLES, Api

# Examples per operation: ~2,000 requests in all, about a minute on a quiet 2-core machine.
# ASSAY_FUZZ_SCALE=20 multiplies them for a deep (nightly) run.
SCALE = max(1, int(os.environ.get("ASSAY_FUZZ_SCALE", "1") or "1"))
EXAMPLES = {"sqlite-admin": 25 * SCALE, "sqlite-beta": 15 * SCALE, "postgresql-admin": 10 * SCALE}
OPERATIONS = api_operations()


@dataclass
class Target:
    """The app under fuzzing, the caller's key, and real ids to aim path parameters at."""

    api: Api
    schema: BaseSchema
    role: str
    key: str
    anchors: dict[str, str]
    name: str
    renewals: int = 0

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"}

    def renew_if_lost(self) -> None:
        """A new key when a fuzzed request revoked this one or emptied its team's rights."""
        team, perms = ROLES[self.role]
        with self.api.db.session() as s:
            who = principal_for_key(s, self.key)
        if who is None or not who.permissions >= perms:
            self.renewals += 1
            self.key = self.api.key(team if self.role == "beta" else f"fuzz-{self.renewals}", perms)


def _anchors(w: World, role: str) -> dict[str, str]:
    """Path parameters naming objects that exist: the role's own team's, and admin's spares."""
    if role == "beta":
        own = (w.beta_project, w.beta_version, w.beta_finding, w.beta_team)
    else:
        own = (w.alpha_project, w.alpha_version, w.alpha_finding, w.alpha_team)
    return {
        "project_id": str(own[0]), "version_id": str(own[1]), "finding_id": str(own[2]),
        "team_id": str(own[3]), "user_id": str(w.spare_user_id), "key_id": str(w.spare_key_id),
        "token": w.upload_token, "vuln_id": SHARED_CVE, "advisory_id": SHARED_GHSA,
        "entry_id": str(w.catalogue_entry), "name": MATRIX_POLICY,
        "waiver_id": str(w.policy_waiver),
    }  # fmt: skip


TARGETS = [
    ("sqlite", "admin"),
    ("sqlite", "beta"),
    pytest.param(("postgresql", "admin"), marks=pytest.mark.postgres),
]


@pytest.fixture(scope="module", params=TARGETS, ids=lambda t: "-".join(t))
def target(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Target]:
    engine, role = request.param
    with module_api(request, tmp_path_factory, engine) as api:
        w = build_world(api)
        schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", api.app)
        yield Target(api, schema, role, w.keys[role], _anchors(w, role), f"{engine}-{role}")


def _strategy(target: Target, operation: str) -> st.SearchStrategy[Case[Any]]:
    """Anything the schema allows or forbids, and valid requests aimed at real objects."""
    method, path = operation.split(" ", 1)
    op = target.schema[path][method]
    names = re.findall(r"\{(\w+)\}", path)
    choices = [
        op.as_strategy(generation_mode=GenerationMode.POSITIVE),
        op.as_strategy(generation_mode=GenerationMode.NEGATIVE),
    ]
    if names:
        anchored = {name: target.anchors[name] for name in names}
        choices.append(
            op.as_strategy(generation_mode=GenerationMode.POSITIVE, path_parameters=anchored)
        )
    return st.one_of(choices)


@pytest.mark.parametrize("operation", OPERATIONS)
def test_no_request_makes_the_server_fail(target: Target, operation: str) -> None:
    @settings(
        max_examples=EXAMPLES[target.name],
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=_strategy(target, operation))
    def fuzz(case: Case[Any]) -> None:
        headers = target.headers()
        try:
            response = case.call(headers=headers)
        except Exception as exc:  # the app raised: a 500 in production
            raise AssertionError(
                f"{type(exc).__name__}: {exc}\n{case.as_curl_command(headers=headers)}"
            ) from exc
        if response.status_code in (401, 403):
            target.renew_if_lost()
        case.validate_response(response, checks=[not_a_server_error])

    fuzz()


# -- BOM intake: the OpenAPI document cannot drive a multipart upload, so documents are made here.

_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=24)
)
_JSON = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
_TEXT = st.text(max_size=40)
_COMPONENT = st.fixed_dictionaries(
    {"name": _TEXT | _JSON},
    optional={
        "type": st.just("library") | _JSON,
        "version": _TEXT | _JSON,
        "purl": _TEXT.map(lambda t: "pkg:" + t) | st.just(DJANGO) | _JSON,
        "bom-ref": _TEXT | _JSON,
        "licenses": _JSON,
        "hashes": _JSON,
        "scope": st.sampled_from(["required", "optional", "excluded"]) | _JSON,
        "components": _JSON,
    },
)
_CYCLONEDX = st.fixed_dictionaries(
    {
        "bomFormat": st.just("CycloneDX"),
        "specVersion": st.sampled_from(["1.4", "1.5", "1.6"]) | _JSON,
        "components": st.lists(_COMPONENT, max_size=4) | _JSON,
    },
    optional={
        "dependencies": st.lists(
            st.fixed_dictionaries({"ref": _TEXT, "dependsOn": st.lists(_TEXT, max_size=3)}),
            max_size=3,
        )
        | _JSON,
        "metadata": _JSON,
    },
)
_SPDX = st.fixed_dictionaries(
    {
        "spdxVersion": st.just("SPDX-2.3"),
        "SPDXID": st.just("SPDXRef-DOCUMENT"),
        "packages": st.lists(
            st.fixed_dictionaries(
                {"SPDXID": _TEXT, "name": _TEXT | _JSON},
                optional={"versionInfo": _TEXT | _JSON, "externalRefs": _JSON},
            ),
            max_size=4,
        )
        | _JSON,
    },
    optional={"relationships": _JSON, "name": _TEXT},
)
_VALID = cyclonedx(DJANGO, "pkg:npm/left-pad@1.3.0")
DOCUMENTS = st.one_of(
    _CYCLONEDX.map(lambda d: json.dumps(d).encode()),
    _SPDX.map(lambda d: json.dumps(d).encode()),
    st.integers(min_value=1, max_value=len(_VALID) - 1).map(lambda n: _VALID[:n]),
    st.binary(min_size=1, max_size=300),
    _TEXT.map(
        lambda t: f'<bom xmlns="http://cyclonedx.org/schema/bom/1.5"><components>{t}'.encode()
    ),
    _TEXT.map(lambda t: f"SPDXVersion: SPDX-2.3\nPackageName: {t}\n".encode()),
)
FILENAMES = st.sampled_from(["bom.cdx.json", "bom.spdx.json", "bom.xml", "bom.spdx", "x", ""])
SBOM_FORMATS = ("cyclonedx-json", "cyclonedx-xml", "spdx-json", "spdx-tv")


def test_no_uploaded_document_breaks_intake_or_the_version_pages(api: Api) -> None:
    """Hostile, truncated and odd BOMs: refused or failed with a reason, never a crash.

    Each document is uploaded, analysed (``drain``), and the version's pages and
    SBOM exports are then read: a failure is an ``internal error`` (an
    exception intake did not expect), a job that raised, or a 5xx anywhere.
    """
    build_world(api)
    alpha = api.as_role("alpha")

    @settings(
        max_examples=30 * SCALE, derandomize=True, deadline=None, database=None,
        suppress_health_check=list(HealthCheck),
    )  # fmt: skip
    @given(document=DOCUMENTS, filename=FILENAMES)
    def fuzz(document: bytes, filename: str) -> None:
        sent = alpha.post(
            "/api/v1/bom",
            data={"project": "fuzzed", "version": "1", "auto_create": "true"},
            files={"bom": (filename, document, "application/octet-stream")},
        )
        assert sent.status_code in (202, 413, 422), sent.text
        if sent.status_code != 202:
            return
        api.drain()
        status = alpha.get(f"/api/v1/bom/token/{sent.json()['token']}").json()
        assert status["state"] in ("done", "failed"), status
        assert not (status["error"] or "").startswith("internal error"), status["error"]
        with api.db.session() as s:
            raised = s.scalars(select(Job.error).where(Job.error.is_not(None))).all()
        assert raised == [], raised
        version = alpha.get("/api/v1/projects", params={"q": "fuzzed"}).json()
        version_id = version["items"][0]["latest"]["version_id"]
        pages = ["components", "graph", "findings", "vex"]
        urls = [f"/api/v1/versions/{version_id}/{page}" for page in pages]
        urls += [f"/api/v1/versions/{version_id}/sbom?format={f}" for f in SBOM_FORMATS]
        for url in urls:
            answer = alpha.get(url)
            assert answer.status_code < 500, (url, answer.text[:300])

    fuzz()
