"""Text from untrusted input, made safe to show on a terminal."""

from __future__ import annotations

import re

_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """``text`` without terminal control characters (a hostile package name could carry
    escape sequences that rewrite the terminal); each becomes U+FFFD. Tabs and newlines stay."""
    return _CONTROL.sub("\ufffd", text)
