"""The one interface of policy conditions, an extension axis with an explicit registry.

A condition kind reads its parameters from a policy file (``parse``), checks one
component or one project (``evaluate``), and writes itself back (``to_spec``) so
policies round-trip through the API and the store unchanged.

In a policy file each condition is a mapping with one key, the kind::

    conditions:
      - severity: {at_least: critical}
      - license: {deny: [strong-copyleft, network-copyleft]}
"""

from __future__ import annotations

from typing import Any, ClassVar, Protocol

from assay.core.errors import InputError
from assay.policy.model import ComponentFacts, ConditionResult, Subject


class InvalidPolicy(InputError):
    """A policy document or object that cannot be read; the message names file and place."""


class Condition(Protocol):
    kind: ClassVar[str]  # the key in a policy file: "severity", "license", ...
    level: ClassVar[str]  # "component" (evaluated per component) or "project" (once)

    @classmethod
    def parse(cls, spec: Any, where: str) -> Condition:
        """Read the parameters (the value under the kind's key); ``where`` prefixes errors,
        e.g. ``policies/bank.yaml: policy 'no-kev': conditions[2]``. Raise InvalidPolicy."""
        ...

    def evaluate(self, facts: ComponentFacts | None, subject: Subject) -> ConditionResult:
        """``facts`` is None for project-level evaluation."""
        ...

    def to_spec(self) -> Any:
        """The parameters as a policy file writes them (JSON-able)."""
        ...

    def describe(self) -> str:
        """One line for people: "severity is critical or higher"."""
        ...
