"""Safe reading of untrusted input files: size limits, encodings, parse errors with places.

Every reader goes through these helpers, so the rules for bad input live in one
place: a file larger than the limit, a binary file, invalid UTF-8, or a syntax
error becomes an :class:`InputError` (or the subclass the caller passes) with
the file name and, where the parser knows it, the line.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

from assay.core.errors import InputError, InputTooLarge

DEFAULT_LIMIT = 512 * 1024 * 1024
# JSON nesting deeper than this is refused before Python's recursion limit is hit.
MAX_JSON_DEPTH = 512
# libyaml's composer recurses per level and crashes the process (no exception) on
# tens of thousands of levels, so deeper YAML is refused after a cheap event walk.
MAX_YAML_DEPTH = 1000


def input_limit() -> int:
    try:
        return int(os.environ.get("ASSAY_MAX_INPUT_MB", "512")) * 1024 * 1024
    except ValueError:
        return DEFAULT_LIMIT


def read_bytes(
    path: Path, *, limit: int | None = None, error: type[InputError] = InputError
) -> bytes:
    """Read a regular file whole, refusing special files and files over ``limit`` bytes."""
    limit = input_limit() if limit is None else limit
    try:
        st = path.stat()
    except OSError as exc:
        raise error(path, f"cannot read: {exc.strerror or exc}") from None
    if not path.is_file():
        raise error(path, "not a regular file")
    if st.st_size > limit:
        raise InputTooLarge(
            path,
            f"file is {st.st_size:,} bytes, over the {limit:,}-byte limit (ASSAY_MAX_INPUT_MB)",
        )
    try:
        with path.open("rb") as fh:
            data = fh.read(limit + 1)
    except OSError as exc:
        raise error(path, f"cannot read: {exc.strerror or exc}") from None
    if len(data) > limit:
        raise InputTooLarge(path, f"file grew over the {limit:,}-byte limit while reading")
    return data


def decode_text(data: bytes, source: Path | str, *, error: type[InputError] = InputError) -> str:
    """UTF-8 text (a leading BOM is dropped); binary or other encodings are refused."""
    if not data or data.isspace():  # strip() would copy the whole input to answer this
        raise error(source, "file is empty")
    if b"\x00" in data[:8192]:
        raise error(source, "binary file, expected text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise error(source, "not valid UTF-8 text", line=line) from None


def read_text(path: Path, *, limit: int | None = None, error: type[InputError] = InputError) -> str:
    return decode_text(read_bytes(path, limit=limit, error=error), path, error=error)


_DEPTH_TOKENS = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def _check_json_depth(data: bytes, source: Path | str, error: type[InputError]) -> None:
    # Cheap pre-scan only when brackets could nest deep enough to matter.
    if data.count(b"[") + data.count(b"{") < MAX_JSON_DEPTH:
        return
    depth = 0
    for m in _DEPTH_TOKENS.finditer(data):
        tok = m.group()
        if tok in (b"[", b"{"):
            depth += 1
            if depth > MAX_JSON_DEPTH:
                line = data[: m.start()].count(b"\n") + 1
                raise error(source, f"JSON nested deeper than {MAX_JSON_DEPTH} levels", line=line)
        elif tok in (b"]", b"}"):
            depth -= 1


def parse_json(
    data: bytes | str, source: Path | str, *, error: type[InputError] = InputError
) -> Any:
    """Parse JSON text, translating syntax errors into ``FILE:LINE: ...``."""
    raw = data.encode() if isinstance(data, str) else data
    if not raw or raw.isspace():  # strip() would copy the whole input to answer this
        raise error(source, "file is empty")
    if b"\x00" in raw[:8192]:
        raise error(source, "binary file, expected JSON")
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        value = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise error(
            source, f"invalid JSON: {exc.msg} (column {exc.colno})", line=exc.lineno
        ) from None
    except UnicodeDecodeError:
        raise error(source, "not valid UTF-8 JSON") from None
    except RecursionError:
        _check_json_depth(raw, source, error)
        raise error(source, "JSON nested too deeply") from None
    if b"\\ud" in raw or b"\\uD" in raw:  # surrogate escapes: only whole pairs make characters
        try:
            json.dumps(value, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            raise error(source, "invalid JSON: a \\u escape names half a surrogate pair") from None
    return value


def load_json(path: Path, *, limit: int | None = None, error: type[InputError] = InputError) -> Any:
    return parse_json(read_bytes(path, limit=limit, error=error), path, error=error)


def _toml() -> Any:
    """tomli's compiled wheel where installed (3.5-4x faster), else the stdlib's tomllib."""
    try:
        import tomli

        return tomli
    except ImportError:  # pragma: no cover - tomli is a dependency; tomllib is the fallback
        import tomllib

        return tomllib


def parse_toml(
    text: str, source: Path | str, *, error: type[InputError] = InputError
) -> dict[str, Any]:
    toml = _toml()
    try:
        result: dict[str, Any] = toml.loads(text)
    except toml.TOMLDecodeError as exc:
        msg = str(exc)
        m = re.search(r"\(at line (\d+), column (\d+)\)", msg)
        if m is not None:
            line: int | None = int(m.group(1))
            reason = msg[: m.start()].strip()
        elif msg.endswith("(at end of document)"):
            line = text.count("\n") + (0 if text.endswith("\n") else 1)
            reason = msg[: -len("(at end of document)")].strip()
        else:
            line, reason = None, msg
        raise error(source, f"invalid TOML: {reason}", line=line) from None
    except RecursionError:
        raise error(source, "TOML nested too deeply") from None
    return result


_YAML_ANCHOR = re.compile(r"(?:^|[\s\[{,:-])[&*][A-Za-z0-9_-]", re.MULTILINE)


def parse_yaml(text: str, source: Path | str, *, error: type[InputError] = InputError) -> Any:
    """Parse YAML safely: no object construction, no anchors/aliases (billion-laughs).

    Lockfiles and advisories never use anchors, so a document containing them is
    refused rather than expanded. Timestamps stay strings.
    """
    import yaml

    # Nesting depth is at most the number of flow openers plus the longest line
    # (indentation, compact "- - -"); only when that bound is large are the
    # parser's events walked to measure the real depth.
    bound = text.count("[") + text.count("{") + max(map(len, text.splitlines()), default=0)
    if bound > MAX_YAML_DEPTH:
        _check_yaml_depth(text, source, error)
    if _YAML_ANCHOR.search(text):
        # A cheap textual screen can be fooled by a '&' or '*' inside a string, so
        # confirm with the event stream before refusing.
        try:
            for event in yaml.parse(text, Loader=_loader()):
                if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                    line = event.start_mark.line + 1 if event.start_mark else None
                    raise error(source, "YAML anchors and aliases are not accepted", line=line)
        except yaml.YAMLError as exc:
            raise _yaml_error(exc, source, error) from None
    try:
        return yaml.load(text, Loader=_loader())  # noqa: S506 - _loader() is a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, source, error) from None
    except RecursionError:
        raise error(source, "YAML nested too deeply") from None


def _check_yaml_depth(text: str, source: Path | str, error: type[InputError]) -> None:
    import yaml

    depth = 0
    try:
        for event in yaml.parse(text, Loader=_loader()):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_YAML_DEPTH:
                    line = event.start_mark.line + 1 if event.start_mark else None
                    raise error(
                        source, f"YAML nested deeper than {MAX_YAML_DEPTH} levels", line=line
                    )
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError:
        return  # the full parse reports the syntax error with its line


def _yaml_error(exc: Exception, source: Path | str, error: type[InputError]) -> InputError:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    line = (mark.line + 1) if mark else None
    if "nesting depth" in problem:  # libyaml 0.2.6+ (PyYAML 6.0.3+) has a limit of its own
        return error(source, f"YAML nested deeper than {MAX_YAML_DEPTH} levels", line=line)
    return error(source, f"invalid YAML: {problem}", line=line)


_LOADER: Any = None


def _loader() -> Any:
    """A (C, when available) SafeLoader that leaves timestamps as strings."""
    global _LOADER
    if _LOADER is None:
        import yaml

        base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

        class _Loader(base):  # type: ignore[misc, valid-type]
            pass

        _Loader.yaml_implicit_resolvers = {
            k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
            for k, v in base.yaml_implicit_resolvers.items()
        }
        _LOADER = _Loader
    return _LOADER
