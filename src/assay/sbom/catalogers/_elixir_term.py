"""A safe reader for the subset of Elixir term syntax that ``mix.lock`` is written in.

Never evaluated: text is tokenised and parsed into plain Python values.

* maps ``%{"k" => v, "k": v, k: v}`` -> ``dict`` (string or :class:`Atom` keys)
* tuples ``{a, b}`` -> ``tuple``; lists ``[a, b]`` -> ``list``; a keyword item
  ``[optional: false]`` is the pair ``(Atom("optional"), False)``, as in Elixir
* atoms ``:name``, ``:"quoted"`` -> :class:`Atom`; ``true``, ``false``, ``nil``
  -> ``True``, ``False``, ``None``; integers -> ``int``
* strings ``"..."`` with the escapes ``\\" \\\\ \\n \\t \\r \\e \\0``; interpolation
  (``#{``) is refused; ``#`` comments run to the end of the line.

Errors are :class:`TermError` with the 1-based line; nesting is bounded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: deeper nesting than this is refused (mix.lock nests four levels)
MAX_DEPTH = 64
#: longest string or atom accepted
MAX_TOKEN = 64 * 1024

Term = object


class TermError(ValueError):
    def __init__(self, line: int, reason: str) -> None:
        super().__init__(reason)
        self.line = line
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Atom:
    name: str

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # punct, str, atom, key, ident, int, end
    value: str
    line: int


_IDENT = r"[A-Za-z_][A-Za-z0-9_@]*[?!]?"
_TOKEN = re.compile(
    rf"""
    (?P<ws>[ \t\r\n]+|\#[^\n]*)
  | (?P<punct>%\{{|=>|[{{}}\[\],])
  | (?P<qatom>:")
  | (?P<atom>:{_IDENT})
  | (?P<key>{_IDENT}:(?=[ \t\r\n]))
  | (?P<ident>{_IDENT})
  | (?P<int>-?[0-9][0-9_]*)
  | (?P<str>")
    """,
    re.VERBOSE,
)
_ESCAPES = {'"': '"', "\\": "\\", "n": "\n", "t": "\t", "r": "\r", "e": "\x1b", "0": "\0", "#": "#"}
_CONSTANTS: dict[str, Term] = {"true": True, "false": False, "nil": None}
_PLAIN = re.compile(r'[^"\\#]*')


def _string(text: str, start: int, line: int) -> tuple[str, int]:
    """The string whose opening quote is just before ``start``; returns (value, end)."""
    out: list[str] = []
    i = start
    while True:
        m = _PLAIN.match(text, i)
        assert m is not None  # the pattern matches the empty string
        out.append(m.group())
        i = m.end()
        if i - start > MAX_TOKEN:
            raise TermError(line, f"string longer than {MAX_TOKEN:,} characters")
        if i >= len(text):
            raise TermError(line, "unterminated string (truncated file?)")
        char = text[i]
        if char == '"':
            return "".join(out), i + 1
        if char == "#":
            if text.startswith("#{", i):
                raise TermError(line, "string interpolation is not allowed")
            out.append("#")
            i += 1
            continue
        escaped = text[i + 1 : i + 2]
        if escaped not in _ESCAPES:
            raise TermError(line, f"unsupported escape \\{escaped} in a string")
        out.append(_ESCAPES[escaped])
        i += 2


def tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    pos, line = 0, 1
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            raise TermError(line, f"unexpected character {text[pos]!r}")
        kind = m.lastgroup or ""
        if kind == "ws":
            line += m.group().count("\n")
            pos = m.end()
            continue
        if kind in ("str", "qatom"):
            value, end = _string(text, m.end(), line)
            if text.startswith(":", end) and kind == "str" and text[end + 1 : end + 2] in " \t\r\n":
                tokens.append(_Token("key", value, line))  # "name": value
                end += 1
            else:
                tokens.append(_Token("str" if kind == "str" else "atom", value, line))
            line += text.count("\n", pos, end)
            pos = end
            continue
        value = m.group()
        if len(value) > MAX_TOKEN:
            raise TermError(line, f"token longer than {MAX_TOKEN:,} characters")
        if kind == "atom":
            value = value[1:]
        elif kind == "key":
            value = value[:-1]
        tokens.append(_Token(kind, value, line))
        pos = m.end()
    tokens.append(_Token("end", "", line))
    return tokens


class _Parser:
    def __init__(self, tokens: list[_Token]) -> None:
        self.tokens = tokens
        self.pos = 0

    def peek(self) -> _Token:
        return self.tokens[self.pos]

    def take(self) -> _Token:
        token = self.tokens[self.pos]
        if token.kind != "end":
            self.pos += 1
        return token

    def expect(self, value: str) -> None:
        token = self.take()
        if token.kind != "punct" or token.value != value:
            found = "end of file (truncated?)" if token.kind == "end" else repr(token.value)
            raise TermError(token.line, f"expected {value!r}, found {found}")

    def value(self, depth: int) -> Term:
        token = self.take()
        if depth > MAX_DEPTH:
            raise TermError(token.line, f"terms nested deeper than {MAX_DEPTH} levels")
        if token.kind == "str":
            return token.value
        if token.kind == "atom":
            return Atom(token.value)
        if token.kind == "int":
            return int(token.value.replace("_", ""))
        if token.kind == "ident":
            if token.value in _CONSTANTS:
                return _CONSTANTS[token.value]
            raise TermError(token.line, f"unexpected name {token.value!r} (only data is allowed)")
        if token.kind == "punct":
            if token.value == "%{":
                return self.map(depth)
            if token.value == "{":
                return tuple(self.items("}", depth, keywords=False))
            if token.value == "[":
                return self.items("]", depth, keywords=True)
        if token.kind == "end":
            raise TermError(token.line, "unexpected end of file (truncated?)")
        raise TermError(token.line, f"unexpected {token.value!r}")

    def items(self, close: str, depth: int, *, keywords: bool) -> list[Term]:
        out: list[Term] = []
        while not (self.peek().kind == "punct" and self.peek().value == close):
            token = self.peek()
            if token.kind == "key":
                if not keywords:
                    raise TermError(token.line, "keyword syntax is only read inside lists")
                self.take()
                out.append((Atom(token.value), self.value(depth + 1)))
            else:
                out.append(self.value(depth + 1))
            if self.peek().kind == "punct" and self.peek().value == ",":
                self.take()
            elif not (self.peek().kind == "punct" and self.peek().value == close):
                self.expect(close)
        self.take()
        return out

    def map(self, depth: int) -> dict[object, Term]:
        out: dict[object, Term] = {}
        while not (self.peek().kind == "punct" and self.peek().value == "}"):
            token = self.peek()
            key: object
            if token.kind == "key":
                self.take()
                key = Atom(token.value)  # "name": and name: are atom keys, as in Elixir
            else:
                key = self.value(depth + 1)
                self.expect("=>")
            if not isinstance(key, str | Atom | int):
                raise TermError(token.line, "map keys must be strings, atoms or integers")
            if key in out:
                raise TermError(token.line, f"duplicate map key {str(key)[:80]!r}")
            out[key] = self.value(depth + 1)
            if self.peek().kind == "punct" and self.peek().value == ",":
                self.take()
            elif not (self.peek().kind == "punct" and self.peek().value == "}"):
                self.expect("}")
        self.take()
        return out


def parse(text: str) -> Term:
    """The single term ``text`` holds."""
    parser = _Parser(tokenize(text))
    value = parser.value(0)
    rest = parser.peek()
    if rest.kind != "end":
        raise TermError(rest.line, f"unexpected {rest.value!r} after the term")
    return value
