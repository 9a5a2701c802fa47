"""Policy files: read PolicySet documents (YAML or JSON) into :class:`Policy` values and back.

A document::

    apiVersion: assay.dev/v1
    kind: PolicySet
    policies:
      - name: no-kev-in-production
        description: ...
        verdict: fail                 # info | warn | fail
        scope: {tags: [production]}   # tags, teams, criticality, exposure; {} = everywhere
        match: all                    # all | any
        conditions:
          - kev: true
        remediation: ...
        enabled: true

Unknown keys are errors (a typo must not silently disable a policy), and so are
duplicate names, within a file or across a directory. Errors are
:class:`InvalidPolicy` naming the file, the policy and the place:
``policies/bank.yaml: policy 'no-kev': conditions[0]: severity: unknown severity 'hgh' (...)``.
The schema is documented in docs/policy.md.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from assay.core.inputs import parse_json, parse_yaml, read_text
from assay.policy.conditions.interface import InvalidPolicy
from assay.policy.conditions.registry import condition_to_item, parse_condition
from assay.policy.model import Policy, Scope, Verdict

API_VERSION = "assay.dev/v1"
KIND = "PolicySet"
SUFFIXES = (".yaml", ".yml", ".json")
MAX_POLICIES = 1000
MAX_CONDITIONS = 50
MAX_SCOPE_VALUES = 100
MAX_TEXT = 10_000
NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,99}")
MATCHES = ("all", "any")
SCOPE_KEYS = ("tags", "teams", "criticality", "exposure")
POLICY_KEYS = (
    "name",
    "description",
    "verdict",
    "scope",
    "match",
    "conditions",
    "remediation",
    "enabled",
)
DOCUMENT_KEYS = ("apiVersion", "kind", "policies")


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _check_keys(data: Mapping[Any, Any], known: tuple[str, ...], where: str) -> None:
    for key in data:
        if key not in known:
            raise InvalidPolicy(where, f"unknown key {str(key)[:60]!r} ({', '.join(known)})")


def _text(data: Mapping[str, Any], key: str, where: str, default: str = "") -> str:
    value = data.get(key, default)
    if value is None:
        return default
    if not isinstance(value, str):
        raise InvalidPolicy(where, f"{key}: expected text, got {_show(value)}")
    if len(value) > MAX_TEXT:
        raise InvalidPolicy(where, f"{key}: longer than {MAX_TEXT:,} characters")
    return value.strip()


def _scope(value: Any, where: str) -> Scope:
    if value is None:
        return Scope()
    if not isinstance(value, Mapping):
        raise InvalidPolicy(where, f"scope: expected a mapping ({', '.join(SCOPE_KEYS)})")
    _check_keys(value, SCOPE_KEYS, f"{where}: scope")
    fields: dict[str, frozenset[str]] = {}
    for key in SCOPE_KEYS:
        raw = value.get(key)
        if raw is None:
            fields[key] = frozenset()
            continue
        items = [raw] if isinstance(raw, str) else raw
        if not isinstance(items, list) or len(items) > MAX_SCOPE_VALUES:
            raise InvalidPolicy(
                where, f"scope: {key}: expected a list of at most {MAX_SCOPE_VALUES} names"
            )
        for item in items:
            if not isinstance(item, str) or not item.strip() or len(item) > 200:
                raise InvalidPolicy(where, f"scope: {key}: {_show(item)} is not a name")
        fields[key] = frozenset(item.strip() for item in items)
    return Scope(**fields)


def policy_from_dict(d: Mapping[str, Any], where: str) -> Policy:
    """One policy from its mapping; ``where`` prefixes errors (``bank.yaml: policies[2]``).

    The result's ``source`` is empty; :func:`parse_document` sets it to the file.
    """
    if not isinstance(d, Mapping):
        raise InvalidPolicy(where, f"a policy is a mapping, got {_show(d)}")
    name = d.get("name")
    if not isinstance(name, str) or not NAME.fullmatch(name):
        raise InvalidPolicy(
            where,
            f"name: {_show(name)} is not a policy name (lower-case letters, digits and '-', "
            "at most 100 characters)",
        )
    here = f"{where}: policy {name!r}" if f"policy {name!r}" not in where else where
    _check_keys(d, POLICY_KEYS, here)
    verdict = d.get("verdict")
    if verdict not in {v.value for v in Verdict}:
        raise InvalidPolicy(here, f"verdict: {_show(verdict)} is not one of info, warn, fail")
    match = d.get("match", "all")
    if match not in MATCHES:
        raise InvalidPolicy(here, f"match: {_show(match)} is not one of all, any")
    enabled = d.get("enabled", True)
    if not isinstance(enabled, bool):
        raise InvalidPolicy(here, f"enabled: expected true or false, got {_show(enabled)}")
    items = d.get("conditions")
    if not isinstance(items, list) or not items:
        raise InvalidPolicy(here, "conditions: expected a non-empty list of conditions")
    if len(items) > MAX_CONDITIONS:
        raise InvalidPolicy(here, f"conditions: more than {MAX_CONDITIONS} conditions")
    conditions = tuple(
        parse_condition(item, f"{here}: conditions[{i}]") for i, item in enumerate(items)
    )
    return Policy(
        name=name,
        verdict=Verdict(verdict),
        conditions=conditions,
        match=match,
        scope=_scope(d.get("scope"), here),
        description=_text(d, "description", here),
        enabled=enabled,
        remediation=_text(d, "remediation", here),
    )


def policy_to_dict(p: Policy) -> dict[str, Any]:
    """The mapping a policy file writes (JSON-able); ``policy_from_dict`` reads it back equal
    (``source`` aside, which is where a policy was read, not part of it)."""
    scope = {
        key: sorted(values)
        for key, values in (
            ("tags", p.scope.tags),
            ("teams", p.scope.teams),
            ("criticality", p.scope.criticality),
            ("exposure", p.scope.exposure),
        )
        if values
    }
    return {
        "name": p.name,
        "description": p.description,
        "verdict": p.verdict.value,
        "scope": scope,
        "match": p.match,
        "conditions": [condition_to_item(c) for c in p.conditions],
        "remediation": p.remediation,
        "enabled": p.enabled,
    }


def document(policies: list[Policy]) -> dict[str, Any]:
    """A PolicySet document holding ``policies`` (what ``assay policy show`` prints)."""
    return {
        "apiVersion": API_VERSION,
        "kind": KIND,
        "policies": [policy_to_dict(p) for p in policies],
    }


def parse_document(data: Any, source: str) -> list[Policy]:
    """The policies of one parsed PolicySet document; ``source`` names it in errors."""
    if not isinstance(data, Mapping):
        raise InvalidPolicy(
            source, f"expected a PolicySet document (apiVersion: {API_VERSION}, kind: {KIND})"
        )
    _check_keys(data, DOCUMENT_KEYS, source)
    if data.get("apiVersion") != API_VERSION:
        raise InvalidPolicy(
            source, f"apiVersion: {_show(data.get('apiVersion'))}, expected {API_VERSION}"
        )
    if data.get("kind") != KIND:
        raise InvalidPolicy(source, f"kind: {_show(data.get('kind'))}, expected {KIND}")
    items = data.get("policies")
    if not isinstance(items, list):
        raise InvalidPolicy(source, "policies: expected a list of policies")
    if len(items) > MAX_POLICIES:
        raise InvalidPolicy(source, f"policies: more than {MAX_POLICIES} policies")
    policies: list[Policy] = []
    seen: set[str] = set()
    for i, item in enumerate(items):
        policy = policy_from_dict(item, f"{source}: policies[{i}]")
        if policy.name in seen:
            raise InvalidPolicy(source, f"policy {policy.name!r} is defined twice")
        seen.add(policy.name)
        policies.append(replace(policy, source=source))
    return policies


def load_file(path: Path) -> list[Policy]:
    text = read_text(path, error=InvalidPolicy)
    if path.suffix.lower() == ".json":
        data = parse_json(text, path, error=InvalidPolicy)
    else:
        data = parse_yaml(text, path, error=InvalidPolicy)
    return parse_document(data, str(path))


def policy_files(directory: Path) -> list[Path]:
    """The policy files of a directory (not its subdirectories), sorted by name."""
    return sorted(p for p in directory.iterdir() if p.suffix.lower() in SUFFIXES and p.is_file())


def load_path(path: Path) -> list[Policy]:
    """The policies of a file, or of every ``*.yaml``, ``*.yml``, ``*.json`` in a directory."""
    if not path.is_dir():
        return load_file(path)
    files = policy_files(path)
    if not files:
        raise InvalidPolicy(path, f"no policy files ({', '.join(SUFFIXES)}) in this directory")
    policies: list[Policy] = []
    where: dict[str, str] = {}
    for file in files:
        for policy in load_file(file):
            if policy.name in where:
                raise InvalidPolicy(
                    file, f"policy {policy.name!r} is also defined in {where[policy.name]}"
                )
            where[policy.name] = str(file)
            policies.append(policy)
    return policies
