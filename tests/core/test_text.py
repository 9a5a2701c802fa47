"""Tests for printable(): terminal control characters from untrusted text."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from assay.core.text import printable


def test_escape_sequences_become_replacement_characters() -> None:
    assert printable("a\x1b[2Jb\x07c\x9bd") == "a\ufffd[2Jb\ufffdc\ufffdd"


def test_tabs_newlines_and_ordinary_text_stay() -> None:
    assert printable("naïve\tname\nnext — 日本") == "naïve\tname\nnext — 日本"


@given(st.text())
def test_no_control_character_survives(text: str) -> None:
    out = printable(text)
    assert len(out) == len(text)
    assert not any((ord(c) < 32 and c not in "\t\n") or 0x7F <= ord(c) <= 0x9F for c in out)
