"""The JSON Lines import format: one event object per line, read as a stream.

Memory stays bounded however long the file: lines are read one at a time and a
line over :data:`MAX_LINE` bytes is refused without being read whole. Every
line is checked strictly (:func:`assay.delivery.codec.decode`), and an error
names the file, the line and the field::

    events.jsonl:17: deployment: finished_at: not an ISO 8601 time with a zone

By default the first bad line stops the reader (the caller's transaction rolls
back, so nothing is imported); with ``keep_going`` bad lines are collected and
the rest is read. Blank lines are skipped.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from assay.core.errors import InputError
from assay.core.inputs import input_limit, parse_json
from assay.delivery.codec import EventError, decode
from assay.delivery.events import Event

MAX_LINE = 32 * 1024 * 1024  # one event, e.g. a test run with tens of thousands of cases
_SKIP_CHUNK = 1024 * 1024


class InvalidEvents(InputError):
    """A JSON Lines file (or one of its lines) is not valid event input."""


@dataclass(frozen=True, slots=True)
class LineError:
    line: int
    reason: str


class _Reason(InputError):
    """Carries a reason out of :func:`parse_json`; the reader adds the real line."""


def read_events(
    path: Path,
    *,
    keep_going: bool = False,
    errors: list[LineError] | None = None,
    max_line: int = MAX_LINE,
) -> Iterator[Event]:
    """The events of ``path`` in file order.

    Raises :class:`InvalidEvents` for the first bad line, unless ``keep_going``:
    then each bad line is appended to ``errors`` and skipped. A file that cannot
    be read at all (missing, too large, binary, empty) always raises.
    """
    fh = _open(path)
    with fh:
        head = fh.peek(8192)[:8192] if hasattr(fh, "peek") else b""
        if b"\x00" in head:
            raise InvalidEvents(path, "binary file, expected JSON Lines text")
        number = 0
        content = False
        while True:
            raw = fh.readline(max_line + 1)
            if not raw:
                break
            number += 1
            if len(raw) > max_line and not raw.endswith(b"\n"):
                _skip_rest(fh)
                content = True
                _bad(path, number, f"line longer than {max_line:,} bytes", keep_going, errors)
                continue
            if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            if not raw.strip():
                continue
            content = True
            try:
                yield decode(_parse(raw, path))
            except (_Reason, EventError) as exc:
                reason = exc.reason if isinstance(exc, _Reason) else str(exc)
                _bad(path, number, reason, keep_going, errors)
        if not content:
            raise InvalidEvents(path, "file is empty (expected one JSON event per line)")


def _open(path: Path) -> BinaryIO:
    try:
        if not path.is_file():
            if not path.exists():
                raise InvalidEvents(path, "no such file")
            raise InvalidEvents(path, "not a regular file")
        size = path.stat().st_size
        limit = input_limit()
        if size > limit:
            raise InvalidEvents(
                path,
                f"file is {size:,} bytes, over the {limit:,}-byte limit (ASSAY_MAX_INPUT_MB)",
            )
        return path.open("rb")
    except OSError as exc:
        raise InvalidEvents(path, f"cannot read: {exc.strerror or exc}") from None


def _skip_rest(fh: BinaryIO) -> None:
    while True:
        chunk = fh.readline(_SKIP_CHUNK)
        if not chunk or chunk.endswith(b"\n"):
            return


def _parse(raw: bytes, path: Path) -> object:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        raise _Reason(path, "not valid UTF-8 text") from None
    return parse_json(raw, path, error=_Reason)


def _bad(
    path: Path, line: int, reason: str, keep_going: bool, errors: list[LineError] | None
) -> None:
    if not keep_going:
        raise InvalidEvents(path, reason, line=line)
    if errors is not None:
        errors.append(LineError(line, reason))
