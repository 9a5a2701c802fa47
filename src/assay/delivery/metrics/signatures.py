"""Failure signatures: a failed test's error type and message with the varying parts taken out.

Two failures with the same cause rarely have the same text: ids, addresses,
ports, temporary paths and times differ. Replacing them by placeholders
(docs/metrics-quality.md) lets the flow report count one cause once, across
tests and repositories::

    >>> normalise("AssertionError", "expected 200 got 503 at /tmp/run-81/x.py")
    'assertionerror: expected <n> got <n> at <path>'

Messages come from untrusted reports. Every pattern is linear (no nested or
adjacent unbounded repetition that can overlap), quoted strings are bounded,
and only the first :data:`MAX_INPUT` characters are read, so a hostile message
costs at most a few milliseconds.
"""

from __future__ import annotations

import re

MAX_INPUT = 4096  # characters of type + message read; a signature keeps 200
MAX_SIGNATURE = 200

_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_DIGITS = tuple("0123456789")
# Order matters: a UUID or timestamp is made of hex digits and numbers. Each pattern comes
# with characters one of which any match contains: a message without them skips it (the
# placeholders add none of them, so this never changes a signature, only its cost).
_PATTERNS = (
    (re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"), "<uuid>", ("-",)),
    (
        re.compile(
            r"[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[t ][0-9]{2}:[0-9]{2}(?::[0-9]{2})?(?:[.,][0-9]{1,9})?)?"
            r"(?:z|[+-][0-9]{2}:?[0-9]{2})?"
        ),
        "<time>",
        ("-",),
    ),
    (re.compile(r"\b[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:[.,][0-9]{1,9})?"), "<time>", (":",)),
    (re.compile(r"'[^'\n]{0,200}'"), "<str>", ("'",)),
    (re.compile(r'"[^"\n]{0,200}"'), "<str>", ('"',)),
    (re.compile(r"(?:\b[a-z]:)?(?:[\\/][\w.@~+-]+){2,}[\\/]?"), "<path>", ("/", "\\")),
    (re.compile(r"\b(?:0x)?(?=[a-f]*[0-9])[0-9a-f]{7,}\b"), "<hex>", _DIGITS),
    (re.compile(r"\b0x[0-9a-f]+\b"), "<hex>", ("0x",)),
    (re.compile(r"[0-9]+(?:\.[0-9]+)?"), "<n>", _DIGITS),
)
_SPACE = re.compile(r"\s+")


def normalise(error_type: str, message: str) -> str:
    """The signature of one failure: ``type: message``, lower-case, placeholders, collapsed."""
    text = f"{error_type}: {message}" if error_type and message else error_type or message
    text = _CONTROL.sub(" ", text[:MAX_INPUT]).lower()
    for pattern, placeholder, needs in _PATTERNS:
        if any(c in text for c in needs):
            text = pattern.sub(placeholder, text)
    text = _SPACE.sub(" ", text).strip()
    return text[:MAX_SIGNATURE] or "<no message>"
