"""The fields of a catalogue change, checked: reasons, version ranges, dates, versions.

Each ``clean_*`` returns the value as stored (trimmed; None where nothing was given) or
raises :class:`InvalidChange` naming the field.
"""

from __future__ import annotations

from datetime import date

from assay.core.errors import UsageError
from assay.inventory.ranges import parse_range

MAX_REASON = 2000
MAX_VERSION = 128


class InvalidChange(UsageError):
    """A catalogue change with a missing or malformed field (reason, date, range ...)."""


def clean_reason(reason: str) -> str:
    text = reason.strip() if isinstance(reason, str) else ""
    if not text:
        raise InvalidChange("a reason is required")
    if len(text) > MAX_REASON:
        raise InvalidChange(f"the reason must be at most {MAX_REASON} characters, not {len(text)}")
    if "\x00" in text:
        raise InvalidChange("the reason contains a NUL character")
    return text


def clean_range(spec: str | None, what: str) -> str | None:
    if spec is None:
        return None
    text = spec.strip()
    if not text:
        return None
    try:
        parse_range(text)
    except UsageError as exc:
        raise InvalidChange(f"{what}: {exc}") from None
    return text


def clean_date(
    value: str | date | None, what: str, *, not_before: date | None = None
) -> str | None:
    if value is None:
        return None
    if isinstance(value, date):
        day = value
    else:
        try:
            day = date.fromisoformat(value.strip())
        except ValueError:
            raise InvalidChange(f"{what} {value[:40]!r} is not a date (YYYY-MM-DD)") from None
    if not_before is not None and day < not_before:
        raise InvalidChange(f"{what} {day.isoformat()} is in the past")
    return day.isoformat()


def clean_version(value: str | None, what: str) -> str | None:
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    if len(text) > MAX_VERSION or any(ord(c) < 33 or ord(c) == 127 for c in text):
        raise InvalidChange(f"{what} must be at most {MAX_VERSION} printable characters")
    return text
