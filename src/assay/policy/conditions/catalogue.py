"""The catalogue condition: ``catalogue: {status: [banned]}`` or ``{status: not_approved}``.

Statuses are those of :data:`assay.catalogue.lifecycle.STATUSES`. ``not_approved``
stands for every status but approved and deprecated (not in the catalogue,
requested, in review, rejected, banned, or a version outside the approved range).
Without a catalogue (``catalogue`` None) the condition answers UNKNOWN.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from assay.catalogue.lifecycle import NOT_APPROVED, STATUSES
from assay.policy.conditions import _params
from assay.policy.model import ComponentFacts, ConditionResult, Subject

NO_CATALOGUE = "catalogue: no catalogue: use --server or a local database with catalogue entries"


@dataclass(frozen=True, slots=True)
class Catalogue:
    kind: ClassVar[str] = "catalogue"
    level: ClassVar[str] = "component"
    statuses: tuple[str, ...]  # as written; "not_approved" expands when matching
    _matching: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        expanded: set[str] = set()
        for status in self.statuses:
            expanded |= NOT_APPROVED if status == "not_approved" else {status}
        object.__setattr__(self, "_matching", frozenset(expanded))

    @classmethod
    def parse(cls, spec: Any, where: str) -> Catalogue:
        params = _params.mapping(spec, where, cls.kind, ("status",))
        values = _params.texts(params["status"], where, cls.kind)
        chosen = (_params.one_of(v, STATUSES, where, cls.kind, "catalogue status") for v in values)
        return cls(tuple(dict.fromkeys(chosen)))

    def evaluate(self, facts: ComponentFacts | None, subject: Subject) -> ConditionResult:
        if facts is None:
            return ConditionResult.no_match()
        if facts.catalogue is None:
            return ConditionResult.unknown(NO_CATALOGUE)
        fact = facts.catalogue
        if fact.status not in self._matching:
            return ConditionResult.no_match()
        # the catalogue's detail starts with the status ("banned: unmaintained ...")
        reason = f"catalogue: {fact.detail}" if fact.detail else f"catalogue: {fact.status}"
        if fact.replacement and fact.replacement not in reason:
            reason += f", use {fact.replacement}"
        return ConditionResult.match(reason)

    def to_spec(self) -> Any:
        return {"status": self.statuses[0] if len(self.statuses) == 1 else list(self.statuses)}

    def describe(self) -> str:
        words = [s.replace("_", " ") for s in self.statuses]
        return f"catalogue status {' or '.join(words)}"
