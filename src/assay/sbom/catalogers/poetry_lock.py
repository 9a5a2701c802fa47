"""Poetry's ``poetry.lock``, every format generation.

* Old format (Poetry < 1.4, no ``lock-version`` or ``1.x``): ``category =
  "main"|"dev"`` and hashes under ``[metadata.files]`` (or the older
  ``[metadata.hashes]``, bare SHA-256 digests), keyed by package name. When a
  name is locked at several versions, a file is given to the version its
  file name carries.
* ``lock-version = "2.0"``: per-package ``files``; ``"2.1"`` (Poetry 2): per-package
  ``groups`` - a package in group ``main`` is required, one only in other
  groups is dev. ``optional = true`` (an extra's dependency) is scope optional.
* Edges come from ``[package.dependencies]``: a dependency name points at every
  locked version of that name (markers are not evaluated).
* Direct vs transitive: from the sibling ``pyproject.toml`` when it exists
  (``[tool.poetry.dependencies]``, dev-dependencies, groups, PEP 621
  ``[project]`` dependencies, PEP 735 ``[dependency-groups]``); otherwise None.
* Packages from ``git``, ``url``, ``file`` or ``directory`` sources are kept
  (with their declared version) and noted in the warnings: their code does not
  come from PyPI, so a PyPI advisory may or may not apply.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from assay.core.inputs import parse_toml, read_text
from assay.sbom.catalogers import claims
from assay.sbom.catalogers._lockcommon import (
    NameLines,
    array,
    check_versions,
    field,
    hex_hash,
    line_of,
    load_toml,
    parse_hash,
    quote,
    sibling,
    table,
)
from assay.sbom.catalogers.interface import InvalidLockfile
from assay.sbom.model import Bom, Component, Scope

ECOSYSTEM = "PyPI"
_NORMALISE = re.compile(r"[-_.]+")
_PEP508_NAME = re.compile(r"\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)")
_LOCAL_SOURCES = frozenset({"git", "url", "file", "directory"})


def key(name: str) -> str:
    return _NORMALISE.sub("-", name).lower()


class PoetryLockCataloger:
    name = "poetry-lock"
    ecosystem = ECOSYSTEM

    def matches(self, path: Path) -> bool:
        return claims.by_name("poetry.lock")(path)

    def read(self, path: Path) -> Bom:
        text, doc = load_toml(path)
        packages = array(doc.get("package", []), path, "[[package]]")
        if not packages and "metadata" not in doc:
            raise InvalidLockfile(path, "not a poetry.lock: no [[package]] or [metadata]")
        metadata = table(doc.get("metadata", {}), path, "[metadata]")
        direct = pyproject_direct_names(sibling(path, "poetry.lock", "pyproject.toml"))
        old_files = _old_hashes(path, metadata)
        bom = Bom(sources=[str(path)])
        lines = NameLines(text)
        by_key: dict[str, list[Component]] = {}
        deps_of: list[tuple[Component, dict[str, Any]]] = []
        versions: dict[str, int] = {}
        for entry in packages:
            entry = table(entry, path, "[[package]]")
            k = key(field(entry.get("name"), path, "package name"))
            versions[k] = versions.get(k, 0) + 1
            check_versions(path, entry["name"], versions[k])
        for entry in packages:
            name = entry["name"]
            line = None
            version = entry.get("version")
            if not isinstance(version, str):
                line = line_of(text, f'name = "{name}"')
            version = field(version, path, f"version of {quote(name)}", line=line)
            k = key(name)
            hashes = _hashes(path, text, entry, old_files.get(k, []), name, version, versions[k])
            comp = Component(
                ecosystem=ECOSYSTEM,
                name=name,
                version=version,
                source=str(path),
                scope=_scope(entry),
                direct=None if direct is None else k in direct,
                hashes=hashes,
            )
            bom.components.append(comp)
            by_key.setdefault(k, []).append(comp)
            source = entry.get("source")
            if isinstance(source, dict) and source.get("type") in _LOCAL_SOURCES:
                bom.warnings.append(
                    f"{lines.where(path, name)}: {name} {version} comes from a"
                    f" {source['type']} source, not PyPI"
                )
            deps = entry.get("dependencies")
            if deps:
                deps_of.append((comp, table(deps, path, f"dependencies of {quote(name)}")))
        for comp, deps in deps_of:
            for dep in deps:
                for child in by_key.get(key(dep), ()):
                    bom.edges.add((comp.ref, child.ref))
        return bom


def _scope(entry: dict[str, Any]) -> Scope:
    groups = entry.get("groups")
    if isinstance(groups, list) and groups:
        if "main" not in groups:
            return Scope.DEV
    elif entry.get("category") == "dev":
        return Scope.DEV
    return Scope.OPTIONAL if entry.get("optional") is True else Scope.REQUIRED


def _old_hashes(path: Path, metadata: dict[str, Any]) -> dict[str, list[Any]]:
    """``[metadata.files]`` (file tables) or ``[metadata.hashes]`` (bare digests), by name."""
    out: dict[str, list[Any]] = {}
    for section in ("files", "hashes"):
        value = metadata.get(section)
        if value is None:
            continue
        for name, items in table(value, path, f"[metadata.{section}]").items():
            out.setdefault(key(name), []).extend(
                array(items, path, f"[metadata.{section}] {quote(name)}")
            )
    return out


def _hashes(
    path: Path,
    text: str,
    entry: dict[str, Any],
    old: list[Any],
    name: str,
    version: str,
    versions: int,
) -> tuple[tuple[str, str], ...]:
    files = entry.get("files")
    items: list[Any] = array(files, path, f"files of {quote(name)}") if files is not None else old
    out: list[tuple[str, str]] = []
    for item in items:
        if isinstance(item, str):  # [metadata.hashes]: bare sha256 digests
            parsed = hex_hash("sha256", item)
            filename = ""
        elif isinstance(item, dict):
            raw, file = item.get("hash"), item.get("file")
            parsed = parse_hash(raw) if isinstance(raw, str) else None
            filename = file if isinstance(file, str) else ""
        else:
            parsed = None
            filename = ""
        if parsed is None:
            line = line_of(text, f'name = "{name}"') if files is not None else None
            raise InvalidLockfile(path, f"invalid hash entry for {quote(name)}", line=line)
        if files is None and versions > 1 and filename and not _file_has_version(filename, version):
            continue
        out.append(parsed)
    return tuple(dict.fromkeys(out))


def _file_has_version(filename: str, version: str) -> bool:
    # name-1.2.3-py3-none-any.whl, name-1.2.3.tar.gz, name-1.2.3.zip
    return f"-{version}-" in filename or f"-{version}." in filename


def pyproject_direct_names(pyproject: Path) -> set[str] | None:
    """Normalised names the project declares, or None when there is no pyproject.toml."""
    if not pyproject.is_file():
        return None
    doc = parse_toml(read_text(pyproject, error=InvalidLockfile), pyproject, error=InvalidLockfile)
    names: set[str] = set()
    poetry = _dict(_dict(doc.get("tool")).get("poetry"))
    for section in ("dependencies", "dev-dependencies"):
        names.update(key(n) for n in _dict(poetry.get(section)))
    for group in _dict(poetry.get("group")).values():
        names.update(key(n) for n in _dict(_dict(group).get("dependencies")))
    project = _dict(doc.get("project"))
    _add_pep508(names, project.get("dependencies"))
    for extra in _dict(project.get("optional-dependencies")).values():
        _add_pep508(names, extra)
    for group in _dict(doc.get("dependency-groups")).values():
        _add_pep508(names, group)
    names.discard("python")
    return names


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _add_pep508(names: set[str], items: object) -> None:
    if not isinstance(items, list):
        return
    for item in items:
        if isinstance(item, str):
            m = _PEP508_NAME.match(item)
            if m:
                names.add(key(m.group(1)))
