"""The catalogue's states and the transitions between them: a pure table, no I/O.

::

    (none) --request--> requested --review--> in_review --approve--> approved
                            |                     |                      |
                            +--------reject-------+--> rejected          +--deprecate--> deprecated
                                                        |                                   |
                                                        +--request (again)                  |
    any state (and none: the emergency path) --ban--> banned <------------------------------+

``approve`` and ``reject`` need a second person: a signed-in user (a team's API key is a
team credential, not a person, and each key has an actor of its own) other than the user
who requested the entry. A request made with a key may be decided by any person.
Re-opening an entry (``review`` of a rejected or banned one, ``request`` again) makes the
re-opener its requester, so someone else decides. ``reinstate`` takes a deprecated entry
back to approved; ``review`` also re-opens a banned or rejected entry for a new decision.
"""

from __future__ import annotations

from enum import StrEnum

from assay.core.errors import Conflict, Forbidden


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


class PersonRequired(Forbidden):
    """A decision taken with a credential that is not a person's (an API key: HTTP 403)."""


# who decides: the principal kinds that are a person (see assay.core.permissions.Principal)
PERSON = "user"
# the states from which ``review`` re-opens a closed decision
REOPENED_BY_REVIEW = frozenset({State.REJECTED, State.BANNED})


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


def check_second_person(action: Action, kind: str, actor: str, requester: str) -> None:
    """Refuse ``approve``/``reject`` by anything but a person (PersonRequired), and by the
    person who requested the entry (TransitionRefused). ``kind`` is the principal's kind,
    ``actor`` and ``requester`` are actors as the audit log names them (``user:alice``)."""
    if action not in SECOND_PERSON:
        return
    if kind != PERSON:
        raise PersonRequired(
            f"a person must decide: sign in to the web UI to {action.value} "
            "(an API key acts for a team, not a person)"
        )
    if actor == requester:
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
