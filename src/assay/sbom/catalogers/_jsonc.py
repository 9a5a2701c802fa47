"""JSONC (JSON with ``//`` and ``/* */`` comments and trailing commas) to plain JSON.

A pre-pass, not a parser: comments become whitespace (their newlines kept, so
the JSON parser's line numbers still point into the original file) and a comma
whose next non-blank character closes an array or object is dropped. Strings
are recognised first, so ``"a // b"`` and ``"x,]"`` are never touched. Every
pattern is linear in the input: an unterminated block comment is matched to
the end of the text once and reported, not rescanned from each ``/*``.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from pathlib import Path

from assay.sbom.catalogers.interface import InvalidLockfile

_STRING = r'"[^"\\\n]*(?:\\.[^"\\\n]*)*"'  # "unrolled": one step per run, not per character
_COMMENTS = re.compile(_STRING + r"|//[^\n]*|/\*(?:[\s\S]*?\*/|[\s\S]*)")
_STRINGS = re.compile(_STRING)
_TRAILING = re.compile(r",(?=\s*[\]}])")


def _blank(text: str) -> str:
    return "\n" * text.count("\n")


def to_json(text: str, source: Path | str) -> str:
    """``text`` with JSONC comments and trailing commas removed; line structure kept."""
    if "//" in text or "/*" in text:
        bad: list[int] = []

        def uncomment(m: re.Match[str]) -> str:
            token = m.group()
            if token[0] == '"':
                return token
            if token.startswith("/*") and (len(token) < 4 or not token.endswith("*/")):
                bad.append(m.start())
            return _blank(token)

        stripped = _COMMENTS.sub(uncomment, text)
        if bad:
            line = text.count("\n", 0, bad[0]) + 1
            raise InvalidLockfile(source, "unterminated /* comment", line=line)
        text = stripped
    commas = [m.start() for m in _TRAILING.finditer(text)]
    return _drop(text, commas) if commas else text


def _drop(text: str, commas: list[int]) -> str:
    """``text`` without the commas at ``commas`` that are not inside a string.

    Two fast scans (candidate commas, then string spans) and a binary search
    per candidate: far quicker than one alternation tried at every position.
    """
    starts: list[int] = []
    ends: list[int] = []
    for m in _STRINGS.finditer(text):
        starts.append(m.start())
        ends.append(m.end())
    parts: list[str] = []
    last = 0
    for comma in commas:
        i = bisect_right(starts, comma) - 1
        if i >= 0 and comma < ends[i]:
            continue  # inside a string: "x,]"
        parts.append(text[last:comma])
        last = comma + 1
    parts.append(text[last:])
    return "".join(parts)
