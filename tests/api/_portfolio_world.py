"""A two-team portfolio for the access matrix and the fuzzer, with strings unique to alpha.

alpha-secret-app (team alpha), version 7.7.7-alpha: django 3.2.4 (shared with
beta) affected by CVE-2021-1, and alpha-only-lib 1.2.3 affected by
CVE-2099-1111 (a public advisory, alias GHSA-a1a1-b2b2-c3c3) and by
ALPHA-PRIV-2099-7 (known only from alpha's finding, in no advisory). Its BOM is
stored, so the SBOM export works; alpha has uploaded a BOM through the API (a
queued upload with a token), decided on a finding, commented on it and made a
project-wide decision, so the audit log, decisions and history hold alpha's data.

beta-app (team beta), version 1.0: django 3.2.4 affected by CVE-2021-1.

:data:`ALPHA_MARKERS` are strings that only alpha's data contains: none may
ever reach beta (``leaks`` finds them, and alpha's ids under id keys).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace

from assay.api.state import AppState
from assay.core import account_service as accounts
from assay.core.account_admin import key_for_secret
from assay.core.accounts import User
from assay.core.clock import now_iso
from assay.core.permissions import SYSTEM
from assay.inventory.snapshots import record_snapshot
from tests.api._catalogue_world import catalogue_entry
from tests.api._policy_world import policy_waiver
from tests.api.conftest import ROLES, Api
from tests.inventory.factories import (
    add_advisory,
    add_components,
    add_edges,
    add_finding,
    make_project,
    make_version,
)

ALPHA_APP = "alpha-secret-app"
ALPHA_VERSION = "7.7.7-alpha"
ALPHA_DESCRIPTION = "alpha-secret-description"
ALPHA_LIB = "alpha-only-lib"
ALPHA_PURL = f"pkg:npm/{ALPHA_LIB}@1.2.3"
ALPHA_CVE = "CVE-2099-1111"
ALPHA_GHSA = "GHSA-a1a1-b2b2-c3c3"
ALPHA_PRIVATE_VULN = "ALPHA-PRIV-2099-7"
ALPHA_DETAIL = "alpha-secret-detail"
ALPHA_COMMENT = "alpha-secret-comment"
ALPHA_BOM_NAME = "alpha-secret-bom.cdx.json"
SHARED_CVE = "CVE-2021-1"
SHARED_GHSA = "GHSA-2222-3333-4444"
DJANGO = "pkg:pypi/django@3.2.4"
BETA_APP = "beta-app"

ALPHA_MARKERS = (
    ALPHA_APP,
    ALPHA_PURL,
    ALPHA_VERSION,
    ALPHA_DESCRIPTION,
    ALPHA_LIB,
    ALPHA_CVE,
    ALPHA_GHSA,
    ALPHA_PRIVATE_VULN,
    ALPHA_DETAIL,
    ALPHA_COMMENT,
    ALPHA_BOM_NAME,
)
# The knowledge base is public: the advisory's ids and package may be shown to whoever asks for it.
PUBLIC_MARKERS = frozenset({ALPHA_CVE, ALPHA_GHSA, ALPHA_LIB})

ALPHA_COUNTS = {"critical": 1, "high": 2, "medium": 3, "low": 4, "unknown": 5}
BETA_COUNTS = {"critical": 1, "high": 0, "medium": 0, "low": 0, "unknown": 0}


def cyclonedx(*purls: str) -> bytes:
    """A minimal CycloneDX 1.6 JSON BOM listing ``purls``."""
    components = []
    for purl in purls:
        name, _, version = purl.rpartition("/")[2].partition("@")
        components.append(
            {"type": "library", "bom-ref": purl, "name": name, "version": version, "purl": purl}
        )
    doc = {"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1, "components": components}
    return json.dumps(doc).encode()


@dataclass(frozen=True)
class World:
    """Ids of the objects the matrix points at; ``keys`` are every role's raw API key."""

    keys: dict[str, str]
    alpha_team: int
    beta_team: int
    alpha_project: int
    alpha_version: int
    alpha_finding: int
    alpha_private_finding: int
    beta_project: int
    beta_version: int
    beta_finding: int
    upload_token: str
    spare_key_id: int
    spare_key: str
    spare_user_id: int
    catalogue_entry: int = 0  # tests/api/_catalogue_world.py
    policy_waiver: int = 0  # tests/api/_policy_world.py

    @property
    def alpha_ids(self) -> dict[str, frozenset[int]]:
        """alpha's ids under the JSON keys that name them (none may reach beta)."""
        return {
            "project_id": frozenset({self.alpha_project}),
            "version_id": frozenset({self.alpha_version}),
            "finding_id": frozenset({self.alpha_finding, self.alpha_private_finding}),
        }

    def leaks(self, text: str, asked: str = "") -> list[str]:
        """alpha's markers and ids in ``text`` (a response to beta), except what beta sent.

        ``asked`` is the request (URL and body) as text: echoing what the
        caller sent is not a leak, nor are the public advisory's ids when beta
        asked about that vulnerability.
        """
        found = [m for m in ALPHA_MARKERS if m in text and m not in asked]
        if ALPHA_CVE in asked or ALPHA_GHSA in asked:
            found = [m for m in found if m not in PUBLIC_MARKERS]
        for key, ids in self.alpha_ids.items():
            for value in re.findall(rf'"{key}":\s*(\d+)', text):
                if int(value) in ids:
                    found.append(f'"{key}": {value}')
        return found


def build_world(api: Api) -> World:
    keys = {role: api.role(role) for role in ROLES}
    alpha_team, beta_team = api.team_id("alpha"), api.team_id("beta")
    state: AppState = api.app.state.assay
    digest, _ = state.blobs.put(cyclonedx(DJANGO, ALPHA_PURL), ALPHA_BOM_NAME)
    with api.db.session() as s:
        add_advisory(s, SHARED_GHSA, aliases=[SHARED_CVE], packages=[("PyPI", "django")])
        add_advisory(
            s, ALPHA_GHSA, aliases=[ALPHA_CVE], packages=[("npm", ALPHA_LIB)],
            summary="alpha-only library flaw", severity_level="high",
        )  # fmt: skip
        alpha = make_project(s, ALPHA_APP, alpha_team, description=ALPHA_DESCRIPTION)
        av = make_version(
            s, alpha, ALPHA_VERSION, counts=ALPHA_COUNTS, bom_digest=digest,
            bom_format="cyclonedx-json", analysed_at="2026-01-01T00:00:00Z",
        )  # fmt: skip
        django, lib = add_components(s, av, [DJANGO, ALPHA_PURL])
        add_edges(s, av, [(DJANGO, ALPHA_PURL)])
        add_finding(s, av, django, SHARED_CVE, severity="critical", aliases=[SHARED_GHSA])
        f_lib = add_finding(s, av, lib, ALPHA_CVE, severity="high", aliases=[ALPHA_GHSA])
        f_priv = add_finding(s, av, lib, ALPHA_PRIVATE_VULN, severity="high")
        beta = make_project(s, BETA_APP, beta_team)
        bv = make_version(s, beta, "1.0", counts=BETA_COUNTS)
        (b_django,) = add_components(s, bv, [DJANGO])
        f_beta = add_finding(s, bv, b_django, SHARED_CVE, severity="critical")
        for project_id in (alpha.id, beta.id, None):
            record_snapshot(s, project_id)
        team = accounts.team_by_name(s, "alpha")
        assert team is not None
        spare_key = accounts.create_api_key(s, SYSTEM, team, "spare")
        # A user to administer, inserted as a row: hashing a password costs ~1 s on a busy machine.
        spare_user = User(username="matrix-user", password_hash="!", created_at=now_iso())
        s.add(spare_user)
        s.flush()
        spare = key_for_secret(s, spare_key)
        assert spare is not None
        world = World(
            keys=keys, alpha_team=alpha_team, beta_team=beta_team, alpha_project=alpha.id,
            alpha_version=av.id, alpha_finding=f_lib.id,
            alpha_private_finding=f_priv.id, beta_project=beta.id, beta_version=bv.id,
            beta_finding=f_beta.id, upload_token="", spare_key_id=spare.id,
            spare_key=spare_key, spare_user_id=spare_user.id,
        )  # fmt: skip
    token = _alpha_activity(api, world.alpha_finding, world.alpha_project)
    return replace(
        world,
        upload_token=token,
        catalogue_entry=catalogue_entry(api),
        policy_waiver=policy_waiver(api, world.alpha_project),
    )


def _alpha_activity(api: Api, finding_id: int, project_id: int) -> str:
    """alpha uses the API: an upload (left queued), a decision, a comment, a project decision."""
    alpha = api.as_role("alpha")
    sent = alpha.post(
        "/api/v1/bom",
        data={"project": ALPHA_APP, "version": ALPHA_VERSION},
        files={"bom": (ALPHA_BOM_NAME, cyclonedx(DJANGO, ALPHA_PURL), "application/json")},
    )
    assert sent.status_code == 202, sent.text
    steps = (
        (
            f"/api/v1/findings/{finding_id}/analysis",
            {"state": "exploitable", "detail": ALPHA_DETAIL},
        ),
        (f"/api/v1/findings/{finding_id}/comments", {"text": ALPHA_COMMENT}),
        (
            "/api/v1/decisions",
            {"vuln_id": ALPHA_PRIVATE_VULN, "scope": "project", "target_id": project_id,
             "state": "exploitable", "detail": ALPHA_DETAIL},
        ),
    )  # fmt: skip
    for url, body in steps:
        answer = alpha.post(url, json=body)
        assert answer.status_code == 201, answer.text
    token: str = sent.json()["token"]
    return token
