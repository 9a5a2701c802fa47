"""PEP 751 lock files: ``pylock.toml`` and ``pylock.<name>.toml``.

Read as the specification (packaging.python.org, "pylock.toml Specification")
defines them:

* ``lock-version`` must be ``1.x``: another major version is refused, as the
  specification requires of tools.
* Every ``[[packages]]`` entry is a component: ``name``, ``version`` (optional
  for ``vcs`` and ``directory`` sources: then the version is empty and a
  warning says so - the scanner skips it with a message).
* Hashes: ``archive.hashes``, ``sdist.hashes`` and ``wheels[].hashes``
  (tables ``algorithm = "hex"``); SHA-256/384/512, SHA-1 and MD5 are kept, other
  algorithms (``blake2b`` ...) ignored.
* Where the code comes from: ``index`` becomes property ``assay:index``;
  ``vcs`` (``type+url@commit-id``), ``directory`` (path) and ``archive``
  (url or path) become property ``assay:source`` plus a warning, since a PyPI
  advisory may or may not apply to code that is not from an index.
* Scope: the file records no roots, so ``direct`` is None. A package whose
  ``marker`` selects it only for named ``dependency_groups`` outside
  ``default-groups`` is dev; one selected only by ``extras`` is optional; the
  rest are required. Markers are not otherwise evaluated.
* Edges: ``dependencies`` entries name other packages (``name``, optionally
  ``version``); a name locked several times points at the matching version,
  or at every version when none is given.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from assay.sbom.catalogers import claims
from assay.sbom.catalogers._lockcommon import (
    NameLines,
    array,
    check_versions,
    hex_hash,
    line_of,
    load_toml,
    quote,
    table,
)
from assay.sbom.catalogers._lockcommon import field as text_field
from assay.sbom.catalogers.interface import InvalidLockfile
from assay.sbom.model import Bom, Component, Scope

ECOSYSTEM = "PyPI"
_NORMALISE = re.compile(r"[-_.]+")
_GROUPS = re.compile(r"""['"]([^'"]+)['"]\s+(?:not\s+)?in\s+dependency_groups""")
_SOURCES = ("vcs", "directory", "archive")
#: ``name = '...'`` or ``name = "..."`` lines (the specification's example uses single quotes)
_NAME_LINE = re.compile(r"""^name = ['"]([^'"\\]*)['"]""", re.MULTILINE)


def _key(name: str) -> str:
    return _NORMALISE.sub("-", name).lower()


class PylockCataloger:
    name = "pylock"
    ecosystem = ECOSYSTEM

    def matches(self, path: Path) -> bool:
        return claims.pylock(path)

    def read(self, path: Path) -> Bom:
        text, doc = load_toml(path)
        _check_version(path, text, doc)
        groups = array(doc.get("default-groups", []), path, "default-groups")
        defaults = {g for g in groups if isinstance(g, str)}
        lines = NameLines(text, _NAME_LINE)
        bom = Bom(sources=[str(path)])
        by_key: dict[str, list[Component]] = {}
        deps_of: list[tuple[Component, list[tuple[str, str | None]]]] = []
        for value in array(doc.get("packages", []), path, "[[packages]]"):
            entry = table(value, path, "[[packages]]")
            name = text_field(entry.get("name"), path, "package name")
            try:
                comp, deps, warning = _component(path, entry, name, defaults)
            except InvalidLockfile as exc:
                if exc.line is not None:
                    raise
                # searched only on this error path: per package it would be quadratic
                line = line_of(text, f'name = "{name}"') or line_of(text, f"name = '{name}'")
                raise InvalidLockfile(path, exc.reason, line=line) from None
            same = by_key.setdefault(_key(name), [])
            same.append(comp)
            check_versions(path, name, len(same))
            bom.components.append(comp)
            deps_of.append((comp, deps))
            if warning:
                bom.warnings.append(f"{lines.where(path, name)}: {warning}")
        for comp, deps in deps_of:
            for dep_key, version in deps:
                targets = by_key.get(dep_key, [])
                if version is not None and len(targets) > 1:
                    targets = [t for t in targets if t.version == version] or targets
                bom.edges.update((comp.ref, t.ref) for t in targets if t is not comp)
        return bom


def _check_version(path: Path, text: str, doc: dict[str, Any]) -> None:
    version = doc.get("lock-version")
    if version is None:
        raise InvalidLockfile(path, "not a pylock.toml: no 'lock-version'")
    line = line_of(text, "lock-version")
    version = text_field(version, path, "lock-version", line=line)
    if version.split(".")[0] != "1":
        raise InvalidLockfile(
            path, f"lock-version {quote(version)} is not supported (only 1.x)", line=line
        )


def _component(
    path: Path, entry: dict[str, Any], name: str, defaults: set[str]
) -> tuple[Component, list[tuple[str, str | None]], str | None]:
    raw_version = entry.get("version")
    version = "" if raw_version is None else text_field(raw_version, path, f"version of {name}")
    kind = next((k for k in _SOURCES if k in entry), None)
    props: list[tuple[str, str]] = []
    index = entry.get("index")
    if index is not None:
        props.append(("assay:index", text_field(index, path, f"index of {quote(name)}")))
    warning = None
    if kind is not None:
        where = _source(path, name, kind, table(entry[kind], path, f"{kind} of {quote(name)}"))
        props.append(("assay:source", where))
        warning = f"{name} {version or '(no version)'} comes from a {kind} source ({quote(where)})"
    elif not version:
        raise InvalidLockfile(path, f"version of {quote(name)} is missing")
    comp = Component(
        ecosystem=ECOSYSTEM,
        name=name,
        version=version,
        source=str(path),
        scope=_scope(path, entry, name, defaults),
        hashes=_hashes(path, entry, name),
        properties=tuple(props),
    )
    return comp, _deps(path, entry.get("dependencies"), name), warning


def _source(path: Path, name: str, kind: str, spec: dict[str, Any]) -> str:
    """``git+https://host/repo@commit`` / a directory path / an archive url or path."""
    what = f"{kind} of {quote(name)}"
    if kind == "vcs":
        vcs_type = text_field(spec.get("type"), path, f"{what}: type")
        where = spec.get("url", spec.get("path"))
        commit = text_field(spec.get("commit-id"), path, f"{what}: commit-id")
        return f"{vcs_type}+{text_field(where, path, f'{what}: url or path')}@{commit}"
    if kind == "directory":
        return text_field(spec.get("path"), path, f"{what}: path")
    return text_field(spec.get("url", spec.get("path")), path, f"{what}: url or path")


def _scope(path: Path, entry: dict[str, Any], name: str, defaults: set[str]) -> Scope:
    marker = entry.get("marker")
    if marker is None:
        return Scope.REQUIRED
    marker = text_field(marker, path, f"marker of {quote(name)}")
    if "dependency_groups" in marker:
        groups = set(_GROUPS.findall(marker))
        if groups and not groups & defaults and "extras" not in marker:
            return Scope.DEV
    if "extras" in marker and "dependency_groups" not in marker:
        return Scope.OPTIONAL
    return Scope.REQUIRED


def _hashes(path: Path, entry: dict[str, Any], name: str) -> tuple[tuple[str, str], ...]:
    files: list[object] = []
    for kind in ("archive", "sdist"):
        if kind in entry:
            files.append(entry[kind])
    if "wheels" in entry:
        files.extend(array(entry["wheels"], path, f"wheels of {quote(name)}"))
    out: list[tuple[str, str]] = []
    for item in files:
        spec = table(item, path, f"file of {quote(name)}")
        hashes = spec.get("hashes")
        if hashes is None:
            continue
        for algo, digest in table(hashes, path, f"hashes of {quote(name)}").items():
            if algo.lower() not in {"sha256", "sha384", "sha512", "sha1", "md5"}:
                continue  # any hashlib algorithm is allowed; only these are kept
            parsed = hex_hash(algo.lower(), digest) if isinstance(digest, str) else None
            if parsed is None:
                raise InvalidLockfile(path, f"invalid {quote(algo)} hash for {quote(name)}")
            out.append(parsed)
    return tuple(dict.fromkeys(out))


def _deps(path: Path, items: object, name: str) -> list[tuple[str, str | None]]:
    if items is None:
        return []
    out: list[tuple[str, str | None]] = []
    for item in array(items, path, f"dependencies of {quote(name)}"):
        dep = table(item, path, f"dependency of {quote(name)}")
        dep_name = text_field(dep.get("name"), path, f"dependency of {quote(name)}")
        version = dep.get("version")
        out.append((_key(dep_name), version if isinstance(version, str) else None))
    return out
