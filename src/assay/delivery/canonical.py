"""The canonical form of a delivery event: the JSON object, its text and its digest.

One text per event (sorted keys, no spaces, UTC times with ``Z``, defaults left
out), so the store can tell a re-sent event (same digest: unchanged) from a
changed one, and ``decode(encode(e)) == e`` (assay.delivery.codec reads it back).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import MISSING, fields, is_dataclass
from datetime import UTC, datetime
from typing import Any

from assay.delivery.events import Event


def iso(moment: datetime) -> str:
    """UTC ISO 8601 with ``Z``; microseconds only when there are some."""
    if moment.tzinfo is not UTC:  # decoded times are UTC already
        moment = moment.astimezone(UTC)
    return moment.isoformat().removesuffix("+00:00") + "Z"


#: exact types :func:`_plain` returns as they are (subclasses take the general path)
_SCALARS = frozenset({str, int, float, bool})
#: each dataclass type's (field name, default or None) pairs, read once per class: canonical()
#: runs for every stored event and its nested values, and dataclasses.fields() with
#: is_dataclass() was nearly half of ingest
_DEFAULTS: dict[type, tuple[tuple[str, Any], ...]] = {}


def _defaults(kind: type) -> tuple[tuple[str, Any], ...]:
    spec = _DEFAULTS.get(kind)
    if spec is None:
        spec = _DEFAULTS[kind] = tuple(
            (f.name, f.default if f.default is not MISSING else None) for f in fields(kind)
        )
    return spec


def _plain(value: Any) -> Any:
    kind = type(value)
    if kind in _SCALARS:
        return value
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    if kind in _DEFAULTS or is_dataclass(value):
        return _fields_of(value)
    return value


def _fields_of(obj: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, default in _defaults(type(obj)):
        value = getattr(obj, name)
        if value is None or value == default:
            continue
        out[name] = _plain(value)
    return out


def encode(event: Event) -> dict[str, Any]:
    """The canonical JSON object of ``event``; ``decode(encode(e)) == e``."""
    return {"type": event.TYPE, **_fields_of(event)}


#: json.dumps with these options would build a new encoder for every event
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical(event: Event) -> tuple[str, str]:
    """``(json_text, sha256_hex)``: the stored form of ``event`` and its content digest."""
    text = _CANONICAL.encode(encode(event))
    return text, hashlib.sha256(text.encode("utf-8")).hexdigest()
