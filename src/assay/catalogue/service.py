"""Changing the catalogue: requests, decisions, deprecations, bans and edits.

Every change writes a :class:`CatalogueTransition` (the entry's history) and an audit
entry (``catalogue.<action>``) in the caller's transaction, and enqueues the jobs that
follow from it in the same transaction: ``catalogue.vet`` after a request, and
``policy.evaluate`` for the component after anything that can change its status.

Who may do what: any principal with VIEW_PORTFOLIO may request a component; every other
change needs MANAGE_CATALOGUE, and approving or rejecting needs a second person: a
signed-in user, not an API key, and not the user who requested the entry (re-opening an
entry makes the re-opener its requester). The states and the moves between them are
:mod:`assay.catalogue.lifecycle`'s table.

An edit (:func:`update`) may only restrict: it needs a reason when it changes a version
range, and it refuses to widen the allowed range or to lift or narrow a banned range
(that is ``review`` then ``approve`` by a second person). A range ban that would lift
part of an existing banned range is refused the same way.

A ban with a version range (``banned_versions``) leaves the entry's state as it is and
bans only those versions; a component not in the catalogue at all gets an entry, banned
(or, for a range ban, ``in_review``: its other versions await a decision).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from assay.catalogue import decommission
from assay.catalogue.containment import within
from assay.catalogue.fields import (
    InvalidChange,
    clean_date,
    clean_range,
    clean_reason,
    clean_version,
)
from assay.catalogue.identity import ComponentKey, entry_ecosystem, parse_component
from assay.catalogue.lifecycle import (
    REOPENED_BY_REVIEW,
    Action,
    State,
    check_second_person,
    target,
)
from assay.catalogue.models import CatalogueEntry, CatalogueTransition
from assay.core import audit
from assay.core.accounts import Team
from assay.core.clock import now_iso
from assay.core.db import take_write_lock
from assay.core.errors import Conflict, Forbidden, NotFound
from assay.core.jobs import enqueue
from assay.core.permissions import Permission, Principal


class NotPermitted(Forbidden):
    """The caller lacks the permission this catalogue change needs (HTTP 403)."""


class Keep(Enum):
    KEEP = "keep"


KEEP = Keep.KEEP


@dataclass(frozen=True, slots=True)
class Options:
    """The fields a transition may carry (validated; None where not given)."""

    allowed_versions: str | None = None
    banned_versions: str | None = None
    sunset_date: str | None = None
    replacement: str | None = None
    recommended_version: str | None = None
    due_date: str | None = None


def _needs(principal: Principal, permission: Permission) -> None:
    if not principal.can(permission):
        raise NotPermitted(f"requires the {permission.value} permission")


def _insert(session: Session, entry: CatalogueEntry) -> None:
    """Add a new entry; Conflict when another request filed the same component first."""
    session.add(entry)
    # No SAVEPOINT: a failed flush spoils the transaction, which the caller rolls back.
    try:
        session.flush()
    except IntegrityError:
        raise Conflict(f"{entry.purl} was added to the catalogue at the same time") from None


def _entry(session: Session, entry_id: int) -> CatalogueEntry:
    entry = session.get(CatalogueEntry, entry_id)
    if entry is None:
        raise NotFound(f"no catalogue entry with id {entry_id}")
    return entry


def find(session: Session, key: ComponentKey) -> CatalogueEntry | None:
    """The entry of a component, by its (ecosystem, name) or its canonical purl."""
    found = session.scalars(
        select(CatalogueEntry).where(
            CatalogueEntry.ecosystem == entry_ecosystem(key.ecosystem),
            CatalogueEntry.name == key.name,
        )
    ).first()
    if found is not None:
        return found
    return session.scalars(select(CatalogueEntry).where(CatalogueEntry.purl == key.purl)).first()


def _team(session: Session, principal: Principal, team_id: int | None) -> int | None:
    if team_id is None:
        return None
    if session.get(Team, team_id) is None or not (
        principal.can(Permission.MANAGE_CATALOGUE) or team_id in principal.team_ids
    ):
        raise InvalidChange(f"team {team_id} is not one of your teams")
    return team_id


def _record(
    session: Session,
    principal: Principal,
    entry: CatalogueEntry,
    action: Action | str,
    from_state: str | None,
    reason: str,
    detail: dict[str, Any],
) -> None:
    """The history row and the audit entry of one change, and the policy re-evaluation."""
    name = action.value if isinstance(action, Action) else action
    session.flush()
    session.add(
        CatalogueTransition(
            entry_id=entry.id, action=name, from_state=from_state, to_state=entry.state,
            actor=principal.actor, reason=reason,
            detail=json.dumps(detail, sort_keys=True), at=now_iso(),
        )
    )  # fmt: skip
    audit.record(
        session, principal, f"catalogue.{name}", "catalogue_entry", entry.id,
        team_id=entry.owner_team_id, purl=entry.purl, from_state=from_state,
        to_state=entry.state, reason=reason, **detail,
    )  # fmt: skip
    enqueue(session, "policy.evaluate", components=[[entry.ecosystem, entry.name]])
    session.flush()


def request(
    session: Session,
    principal: Principal,
    purl: str,
    reason: str,
    owner_team_id: int | None = None,
) -> CatalogueEntry:
    """Ask for a component to be allowed in; queues its vetting. Conflict when it is already
    in the catalogue (other than rejected, which may be requested again)."""
    take_write_lock(session)  # SQLite: before the first read
    _needs(principal, Permission.VIEW_PORTFOLIO)
    key = parse_component(purl)
    text = clean_reason(reason)
    team = _team(session, principal, owner_team_id)
    entry = find(session, key)
    current = State(entry.state) if entry is not None else None
    if current is not None and current is not State.REJECTED:
        raise Conflict(f"{key.purl} is already in the catalogue ({current.value})")
    to = target(Action.REQUEST, current)
    stamp = now_iso()
    fresh = entry is None
    previous = None if entry is None else entry.requested_by
    if entry is None:
        entry = CatalogueEntry(purl=key.purl, ecosystem=entry_ecosystem(key.ecosystem),
                               name=key.name, state=to.value)  # fmt: skip
    entry.state = to.value
    entry.reason = text
    entry.requested_version = key.version
    entry.requested_by = principal.actor
    entry.requested_at = stamp
    entry.decided_by = entry.decided_at = None
    entry.updated_at = stamp
    if team is not None:
        entry.owner_team_id = team
    if fresh:
        _insert(session, entry)
    detail: dict[str, Any] = {
        "requested_version": key.version, "owner_team_id": entry.owner_team_id,
    }  # fmt: skip
    if previous is not None:  # re-opened: the history keeps who asked before
        detail["previous_requester"] = previous
    _record(session, principal, entry, Action.REQUEST, current and current.value, text, detail)
    enqueue(session, "catalogue.vet", entry_id=entry.id, purl=key.versioned_purl)
    return entry


def _options(action: Action, **given: Any) -> Options:
    """Validate what the action carries; refuse what it may not carry."""
    allowed = clean_range(given.get("allowed_versions"), "allowed versions")
    banned = clean_range(given.get("banned_versions"), "banned versions")
    sunset = clean_date(given.get("sunset_date"), "sunset date", not_before=decommission.today())
    due = clean_date(given.get("due_date"), "due date", not_before=decommission.today())
    recommended = clean_version(given.get("recommended_version"), "recommended version")
    replacement = given.get("replacement")
    if replacement is not None and str(replacement).strip():
        replacement = parse_component(str(replacement)).purl
    else:
        replacement = None
    if action is Action.DEPRECATE and sunset is None:
        raise InvalidChange("deprecating needs a sunset date (YYYY-MM-DD, today or later)")
    carried = {"allowed_versions": allowed, "banned_versions": banned, "sunset_date": sunset,
               "replacement": replacement, "due_date": due}  # fmt: skip
    permitted = {
        Action.APPROVE: {"allowed_versions"},
        Action.REINSTATE: {"allowed_versions"},
        Action.DEPRECATE: {"sunset_date", "replacement"},
        Action.BAN: {"banned_versions", "due_date"},
    }.get(action, set())
    extra = sorted(k for k, v in carried.items() if v is not None and k not in permitted)
    if extra:
        raise InvalidChange(f"{action.value} does not take {', '.join(extra)}")
    return Options(allowed, banned, sunset, replacement, recommended, due)


def transition(
    session: Session,
    principal: Principal,
    entry_id: int,
    action: Action,
    reason: str,
    *,
    allowed_versions: str | None = None,
    banned_versions: str | None = None,
    sunset_date: str | date | None = None,
    replacement: str | None = None,
    recommended_version: str | None = None,
    due_date: str | date | None = None,
) -> CatalogueEntry:
    """Take ``action`` on an entry (see the module docstring for who may do what)."""
    take_write_lock(session)  # SQLite: before the first read
    action = Action(action)
    if action is Action.REQUEST:
        _needs(principal, Permission.VIEW_PORTFOLIO)
        entry = _entry(session, entry_id)
        version = f"@{entry.requested_version}" if entry.requested_version else ""
        # the owner team stays as it is: re-requesting does not re-assign it (None)
        return request(session, principal, entry.purl + version, reason, None)
    _needs(principal, Permission.MANAGE_CATALOGUE)
    entry = _entry(session, entry_id)
    text = clean_reason(reason)
    current = State(entry.state)
    options = _options(
        action, allowed_versions=allowed_versions,
        banned_versions=banned_versions, sunset_date=sunset_date, replacement=replacement,
        recommended_version=recommended_version, due_date=due_date,
    )  # fmt: skip
    return _apply(session, principal, entry, action, current, text, options)


def _apply(
    session: Session,
    principal: Principal,
    entry: CatalogueEntry,
    action: Action,
    current: State | None,
    text: str,
    options: Options,
) -> CatalogueEntry:
    detail: dict[str, Any] = {}
    check_second_person(action, principal.kind, principal.actor, entry.requested_by)
    if action is Action.BAN and options.banned_versions is not None:
        to = current if current is not None else State.IN_REVIEW  # a range: state kept
        if entry.banned_versions is not None and not within(
            entry.ecosystem, entry.banned_versions, options.banned_versions
        ):
            raise Conflict(
                f"the ban {options.banned_versions!r} does not cover the banned range "
                f"{entry.banned_versions!r}: lifting part of a ban needs a second person "
                "(ban the whole component, review it, and another person approves it)"
            )
        entry.banned_versions = options.banned_versions
        detail["banned_versions"] = options.banned_versions
    else:
        to = target(action, current)
        if action is Action.BAN:
            entry.banned_versions = None
    if action is Action.BAN:
        detail["due_date"] = options.due_date or decommission.default_due()
    if (
        action is Action.REINSTATE
        and options.allowed_versions is not None
        and not within(entry.ecosystem, options.allowed_versions, entry.allowed_versions)
    ):  # one person reinstates: like an edit, it may narrow what is allowed, not widen it
        raise Conflict(
            f"reinstating with allowed versions {options.allowed_versions!r} would widen "
            f"{entry.allowed_versions!r}: allowing more versions needs a second person"
        )
    if action in (Action.APPROVE, Action.REINSTATE) and options.allowed_versions is not None:
        entry.allowed_versions = detail["allowed_versions"] = options.allowed_versions
    if options.recommended_version is not None:
        entry.recommended_version = detail["recommended_version"] = options.recommended_version
    if action is Action.DEPRECATE:
        entry.sunset_date = detail["sunset_date"] = options.sunset_date
        entry.replacement = detail["replacement"] = options.replacement
    if action is Action.REINSTATE:
        entry.sunset_date = entry.replacement = None
    stamp = now_iso()
    if action in (Action.APPROVE, Action.REJECT):  # who asked, person or key, with the decision
        detail["requested_by"] = entry.requested_by
    if action is Action.REVIEW and current in REOPENED_BY_REVIEW:
        # re-opened: the re-opener is the requester now, so a different person decides
        detail["previous_requester"] = entry.requested_by
        entry.requested_by, entry.requested_at = principal.actor, stamp
    if action in (Action.APPROVE, Action.REJECT, Action.BAN, Action.DEPRECATE):
        entry.decided_by, entry.decided_at = principal.actor, stamp
    entry.state = to.value
    entry.reason = text
    entry.updated_at = stamp
    _record(session, principal, entry, action, current and current.value, text, detail)
    if action is Action.BAN:
        detail_due = str(detail["due_date"])
        decommission.open_items(session, entry, detail_due)
    return entry


def ban(
    session: Session,
    principal: Principal,
    purl: str,
    reason: str,
    versions: str | None = None,
    due_date: str | date | None = None,
) -> CatalogueEntry:
    """The emergency path: ban a component (or a range of its versions) by purl, whether or
    not it is in the catalogue; opens remediation items for the project versions using it."""
    take_write_lock(session)  # SQLite: before the first read
    _needs(principal, Permission.MANAGE_CATALOGUE)
    key = parse_component(purl)
    text = clean_reason(reason)
    entry = find(session, key)
    current = State(entry.state) if entry is not None else None
    options = _options(Action.BAN, banned_versions=versions, due_date=due_date)
    if entry is None:
        stamp = now_iso()
        entry = CatalogueEntry(
            purl=key.purl, ecosystem=entry_ecosystem(key.ecosystem), name=key.name,
            state=State.BANNED.value, reason=text, requested_by=principal.actor,
            requested_at=stamp, updated_at=stamp,
        )  # fmt: skip
        _insert(session, entry)
    return _apply(session, principal, entry, Action.BAN, current, text, options)


def _only_narrows(entry: CatalogueEntry, allowed: str | None, reason: str) -> None:
    """An edit of the allowed range: with a reason, and only inside the current one."""
    if not reason:
        raise InvalidChange("changing the allowed versions needs a reason")
    if not within(entry.ecosystem, allowed, entry.allowed_versions):
        now = entry.allowed_versions or "every version"
        raise Conflict(
            f"allowed versions {allowed or 'every version'!r} would widen {now!r}: allowing "
            "more versions needs a second person (review, then approve with the new range)"
        )


def _only_extends(entry: CatalogueEntry, banned: str | None, reason: str) -> None:
    """An edit of the banned range: with a reason, and only covering the current one."""
    if not reason:
        raise InvalidChange("changing the banned versions needs a reason")
    old = entry.banned_versions  # None: nothing banned by range, so any new range extends
    if old is not None and (banned is None or not within(entry.ecosystem, old, banned)):
        raise Conflict(
            f"banned versions {banned or 'none'!r} would lift part of the ban "
            f"{entry.banned_versions!r}: lifting a ban needs a second person (ban the whole "
            "component, review it, and another person approves it); to ban more use ban"
        )


def update(
    session: Session,
    principal: Principal,
    entry_id: int,
    *,
    recommended_version: str | Keep | None = KEEP,
    allowed_versions: str | Keep | None = KEEP,
    banned_versions: str | Keep | None = KEEP,
    owner_team_id: int | Keep | None = KEEP,
    reason: str | None = None,
) -> CatalogueEntry:
    """Change an entry's recommended version, version ranges or owner (None clears one).

    A range change needs a reason and may only restrict: the allowed range may narrow
    (InvalidChange without a reason; Conflict when it would widen), the banned range may
    be added or extended (Conflict when it would be lifted or narrowed: that is
    ``review`` then ``approve`` by a second person)."""
    take_write_lock(session)  # SQLite: before the first read
    _needs(principal, Permission.MANAGE_CATALOGUE)
    entry = _entry(session, entry_id)
    changes: dict[str, Any] = {}
    text = clean_reason(reason) if reason is not None and reason.strip() else ""

    def put(field: str, value: object) -> None:
        if getattr(entry, field) != value:
            changes[field] = value
            setattr(entry, field, value)

    if not isinstance(recommended_version, Keep):
        put("recommended_version", clean_version(recommended_version, "recommended version"))
    new_allowed = new_banned = None
    if not isinstance(allowed_versions, Keep):
        new_allowed = clean_range(allowed_versions, "allowed versions")
    if not isinstance(banned_versions, Keep):
        new_banned = clean_range(banned_versions, "banned versions")
    if not isinstance(allowed_versions, Keep) and new_allowed != entry.allowed_versions:
        _only_narrows(entry, new_allowed, text)
        put("allowed_versions", new_allowed)
    if not isinstance(banned_versions, Keep) and new_banned != entry.banned_versions:
        _only_extends(entry, new_banned, text)
        put("banned_versions", new_banned)
    if not isinstance(owner_team_id, Keep):
        put("owner_team_id", _team(session, principal, owner_team_id))
    if changes:
        entry.updated_at = now_iso()
        session.flush()
        audit.record(
            session, principal, "catalogue.update", "catalogue_entry", entry.id,
            team_id=entry.owner_team_id, purl=entry.purl, changes=changes, reason=text,
        )  # fmt: skip
        session.add(
            CatalogueTransition(
                entry_id=entry.id, action="update", from_state=entry.state, to_state=entry.state,
                actor=principal.actor, reason=text, detail=json.dumps(changes, sort_keys=True),
                at=entry.updated_at,
            )
        )  # fmt: skip
        if {"allowed_versions", "banned_versions"} & changes.keys():
            enqueue(session, "policy.evaluate", components=[[entry.ecosystem, entry.name]])
        if "banned_versions" in changes and entry.banned_versions:
            decommission.open_items(session, entry, decommission.default_due())
        session.flush()
    return entry
