"""Writing policies in the browser (``/policies`` and ``/policies/{name}``), through the app's
test client on both engines, and the editor's text (``assay.web.pages.policy_forms``).

Users: erin (policy-admins: view_portfolio, manage_policy) changes policies; alice (alpha:
view, upload, triage) only reads them. The server seeds the starter policies at start.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from assay.core.audit import AuditEntry
from assay.core.db import Database
from assay.core.errors import InputTooLarge
from assay.core.jobs import Job
from assay.core.permissions import SYSTEM, Permission
from assay.policy import service as policy_service
from assay.policy.conditions.interface import InvalidPolicy
from assay.policy.loader import policy_from_dict
from assay.policy.starter import starter_policies
from assay.policy.store import PolicyRow
from assay.web.pages.policy_forms import (
    EXAMPLE,
    MAX_TEXT_BYTES,
    NameMismatch,
    check_name,
    mapping_yaml,
    read_policy,
    stored_yaml,
)
from tests.web.pages_support import Site, seed, site_for

NAME = "no-critical-in-production"  # the example's
EDITED = "no-high-anywhere"
HOSTILE = '<script>alert("x")</script>'
POLICY = f"""\
name: {EDITED}
description: High vulnerabilities are fixed everywhere.
verdict: warn
conditions:
  - severity: {{at_least: high}}
remediation: Upgrade.
"""
_TEXTAREA = re.compile(
    r'<textarea id="[a-z-]+-yaml" name="policy_yaml"[^>]*>\n(.*?)</textarea>', re.S
)
_ERROR = re.compile(
    r'<div class="flash flash-error" role="alert" id="policy-error">(.*?)</div>', re.S
)


@pytest.fixture
def site(database: Database) -> Iterator[Site]:
    yield from site_for(database)


@pytest.fixture
def people(site: Site) -> Site:
    seed(site)
    site.team("policy-admins", Permission.VIEW_PORTFOLIO, Permission.MANAGE_POLICY)
    site.user("erin", team="policy-admins")
    with site.db.session() as s:
        spec = {"name": EDITED, "verdict": "warn", "description": "High ones.",
                "conditions": [{"severity": {"at_least": "high"}}]}  # fmt: skip
        policy_service.put(s, SYSTEM, policy_from_dict(spec, "test"), source="test")
    return site


def _post(client: TestClient, path: str, token: str | None, **data: str) -> httpx.Response:
    if token is not None:
        data["csrf_token"] = token
    answer: httpx.Response = client.post(path, data=data)
    return answer


def _signed_in(site: Site, username: str) -> tuple[TestClient, str]:
    client = site.login(username)
    return client, site.csrf(client)


def _textarea(text: str) -> str:
    found = _TEXTAREA.search(text)
    assert found is not None, text[-3000:]
    return html.unescape(found.group(1))


def _error(text: str) -> str:
    found = _ERROR.search(text)
    assert found is not None, text[-3000:]
    return html.unescape(found.group(1))


def _row(site: Site, name: str) -> PolicyRow | None:
    with site.db.session() as s:
        return s.scalar(select(PolicyRow).where(PolicyRow.name == name))


def _count(site: Site, model: Any, *where: Any) -> int:
    with site.db.session() as s:
        return int(s.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def _audits(site: Site, action: str, name: str) -> list[AuditEntry]:
    with site.db.session() as s:
        query = select(AuditEntry).where(AuditEntry.action == action, AuditEntry.target_id == name)
        return list(s.scalars(query.order_by(AuditEntry.id)))


def _evaluations(site: Site) -> int:
    return _count(site, Job, Job.kind == policy_service.EVALUATE)


# --- the editor's text (no database) ---------------------------------------------------------


def test_the_example_is_a_valid_policy_in_the_documented_schema() -> None:
    policy = read_policy(EXAMPLE)
    assert policy.name == NAME and policy.verdict.value == "fail" and policy.enabled
    assert [c.describe() for c in policy.conditions] == ["a critical vulnerability"]
    assert policy.source == ""


def test_every_starter_policy_reads_back_from_its_yaml_unchanged() -> None:
    """What the edit form shows, posted back unchanged, is the stored policy (same digest)."""
    for policy in starter_policies():
        text = stored_yaml(policy)
        again = read_policy(text)
        assert policy_service.digest(again) == policy_service.digest(policy), policy.name


def test_yaml_is_written_without_anchors_even_for_shared_values() -> None:
    shared = ["production"]
    text = mapping_yaml({"name": "x", "scope": {"tags": shared, "teams": shared}})
    assert "&id" not in text and "*id" not in text
    assert read_policy(text.replace("scope", "verdict: info\nconditions: [kev: true]\nscope"))


def test_a_policy_set_of_one_policy_is_read_as_that_policy() -> None:
    text = "apiVersion: assay.dev/v1\nkind: PolicySet\npolicies:\n" + "".join(
        f"    {line}\n" if i else f"  - {line}\n" for i, line in enumerate(POLICY.splitlines())
    )
    policy = read_policy(text)
    assert policy.name == EDITED and policy.source == ""


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "policy text: empty: write one policy"),
        ("   \n\n", "policy text: empty"),
        ("name: x\nverdict: [fail", "policy text:3: invalid YAML: did not find expected"),
        ("- name: x\n", "policy text: a policy is a mapping"),  # wrong format: a list
        ('{"policies": []}', "policy text: apiVersion"),
        (
            "apiVersion: assay.dev/v1\nkind: PolicySet\npolicies: []\n",
            "policy text: policies: holds 0 policies; write exactly one here",
        ),
        ("plain words", "policy text: a policy is a mapping"),
        (POLICY.replace("verdict: warn", "verdcit: warn"), "unknown key 'verdcit'"),
        (POLICY.replace("warn", "fatal"), "verdict: 'fatal' is not one of info, warn, fail"),
        (
            POLICY.replace("{at_least: high}", "{at_least: hgh}"),
            f"policy text: policy '{EDITED}': conditions[0]: severity",
        ),
        ("a: &x [1]\nb: *x\n", "policy text:1: YAML anchors and aliases are not accepted"),
        ("name: !!python/object:os.system x\n", "policy text:1: invalid YAML"),
        ("[" * 1200 + "]" * 1200, "YAML nested deeper than 1000 levels"),
        (f"name: '{HOSTILE}'\nverdict: fail\n", "is not a policy name"),
    ],
    ids=[
        "empty", "blank", "truncated", "list", "json-set", "empty-set", "scalar", "typo",
        "verdict", "condition", "anchors", "python-tag", "deep", "html-name",
    ],
)  # fmt: skip
def test_a_text_that_is_not_one_policy_is_one_line_naming_the_place(
    text: str, message: str
) -> None:
    with pytest.raises(InvalidPolicy, match=re.escape(message)) as raised:
        read_policy(text)
    assert "\n" not in str(raised.value)


def test_a_text_over_64_kib_is_refused_before_it_is_read() -> None:
    text = POLICY + "#" * MAX_TEXT_BYTES
    with pytest.raises(InvalidPolicy, match=r"policy text: 64 KiB, more than the 64 KiB") as raised:
        read_policy(text)
    assert isinstance(raised.value, InputTooLarge)
    assert read_policy(POLICY + "#" * (MAX_TEXT_BYTES - len(POLICY) - 1)).name == EDITED


def test_an_edit_must_keep_the_name() -> None:
    with pytest.raises(NameMismatch, match=f"name: '{EDITED}' is not this policy's name 'other'"):
        check_name(read_policy(POLICY), "other")
    check_name(read_policy(POLICY), EDITED)


# --- who sees the forms ------------------------------------------------------------------------


def test_a_manager_sees_the_forms_prefilled(people: Site) -> None:
    erin = people.login("erin")
    listing = erin.get("/policies")
    assert listing.status_code == 200
    assert _textarea(listing.text) == EXAMPLE
    assert 'action="/policies"' in listing.text
    page = erin.get(f"/policies/{EDITED}")
    assert page.status_code == 200
    row = _row(people, EDITED)
    assert row is not None
    assert _textarea(page.text) == stored_yaml(policy_service.to_policy(row))
    for form in ("edit-policy-form", "enabled-form", "delete-policy-form"):
        assert f'id="{form}"' in page.text, form


def test_a_reader_sees_no_forms_and_is_refused_every_post(people: Site) -> None:
    alice, token = _signed_in(people, "alice")
    for path in ("/policies", f"/policies/{EDITED}"):
        text = alice.get(path).text
        assert "policy_yaml" not in text and 'name="confirm"' not in text, path
        assert "/enabled" not in text, path
    before = _row(people, EDITED)
    posts = {
        "/policies": {"policy_yaml": EXAMPLE},
        f"/policies/{EDITED}": {"policy_yaml": POLICY.replace("warn", "fail")},
        f"/policies/{EDITED}/enabled": {"enabled": "false"},
        f"/policies/{EDITED}/delete": {"confirm": EDITED},
    }
    for path, data in posts.items():
        answer = _post(alice, path, token, **data)
        assert answer.status_code == 403, path
        assert "manage_policy" in answer.text, path
    assert _row(people, NAME) is None
    after = _row(people, EDITED)
    assert after is not None and before is not None and after.digest == before.digest


@pytest.mark.parametrize("token", [None, "forged"])
def test_every_policy_post_needs_the_csrf_token(people: Site, token: str | None) -> None:
    erin = people.login("erin")
    posts = {
        "/policies": {"policy_yaml": EXAMPLE},
        f"/policies/{EDITED}": {"policy_yaml": POLICY.replace("warn", "fail")},
        f"/policies/{EDITED}/enabled": {"enabled": "false"},
        f"/policies/{EDITED}/delete": {"confirm": EDITED},
    }
    for path, data in posts.items():
        assert _post(erin, path, token, **data).status_code == 403, path
    assert _row(people, NAME) is None
    row = _row(people, EDITED)
    assert row is not None and row.verdict == "warn" and row.enabled


# --- create ------------------------------------------------------------------------------------


def test_a_manager_creates_a_policy_which_is_audited_and_evaluated(people: Site) -> None:
    erin, token = _signed_in(people, "erin")
    jobs = _evaluations(people)
    answer = _post(erin, "/policies", token, policy_yaml=EXAMPLE)
    assert answer.status_code == 303, answer.text[-2000:]
    assert answer.headers["location"] == f"/policies/{NAME}?saved=created"
    row = _row(people, NAME)
    assert row is not None
    assert (row.source, row.updated_by, row.verdict) == ("ui", "user:erin", "fail")
    assert json.loads(row.scope) == {"tags": ["production"]}
    [entry] = _audits(people, "policy.create", NAME)
    assert entry.actor == "user:erin" and json.loads(entry.detail)["digest"] == row.digest
    assert _evaluations(people) == jobs + 1
    page = erin.get(answer.headers["location"])
    assert "Policy created" in page.text
    assert "a critical vulnerability" in page.text
    assert f'data-policy="{NAME}"' in erin.get("/policies").text


def test_creating_refuses_a_name_that_exists_and_keeps_the_text(people: Site) -> None:
    erin, token = _signed_in(people, "erin")
    text = POLICY.replace("verdict: warn", "verdict: fail")
    answer = _post(erin, "/policies", token, policy_yaml=text)
    assert answer.status_code == 409
    assert _error(answer.text) == (
        f"policy text: name: a policy named '{EDITED}' already exists "
        "(edit it on its own page, or choose another name)"
    )
    assert _textarea(answer.text) == text
    row = _row(people, EDITED)
    assert row is not None and row.verdict == "warn"
    assert _audits(people, "policy.update", EDITED) == []


@pytest.mark.parametrize(
    ("text", "status", "message"),
    [
        ("", 422, "policy text: empty"),
        (EXAMPLE.replace("verdict: fail", "verdict: [fail"), 422, "policy text:7: invalid YAML"),
        (EXAMPLE.replace("verdict: fail", "verdict: fatal"), 422,
         f"policy text: policy '{NAME}': verdict: 'fatal' is not one of info, warn, fail"),
        ("a: &x [1]\nb: *x\n", 422, "YAML anchors and aliases are not accepted"),
        ("x: " + "[" * 1100 + "]" * 1100, 422, "YAML nested deeper than 1000 levels"),
        (EXAMPLE + "#" * MAX_TEXT_BYTES, 413, "more than the 64 KiB a policy may take here"),
        (f"name: {NAME}\nverdict: fail\nconditions: []\ndescription: '{HOSTILE}'\n", 422,
         "conditions: expected a non-empty list"),
    ],
    ids=["empty", "truncated", "verdict", "anchors", "deep", "huge", "no-conditions"],
)  # fmt: skip
def test_a_refused_text_is_shown_above_the_form_with_the_text_kept(
    people: Site, text: str, status: int, message: str
) -> None:
    erin, token = _signed_in(people, "erin")
    policies, audits, jobs = (
        _count(people, PolicyRow),
        _count(people, AuditEntry),
        _evaluations(people),
    )
    answer = _post(erin, "/policies", token, policy_yaml=text)
    assert answer.status_code == status
    assert message in _error(answer.text)
    assert "\n" not in _error(answer.text)
    assert _textarea(answer.text) == text  # nothing lost
    assert HOSTILE not in answer.text  # escaped in the textarea
    assert _count(people, PolicyRow) == policies
    assert _count(people, AuditEntry) == audits
    assert _evaluations(people) == jobs


def test_html_in_a_policy_is_shown_as_text(people: Site) -> None:
    erin, token = _signed_in(people, "erin")
    text = EXAMPLE.replace("Critical vulnerabilities must not reach production.", HOSTILE).replace(
        "Upgrade the component", f"{HOSTILE} Upgrade the component"
    )
    assert _post(erin, "/policies", token, policy_yaml=text).status_code == 303
    for path in ("/policies", f"/policies/{NAME}"):
        page = erin.get(path).text
        assert HOSTILE not in page, path
        assert html.escape(HOSTILE, quote=False) in page or "&lt;script&gt;" in page, path
    assert HOSTILE in _textarea(erin.get(f"/policies/{NAME}").text)
    refused = _post(erin, "/policies", token, policy_yaml=f"name: '{HOSTILE}'\n")
    assert refused.status_code == 422
    assert HOSTILE not in refused.text and "is not a policy name" in _error(refused.text)


# --- edit, enable, disable ---------------------------------------------------------------------


def test_a_manager_edits_a_policy_as_yaml(people: Site) -> None:
    erin, token = _signed_in(people, "erin")
    jobs = _evaluations(people)
    stored = _textarea(erin.get(f"/policies/{EDITED}").text)
    changed = stored.replace("verdict: warn", "verdict: fail")
    assert changed != stored
    answer = _post(erin, f"/policies/{EDITED}", token, policy_yaml=changed)
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/policies/{EDITED}?saved=updated"
    row = _row(people, EDITED)
    assert row is not None and (row.verdict, row.source, row.updated_by) == (
        "fail", "ui", "user:erin"
    )  # fmt: skip
    assert [a.actor for a in _audits(people, "policy.update", EDITED)] == ["user:erin"]
    assert _evaluations(people) == jobs + 1
    assert "Policy saved" in erin.get(answer.headers["location"]).text
    again = _post(erin, f"/policies/{EDITED}", token, policy_yaml=changed)
    assert again.headers["location"] == f"/policies/{EDITED}?saved=unchanged"
    assert len(_audits(people, "policy.update", EDITED)) == 1
    assert _evaluations(people) == jobs + 1


_DIGEST = re.compile(r'<input type="hidden" name="digest" value="([0-9a-f]{64})">')


def test_an_edit_made_meanwhile_by_someone_else_is_not_overwritten(people: Site) -> None:
    erin, token = _signed_in(people, "erin")
    opened = erin.get(f"/policies/{EDITED}").text
    digest = _DIGEST.search(opened)
    assert digest is not None
    with people.db.session() as s:  # someone else, through the API or a policy file
        spec = {"name": EDITED, "verdict": "info", "conditions": [{"kev": True}]}
        policy_service.put(s, SYSTEM, policy_from_dict(spec, "test"), source="api")
    mine = _textarea(opened).replace("verdict: warn", "verdict: fail")
    answer = _post(erin, f"/policies/{EDITED}", token, policy_yaml=mine, digest=digest.group(1))
    assert answer.status_code == 409
    assert f"policy '{EDITED}' was changed by system:assay at " in _error(answer.text)
    assert _textarea(answer.text) == mine
    row = _row(people, EDITED)
    assert row is not None and row.verdict == "info"
    again = _DIGEST.search(answer.text)
    assert again is not None and again.group(1) == row.digest  # saving again replaces theirs
    saved = _post(erin, f"/policies/{EDITED}", token, policy_yaml=mine, digest=again.group(1))
    assert saved.status_code == 303
    row = _row(people, EDITED)
    assert row is not None and row.verdict == "fail"


@pytest.mark.parametrize(
    "description",
    [
        "line one\nline two\n\nafter a blank line",
        "# not a comment: nor [a, list] {or: map} & *alias !tag",
        "'quoted' \"double\" and trailing: colon:",
        "café · 日本語 · emoji 🛡",
        "yes",  # a YAML 1.1 boolean if it were unquoted
        "x" * 300,
    ],
)
def test_any_text_a_policy_holds_reads_back_from_its_yaml(description: str) -> None:
    spec = {"name": "p", "verdict": "info", "description": description,
            "remediation": description, "conditions": [{"kev": True}]}  # fmt: skip
    policy = policy_from_dict(spec, "test")
    again = read_policy(stored_yaml(policy))
    assert again.description == policy.description
    assert policy_service.digest(again) == policy_service.digest(policy)


def test_an_edit_that_renames_the_policy_is_refused(people: Site) -> None:
    erin, token = _signed_in(people, "erin")
    text = POLICY.replace(f"name: {EDITED}", "name: renamed")
    answer = _post(erin, f"/policies/{EDITED}", token, policy_yaml=text)
    assert answer.status_code == 422
    assert _error(answer.text) == (
        f"policy text: name: 'renamed' is not this policy's name '{EDITED}' "
        "(to rename it, create a new policy and delete this one)"
    )
    assert _textarea(answer.text) == text
    assert _row(people, "renamed") is None
    assert 'id="edit-policy" open' in answer.text


def test_a_refused_edit_changes_nothing(people: Site) -> None:
    erin, token = _signed_in(people, "erin")
    text = POLICY.replace("{at_least: high}", "{at_least: hgh}")
    answer = _post(erin, f"/policies/{EDITED}", token, policy_yaml=text)
    assert answer.status_code == 422
    assert f"policy '{EDITED}': conditions[0]: severity" in _error(answer.text)
    assert _textarea(answer.text) == text
    assert _audits(people, "policy.update", EDITED) == []


def test_editing_or_deleting_a_missing_policy_is_not_found(people: Site) -> None:
    erin, token = _signed_in(people, "erin")
    for path, data in (
        ("/policies/nope", {"policy_yaml": POLICY.replace(EDITED, "nope")}),
        ("/policies/nope/enabled", {"enabled": "false"}),
        ("/policies/nope/delete", {"confirm": "nope"}),
    ):
        assert _post(erin, path, token, **data).status_code == 404, path
    assert _row(people, "nope") is None


def test_a_manager_disables_and_enables_a_policy(people: Site) -> None:
    erin, token = _signed_in(people, "erin")
    jobs = _evaluations(people)
    answer = _post(erin, f"/policies/{EDITED}/enabled", token, enabled="false")
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/policies/{EDITED}?saved=disabled"
    row = _row(people, EDITED)
    assert row is not None and not row.enabled and row.verdict == "warn" and row.source == "ui"
    page = erin.get(answer.headers["location"]).text
    assert "Policy disabled" in page and 'data-enabled="false"' in page
    assert "enabled: false" in _textarea(page)
    assert _post(erin, f"/policies/{EDITED}/enabled", token, enabled="true").status_code == 303
    row = _row(people, EDITED)
    assert row is not None and row.enabled
    assert len(_audits(people, "policy.update", EDITED)) == 2
    assert _evaluations(people) == jobs + 2
    bad = _post(erin, f"/policies/{EDITED}/enabled", token, enabled="maybe")
    assert bad.status_code == 422


def test_a_stored_policy_that_no_longer_reads_can_be_fixed(people: Site) -> None:
    with people.db.session() as s:
        row = policy_service.get(s, EDITED)
        row.conditions = json.dumps([{"severity": {"at_least": "hgh"}}])
    erin, token = _signed_in(people, "erin")
    page = erin.get(f"/policies/{EDITED}")
    assert page.status_code == 200
    assert "data-unreadable" in page.text and 'id="edit-policy" open' in page.text
    text = _textarea(page.text)
    assert "hgh" in text
    refused = _post(erin, f"/policies/{EDITED}/enabled", token, enabled="false")
    assert refused.status_code == 422 and "hgh" in _error(refused.text)
    fixed = _post(erin, f"/policies/{EDITED}", token, policy_yaml=text.replace("hgh", "critical"))
    assert fixed.status_code == 303
    assert "data-unreadable" not in erin.get(f"/policies/{EDITED}").text


# --- delete ------------------------------------------------------------------------------------


@pytest.mark.parametrize("confirm", ["", "no-high", f"{EDITED}x"])
def test_deleting_needs_the_name_typed(people: Site, confirm: str) -> None:
    erin, token = _signed_in(people, "erin")
    answer = _post(erin, f"/policies/{EDITED}/delete", token, confirm=confirm)
    assert answer.status_code == 422
    assert _error(answer.text) == f"confirm: type the policy's name, '{EDITED}', to delete it"
    assert _row(people, EDITED) is not None
    assert _audits(people, "policy.delete", EDITED) == []


def test_a_manager_deletes_a_policy_which_is_audited_and_evaluated(people: Site) -> None:
    erin, token = _signed_in(people, "erin")
    jobs = _evaluations(people)
    answer = _post(erin, f"/policies/{EDITED}/delete", token, confirm=f" {EDITED} ")
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/policies?deleted={EDITED}"
    assert _row(people, EDITED) is None
    assert [a.actor for a in _audits(people, "policy.delete", EDITED)] == ["user:erin"]
    assert _evaluations(people) == jobs + 1
    listing = erin.get(answer.headers["location"]).text
    assert f"Policy &#39;{EDITED}&#39; deleted." in listing
    assert f'data-policy="{EDITED}"' not in listing


def test_a_deleted_notice_is_shown_only_for_a_deletion_of_this_user(people: Site) -> None:
    alice = people.login("alice")
    assert "deleted." not in alice.get(f"/policies?deleted={EDITED}").text  # exists
    assert "deleted." not in alice.get("/policies?deleted=never-was").text
    hostile = alice.get("/policies", params={"deleted": HOSTILE}).text
    assert HOSTILE not in hostile and "deleted." not in hostile
    erin, token = _signed_in(people, "erin")
    assert _post(erin, f"/policies/{EDITED}/delete", token, confirm=EDITED).status_code == 303
    assert "deleted." in erin.get(f"/policies?deleted={EDITED}").text
    assert "deleted." not in alice.get(f"/policies?deleted={EDITED}").text
