"""A line-based parser for yarn classic (v1) lockfiles.

The format is yarn's own, not YAML::

    # yarn lockfile v1
    "@babel/core@^7.0.0", "@babel/core@^7.1.0":
      version "7.2.2"
      resolved "https://registry.example/@babel/core/-/core-7.2.2.tgz#07adba6d..."
      integrity sha512-59vB0RWt...
      dependencies:
        "@babel/code-frame" "^7.0.0"
        debug "^4.1.0"

An entry header at column 0 lists the requested specs and ends with ``:``;
fields are indented two spaces, the members of a ``dependencies:`` block four.
Strings are JSON-quoted or bare. Errors carry the line number.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from assay.sbom.catalogers.interface import InvalidLockfile

MAX_LINE = 64 * 1024


@dataclass(slots=True)
class ClassicEntry:
    specs: list[str]
    line: int
    fields: dict[str, str] = field(default_factory=dict)
    blocks: dict[str, dict[str, str]] = field(default_factory=dict)


def _string(text: str, source: str, lineno: int) -> tuple[str, str]:
    """The first token of ``text`` (quoted or bare) and the rest after it."""
    if text.startswith('"'):
        end = 1
        while True:
            end = text.find('"', end)
            if end < 0:
                raise InvalidLockfile(source, "unterminated string", line=lineno)
            backslashes = 0
            while text[end - 1 - backslashes] == "\\":
                backslashes += 1
            if backslashes % 2 == 0:
                break
            end += 1
        quoted = text[: end + 1]
        if "\\" in quoted:
            try:
                value = json.loads(quoted)
            except ValueError:
                raise InvalidLockfile(source, "invalid string escape", line=lineno) from None
        else:
            value = quoted[1:-1]
        return value, text[end + 1 :]
    cut = text.find(" ")
    if cut < 0:
        return text, ""
    return text[:cut], text[cut:]


def _key_value(text: str, source: str, lineno: int) -> tuple[str, str]:
    key, rest = _string(text, source, lineno)
    rest = rest.strip()
    if not rest:
        raise InvalidLockfile(source, f"{key!r} has no value", line=lineno)
    if rest.startswith('"'):
        value, tail = _string(rest, source, lineno)
        if tail.strip():
            raise InvalidLockfile(source, "unexpected text after value", line=lineno)
        return key, value
    return key, rest


def _header(text: str, source: str, lineno: int) -> list[str]:
    specs: list[str] = []
    rest = text
    while rest:
        if rest.startswith('"'):
            spec, rest = _string(rest, source, lineno)
        else:
            cut = rest.find(",")
            spec, rest = (rest, "") if cut < 0 else (rest[:cut], rest[cut:])
            spec = spec.strip()
        if not spec:
            raise InvalidLockfile(source, "empty package spec in entry header", line=lineno)
        specs.append(spec)
        rest = rest.strip()
        if rest.startswith(","):
            rest = rest[1:].strip()
        elif rest:
            raise InvalidLockfile(source, "malformed entry header", line=lineno)
    return specs


def parse_classic(text: str, source: str) -> list[ClassicEntry]:
    entries: list[ClassicEntry] = []
    current: ClassicEntry | None = None
    block: dict[str, str] | None = None
    for lineno, raw in enumerate(text.splitlines(), 1):
        if len(raw) > MAX_LINE:
            raise InvalidLockfile(source, f"line longer than {MAX_LINE:,} characters", line=lineno)
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue
        indent = len(raw) - len(raw.lstrip(" "))
        if raw[indent] == "\t":
            raise InvalidLockfile(source, "tab indentation is not valid here", line=lineno)
        if indent == 0:
            if not stripped.endswith(":") or stripped[0] in "{[":
                raise InvalidLockfile(
                    source, "expected an entry header like 'name@range:'", line=lineno
                )
            current = ClassicEntry(_header(stripped[:-1], source, lineno), lineno)
            entries.append(current)
            block = None
        elif current is None:
            raise InvalidLockfile(source, "indented line before any entry", line=lineno)
        elif indent == 2:
            if stripped.endswith(":") and " " not in stripped:
                block = current.blocks.setdefault(stripped[:-1].strip('"'), {})
            else:
                key, value = _key_value(stripped, source, lineno)
                current.fields[key] = value
                block = None
        elif indent == 4 and block is not None:
            key, value = _key_value(stripped, source, lineno)
            block[key] = value
        else:
            raise InvalidLockfile(source, f"unexpected indentation ({indent} spaces)", line=lineno)
    return entries
