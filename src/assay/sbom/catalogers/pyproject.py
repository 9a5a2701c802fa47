"""Declared dependencies of a ``pyproject.toml`` that no lockfile covers.

Why only without a lockfile: a project with ``poetry.lock``, ``uv.lock``,
``pdm.lock``, ``pylock*.toml``, ``Pipfile.lock`` or ``requirements*.txt`` beside
its ``pyproject.toml`` is described exactly by that lockfile (whose reader also
uses the pyproject to tell direct from transitive). Reading the pyproject too
would report each dependency twice, once resolved and once only declared, so
:meth:`PyprojectCataloger.matches` looks at the siblings and leaves such a
pyproject alone. Workspaces (uv, PDM, Poetry, a PEP 751 lock) lock every member
in one file at the workspace root, so a pyproject is also left alone when an
ancestor directory up to the repository root (the first one holding ``.git``,
at most ``claims.MAX_UP`` levels) has its own ``pyproject.toml`` and one of
those lockfiles. The price: an independent project nested below another locked
project is not read as declared dependencies.

What is read (every component is direct):

* PEP 621 ``[project] dependencies`` (required) and
  ``[project.optional-dependencies]`` (optional);
* PEP 735 ``[dependency-groups]`` (dev; ``{include-group = ...}`` entries are
  the other group's own entries, read there);
* Poetry's ``[tool.poetry.dependencies]`` (required, or optional with
  ``optional = true``; ``python`` is skipped), ``[tool.poetry.dev-dependencies]``
  and ``[tool.poetry.group.<name>.dependencies]`` (dev).

A requirement pinned to one version (``==1.2.3``, ``===1.2.3``, Poetry's bare
``1.2.3``) gets that version. Any other becomes a component with an empty
version, the property ``("assay:declared", "<specifier>")`` and a warning
that it is declared, not resolved.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from assay.sbom.catalogers import claims
from assay.sbom.catalogers._lockcommon import (
    MAX_FIELD,
    line_of,
    load_toml,
    quote,
    table,
)
from assay.sbom.catalogers.interface import InvalidLockfile
from assay.sbom.model import Bom, Component, Scope

ECOSYSTEM = "PyPI"
_PIN = re.compile(r"^\s*(?:===?)?\s*([0-9][A-Za-z0-9_.+!-]*)\s*$")
_POETRY_NAME = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$")
#: how many directories up a workspace root's lockfile is looked for
#: most declared dependencies read from one file (real projects declare dozens)
MAX_DECLARED = 100_000
#: quoted strings and ``key =`` starts of lines, indexed once for line numbers
_TOKENS = re.compile(r"""^[ \t]*([A-Za-z0-9_.-]+)[ \t]*=|"((?:[^"\\\n]|\\.)*)"|'([^'\n]*)'""", re.M)


class PyprojectCataloger:
    name = "pyproject"
    ecosystem = ECOSYSTEM

    def matches(self, path: Path) -> bool:
        return claims.pyproject(path)

    def read(self, path: Path) -> Bom:
        text, doc = load_toml(path)
        reader = _Reader(path, text)
        project = doc.get("project")
        if project is not None:
            project = table(project, path, "[project]", line=line_of(text, "[project]"))
            reader.pep508(project.get("dependencies"), Scope.REQUIRED, "[project] dependencies")
            extras = project.get("optional-dependencies")
            if extras is not None:
                what = "[project.optional-dependencies]"
                for extra, items in reader.table(extras, what).items():
                    reader.pep508(items, Scope.OPTIONAL, f"{what} {quote(extra)}")
            dynamic = project.get("dynamic")
            if isinstance(dynamic, list) and "dependencies" in dynamic:
                reader.bom.warnings.append(
                    f"{path}: dependencies are dynamic (computed at build time); not read"
                )
        groups = doc.get("dependency-groups")
        if groups is not None:
            for group, items in reader.table(groups, "[dependency-groups]").items():
                reader.pep508(items, Scope.DEV, f"[dependency-groups] {quote(group)}", groups=True)
        tool = doc.get("tool")
        poetry = tool.get("poetry") if isinstance(tool, dict) else None
        if poetry is not None:
            _read_poetry(reader, reader.table(poetry, "[tool.poetry]"))
        return reader.bom


def _read_poetry(reader: _Reader, poetry: dict[str, Any]) -> None:
    deps = poetry.get("dependencies")
    if deps is not None:
        reader.poetry(deps, Scope.REQUIRED, "[tool.poetry.dependencies]")
    dev = poetry.get("dev-dependencies")
    if dev is not None:
        reader.poetry(dev, Scope.DEV, "[tool.poetry.dev-dependencies]")
    groups = poetry.get("group")
    if groups is None:
        return
    for group, spec in reader.table(groups, "[tool.poetry.group]").items():
        what = f"[tool.poetry.group.{quote(group)}]"
        items = reader.table(spec, what).get("dependencies")
        if items is not None:
            reader.poetry(items, Scope.DEV, f"{what} dependencies")


class _Reader:
    """Collects components of one pyproject, with lines for messages."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.text = text
        self.bom = Bom(sources=[str(path)])
        self._seen: set[tuple[str, str, Scope]] = set()
        self._index: dict[str, int] | None = None

    def line(self, needle: str) -> int | None:
        """Line of a table header (searched) or of a string or key (indexed in one pass)."""
        if needle.startswith("["):
            return line_of(self.text, needle.split(" ")[0])
        if self._index is None:
            self._index = {}
            line, pos = 1, 0
            for m in _TOKENS.finditer(self.text):
                line += self.text.count("\n", pos, m.start())
                pos = m.start()
                if m.group(1) is not None:
                    self._index.setdefault(m.group(1) + " =", line)
                else:
                    self._index.setdefault(m.group(2) or m.group(3) or "", line)
        return self._index.get(needle)

    def table(self, value: object, what: str) -> dict[str, Any]:
        header = what.split(" ")[0]
        line = self.line(header) or self.line(header.strip("[]").rsplit(".", 1)[-1] + " =")
        return table(value, self.path, what, line=line)

    def pep508(self, items: object, scope: Scope, what: str, *, groups: bool = False) -> None:
        if items is None:
            return
        if not isinstance(items, list):
            raise InvalidLockfile(self.path, f"{what} must be an array", line=self.line(what))
        from packaging.requirements import InvalidRequirement, Requirement

        for item in items:
            if groups and isinstance(item, dict) and "include-group" in item:
                continue
            if not isinstance(item, str) or len(item) > MAX_FIELD:
                raise InvalidLockfile(
                    self.path, f"{what}: {quote(str(item))} is not a requirement string"
                )
            try:
                req = Requirement(item)
            except InvalidRequirement as exc:
                reason = str(exc).splitlines()[0]
                raise InvalidLockfile(
                    self.path,
                    f"{what}: invalid requirement {quote(item)}: {quote(reason)}",
                    line=self.line(item),
                ) from None
            spec = str(req.specifier)
            pins = [s.version for s in req.specifier if s.operator in ("==", "===")]
            pinned = pins[0] if len(req.specifier) == 1 and pins and "*" not in pins[0] else None
            declared = spec or (f"@ {req.url}" if req.url else "")
            self.add(req.name, pinned, declared, scope, self.line(item))

    def poetry(self, deps: object, scope: Scope, what: str) -> None:
        for name, spec in self.table(deps, what).items():
            if name.lower() == "python":
                continue
            if not _POETRY_NAME.match(name) or len(name) > MAX_FIELD:
                raise InvalidLockfile(
                    self.path, f"{what}: {quote(name)} is not a package name", line=self.line(what)
                )
            line = self.line(f"{name} =") or self.line(what)
            # a list holds one constraint per environment: each is read on its own
            for one in spec if isinstance(spec, list) else [spec]:
                self._poetry_one(name, one, scope, what, line)

    def _poetry_one(
        self, name: str, spec: object, scope: Scope, what: str, line: int | None
    ) -> None:
        if isinstance(spec, dict):
            if spec.get("optional") is True and scope is Scope.REQUIRED:
                scope = Scope.OPTIONAL
            source = next((k for k in ("git", "path", "url") if k in spec), None)
            raw = spec.get("version", f"{source} {spec[source]}" if source else "")
        else:
            raw = spec
        if not isinstance(raw, str) or len(raw) > MAX_FIELD:
            raise InvalidLockfile(
                self.path, f"{what}: version of {quote(name)} must be a string", line=line
            )
        m = _PIN.match(raw)
        self.add(name, m.group(1) if m else None, raw.strip(), scope, line)

    def add(
        self, name: str, version: str | None, declared: str, scope: Scope, line: int | None
    ) -> None:
        key = (name.lower(), version or declared, scope)
        if key in self._seen:
            return
        if len(self._seen) >= MAX_DECLARED:
            raise InvalidLockfile(self.path, f"more than {MAX_DECLARED:,} declared dependencies")
        self._seen.add(key)
        props: tuple[tuple[str, str], ...] = ()
        if version is None:
            props = (("assay:declared", declared or "*"),)
            where = f"{self.path}:{line}" if line else str(self.path)
            self.bom.warnings.append(
                f"{where}: {quote(name)} {quote(declared or '(any version)')} is declared,"
                " not resolved (no lockfile beside pyproject.toml)"
            )
        self.bom.components.append(
            Component(
                ecosystem=ECOSYSTEM,
                name=name,
                version=version or "",
                source=str(self.path),
                scope=scope,
                direct=True,
                properties=props,
            )
        )
