"""Maven ``pom.xml``: the dependencies a POM declares, with what the file itself resolves.

Offline, a POM gives only its own declarations: versions inherited from a
parent POM in a repository, or imported from a BOM, and every transitive
dependency need Maven's resolver and the network. So this reader resolves what
the file holds (``${...}`` from ``<properties>``, ``project.*`` and the
``<parent>`` block's coordinates, ``<dependencyManagement>`` versions and
scopes), keeps a dependency whose version it cannot resolve with an empty
version and a warning, and always says in a warning that the result is the
declared dependencies only. Profiles' dependencies are kept as optional (an
active profile ships them), marked with the profile's id.

Scopes: compile and runtime -> required, test -> dev, provided and system ->
optional, and ``<optional>true</optional>`` -> optional.
"""

from __future__ import annotations

from pathlib import Path
from xml.etree.ElementTree import Element

from assay.sbom.catalogers import claims
from assay.sbom.catalogers._lockcommon import field, quote
from assay.sbom.catalogers._maven_props import Properties
from assay.sbom.catalogers._xml import XmlDocument, namespace, parse
from assay.sbom.catalogers.interface import InvalidLockfile
from assay.sbom.model import Bom, Component, Scope

ECOSYSTEM = "Maven"
_SCOPES = {
    "": Scope.REQUIRED,
    "compile": Scope.REQUIRED,
    "runtime": Scope.REQUIRED,
    "test": Scope.DEV,
    "provided": Scope.OPTIONAL,
    "system": Scope.OPTIONAL,
}
#: most dependencies one POM may declare; real ones declare at most a few hundred
MAX_DEPENDENCIES = 20_000


class MavenPomCataloger:
    name = "maven-pom"
    ecosystem = ECOSYSTEM

    def matches(self, path: Path) -> bool:
        return claims.by_name("pom.xml")(path)

    def read(self, path: Path) -> Bom:
        return _Pom(path, parse(path, root="project", what="Maven POM")).bom()


class _Pom:
    def __init__(self, path: Path, doc: XmlDocument) -> None:
        self.path = path
        self.doc = doc
        self.ns = namespace(doc.root)
        self.project = doc.root
        self.warnings: list[str] = []
        self.props = Properties(path)
        self.imports: list[str] = []  # BOMs imported into <dependencyManagement>
        self._coordinates()

    # -- element helpers --------------------------------------------------
    def child(self, element: Element | None, name: str) -> Element | None:
        return None if element is None else element.find(self.ns + name)

    def children(self, element: Element | None, *names: str) -> list[Element]:
        if element is None:
            return []
        return element.findall("/".join(self.ns + n for n in names))

    def text_of(self, element: Element | None, name: str) -> str:
        found = self.child(element, name)
        return (found.text or "").strip() if found is not None else ""

    def raw(self, element: Element | None, name: str) -> str:
        """A one-line element value (coordinates, scope): control characters refused."""
        found = self.child(element, name)
        text = (found.text or "").strip() if found is not None else ""
        return field(text, self.path, f"<{name}>", line=self.doc.line(found), required=False)

    def where(self, element: Element) -> str:
        line = self.doc.line(element)
        return f"{self.path}:{line}" if line else str(self.path)

    # -- the project's own coordinates and properties ----------------------
    def _coordinates(self) -> None:
        project, props = self.project, self.props
        parent = self.child(project, "parent")
        props.define_block(self.children(project, "properties", "*"), self.ns)
        parent_group, parent_version = self.raw(parent, "groupId"), self.raw(parent, "version")
        group = self.raw(project, "groupId") or parent_group
        version = self.raw(project, "version") or parent_version
        artifact = self.raw(project, "artifactId")
        for prefix in ("project.", "pom.", ""):
            props.define_builtin(f"{prefix}groupId", group)
            props.define_builtin(f"{prefix}artifactId", artifact)
            props.define_builtin(f"{prefix}version", version)
        for prefix in ("project.parent.", "parent."):
            props.define_builtin(f"{prefix}groupId", parent_group)
            props.define_builtin(f"{prefix}version", parent_version)
        self.parent = (
            f"{parent_group}:{self.raw(parent, 'artifactId')}:{parent_version}"
            if parent is not None
            else ""
        )
        self.group = props.resolve(group) or group
        self.artifact = props.resolve(artifact) or artifact
        self.version = props.resolve(version) or ""

    # -- dependencies ------------------------------------------------------
    def bom(self) -> Bom:
        managed = self._managed()
        components: dict[str, Component] = {}
        sections: list[tuple[str, list[Element]]] = [
            ("", self.children(self.project, "dependencies", "dependency"))
        ]
        for block in self.children(self.project, "profiles", "profile"):
            deps = self.children(block, "dependencies", "dependency")
            if deps:
                sections.append((self.raw(block, "id") or "unnamed", deps))
        count = 0
        for profile, deps in sections:
            for dep in deps:
                count += 1
                if count > MAX_DEPENDENCIES:
                    raise InvalidLockfile(
                        self.path, f"more than {MAX_DEPENDENCIES:,} dependencies declared"
                    )
                component = self._dependency(dep, managed, profile)
                if component is None:
                    continue
                prev = components.get(component.name)
                if prev is None or (prev.scope is not Scope.REQUIRED and not profile):
                    components[component.name] = component
        bom = Bom(components=list(components.values()), sources=[str(self.path)])
        bom.warnings.append(
            f"{self.path}: these are the dependencies declared in the POM; transitive "
            "dependencies cannot be resolved offline (run `mvn dependency:tree` for the full tree)"
        )
        bom.warnings.extend(self.warnings)
        bom.subject = self._subject()
        return bom

    def _managed(self) -> dict[str, tuple[str, str]]:
        """``group:artifact`` -> (resolved version, scope) from <dependencyManagement>."""
        managed: dict[str, tuple[str, str]] = {}
        for dep in self.children(
            self.project, "dependencyManagement", "dependencies", "dependency"
        ):
            group = self.props.resolve(self.raw(dep, "groupId"))
            artifact = self.props.resolve(self.raw(dep, "artifactId"))
            if not group or not artifact:
                continue
            version = self.props.resolve(self.raw(dep, "version")) or ""
            if self.raw(dep, "scope") == "import":
                self.imports.append(f"{group}:{artifact}:{version}")
                continue
            managed.setdefault(f"{group}:{artifact}", (version, self.raw(dep, "scope")))
        return managed

    def _dependency(
        self, dep: Element, managed: dict[str, tuple[str, str]], profile: str
    ) -> Component | None:
        raw_group, raw_artifact = self.raw(dep, "groupId"), self.raw(dep, "artifactId")
        group, artifact = self.props.resolve(raw_group), self.props.resolve(raw_artifact)
        if not group or not artifact:
            self.warnings.append(
                f"{self.where(dep)}: dependency {quote(raw_group)}:{quote(raw_artifact)} has "
                "an unresolvable groupId or artifactId; skipped"
            )
            return None
        name = f"{group}:{artifact}"
        managed_version, managed_scope = managed.get(name, ("", ""))
        raw_version = self.raw(dep, "version")
        version = self.props.resolve(raw_version) if raw_version else managed_version
        if not version:
            self.warnings.append(f"{self.where(dep)}: {quote(name)} {self._why(raw_version)}")
            version = ""
        scope_text = self.props.resolve(self.raw(dep, "scope") or managed_scope) or ""
        scope = _SCOPES.get(scope_text)
        if scope is None:
            self.warnings.append(
                f"{self.where(dep)}: {quote(name)} has unknown scope {quote(scope_text)}; "
                "taken as compile"
            )
            scope = Scope.REQUIRED
        optional = self.props.resolve(self.raw(dep, "optional")) == "true"
        if (optional or profile) and scope is Scope.REQUIRED:
            scope = Scope.OPTIONAL
        properties: list[tuple[str, str]] = []
        if scope_text:
            properties.append(("maven:scope", scope_text))
        if profile:
            properties.append(("maven:profile", profile))
        return Component(
            ECOSYSTEM,
            name,
            version,
            source=str(self.path),
            scope=scope,
            direct=True,
            namespace=group,
            properties=tuple(properties),
        )

    def _why(self, raw_version: str) -> str:
        if raw_version:
            return (
                f"version {quote(raw_version)} uses a property this file does not define; "
                "kept without a version"
            )
        origins = [f"the parent POM {quote(self.parent)}"] if self.parent else []
        origins += [f"the imported BOM {quote(b)}" for b in self.imports[:3]]
        origin = " or ".join(origins) or "a parent POM or imported BOM this file does not name"
        return f"has no version here (it comes from {origin}); kept without a version"

    def _subject(self) -> Component | None:
        if not self.group or not self.artifact:
            return None
        refs: list[tuple[str, str]] = []
        url = self.props.resolve(self.raw(self.project, "url"))
        if url:
            refs.append(("website", url))
        scm = self.props.resolve(self.raw(self.child(self.project, "scm"), "url"))
        if scm:
            refs.append(("vcs", scm))
        description = " ".join(self.text_of(self.project, "description").split())[:4096] or None
        return Component(
            ECOSYSTEM,
            f"{self.group}:{self.artifact}",
            self.version,
            source=str(self.path),
            kind="application",
            namespace=self.group,
            description=description,
            external_refs=tuple(refs),
        )
