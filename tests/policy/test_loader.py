"""Policy files: the PolicySet schema, strictness (unknown keys, duplicates), hostile input,
and a lossless round trip policy -> mapping -> policy (property-tested with Hypothesis)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assay.policy.conditions.catalogue import Catalogue
from assay.policy.conditions.component import ComponentMatch, ComponentScope
from assay.policy.conditions.interface import Condition, InvalidPolicy
from assay.policy.conditions.license import License
from assay.policy.conditions.quality import MissingHashes, SbomQuality
from assay.policy.conditions.release import Outdated, ReleaseAge
from assay.policy.conditions.vulnerability import Cvss, Epss, Kev, Malicious, Severity
from assay.policy.loader import (
    document,
    load_path,
    parse_document,
    policy_from_dict,
    policy_to_dict,
)
from assay.policy.model import Policy, Scope, Verdict

GOOD = """\
apiVersion: assay.dev/v1
kind: PolicySet
policies:
  - name: no-kev
    description: Known exploited vulnerabilities.
    verdict: fail
    scope: {tags: [production], teams: payments}
    match: any
    conditions:
      - severity: critical
      - kev: true
    remediation: Upgrade.
  - name: licences
    verdict: warn
    enabled: false
    conditions:
      - license: {deny: [strong-copyleft]}
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_reads_a_document(tmp_path: Path) -> None:
    path = write(tmp_path, "bank.yaml", GOOD)
    first, second = load_path(path)
    assert first == Policy(
        name="no-kev",
        verdict=Verdict.FAIL,
        conditions=(Severity("critical"), Kev()),
        match="any",
        scope=Scope(tags=frozenset({"production"}), teams=frozenset({"payments"})),
        description="Known exploited vulnerabilities.",
        remediation="Upgrade.",
        source=str(path),
    )
    assert second.enabled is False and second.match == "all" and second.scope == Scope()


def test_json_reads_the_same(tmp_path: Path) -> None:
    import yaml

    data = yaml.safe_load(GOOD)
    path = write(tmp_path, "bank.json", json.dumps(data))
    from_json = load_path(path)
    from_yaml = load_path(write(tmp_path, "bank.yaml", GOOD))
    assert [p.name for p in from_json] == [p.name for p in from_yaml]
    assert [policy_to_dict(p) for p in from_json] == [policy_to_dict(p) for p in from_yaml]


def test_a_directory_reads_its_files_in_order_and_refuses_duplicates(tmp_path: Path) -> None:
    write(tmp_path, "b.yml", GOOD.replace("no-kev", "second").replace("licences", "third"))
    write(tmp_path, "a.yaml", GOOD)
    write(tmp_path, "notes.txt", "not a policy")
    (tmp_path / "sub").mkdir()
    write(tmp_path / "sub", "c.yaml", "ignored: true")
    assert [p.name for p in load_path(tmp_path)] == ["no-kev", "licences", "second", "third"]
    write(tmp_path, "c.json", json.dumps(document(load_path(tmp_path / "a.yaml")[:1])))
    with pytest.raises(InvalidPolicy) as info:
        load_path(tmp_path)
    message = str(info.value)
    assert message.startswith(str(tmp_path / "c.json"))
    assert "'no-kev' is also defined in" in message and str(tmp_path / "a.yaml") in message


def test_an_empty_directory_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(InvalidPolicy, match="no policy files"):
        load_path(tmp_path)


def test_a_missing_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(InvalidPolicy, match="cannot read"):
        load_path(tmp_path / "nope.yaml")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "file is empty"),
        ("   \n", "file is empty"),
        ("apiVersion: assay.dev/v1\nkind: PolicySet\npolicies:\n  - name: [x", "invalid YAML"),
        ("- just\n- a list\n", "expected a PolicySet document"),
        ("apiVersion: v2\nkind: PolicySet\npolicies: []\n", "apiVersion: 'v2', expected"),
        ("apiVersion: assay.dev/v1\nkind: Policy\npolicies: []\n", "kind: 'Policy', expected"),
        ("apiVersion: assay.dev/v1\nkind: PolicySet\n", "policies: expected a list"),
        ("apiVersion: assay.dev/v1\nkind: PolicySet\npolicies: []\nextra: 1\n", "unknown key"),
        (
            "apiVersion: assay.dev/v1\nkind: PolicySet\npolicies: &a [1]\nmore: *a\n",
            "anchors and aliases are not accepted",
        ),
        ("\x00\x01binary", "binary file"),
    ],
)
def test_hostile_and_wrong_files(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, "p.yaml", text)
    with pytest.raises(InvalidPolicy) as info:
        load_path(path)
    assert str(info.value).startswith(str(path)) and message in str(info.value)


def test_deep_nesting_is_refused(tmp_path: Path) -> None:
    deep = "apiVersion: assay.dev/v1\nkind: PolicySet\npolicies: " + "[" * 5000 + "]" * 5000
    with pytest.raises(InvalidPolicy, match="nest"):
        load_path(write(tmp_path, "p.yaml", deep))
    with pytest.raises(InvalidPolicy, match="nested"):
        load_path(write(tmp_path, "p.json", '{"policies": ' + "[" * 5000 + "]" * 5000 + "}"))


def test_a_huge_licence_list_or_text_is_refused() -> None:
    policy = {"name": "x", "verdict": "warn", "conditions": [{"license": {"deny": ["MIT"] * 5000}}]}
    with pytest.raises(InvalidPolicy, match="more than 200 items"):
        policy_from_dict(policy, "f")
    long = {
        "name": "x",
        "verdict": "warn",
        "description": "x" * 20_000,
        "conditions": [{"kev": True}],
    }
    with pytest.raises(InvalidPolicy, match="longer than 10,000"):
        policy_from_dict(long, "f")


BASE: dict[str, Any] = {"name": "no-kev", "verdict": "fail", "conditions": [{"kev": True}]}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"conditions": [{"kev": True}, {"severity": {"at_least": "hgh"}}]},
         "f.yaml: policies[0]: policy 'no-kev': conditions[1]: severity: "
         "unknown severity 'hgh' (critical, high, medium, low)"),
        ({"verdcit": "fail"}, "policy 'no-kev': unknown key 'verdcit' (name, description"),
        ({"verdict": "block"}, "verdict: 'block' is not one of info, warn, fail"),
        ({"match": "some"}, "match: 'some' is not one of all, any"),
        ({"enabled": "yes"}, "enabled: expected true or false"),
        ({"conditions": []}, "conditions: expected a non-empty list"),
        ({"conditions": [{"kev": True}] * 51}, "more than 50 conditions"),
        ({"name": "No KEV"}, "name: 'No KEV' is not a policy name"),
        ({"name": "x" * 101}, "is not a policy name"),
        ({"scope": {"tag": ["production"]}}, "scope: unknown key 'tag' (tags, teams"),
        ({"scope": {"tags": [1]}}, "scope: tags: 1 is not a name"),
        ({"scope": ["production"]}, "scope: expected a mapping"),
        ({"description": 3}, "description: expected text"),
    ],
)  # fmt: skip
def test_policy_errors_name_the_place(change: dict[str, Any], message: str) -> None:
    doc = {"apiVersion": "assay.dev/v1", "kind": "PolicySet", "policies": [{**BASE, **change}]}
    with pytest.raises(InvalidPolicy) as info:
        parse_document(doc, "f.yaml")
    assert message in str(info.value)
    assert str(info.value).startswith("f.yaml: ")


def test_duplicate_names_in_one_file() -> None:
    doc = {"apiVersion": "assay.dev/v1", "kind": "PolicySet", "policies": [BASE, BASE]}
    with pytest.raises(InvalidPolicy, match=r"^f\.yaml: policy 'no-kev' is defined twice"):
        parse_document(doc, "f.yaml")


def test_policy_to_dict_is_the_file_shape() -> None:
    (policy,) = parse_document(
        {"apiVersion": "assay.dev/v1", "kind": "PolicySet", "policies": [BASE]}, "f"
    )
    assert policy_to_dict(policy) == {
        "name": "no-kev",
        "description": "",
        "verdict": "fail",
        "scope": {},
        "match": "all",
        "conditions": [{"kev": True}],
        "remediation": "",
        "enabled": True,
    }


# -- the round trip, property-tested ---------------------------------------------------------

_names = st.from_regex(r"[a-z0-9][a-z0-9-]{0,30}", fullmatch=True)
_words = st.text(st.characters(min_codepoint=32, max_codepoint=0x2FF), max_size=40).map(str.strip)
_values = st.frozensets(st.from_regex(r"[a-z][a-z0-9_-]{0,10}", fullmatch=True), max_size=3)
_conditions: st.SearchStrategy[Condition] = st.one_of(
    st.sampled_from(["critical", "high", "medium", "low"]).map(Severity),
    st.floats(0, 10, allow_nan=False).map(Cvss),
    st.floats(0, 1, allow_nan=False).map(Epss),
    st.just(Kev()),
    st.just(Malicious()),
    st.builds(
        License,
        st.sampled_from(["allow", "deny"]),
        st.lists(
            st.sampled_from(["MIT", "GPL-3.0-only", "permissive", "unknown", "LicenseRef-x"]),
            min_size=1,
            max_size=4,
            unique=True,
        ).map(tuple),
    ),
    st.builds(
        ComponentMatch,
        st.sampled_from(["pkg:npm/event-stream", "pkg:npm/@evil/*", "pkg:pypi/req*"]),
        st.sampled_from([None, "<4.0.0", ">=1.0,<2", "[2.0,2.15.0)"]),
    ),
    st.lists(st.sampled_from(["required", "optional", "dev"]), min_size=1, unique=True)
    .map(tuple)
    .map(ComponentScope),
    st.lists(st.sampled_from(["banned", "not_approved", "deprecated"]), min_size=1, unique=True)
    .map(tuple)
    .map(Catalogue),
    st.integers(1, 3650).map(ReleaseAge),
    st.integers(1, 1000).map(Outdated),
    st.floats(0, 100, allow_nan=False).map(SbomQuality),
    st.just(MissingHashes()),
)
_policies = st.builds(
    Policy,
    name=_names,
    verdict=st.sampled_from(list(Verdict)),
    conditions=st.lists(_conditions, min_size=1, max_size=5).map(tuple),
    match=st.sampled_from(["all", "any"]),
    scope=st.builds(Scope, tags=_values, teams=_values, criticality=_values, exposure=_values),
    description=_words,
    enabled=st.booleans(),
    remediation=_words,
)


@settings(max_examples=300, deadline=None)
@given(_policies)
def test_round_trip(policy: Policy) -> None:
    """policy_from_dict(policy_to_dict(p)) == p, also through JSON and YAML text."""
    import yaml

    data = policy_to_dict(policy)
    assert policy_from_dict(data, "t") == policy
    assert policy_from_dict(json.loads(json.dumps(data)), "t") == policy
    assert policy_from_dict(yaml.safe_load(yaml.safe_dump(data)), "t") == policy
