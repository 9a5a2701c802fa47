"""What a webhook translator is: a pure function from one delivery to delivery events.

A platform (GitHub, GitLab) sends a JSON payload and names its kind in a
header (``X-GitHub-Event: push``, ``X-Gitlab-Event: Push Hook``). A translator
turns that pair into :mod:`assay.delivery.events` values, or says why it has
nothing to record (an unknown event type, a run still in progress). It reads
nothing else: no database, no clock, no network, so a re-sent delivery always
gives the same events with the same natural keys, and ingestion stays
idempotent.

Events are built as canonical event JSON and checked by
:func:`assay.delivery.codec.decode`, so a payload that passes is held to the
same limits as ``assay events import``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from assay.core.errors import InputError
from assay.delivery.codec import EventError, decode, parse_time
from assay.delivery.events import Event


class InvalidPayload(InputError):
    """A webhook payload that cannot be turned into events; names the platform, event and field."""


@dataclass(frozen=True, slots=True)
class Context:
    """What a translator may know besides the payload (settings and service configuration).

    ``services_by_repo`` maps a repository's full name (``acme/payments``) to the
    configured service that lists it; otherwise a repository's service is its short
    name (``payments``).
    """

    incident_label: str = "incident"
    services_by_repo: Mapping[str, str] = field(default_factory=dict)

    def service_for(self, full_name: str) -> str:
        found = self.services_by_repo.get(full_name)
        if found:
            return found
        return full_name.rstrip("/").rsplit("/", 1)[-1] or full_name


@dataclass(frozen=True, slots=True)
class Translation:
    """The events of one delivery; when there are none, ``ignored`` says why.

    ``as_of`` is the platform's ``updated_at`` of the object the delivery
    describes (an issue, a pull or merge request), so a late delivery cannot undo
    a newer stored state; ``partial`` says its pipeline runs carry only some jobs
    (GitHub's one delivery per job). :mod:`.accumulate` uses both.
    """

    events: tuple[Event, ...] = ()
    ignored: str = ""
    as_of: datetime | None = None
    partial: bool = False


Translator = Callable[[str, Any, Context], Translation]


def ignore(reason: str) -> Translation:
    return Translation((), reason)


class Payload:
    """Reads fields of a payload by dotted path; a missing or mistyped one is an InvalidPayload.

    ``base`` reads relative to an object found earlier (by :meth:`need` or
    :meth:`items`); errors still name the field's full path (``commits[2].id``).
    """

    def __init__(self, platform: str, event: str, data: Any) -> None:
        self.where = f"{platform} {event} payload"
        if not isinstance(data, dict):
            raise InvalidPayload(self.where, "expected a JSON object")
        self.data: dict[str, Any] = data
        self._paths: dict[int, str] = {}  # id of a nested object read earlier -> its path

    def _full(self, path: str, base: Any) -> str:
        prefix = self._paths.get(id(base)) if base is not None else None
        return f"{prefix}.{path}" if prefix else path

    def fail(self, path: str, problem: str, *, base: Any = None) -> InvalidPayload:
        return InvalidPayload(self.where, f"{self._full(path, base)}: {problem}")

    def get(self, path: str, default: Any = None, *, base: Any = None) -> Any:
        value: Any = self.data if base is None else base
        for part in path.split("."):
            if not isinstance(value, dict):
                return default
            value = value.get(part)
            if value is None:
                return default
        return value

    def need(self, path: str, kind: type | tuple[type, ...] = str, *, base: Any = None) -> Any:
        value = self.get(path, base=base)
        if value is None:
            raise self.fail(path, "missing", base=base)
        if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
            raise self.fail(path, "has the wrong type", base=base)
        if isinstance(value, dict):
            self._paths[id(value)] = self._full(path, base)
        return value

    def text(self, path: str, default: str = "", *, base: Any = None) -> str:
        value = self.get(path, base=base)
        return value if isinstance(value, str) else default

    def items(self, path: str, *, base: Any = None, objects: bool = True) -> list[Any]:
        """A list (empty when absent); of objects unless ``objects`` is False."""
        value = self.get(path, base=base)
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.fail(path, "expected a list", base=base)
        full = self._full(path, base)
        for index, item in enumerate(value if objects else ()):
            if not isinstance(item, dict):
                raise self.fail(f"{full}[{index}]", "expected an object")
            self._paths[id(item)] = f"{full}[{index}]"
        return value

    def ident(self, path: str, *, base: Any = None) -> str:
        value = self.need(path, (int, str), base=base)
        return str(value)

    def time(self, path: str, *, base: Any = None, required: bool = False) -> str | None:
        """An ISO 8601 UTC time from GitHub's ISO or GitLab's ``2021-04-28 21:50:00 UTC`` form."""
        value = self.get(path, base=base)
        if value is None or value == "":
            if required:
                raise self.fail(path, "missing", base=base)
            return None
        moment = platform_time(value, lambda problem: self.fail(path, problem, base=base))
        return moment.isoformat().replace("+00:00", "Z")

    def moment(self, path: str, *, base: Any = None) -> datetime | None:
        """Like :meth:`time`, as a UTC ``datetime``."""
        value = self.get(path, base=base)
        if value is None or value == "":
            return None
        return platform_time(value, lambda problem: self.fail(path, problem, base=base))

    def event(self, obj: dict[str, Any]) -> Event:
        """``obj`` (canonical event JSON) checked by the strict codec."""
        try:
            return decode(_clean(obj))
        except (EventError, ValueError) as exc:
            raise InvalidPayload(self.where, str(exc)) from None


def _clean(value: Any) -> Any:
    """``value`` without null or empty-string members of objects (the codec's "not given")."""
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items() if v is not None and v != ""}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


_GITLAB_TIME = re.compile(
    r"(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2}(?:\.\d+)?)\s*(UTC|Z|[+-]\d{2}:?\d{2})"
)


def platform_time(value: Any, fail: Callable[[str], Exception]) -> datetime:
    """A time with a zone as GitHub (ISO 8601) or GitLab (``... UTC``, ``... +0200``) write it."""
    if isinstance(value, str):
        found = _GITLAB_TIME.fullmatch(value.strip())
        if found:
            day, clock, zone = found.groups()
            if zone in {"UTC", "Z"}:
                zone = "+00:00"
            elif ":" not in zone:
                zone = f"{zone[:3]}:{zone[3:]}"
            value = f"{day}T{clock}{zone}"
    return parse_time(value, fail).astimezone(UTC)


@dataclass(frozen=True, slots=True)
class Platform:
    """One webhook sender: how it names its event types and deliveries, and its translator."""

    name: str
    event_header: str  # names the event type, e.g. X-GitHub-Event
    delivery_header: str  # a delivery's unique id, for the audit log
    translate: Translator
