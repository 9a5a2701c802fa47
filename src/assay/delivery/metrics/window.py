"""Window bounds as users write them: an ISO date (midnight UTC; as an end, that whole day
included) or an ISO time with a zone. Shared by the CLI options and the API's query."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from assay.core.errors import UsageError


def parse_moment(option: str, text: str, *, end: bool) -> datetime:
    """``text`` as a UTC time; a one-line UsageError naming ``option`` when it cannot be read."""
    shown = repr(text[:40])
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            moment = datetime(day.year, day.month, day.day, tzinfo=UTC)
            return moment + timedelta(days=1) if end else moment
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(f"{option}: {shown} is not an ISO 8601 date or time") from None
    if moment.tzinfo is None:
        raise UsageError(f"{option}: {shown} has no time zone (add Z or +01:00)")
    return moment.astimezone(UTC)
