"""Bundler's ``Gemfile.lock``.

* Source sections ``GEM``, ``GIT``, ``PATH`` and ``PLUGIN SOURCE``: two-space
  ``key: value`` lines, then ``specs:`` with gems at four spaces
  (``rack (2.0.6)``) and each gem's dependencies at six (``rack (>= 1.0)``).
* A platform suffix is not part of the version: ``nokogiri (1.9.1-x86_64-linux)``
  is nokogiri 1.9.1 (RubyGems versions never contain ``-``); a gem listed for
  several platforms is one component.
* ``PATH`` gems are the project's own code (``gemspec``, local paths): not
  components; their dependencies are direct. ``GIT`` gems are components with
  a warning (the code is a commit, not the release of that version).
* ``DEPENDENCIES`` names the direct gems (``name!`` = from a GIT/PATH source);
  every other gem is transitive. Bundler does not record groups in the lock,
  so every component is scope required.
* ``CHECKSUMS`` (Bundler 2.5+) ``name (version) sha256=<hex>`` become hashes.
* ``PLATFORMS``, ``RUBY VERSION`` and ``BUNDLED WITH`` are ignored; an unknown
  upper-case section is skipped, any other unindented line is an error.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from assay.core.inputs import read_text
from assay.sbom.catalogers import claims
from assay.sbom.catalogers._lockcommon import check_versions, hex_hash, quote
from assay.sbom.catalogers.interface import InvalidLockfile
from assay.sbom.model import Bom, Component

ECOSYSTEM = "RubyGems"
_SOURCES = frozenset({"GEM", "GIT", "PATH", "PLUGIN SOURCE"})
#: real lines are short (the longest are remote URLs); anything longer is refused
MAX_LINE = 8192


@dataclass(slots=True)
class _Gem:
    name: str
    version: str
    section: str
    line: int
    deps: list[str] = field(default_factory=list)


@dataclass(slots=True)
class _Lock:
    gems: dict[tuple[str, str], _Gem] = field(default_factory=dict)
    direct: set[str] = field(default_factory=set)
    checksums: dict[tuple[str, str], list[tuple[str, str]]] = field(default_factory=dict)
    seen_dependencies: bool = False


class GemfileLockCataloger:
    name = "gemfile-lock"
    ecosystem = ECOSYSTEM

    def matches(self, path: Path) -> bool:
        return claims.by_name("Gemfile.lock", "gems.locked")(path)

    def read(self, path: Path) -> Bom:
        lock = _parse(path, read_text(path, error=InvalidLockfile))
        direct = set(lock.direct)
        by_name: dict[str, list[_Gem]] = {}
        for gem in lock.gems.values():
            same = by_name.setdefault(gem.name, [])
            same.append(gem)
            check_versions(path, gem.name, len(same))
            if gem.section == "PATH":
                direct.update(gem.deps)
        bom = Bom(sources=[str(path)])
        comps: dict[tuple[str, str], Component] = {}
        for key, gem in lock.gems.items():
            if gem.section == "PATH":
                continue
            comp = Component(
                ECOSYSTEM,
                gem.name,
                gem.version,
                source=str(path),
                direct=gem.name in direct,
                hashes=tuple(dict.fromkeys(lock.checksums.get(key, ()))),
            )
            comps[key] = comp
            bom.components.append(comp)
            if gem.section == "GIT":
                bom.warnings.append(
                    f"{path}:{gem.line}: {gem.name} {gem.version} comes from git, not RubyGems"
                )
        for key, gem in lock.gems.items():
            parent = comps.get(key)
            if parent is None:
                continue
            for dep in gem.deps:
                for child in by_name.get(dep, ()):
                    ref = comps.get((child.name, child.version))
                    if ref is not None:
                        bom.edges.add((parent.ref, ref.ref))
        return bom


def _parse(path: Path, text: str) -> _Lock:
    lock = _Lock()
    section = ""
    in_specs = False
    current: _Gem | None = None
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        if len(line) > MAX_LINE:
            raise InvalidLockfile(path, f"line is {len(line):,} characters long", line=lineno)
        if "\t" in line:
            raise InvalidLockfile(path, "tab in a Gemfile.lock line", line=lineno)
        if not line.isprintable():
            raise InvalidLockfile(path, f"control character in {quote(line)}", line=lineno)
        indent = len(line) - len(line.lstrip(" "))
        body = line.strip()
        if indent == 0:
            if not body.replace(" ", "").isupper():
                raise InvalidLockfile(path, f"not a Gemfile.lock line: {quote(body)}", line=lineno)
            section, in_specs, current = body, False, None
            lock.seen_dependencies |= section == "DEPENDENCIES"
            continue
        if not section:
            raise InvalidLockfile(path, "indented line before any section", line=lineno)
        if section in _SOURCES:
            if indent == 2:
                in_specs = body == "specs:"
                if not in_specs and ":" not in body:
                    raise InvalidLockfile(path, f"unexpected line {quote(body)}", line=lineno)
            elif in_specs and indent == 4:
                name, version = _spec(path, body, lineno)
                current = lock.gems.get((name, version))
                if current is None:
                    current = _Gem(name, version, section, lineno)
                    lock.gems[(name, version)] = current
            elif in_specs and indent == 6 and current is not None:
                current.deps.append(_name(path, body, lineno))
            else:
                raise InvalidLockfile(
                    path, f"unexpected indentation ({indent} spaces) in {section}", line=lineno
                )
        elif section == "DEPENDENCIES":
            if indent != 2:
                raise InvalidLockfile(path, "unexpected indentation in DEPENDENCIES", line=lineno)
            lock.direct.add(_name(path, body, lineno).rstrip("!"))
        elif section == "CHECKSUMS":
            _checksum(path, body, lineno, lock)
    if not lock.seen_dependencies:
        raise InvalidLockfile(path, "no DEPENDENCIES section (truncated or not a Gemfile.lock)")
    return lock


def _spec(path: Path, body: str, line: int) -> tuple[str, str]:
    """``name (version[-platform])`` -> (name, version)."""
    name, sep, rest = body.partition(" (")
    if not sep or not rest.endswith(")") or not name or " " in name:
        raise InvalidLockfile(path, f"expected 'name (version)', found {quote(body)}", line=line)
    version = rest[:-1].split("-", 1)[0].strip()
    if not version or " " in version:
        raise InvalidLockfile(path, f"invalid version in {quote(body)}", line=line)
    return name, version


def _name(path: Path, body: str, line: int) -> str:
    """``name``, ``name!`` or ``name (constraints)`` -> name."""
    name, sep, rest = body.partition(" (")
    if (sep and not rest.endswith(")")) or not name or " " in name:
        raise InvalidLockfile(
            path, f"expected 'name (requirement)', found {quote(body)}", line=line
        )
    return name


def _checksum(path: Path, body: str, line: int, lock: _Lock) -> None:
    spec, _, sums = body.rpartition(") ")
    if not spec:  # a gem without a checksum is written alone
        _spec(path, body, line)
        return
    name, version = _spec(path, spec + ")", line)
    for item in sums.split(","):
        algo, _, digest = item.partition("=")
        parsed = hex_hash(algo, digest)
        if parsed is None:
            raise InvalidLockfile(path, f"invalid checksum {quote(item)}", line=line)
        lock.checksums.setdefault((name, version), []).append(parsed)
