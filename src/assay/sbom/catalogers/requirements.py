"""pip requirements files: ``requirements*.txt``, ``*requirements.txt``, ``constraints*.txt``.

What is read, following pip's file format (pip's documentation, "Requirements
File Format"):

* ``name[extras]==version`` and ``===version`` pins become components, with
  every ``--hash=sha256:...`` as a ``("SHA-256", hex)`` hash. Versions are kept
  as written (``==1.2.0``, never rewritten).
* Environment markers (``; python_version < "3.8"``) are kept but not
  evaluated: the component is reported whatever the marker says, because a
  scanner that guesses the target interpreter may miss a vulnerable package.
* ``-r``/``--requirement`` includes are read, relative to the including file,
  outside the project too; a file included twice is read once, an include
  cycle is skipped with a warning, URLs are never fetched (warning).
* ``-c``/``--constraint`` files pin what the requirements leave open: an
  unpinned ``django>=3`` constrained to ``django==3.2.1`` is reported at 3.2.1.
  Pins that only appear in a constraints file are not installed and are not
  components of the including file (a ``constraints*.txt`` read on its own
  reports all its pins).
* Unpinned, editable (``-e``), URL and path requirements are warnings
  (``FILE:LINE: django>=3 is not pinned; not scanned``), never dropped silently.
* pip-compile output: a package whose ``# via`` names ``-r <file>`` (or a
  ``pyproject.toml``/``setup.*``) or that has no ``# via`` is direct, the others
  are transitive, and ``# via parent`` gives the edge ``parent -> package``.
  Files without ``# via`` comments: every component is direct.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from assay.core.inputs import read_text
from assay.sbom.catalogers import claims
from assay.sbom.catalogers._lockcommon import MAX_FIELD, check_versions, parse_hash, quote
from assay.sbom.catalogers.interface import InvalidLockfile
from assay.sbom.model import Bom, Component

ECOSYSTEM = "PyPI"
#: a logical line longer than this is refused (a line with 200 hashes is ~17 kB)
MAX_LINE = 1024 * 1024
#: -r/-c nesting deeper than this is refused
MAX_DEPTH = 32

_COMMENT = re.compile(r"(^|\s+)#.*$")  # pip's own rule: '#' at the start or after blanks
_REQUIREMENT = re.compile(
    r"(?P<name>[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*"
    r"(?:\[(?P<extras>[^\]]*)\])?\s*"
    r"(?P<rest>[^;]*?)\s*"
    r"(?:;(?P<marker>.*))?"
)
_SPECIFIER = re.compile(r"\s*(===|==|~=|!=|<=|>=|<|>)\s*([A-Za-z0-9_.*+!-]+)\s*")
_EXTRA = re.compile(r"\s*[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?\s*")
_NORMALISE = re.compile(r"[-_.]+")
_DIRECT_VIA_SUFFIXES = ("(pyproject.toml)", "(setup.py)", "(setup.cfg)")

_INCLUDE_OPTS = {"-r": "r", "--requirement": "r", "-c": "c", "--constraint": "c"}
_EDITABLE_OPTS = {"-e", "--editable"}
# pip options that take a value and do not change what is installed for scanning
_VALUE_OPTS = {
    "-i", "--index-url", "--extra-index-url", "-f", "--find-links", "--trusted-host",
    "--no-binary", "--only-binary", "--use-feature", "--global-option", "--install-option",
    "--config-settings", "-C", "--progress-bar", "--platform", "--python-version",
    "--implementation", "--abi",
}  # fmt: skip
_FLAG_OPTS = {"--no-index", "--pre", "--prefer-binary", "--require-hashes", "-Z"}


@dataclass(slots=True)
class _Req:
    name: str
    version: str | None  # None when not pinned
    text: str
    path: Path
    line: int
    hashes: list[tuple[str, str]]
    via: list[str] = field(default_factory=list)


@dataclass(slots=True)
class _State:
    reqs: list[_Req] = field(default_factory=list)
    constraints: dict[str, _Req] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    seen: set[Path] = field(default_factory=set)
    stack: list[Path] = field(default_factory=list)
    # files whose components are decided by `# via` (pip-compile output)
    compiled: set[Path] = field(default_factory=set)


class RequirementsCataloger:
    name = "requirements"
    ecosystem = ECOSYSTEM

    def matches(self, path: Path) -> bool:
        return claims.requirements(path)

    def read(self, path: Path) -> Bom:
        state = _State()
        _read_file(path, state, depth=0, constraint=False)
        return _build(path, state)


def _key(name: str) -> str:
    return _NORMALISE.sub("-", name).lower()


def _build(path: Path, state: _State) -> Bom:
    bom = Bom(sources=[str(path)], warnings=state.warnings)
    by_key: dict[str, list[Component]] = {}
    pending: list[tuple[_Req, Component]] = []
    for req in state.reqs:
        version, hashes = req.version, req.hashes
        if version is None:
            pin = state.constraints.get(_key(req.name))
            if pin is None or pin.version is None:
                bom.warnings.append(
                    f"{req.path}:{req.line}: {quote(req.text)} is not pinned; not scanned"
                )
                continue
            version, hashes = pin.version, hashes or pin.hashes
        direct = req.path not in state.compiled or _via_direct(req.via)
        comp = Component(
            ecosystem=ECOSYSTEM,
            name=req.name,
            version=version,
            source=str(req.path),
            direct=direct,
            hashes=tuple(dict.fromkeys(hashes)),
        )
        bom.components.append(comp)
        same = by_key.setdefault(_key(req.name), [])
        same.append(comp)
        check_versions(req.path, req.name, len(same))
        if req.via:
            pending.append((req, comp))
    for req, comp in pending:
        for parent in req.via:
            for p in by_key.get(_key(parent), ()):
                bom.edges.add((p.ref, comp.ref))
    return bom


def _via_direct(via: list[str]) -> bool:
    if not via:
        return True
    return any(v.startswith("-r ") or v.endswith(_DIRECT_VIA_SUFFIXES) for v in via)


def _read_file(path: Path, state: _State, *, depth: int, constraint: bool) -> None:
    resolved = path.resolve()
    state.seen.add(resolved)
    state.stack.append(resolved)
    text = read_text(path, error=InvalidLockfile)
    last: _Req | None = None
    in_via = False
    for lineno, raw in _logical_lines(text, path):
        m = _COMMENT.search(raw) if "#" in raw else None
        content = raw[: m.start()].strip() if m else raw.strip()
        comment = m.group().strip()[1:] if m else ""
        if not content:
            in_via = _comment_via(comment, last, state, path, in_via)
            continue
        in_via = False
        if content.startswith("-"):
            _option(content, path, lineno, state, depth=depth, constraint=constraint)
            last = None
            continue
        req = _requirement(content, path, lineno, state)
        if req is None:
            last = None
            continue
        last = req
        if constraint:
            if req.version is not None:
                state.constraints.setdefault(_key(req.name), req)
            continue
        state.reqs.append(req)
        if comment.lstrip().startswith("via"):
            _comment_via(comment, req, state, path, False)
    state.stack.pop()


def _comment_via(comment: str, last: _Req | None, state: _State, path: Path, in_via: bool) -> bool:
    """Record a pip-compile ``# via`` comment on ``last``; return whether a via block is open."""
    body = comment.strip()
    if body == "via" or body.startswith("via "):
        state.compiled.add(path)
        if last is not None:
            last.via.extend(v.strip() for v in body[3:].split(",") if v.strip())
        return True
    if in_via and comment[:1].isspace() and body and last is not None:
        last.via.append(body)
        return True
    return False


def _logical_lines(text: str, path: Path) -> Iterator[tuple[int, str]]:
    """pip's join_lines: a trailing backslash continues the line; a comment line ends it."""
    parts: list[str] = []
    start = 0
    size = 0
    for index, line in enumerate(text.splitlines(), start=1):
        size += len(line)
        if size > MAX_LINE or len(line) > MAX_LINE:
            raise InvalidLockfile(
                path, f"line is over {MAX_LINE:,} characters long", line=start or index
            )
        is_comment = "#" in line and _COMMENT.match(line) is not None
        if not line.endswith("\\") or is_comment:
            if is_comment:
                line = " " + line
            if parts:
                parts.append(line)
                yield start, "".join(parts)
                parts = []
            else:
                yield index, line
            size = 0
        else:
            if not parts:
                start = index
            parts.append(line[:-1])
    if parts:
        yield start, "".join(parts)


def _option(
    content: str, path: Path, lineno: int, state: _State, *, depth: int, constraint: bool
) -> None:
    try:
        tokens = shlex.split(content, posix=True)
    except ValueError as exc:
        raise InvalidLockfile(path, f"cannot split options: {exc}", line=lineno) from None
    i = 0
    while i < len(tokens):
        opt, eq, value = tokens[i].partition("=")
        if not eq and len(opt) > 2 and opt[:2] in ("-r", "-c", "-e") and not opt.startswith("--"):
            opt, value, eq = opt[:2], opt[2:], "="
        takes_value = opt in _INCLUDE_OPTS or opt in _EDITABLE_OPTS or opt in _VALUE_OPTS
        if takes_value and not eq:
            i += 1
            if i >= len(tokens):
                raise InvalidLockfile(path, f"option {opt} needs a value", line=lineno)
            value = tokens[i]
        i += 1
        if opt in _INCLUDE_OPTS:
            kind = _INCLUDE_OPTS[opt]
            _include(value, path, lineno, state, depth=depth, constraint=constraint or kind == "c")
        elif opt in _EDITABLE_OPTS:
            state.warnings.append(
                f"{path}:{lineno}: editable requirement {quote(value)} is not a pinned release;"
                " not scanned"
            )
        elif opt not in _VALUE_OPTS and opt not in _FLAG_OPTS:
            state.warnings.append(f"{path}:{lineno}: unknown option {quote(opt)} ignored")


def _include(
    target: str, path: Path, lineno: int, state: _State, *, depth: int, constraint: bool
) -> None:
    if "://" in target:
        state.warnings.append(f"{path}:{lineno}: included URL {quote(target)} not fetched")
        return
    child = path.parent / target
    resolved = child.resolve()
    if resolved in state.stack:
        state.warnings.append(
            f"{path}:{lineno}: {quote(target)} includes itself (include cycle); skipped"
        )
        return
    if resolved in state.seen:
        return
    if depth + 1 > MAX_DEPTH:
        raise InvalidLockfile(path, f"includes nested deeper than {MAX_DEPTH} files", line=lineno)
    if not child.is_file():
        raise InvalidLockfile(path, f"included file {quote(target)} not found", line=lineno)
    _read_file(child, state, depth=depth + 1, constraint=constraint)


def _requirement(content: str, path: Path, lineno: int, state: _State) -> _Req | None:
    spec, hashes = _split_options(content, path, lineno, state)
    if "://" in spec or spec.startswith((".", "/", "~")) or _is_archive(spec):
        state.warnings.append(
            f"{path}:{lineno}: {quote(spec)} is a URL or path requirement; not scanned"
        )
        return None
    m = _REQUIREMENT.fullmatch(spec)
    if m is None:
        raise InvalidLockfile(path, f"not a requirement: {quote(spec)}", line=lineno)
    name, rest = m.group("name"), m.group("rest")
    if len(name) > MAX_FIELD:
        raise InvalidLockfile(path, f"package name is {len(name):,} characters long", line=lineno)
    extras = m.group("extras")
    if extras is not None and extras.strip():
        for extra in extras.split(","):
            if not _EXTRA.fullmatch(extra):
                raise InvalidLockfile(path, f"invalid extra in {quote(spec)}", line=lineno)
    if rest.startswith("@"):
        state.warnings.append(
            f"{path}:{lineno}: {quote(spec)} is a URL or path requirement; not scanned"
        )
        return None
    version = _pinned(rest, spec, path, lineno)
    return _Req(name=name, version=version, text=spec, path=path, line=lineno, hashes=hashes)


def _is_archive(spec: str) -> bool:
    head = spec.split(";", 1)[0].strip().lower()
    return head.endswith((".whl", ".zip", ".tar.gz", ".tgz", ".tar.bz2")) or "/" in head


def _pinned(rest: str, spec: str, path: Path, lineno: int) -> str | None:
    """The version of a ``==``/``===`` pin, None when the specifiers leave it open."""
    rest = rest.strip()
    if rest.startswith("(") and rest.endswith(")"):
        rest = rest[1:-1]
    if not rest.strip():
        return None
    version: str | None = None
    for item in rest.split(","):
        m = _SPECIFIER.fullmatch(item)
        if m is None:
            raise InvalidLockfile(path, f"invalid requirement {quote(spec)}", line=lineno)
        op, value = m.groups()
        if len(value) > MAX_FIELD:
            raise InvalidLockfile(path, f"version is {len(value):,} characters long", line=lineno)
        if op in ("==", "===") and "*" not in value:
            version = value
    return version


def _split_options(
    content: str, path: Path, lineno: int, state: _State
) -> tuple[str, list[tuple[str, str]]]:
    """Split ``spec --hash=... --opt`` into the spec and its hashes (pip: break_args_options)."""
    tokens = content.split()
    index = next((i for i, token in enumerate(tokens) if token.startswith("-")), -1)
    if index < 0:
        return content, []
    spec = " ".join(tokens[:index])
    hashes: list[tuple[str, str]] = []
    rest = tokens[index:]
    i = 0
    while i < len(rest):
        opt, eq, value = rest[i].partition("=")
        if opt in ("--hash", "--global-option", "--install-option", "--config-settings", "-C"):
            if not eq:
                i += 1
                if i >= len(rest):
                    raise InvalidLockfile(path, f"option {opt} needs a value", line=lineno)
                value = rest[i]
            if opt == "--hash":
                parsed = parse_hash(value)
                if parsed is None or parsed[0] not in ("SHA-256", "SHA-384", "SHA-512"):
                    raise InvalidLockfile(path, f"invalid hash {quote(value)}", line=lineno)
                hashes.append(parsed)
        else:
            state.warnings.append(f"{path}:{lineno}: unknown option {quote(opt)} ignored")
        i += 1
    return spec, hashes
