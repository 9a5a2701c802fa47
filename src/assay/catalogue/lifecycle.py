"""The catalogue's states and the transitions between them: a pure table, no I/O.

::

    (none) --request--> requested --review--> in_review --approve--> approved
                            |                     |                      |
                            +--------reject-------+--> rejected          +--deprecate--> deprecated
                                                        |                                   |
                                                        +--request (again)                  |
    any state (and none: the emergency path) --ban--> banned <------------------------------+

``approve`` and ``reject`` need a second person: the actor must differ from the
requester. ``reinstate`` takes a deprecated entry back to approved; ``review`` also
re-opens a banned or rejected entry for a new decision.
"""

from __future__ import annotations

from enum import StrEnum

from assay.core.errors import Conflict


class State(StrEnum):
    REQUESTED = "requested"
    IN_REVIEW = "in_review"
    APPROVED = "approved"
    REJECTED = "rejected"
    DEPRECATED = "deprecated"
    BANNED = "banned"


class Action(StrEnum):
    REQUEST = "request"
    REVIEW = "review"
    APPROVE = "approve"
    REJECT = "reject"
    DEPRECATE = "deprecate"
    REINSTATE = "reinstate"
    BAN = "ban"


# action -> (states it may start from; None stands for "no entry yet"), target state
TRANSITIONS: dict[Action, tuple[frozenset[State | None], State]] = {
    Action.REQUEST: (frozenset({None, State.REJECTED}), State.REQUESTED),
    Action.REVIEW: (frozenset({State.REQUESTED, State.REJECTED, State.BANNED}), State.IN_REVIEW),
    Action.APPROVE: (frozenset({State.REQUESTED, State.IN_REVIEW}), State.APPROVED),
    Action.REJECT: (frozenset({State.REQUESTED, State.IN_REVIEW}), State.REJECTED),
    Action.DEPRECATE: (frozenset({State.APPROVED}), State.DEPRECATED),
    Action.REINSTATE: (frozenset({State.DEPRECATED}), State.APPROVED),
    Action.BAN: (frozenset({None, *State}), State.BANNED),
}

# decisions a requester may not take on their own request
SECOND_PERSON = frozenset({Action.APPROVE, Action.REJECT})


class TransitionRefused(Conflict):
    """The action is not possible from the entry's state, or needs another person."""


def target(action: Action, current: State | None) -> State:
    """The state ``action`` leads to from ``current``; TransitionRefused when not allowed."""
    sources, to = TRANSITIONS[action]
    if current not in sources:
        here = current.value if current is not None else "not in the catalogue"
        allowed = ", ".join(sorted(s.value if s else "new" for s in sources))
        raise TransitionRefused(
            f"cannot {action.value} a component that is {here} (possible from: {allowed})"
        )
    return to


def check_second_person(action: Action, actor: str, requester: str) -> None:
    if action in SECOND_PERSON and actor == requester:
        raise TransitionRefused(
            f"{actor} requested this component and cannot {action.value} it: "
            "a second person must decide"
        )


def status_of(state: State | None, version_allowed: bool, version_banned: bool) -> str:
    """A component version's catalogue status as policies see it.

    ``unlisted`` (no entry), the entry's state, except: a version inside the entry's banned
    range is ``banned``; a version outside an approved entry's allowed range is
    ``not_approved``.
    """
    if state is None:
        return "unlisted"
    if version_banned or state is State.BANNED:
        return "banned"
    if state in (State.APPROVED, State.DEPRECATED) and not version_allowed:
        return "not_approved"
    return state.value


STATUSES = (
    "approved",
    "deprecated",
    "requested",
    "in_review",
    "rejected",
    "banned",
    "unlisted",
    "not_approved",
)
# the statuses that mean "not allowed in": everything but approved and deprecated
NOT_APPROVED = frozenset(STATUSES) - {"approved", "deprecated"}
