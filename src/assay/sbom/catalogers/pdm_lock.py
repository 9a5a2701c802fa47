"""PDM's ``pdm.lock`` (TOML), lock formats 3.x and 4.x.

* Every ``[[package]]`` is a component. PDM writes a package once more per
  extra it is locked with (``extras = ["socks"]``); those entries are one
  component (dependencies and hashes joined).
* Scope from the package's ``groups`` (older files: ``sections``): ``default``
  is required. Another group is optional when the sibling ``pyproject.toml``
  declares it under ``[project.optional-dependencies]``, else dev (PDM's
  ``[tool.pdm.dev-dependencies]`` and PEP 735 ``[dependency-groups]``); a
  package in several groups takes the strongest. No groups at all: required.
* Hashes: per-package ``files`` (``{file|url = ..., hash = "sha256:..."}``), or
  in old files ``[metadata.files]`` keyed ``"name version"``.
* Edges: ``dependencies`` are PEP 508 strings; a name points at every locked
  version of it (a ``==`` pin picks that version). Markers are not evaluated.
* Direct vs transitive: from the sibling ``pyproject.toml`` when it exists,
  otherwise None.
* ``path``, ``url``, ``git`` and editable entries are kept and noted in the
  warnings: their code does not come from PyPI.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assay.core.inputs import parse_toml, read_text
from assay.sbom.catalogers import claims
from assay.sbom.catalogers._lockcommon import (
    NameLines,
    array,
    check_versions,
    line_of,
    load_toml,
    parse_hash,
    quote,
    sibling,
    table,
)
from assay.sbom.catalogers._lockcommon import field as text_field
from assay.sbom.catalogers.interface import InvalidLockfile
from assay.sbom.catalogers.poetry_lock import pyproject_direct_names
from assay.sbom.model import Bom, Component, Scope

ECOSYSTEM = "PyPI"
_NORMALISE = re.compile(r"[-_.]+")
_PEP508 = re.compile(
    r"\s*(?P<name>[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(?:\[[^\]]*\])?"
    r"\s*(?:===?\s*(?P<pin>[A-Za-z0-9_.+!-]+)\s*(?:;|$))?"
)
_LOCAL = ("git", "url", "path")
_RANK = {Scope.REQUIRED: 0, Scope.OPTIONAL: 1, Scope.DEV: 2}


def _key(name: str) -> str:
    return _NORMALISE.sub("-", name).lower()


@dataclass(slots=True)
class _Pkg:
    name: str
    version: str
    scope: Scope
    deps: list[tuple[str, str | None]] = field(default_factory=list)
    hashes: list[tuple[str, str]] = field(default_factory=list)


class PdmLockCataloger:
    name = "pdm-lock"
    ecosystem = ECOSYSTEM

    def matches(self, path: Path) -> bool:
        return claims.by_name("pdm.lock")(path)

    def read(self, path: Path) -> Bom:
        text, doc = load_toml(path)
        if "package" not in doc and "metadata" not in doc:
            raise InvalidLockfile(path, "not a pdm.lock: no [[package]] and no [metadata]")
        metadata = table(
            doc.get("metadata", {}), path, "[metadata]", line=line_of(text, "metadata")
        )
        pyproject = sibling(path, "pdm.lock", "pyproject.toml")
        direct = pyproject_direct_names(pyproject)
        project_doc = _read_pyproject(pyproject) if direct is not None else {}
        if direct is not None:
            direct |= _pdm_dev_names(project_doc)
        optional_groups = _optional_groups(project_doc)
        old_files = _old_files(path, text, metadata)
        pkgs: dict[tuple[str, str], _Pkg] = {}
        lines = NameLines(text)
        bom = Bom(sources=[str(path)])
        versions: dict[str, int] = {}
        for entry in array(doc.get("package", []), path, "[[package]]"):
            pkg, fresh = _merge(path, text, entry, optional_groups, pkgs)
            if fresh:
                k = _key(pkg.name)
                versions[k] = versions.get(k, 0) + 1
                check_versions(path, pkg.name, versions[k])
                kind = next((s for s in _LOCAL if s in entry), None)
                if kind is not None or entry.get("editable") is True:
                    bom.warnings.append(
                        f"{lines.where(path, pkg.name)}: {pkg.name} {pkg.version} comes from a"
                        f" {kind or 'editable'} source, not PyPI"
                    )
        by_key: dict[str, list[Component]] = {}
        comps: list[tuple[_Pkg, Component]] = []
        for (k, version), pkg in pkgs.items():
            hashes = pkg.hashes + old_files.get((k, version), [])
            comp = Component(
                ecosystem=ECOSYSTEM,
                name=pkg.name,
                version=pkg.version,
                source=str(path),
                scope=pkg.scope,
                direct=None if direct is None else k in direct,
                hashes=tuple(dict.fromkeys(hashes)),
            )
            bom.components.append(comp)
            by_key.setdefault(k, []).append(comp)
            comps.append((pkg, comp))
        for pkg, comp in comps:
            for dep_key, pin in pkg.deps:
                targets = by_key.get(dep_key, [])
                if pin is not None and len(targets) > 1:
                    targets = [t for t in targets if t.version == pin] or targets
                bom.edges.update((comp.ref, t.ref) for t in targets if t is not comp)
        return bom


def _merge(
    path: Path,
    text: str,
    value: object,
    optional_groups: set[str],
    pkgs: dict[tuple[str, str], _Pkg],
) -> tuple[_Pkg, bool]:
    """Add one ``[[package]]`` to ``pkgs``; True when it was not there yet."""
    entry = table(value, path, "[[package]]")
    name = text_field(entry.get("name"), path, "package name")
    try:
        version = text_field(entry.get("version"), path, f"version of {quote(name)}")
        scope = _scope(path, entry, name, None, optional_groups)
        deps = _deps(path, entry.get("dependencies"), name, None)
        hashes = _files(path, entry.get("files"), name, None)
    except InvalidLockfile as exc:
        # the line is searched for only on this error path: per package it would be quadratic
        raise InvalidLockfile(path, exc.reason, line=line_of(text, f'name = "{name}"')) from None
    pkg = pkgs.get((_key(name), version))
    fresh = pkg is None
    if pkg is None:
        pkg = pkgs[(_key(name), version)] = _Pkg(name, version, scope)
    elif _RANK[scope] < _RANK[pkg.scope]:
        pkg.scope = scope
    pkg.deps.extend(deps)
    pkg.hashes.extend(hashes)
    return pkg, fresh


def _scope(
    path: Path, entry: dict[str, Any], name: str, line: int | None, optional: set[str]
) -> Scope:
    groups = entry.get("groups", entry.get("sections"))
    if groups is None:
        return Scope.REQUIRED
    groups = array(groups, path, f"groups of {quote(name)}", line=line)
    if not groups or "default" in groups:
        return Scope.REQUIRED
    if any(isinstance(g, str) and g in optional for g in groups):
        return Scope.OPTIONAL
    return Scope.DEV


def _deps(path: Path, items: object, name: str, line: int | None) -> list[tuple[str, str | None]]:
    if items is None:
        return []
    out: list[tuple[str, str | None]] = []
    for item in array(items, path, f"dependencies of {quote(name)}", line=line):
        m = _PEP508.match(item) if isinstance(item, str) else None
        if m is None:
            raise InvalidLockfile(
                path,
                f"dependency {quote(str(item))} of {quote(name)} is not a requirement",
                line=line,
            )
        out.append((_key(m.group("name")), m.group("pin")))
    return out


def _files(path: Path, items: object, name: str, line: int | None) -> list[tuple[str, str]]:
    if items is None:
        return []
    out: list[tuple[str, str]] = []
    for item in array(items, path, f"files of {quote(name)}", line=line):
        raw = item.get("hash") if isinstance(item, dict) else None
        parsed = parse_hash(raw) if isinstance(raw, str) else None
        if parsed is None:
            raise InvalidLockfile(path, f"invalid file hash for {quote(name)}", line=line)
        out.append(parsed)
    return out


def _old_files(
    path: Path, text: str, metadata: dict[str, Any]
) -> dict[tuple[str, str], list[tuple[str, str]]]:
    """``[metadata.files]``: ``"name version" = [{url, hash}, ...]`` (lock format 3.x)."""
    files = metadata.get("files")
    if files is None:
        return {}
    out: dict[tuple[str, str], list[tuple[str, str]]] = {}
    line = line_of(text, "[metadata.files]")
    for label, items in table(files, path, "[metadata.files]", line=line).items():
        name, _, version = label.partition(" ")
        if not version:
            raise InvalidLockfile(
                path, f"[metadata.files] key {quote(label)} is not 'name version'", line=line
            )
        out[(_key(name), version.strip())] = _files(path, items, name, line)
    return out


def _read_pyproject(pyproject: Path) -> dict[str, Any]:
    text = read_text(pyproject, error=InvalidLockfile)
    return parse_toml(text, pyproject, error=InvalidLockfile)


def _optional_groups(doc: dict[str, Any]) -> set[str]:
    project = doc.get("project")
    extras = project.get("optional-dependencies") if isinstance(project, dict) else None
    return set(extras) if isinstance(extras, dict) else set()


def _pdm_dev_names(doc: dict[str, Any]) -> set[str]:
    """Names under ``[tool.pdm.dev-dependencies]`` (PDM's pre-PEP 735 dev groups)."""
    tool = doc.get("tool")
    pdm = tool.get("pdm") if isinstance(tool, dict) else None
    groups = pdm.get("dev-dependencies") if isinstance(pdm, dict) else None
    names: set[str] = set()
    for items in groups.values() if isinstance(groups, dict) else ():
        for item in items if isinstance(items, list) else ():
            m = _PEP508.match(item) if isinstance(item, str) else None
            if m is not None:
                names.add(_key(m.group("name")))
    return names
