"""MSBuild project files (``*.csproj``, ``*.fsproj``, ``*.vbproj``): ``PackageReference``.

These are declarations, not a resolution: the versions are what the project
asks for, and what NuGet restores can differ (a floating ``1.*``, a range, or
a transitive package no project names). The Bom says so in a warning; a
``packages.lock.json`` beside the project is the better source, so a project
file is claimed only when there is none.

* ``<PackageReference Include="Id" Version="1.2.3" />`` or with a child
  ``<Version>1.2.3</Version>``; ``VersionOverride`` wins over both.
* Central package management: a reference without a version takes the
  ``<PackageVersion Include="Id" Version="..." />`` of the nearest
  ``Directory.Packages.props`` in the project's directory or above it (as
  MSBuild looks; the search stops at a repository root holding ``.git``).
* ``$(Name)`` properties defined in ``<PropertyGroup>`` of the project or of
  that file are substituted; an undefined one leaves the package out with a
  warning.
* A version NuGet resolves to itself is kept (``1.2.3``, ``[1.2.3]``, and a
  range with an inclusive lower bound ``[1.2,2.0)``: NuGet takes the lowest
  applicable version); a floating version (``1.*``) or a range without a
  lower bound is left out with a warning.
* Every component is direct; ``PrivateAssets="all"`` references
  (analysers, build tools that do not flow to consumers) are scope dev.
"""

from __future__ import annotations

import re
from pathlib import Path
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from assay.core.inputs import read_text
from assay.sbom.catalogers import claims
from assay.sbom.catalogers._lockcommon import MAX_FIELD, line_of, quote
from assay.sbom.catalogers.interface import InvalidLockfile
from assay.sbom.model import Bom, Component, Scope

ECOSYSTEM = "NuGet"
CENTRAL = "Directory.Packages.props"
#: directories searched above a project for Directory.Packages.props
MAX_PARENTS = 32
_PROPERTY = re.compile(r"\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)")
#: property substitutions per value; more means a self-referencing property
_MAX_EXPANSIONS = 16


class CsprojCataloger:
    name = "dotnet-csproj"
    ecosystem = ECOSYSTEM

    def matches(self, path: Path) -> bool:
        return claims.csproj(path)

    def read(self, path: Path) -> Bom:
        text = read_text(path, error=InvalidLockfile)
        root = _parse(path, text)
        if _local(root.tag) != "Project":
            raise InvalidLockfile(path, f"not an MSBuild project: root element {_local(root.tag)}")
        central_path = _central_file(path.parent)
        central: dict[str, str] = {}
        properties = _properties(root)
        if central_path is not None:
            central_text = read_text(central_path, error=InvalidLockfile)
            central_root = _parse(central_path, central_text)
            props = _properties(central_root)
            props.update(properties)
            properties = props
            for element in _elements(central_root, "PackageVersion"):
                name = element.get("Include")
                version = _value(element, "Version")
                if name and version:
                    central[name.lower()] = version
        return _Reader(path, text, properties, central).read(root)


class _Reader:
    def __init__(
        self, path: Path, text: str, properties: dict[str, str], central: dict[str, str]
    ) -> None:
        self.path = path
        self.text = text
        self.properties = properties
        self.central = central
        self.bom = Bom(sources=[str(path)])

    def where(self, name: str) -> str:
        line = line_of(self.text, f'"{name}"')
        return f"{self.path}:{line}" if line else str(self.path)

    def read(self, root: Element) -> Bom:
        seen: set[tuple[str, str]] = set()
        for element in _elements(root, "PackageReference"):
            name = element.get("Include")
            if name is None:
                continue  # <PackageReference Update="..."> changes metadata only
            self.check(name, "package id")
            raw = element.get("VersionOverride") or _value(element, "Version")
            if raw is None:
                raw = self.central.get(name.lower())
            if raw is None:
                self.bom.warnings.append(
                    f"{self.where(name)}: {quote(name)} has no version (and no {CENTRAL}"
                    " entry); not listed"
                )
                continue
            expanded = self.expand(raw)
            version = _pinned(expanded) if expanded is not None else None
            if version is None:
                self.bom.warnings.append(
                    f"{self.where(name)}: {quote(name)} version {quote(raw)} is not a single"
                    " version NuGet would restore; not listed"
                )
                continue
            self.check(version, f"version of {quote(name)}")
            if (name.lower(), version) in seen:
                continue
            seen.add((name.lower(), version))
            private = element.get("PrivateAssets") or _value(element, "PrivateAssets") or ""
            scope = Scope.DEV if private.strip().lower() == "all" else Scope.REQUIRED
            self.bom.components.append(
                Component(ECOSYSTEM, name, version, source=str(self.path), scope=scope, direct=True)
            )
        if self.bom.components:
            self.bom.warnings.append(
                f"{self.path}: declared PackageReference versions, not a restore; transitive"
                " packages are not listed (commit a packages.lock.json for the full tree)"
            )
        return self.bom

    def expand(self, value: str) -> str | None:
        for _ in range(_MAX_EXPANSIONS):
            m = _PROPERTY.search(value)
            if m is None:
                return value.strip()
            replacement = self.properties.get(m.group(1))
            if replacement is None:
                return None
            value = value[: m.start()] + replacement + value[m.end() :]
            if len(value) > MAX_FIELD:
                return None
        return None

    def check(self, value: str, what: str) -> None:
        if not value.strip() or len(value) > MAX_FIELD or not value.isprintable():
            printable = next((i for i, c in enumerate(value) if not c.isprintable()), len(value))
            needle = f'"{value[: min(printable, 40)]}'
            raise InvalidLockfile(
                self.path, f"invalid {what}: {quote(value)}", line=line_of(self.text, needle)
            )


def _parse(path: Path, text: str) -> Element:
    try:
        root: Element = fromstring(text, forbid_dtd=True)
    except ParseError as exc:
        line, column = getattr(exc, "position", (None, 0))
        reason = str(exc).split(":", 1)[0]
        raise InvalidLockfile(path, f"invalid XML: {reason} (column {column})", line=line) from None
    except DefusedXmlException as exc:
        raise InvalidLockfile(path, f"refused XML: {type(exc).__name__}") from None
    except RecursionError:
        raise InvalidLockfile(path, "XML nested too deeply") from None
    return root


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _elements(root: Element, name: str) -> list[Element]:
    """Elements named ``name`` in any ``ItemGroup`` (MSBuild's namespace or none)."""
    return [
        e
        for group in root
        if _local(group.tag) == "ItemGroup"
        for e in group
        if _local(e.tag) == name
    ]


def _value(element: Element, name: str) -> str | None:
    value = element.get(name)
    if value is not None:
        return value
    for child in element:
        if _local(child.tag) == name:
            return (child.text or "").strip() or None
    return None


def _properties(root: Element) -> dict[str, str]:
    props: dict[str, str] = {}
    for group in root:
        if _local(group.tag) != "PropertyGroup":
            continue
        for prop in group:
            name = _local(prop.tag)
            if name and prop.text is not None and len(prop.text) <= MAX_FIELD:
                props[name] = prop.text.strip()
    return props


def _pinned(version: str) -> str | None:
    """The version NuGet restores for a requested version, when it is fixed."""
    if "*" in version or not version:
        return None
    if version[0] not in "[(":
        return version if "," not in version else None
    if version[0] == "(" or version[-1] not in ")]":
        return None  # an exclusive or missing lower bound: not one version
    low, _, _high = version[1:-1].partition(",")
    return low.strip() or None


def _central_file(directory: Path) -> Path | None:
    for _, folder in zip(range(MAX_PARENTS), (directory, *directory.parents), strict=False):
        candidate = folder / CENTRAL
        if candidate.is_file():
            return candidate
        if (folder / ".git").exists():
            return None
    return None
