"""Small helpers shared by the lockfile catalogers (private to this package).

File-name matching, sibling manifests, structural checks with the best line
we can give, hash spelling and SPDX normalisation. Nothing here is specific
to one ecosystem.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from assay.core.inputs import load_json, parse_toml, read_text
from assay.sbom.catalogers.interface import InvalidLockfile

#: longest name or version accepted; real ones are far shorter (PyPI caps names at 200)
MAX_FIELD = 1024
#: most versions of one name a lockfile may lock; real files lock a handful, and
#: edges are resolved per name, so this bounds the work a hostile file can cause
MAX_VERSIONS = 256
#: longest text of the input quoted back in a message or warning
QUOTE = 80

# algorithm as written in lockfiles -> (CycloneDX name, hex digits)
_HASHES: dict[str, tuple[str, int]] = {
    "sha256": ("SHA-256", 64),
    "sha384": ("SHA-384", 96),
    "sha512": ("SHA-512", 128),
    "sha1": ("SHA-1", 40),
    "md5": ("MD5", 32),
}
_HEX = frozenset("0123456789abcdefABCDEF")


def sibling(path: Path, base: str, other: str) -> Path:
    """``other`` beside ``path``, same a copy prefix (``a__go.mod`` -> ``a__go.sum``)."""
    name = path.name
    prefix = name[: -len(base)] if name.endswith(base) else ""
    return path.with_name(prefix + other)


def quote(text: str) -> str:
    """Input text for a one-line message: shortened, control characters escaped.

    Escaping keeps a hostile name from breaking the line or sending terminal
    escape sequences to whoever reads the warning.
    """
    text = text.strip()
    if len(text) > QUOTE:
        text = text[: QUOTE - 3] + "..."
    if not text.isprintable():
        text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
    return text


def line_of(text: str, needle: str) -> int | None:
    """1-based line of the first occurrence of ``needle`` (for structural errors only)."""
    index = text.find(needle)
    if index < 0:
        return None
    return text.count("\n", 0, index) + 1


def locate(exc: InvalidLockfile, path: Path, needle: str) -> InvalidLockfile:
    """``exc`` with the line of ``needle`` in ``path`` when it has none (error paths only)."""
    if exc.line is not None:
        return exc
    try:
        text = path.read_text("utf-8", errors="replace")
    except OSError:
        return exc
    return InvalidLockfile(exc.source, exc.reason, line=line_of(text, needle))


#: ``name = "..."`` lines of TOML lockfiles
TOML_NAME = re.compile(r'^name = "([^"\\]*)"', re.MULTILINE)
#: ``"key": {`` lines of JSON lockfiles
JSON_KEY = re.compile(r'"([^"\\]*)"\s*:\s*\{')


class NameLines:
    """Line of each package name in a lockfile, indexed in one pass on first use.

    For warnings that cite many packages: one scan of the text, not one per
    package. ``source`` is the text, or the file to read (only if needed).
    """

    def __init__(self, source: str | Path, pattern: re.Pattern[str] = TOML_NAME) -> None:
        self._source = source
        self._pattern = pattern
        self._lines: dict[str, int] | None = None

    def where(self, path: Path, name: str) -> str:
        if self._lines is None:
            self._lines = {}
            text = self._source
            if isinstance(text, Path):
                try:
                    text = text.read_text("utf-8", errors="replace")
                except OSError:
                    text = ""
            line, pos = 1, 0
            for m in self._pattern.finditer(text):
                line += text.count("\n", pos, m.start())
                pos = m.start()
                self._lines.setdefault(m.group(1), line)
        found = self._lines.get(name)
        return f"{path}:{found}" if found else str(path)


def load_toml(path: Path) -> tuple[str, dict[str, Any]]:
    text = read_text(path, error=InvalidLockfile)
    try:
        return text, parse_toml(text, path, error=InvalidLockfile)
    except InvalidLockfile as exc:
        if exc.line is None and "end of document" in exc.reason:
            # tomllib gives no line for errors at the end: that is the last line
            raise InvalidLockfile(
                path, exc.reason, line=text.rstrip("\n").count("\n") + 1
            ) from None
        raise


def load_json_object(path: Path) -> dict[str, Any]:
    data = load_json(path, error=InvalidLockfile)
    if not isinstance(data, dict):
        raise InvalidLockfile(path, f"expected a JSON object, found {type(data).__name__}")
    return data


def field(
    value: object, path: Path, what: str, *, line: int | None = None, required: bool = True
) -> str:
    """A non-empty string of sane length, or InvalidLockfile."""
    if not isinstance(value, str) or (required and not value.strip()):
        found = "nothing" if value is None else type(value).__name__
        raise InvalidLockfile(path, f"{what} must be a non-empty string, found {found}", line=line)
    if len(value) > MAX_FIELD:
        raise InvalidLockfile(
            path, f"{what} is {len(value):,} characters long (limit {MAX_FIELD})", line=line
        )
    if not value.isprintable():
        raise InvalidLockfile(path, f"{what} {quote(value)} has control characters", line=line)
    return value


def table(value: object, path: Path, what: str, *, line: int | None = None) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InvalidLockfile(
            path, f"{what} must be a table/object, found {type(value).__name__}", line=line
        )
    return value


def array(value: object, path: Path, what: str, *, line: int | None = None) -> list[Any]:
    if not isinstance(value, list):
        raise InvalidLockfile(
            path, f"{what} must be an array, found {type(value).__name__}", line=line
        )
    return value


def check_versions(path: Path, name: str, count: int) -> None:
    if count > MAX_VERSIONS:
        raise InvalidLockfile(path, f"{quote(name)} is locked at more than {MAX_VERSIONS} versions")


def parse_hash(text: str) -> tuple[str, str] | None:
    """``sha256:<hex>`` -> ``("SHA-256", hex)``; None when the algorithm or digest is wrong."""
    algo, sep, digest = text.strip().partition(":")
    known = _HASHES.get(algo.lower())
    if not sep or known is None or len(digest) != known[1] or not _HEX.issuperset(digest):
        return None
    return known[0], digest.lower()


def hex_hash(algo: str, digest: str) -> tuple[str, str] | None:
    """A bare hex digest of a known algorithm (``sha256``), or None when it is malformed."""
    return parse_hash(f"{algo}:{digest}")


@lru_cache(maxsize=4096)
def spdx_expression(raw: str) -> str:
    """The SPDX-normalised form of a licence expression, or ``raw`` when it does not parse.

    ``license-expression`` costs ~0.2 s to import and index once per process, so it
    is loaded only when a lockfile states a licence.
    """
    if len(raw) > MAX_FIELD or not raw.strip():
        return raw  # never hand a huge or empty text to the parser
    from license_expression import ExpressionError

    try:
        return str(_licensing().parse(raw, validate=True).render())
    except (ExpressionError, ValueError, TypeError, AttributeError):
        # unknown keys raise ExpressionError, malformed syntax a few builtin
        # errors; either way the text is kept as written
        return raw


@lru_cache(maxsize=1)
def _licensing() -> Any:
    from license_expression import get_spdx_licensing

    return get_spdx_licensing()
