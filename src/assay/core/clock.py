"""Time as the store writes it: ISO 8601 UTC strings that sort lexically.

The vulnerability knowledge base set the convention (``2024-01-31T12:00:00Z``);
the server's tables follow it with microseconds, so events within one second
keep their order and compare equal on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


def now() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def now_iso() -> str:
    return iso(now())


def parse(value: str) -> datetime:
    """Read an ISO 8601 timestamp or date; a naive value is taken as UTC."""
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def in_future(days: float) -> str:
    return iso(now() + timedelta(days=days))
