"""Defensive readers for registry JSON: a wrong type is dropped, never trusted or crashed on.

A registry (or a mirror, or anything in between) may send any JSON. These
helpers return a value of the expected type or a neutral default; the
clients raise :class:`RegistryError` only when the document's skeleton itself
is wrong (not an object, no versions).
"""

from __future__ import annotations

from typing import Any

MAX_TEXT = 4096  # a licence or message longer than this is cut: it is shown, not parsed


def obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def seq(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def text(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    value = value.strip()
    return value[:MAX_TEXT] if value else None


def whole(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None
