"""Gradle dependency verification metadata: ``gradle/verification-metadata.xml``.

Each ``<component group name version>`` lists the artifacts Gradle verified
(``<artifact name="guava-31.1-jre.jar">``) with their checksums
(``<sha256 value="..."/>``, also ``sha512``, ``sha1``, ``md5``; ``<also-trust>``
alternatives are not the artifact's own digest and are skipped). A component's
hashes are those of its main artifact: the ``name-version.jar`` when present,
else its first binary, else its POM or Gradle module file (a parent POM or a
platform has nothing else). The file covers everything the build resolved,
plugins and test dependencies too, without saying which is which: scopes are
left as required and directness as unknown, and a warning says so.
"""

from __future__ import annotations

from pathlib import Path
from xml.etree.ElementTree import Element

from assay.sbom.catalogers import claims
from assay.sbom.catalogers._lockcommon import field, hex_hash, quote
from assay.sbom.catalogers._xml import XmlDocument, local, parse
from assay.sbom.catalogers.interface import InvalidLockfile
from assay.sbom.model import Bom, Component

ECOSYSTEM = "Maven"
_BASE = "verification-metadata.xml"
_ALGORITHMS = ("sha512", "sha256", "sha1", "md5")
_METADATA = (".pom", ".module")
_SIDE = ("-sources.jar", "-javadoc.jar")


class GradleVerificationCataloger:
    name = "gradle-verification-metadata"
    ecosystem = ECOSYSTEM

    def matches(self, path: Path) -> bool:
        return claims.gradle_verification(path)

    def read(self, path: Path) -> Bom:
        doc = parse(path, root="verification-metadata", what="Gradle verification metadata")
        found: dict[tuple[str, str], Component] = {}
        source = str(path)
        for section in doc.root:
            if local(section.tag) != "components":
                continue
            for element in section:
                if local(element.tag) != "component":
                    continue
                component = _component(path, doc, element, source)
                key = (component.name, component.version)
                if key not in found or (component.hashes and not found[key].hashes):
                    found[key] = component
        bom = Bom(components=list(found.values()), sources=[source])
        bom.warnings.append(
            f"{path}: verification metadata lists every artifact the build verified, plugins "
            "and test dependencies included; scopes and direct dependencies are unknown"
        )
        return bom


def _attribute(path: Path, doc: XmlDocument, element: Element, name: str) -> str:
    what = f"<{local(element.tag)}> attribute {name!r}"
    return field(element.get(name), path, what, line=doc.line(element))


def _component(path: Path, doc: XmlDocument, element: Element, source: str) -> Component:
    group = _attribute(path, doc, element, "group")
    name = _attribute(path, doc, element, "name")
    version = _attribute(path, doc, element, "version")
    artifacts = [a for a in element if local(a.tag) == "artifact"]
    main = _main_artifact(artifacts, name, version)
    hashes: list[tuple[str, str]] = []
    properties: list[tuple[str, str]] = []
    if main is not None:
        properties.append(("gradle:artifact", _attribute(path, doc, main, "name")))
        for child in main:
            algorithm = local(child.tag)
            if algorithm not in _ALGORITHMS:
                continue
            value = _attribute(path, doc, child, "value")
            parsed = hex_hash(algorithm, value)
            if parsed is None:
                raise InvalidLockfile(
                    path,
                    f"{group}:{name}:{version}: {algorithm} {quote(value)} is not a valid digest",
                    line=doc.line(child),
                )
            if parsed not in hashes:
                hashes.append(parsed)
    return Component(
        ECOSYSTEM,
        f"{group}:{name}",
        version,
        source=source,
        hashes=tuple(hashes),
        namespace=group,
        properties=tuple(properties),
    )


def _main_artifact(artifacts: list[Element], name: str, version: str) -> Element | None:
    if not artifacts:
        return None
    names = [a.get("name") or "" for a in artifacts]
    preferred = f"{name}-{version}.jar"
    for artifact, file in zip(artifacts, names, strict=True):
        if file == preferred:
            return artifact
    for artifact, file in zip(artifacts, names, strict=True):
        if not file.endswith(_METADATA) and not file.endswith(_SIDE):
            return artifact
    for artifact, file in zip(artifacts, names, strict=True):
        if file.endswith(_METADATA):
            return artifact
    return artifacts[0]
