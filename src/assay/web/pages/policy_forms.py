"""The policy editor's text: a policy written as YAML in a form, read back with the policy
files' own loader.

The text in the form is one policy, the mapping a policy file lists under ``policies:``
(docs/policy.md); a whole ``PolicySet`` document holding exactly one policy is read too, so
a policy copied from a file can be pasted as it is. It is read by
:func:`assay.core.inputs.parse_yaml` (no anchors, bounded nesting, no object tags) and
:func:`assay.policy.loader.policy_from_dict`, so the form shows the same one-line errors as
``assay policy validate``, prefixed :data:`SOURCE`. Texts over :data:`MAX_TEXT_BYTES` are
refused before they are parsed.

:func:`stored_yaml` writes a stored policy the other way (``policy_to_dict``), for the
edit form; reading it back gives the same policy (the same digest).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import yaml

from assay.core.errors import InputTooLarge, UsageError
from assay.core.inputs import parse_yaml
from assay.policy.conditions.interface import InvalidPolicy
from assay.policy.loader import DOCUMENT_KEYS, parse_document, policy_from_dict, policy_to_dict
from assay.policy.model import Policy

SOURCE = "policy text"
MAX_TEXT_BYTES = 64 * 1024

EXAMPLE = """\
# One policy, as in a policy file's "policies:" list.
# The schema is in docs/policy.md.
name: no-critical-in-production
description: >-
  Critical vulnerabilities must not reach production.
verdict: fail          # info | warn | fail
scope:                 # leave out: every project
  tags: [production]   # or teams, criticality, exposure
match: all             # all | any of the conditions
conditions:            # 1 to 50
  - severity: {at_least: critical}
  # - kev: true
  # - license: {deny: [strong-copyleft]}
remediation: >-
  Upgrade the component to a fixed version, or ask
  for a waiver.
enabled: true          # false: kept, not evaluated
"""


class NameMismatch(UsageError):
    """The text names another policy than the one being edited."""


class PolicyTextTooLarge(InvalidPolicy, InputTooLarge):
    """The form's text is over :data:`MAX_TEXT_BYTES` (answered 413, not parsed)."""


class _Dumper(yaml.SafeDumper):
    """Never anchors and aliases: :func:`parse_yaml` refuses them."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def mapping_yaml(data: Mapping[str, Any]) -> str:
    """A policy's mapping as YAML in the key order of a policy file (nested values inline)."""
    return yaml.dump(
        dict(data), Dumper=_Dumper, sort_keys=False, allow_unicode=True,
        default_flow_style=None, width=88,
    )  # fmt: skip


def stored_yaml(policy: Policy) -> str:
    """A stored policy as the edit form shows it."""
    return mapping_yaml(policy_to_dict(policy))


def read_policy(text: str) -> Policy:
    """The one policy of the form's text; InvalidPolicy naming the place otherwise."""
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_TEXT_BYTES:
        raise PolicyTextTooLarge(
            SOURCE,
            f"{size // 1024:,} KiB, more than the {MAX_TEXT_BYTES // 1024} KiB a policy may "
            "take here (apply large sets with `assay policy apply`)",
        )
    if not text.strip():
        raise InvalidPolicy(SOURCE, "empty: write one policy (name, verdict, conditions ...)")
    data = parse_yaml(text, SOURCE, error=InvalidPolicy)
    if isinstance(data, Mapping) and any(key in data for key in DOCUMENT_KEYS):
        policies = parse_document(data, SOURCE)
        if len(policies) != 1:
            raise InvalidPolicy(
                SOURCE, f"policies: holds {len(policies)} policies; write exactly one here"
            )
        return replace(policies[0], source="")  # stored with the form's source, "ui"
    return policy_from_dict(data, SOURCE)


def check_name(policy: Policy, name: str) -> None:
    """The edited text must keep the policy's name: a rename is a new policy."""
    if policy.name != name:
        raise NameMismatch(
            f"{SOURCE}: name: {policy.name!r} is not this policy's name {name!r} "
            "(to rename it, create a new policy and delete this one)"
        )
