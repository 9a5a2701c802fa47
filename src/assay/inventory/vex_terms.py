"""The CycloneDX VEX vocabulary of triage, and the value a finding's analysis is.

The lists are those of the CycloneDX 1.6 JSON schema
(``definitions.impactAnalysisState``, ``impactAnalysisJustification`` and
``vulnerability.analysis.response``). A justification says why a component is
``not_affected`` and is required with that state; responses say what is done
about a vulnerability.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from assay.core.errors import Forbidden, UsageError

MAX_DETAIL = 10_000  # characters of a decision's detail or a comment
MAX_VULN_ID = 128
# Control characters other than tab and newlines: PostgreSQL text refuses NUL outright.
CONTROL_CHARACTERS = frozenset(chr(c) for c in (*range(9), 11, 12, *range(14, 32), 127))


class TriageError(UsageError):
    """A triage request that cannot be done as asked (the API answers 422)."""


class NotPermitted(TriageError, Forbidden):
    """The caller sees the target but lacks the permission (the API answers 403)."""


class State(StrEnum):
    RESOLVED = "resolved"
    RESOLVED_WITH_PEDIGREE = "resolved_with_pedigree"
    EXPLOITABLE = "exploitable"
    IN_TRIAGE = "in_triage"
    FALSE_POSITIVE = "false_positive"
    NOT_AFFECTED = "not_affected"


class Justification(StrEnum):
    CODE_NOT_PRESENT = "code_not_present"
    CODE_NOT_REACHABLE = "code_not_reachable"
    REQUIRES_CONFIGURATION = "requires_configuration"
    REQUIRES_DEPENDENCY = "requires_dependency"
    REQUIRES_ENVIRONMENT = "requires_environment"
    PROTECTED_BY_COMPILER = "protected_by_compiler"
    PROTECTED_AT_RUNTIME = "protected_at_runtime"
    PROTECTED_AT_PERIMETER = "protected_at_perimeter"
    PROTECTED_BY_MITIGATING_CONTROL = "protected_by_mitigating_control"


class Response(StrEnum):
    CAN_NOT_FIX = "can_not_fix"
    WILL_NOT_FIX = "will_not_fix"
    UPDATE = "update"
    ROLLBACK = "rollback"
    WORKAROUND_AVAILABLE = "workaround_available"


class Scope(StrEnum):
    """Where a decision applies, most specific first."""

    FINDING = "finding"
    VERSION = "version"
    PROJECT = "project"
    PORTFOLIO = "portfolio"


#: Specificity rank: a higher number wins over a lower one.
SPECIFICITY: dict[str, int] = {
    Scope.FINDING: 4,
    Scope.VERSION: 3,
    Scope.PROJECT: 2,
    Scope.PORTFOLIO: 1,
}

#: States that take a finding out of the open counts (it is shown as suppressed).
SUPPRESSING: frozenset[str] = frozenset(
    {State.NOT_AFFECTED, State.FALSE_POSITIVE, State.RESOLVED, State.RESOLVED_WITH_PEDIGREE}
)

#: States that need an expiry date when decided for a whole project or the portfolio.
NEEDS_EXPIRY: frozenset[str] = frozenset({State.NOT_AFFECTED, State.FALSE_POSITIVE})


def _choice(kind: type[StrEnum], value: str, what: str) -> str:
    try:
        return str(kind(value))
    except ValueError:
        known = ", ".join(m.value for m in kind)
        raise TriageError(f"unknown {what} {value!r} (known: {known})") from None


@dataclass(frozen=True, slots=True)
class Analysis:
    """One analysis in the VEX vocabulary; ``validated`` checks it against the rules."""

    state: str
    justification: str | None = None
    response: tuple[str, ...] = ()
    detail: str = ""

    @classmethod
    def validated(
        cls,
        state: str,
        justification: str | None = None,
        response: Iterable[str] = (),
        detail: str = "",
    ) -> Analysis:
        checked_state = _choice(State, state, "state")
        checked_just = (
            _choice(Justification, justification, "justification") if justification else None
        )
        if checked_state == State.NOT_AFFECTED and checked_just is None:
            raise TriageError("state not_affected requires a justification")
        responses = tuple(dict.fromkeys(_choice(Response, r, "response") for r in response))
        if len(detail) > MAX_DETAIL:
            raise TriageError(f"detail is longer than {MAX_DETAIL:,} characters")
        if not CONTROL_CHARACTERS.isdisjoint(detail):
            raise TriageError("detail contains control characters")
        return cls(checked_state, checked_just, responses, detail)

    @property
    def suppressed(self) -> bool:
        return self.state in SUPPRESSING


@dataclass(frozen=True, slots=True)
class Effective:
    """The analysis that applies to a finding, and the decision it comes from."""

    analysis: Analysis
    decision_id: int
    scope: str
    created_at: str
    created_by: str
    expires_at: str | None

    @property
    def state(self) -> str:
        return self.analysis.state


def check_vuln_id(value: str) -> str:
    vid = value.strip()
    if (
        not vid
        or len(vid) > MAX_VULN_ID
        or not all(c.isprintable() and not c.isspace() for c in vid)
    ):
        raise TriageError(
            f"a vulnerability id is 1-{MAX_VULN_ID} printable characters without spaces"
        )
    return vid
