"""Debian and Ubuntu installed packages: dpkg's ``var/lib/dpkg/status`` database.

* Claimed by path: ``.../var/lib/dpkg/status``, and the one-file-per-package
  ``.../var/lib/dpkg/status.d/<package>`` of distroless images (their
  ``*.md5sums`` companions are not stanzas and are not claimed). The root
  filesystem is the directory above ``var/lib/dpkg``; its ``etc/os-release``
  gives the ecosystem: ``Debian:12``, ``Ubuntu:22.04`` (``Ubuntu:22.04:LTS``
  for LTS releases, as OSV spells them).
* A stanza is a package when its ``Status`` says it is installed
  (``install ok installed``, also ``hold ok installed``); distroless stanzas
  have no Status and are installed by construction. Removed packages that left
  configuration files (``deinstall ok config-files``) are not components.
* Name: the component is the **binary** package (``libssl3``), as installed and
  as peers (syft, osv-scalibr inventory) name it; its purl is
  ``pkg:deb/<os id>/<name>@<version>?arch=<arch>&distro=<id>-<version id>``.
  The **source** package (``Source: openssl (3.0.11-1~deb12u2)``, or the
  binary's own name and version when absent) is what Debian and Ubuntu OSV
  advisories name: it is kept in the properties ``assay:source-name`` and
  ``assay:source-version`` for the matcher to look up (as osv-scanner does).
* ``Depends`` and ``Pre-Depends`` become edges; of alternatives ``a | b`` the
  first one installed (directly, or through ``Provides``) is the edge.
* ``Maintainer`` is the supplier, ``Homepage`` a website reference, the
  ``Description`` synopsis the description; licences come from the package's
  DEP-5 ``usr/share/doc/<package>/copyright`` when there is one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from assay.core.inputs import read_text
from assay.sbom.catalogers import claims
from assay.sbom.catalogers._deb822 import Stanza, stanzas
from assay.sbom.catalogers._dep5 import licenses
from assay.sbom.catalogers._lockcommon import quote
from assay.sbom.catalogers._osrelease import (
    SOURCE_NAME,
    SOURCE_VERSION,
    OsRelease,
    inside,
    printable,
    read_os_release,
    rootfs,
)
from assay.sbom.catalogers.interface import InvalidLockfile
from assay.sbom.model import Bom, Component

ECOSYSTEM = "Debian"
_KEEP = frozenset(
    {
        "package",
        "status",
        "version",
        "architecture",
        "source",
        "depends",
        "pre-depends",
        "provides",
        "maintainer",
        "homepage",
        "description",
    }
)
# Debian Policy 5.6.1 (names) and 5.6.12 (versions)
_NAME = re.compile(r"^[a-z0-9][a-z0-9+.-]+$")
_VERSION = re.compile(r"^(\d+:)?[A-Za-z0-9.+~-]+$")
_SOURCE = re.compile(r"^(\S+)(?:\s+\((\S+)\))?$")
_RELATION = re.compile(r"^([a-z0-9][a-z0-9+.-]*)(?::[a-z0-9-]+)?(?:\s*\(.*\))?(?:\s*\[.*\])?")


@dataclass(frozen=True, slots=True)
class _Package:
    line: int
    name: str
    version: str
    arch: str
    source: str
    source_version: str
    depends: tuple[tuple[str, ...], ...]  # groups of alternatives
    provides: tuple[str, ...]
    stanza: Stanza


class DpkgStatusCataloger:
    name = "dpkg-status"
    ecosystem = ECOSYSTEM

    def matches(self, path: Path) -> bool:
        return claims.dpkg_status(path)

    def read(self, path: Path) -> Bom:
        text = read_text(path, error=InvalidLockfile)
        distroless = path.parent.name == "status.d"
        root = rootfs(path, 4 if distroless else 3)
        bom = Bom(sources=[str(path)])
        osr = read_os_release(root, bom.warnings)
        ecosystem = ecosystem_of(osr, bom.warnings)
        found = (_package(path, s, distroless) for s in stanzas(text, path, _KEEP))
        packages = [p for p in found if p is not None]
        if not packages and "package:" not in text[:4096].lower():
            raise InvalidLockfile(path, "not a dpkg status file: no Package field", line=1)
        comps: dict[str, list[tuple[_Package, Component]]] = {}
        for pkg in packages:
            comp = _component(path, root, osr, ecosystem, pkg)
            comps.setdefault(pkg.name, []).append((pkg, comp))
            bom.components.append(comp)
        providers: dict[str, list[tuple[_Package, Component]]] = {}
        for entries in comps.values():
            for pkg, comp in entries:
                for virtual in pkg.provides:
                    providers.setdefault(virtual, []).append((pkg, comp))
        for entries in comps.values():
            for pkg, comp in entries:
                for group in pkg.depends:
                    target = _first_installed(pkg, group, comps, providers)
                    if target is not None and target.ref != comp.ref:
                        bom.edges.add((comp.ref, target.ref))
        return bom


def ecosystem_of(osr: OsRelease, warnings: list[str]) -> str:
    """OSV's ecosystem for a dpkg-based distribution (``Debian:12``, ``Ubuntu:22.04:LTS``)."""
    if osr.id == "debian":
        major = osr.version_id.split(".", 1)[0]
        return f"Debian:{major}" if major.isdigit() else "Debian"
    if osr.id == "ubuntu":
        if not osr.version_id:
            return "Ubuntu"
        lts = ":LTS" if "LTS" in osr.version else ""
        return f"Ubuntu:{osr.version_id}{lts}"
    if osr.id:
        warnings.append(
            f"{osr.source}: {quote(osr.id)} has no OSV ecosystem; packages recorded as Debian"
        )
    return ECOSYSTEM


def _package(path: Path, stanza: Stanza, distroless: bool) -> _Package | None:
    name = stanza.get("package")
    status = stanza.get("status").split()
    if not name:
        raise InvalidLockfile(path, "stanza has no Package field", line=stanza.line)
    if status:
        if len(status) != 3:
            raise InvalidLockfile(path, f"malformed Status of {quote(name)}", line=stanza.line)
        if status[2] != "installed":
            return None
    elif not distroless:
        raise InvalidLockfile(path, f"package {quote(name)} has no Status", line=stanza.line)
    if not _NAME.match(name):
        raise InvalidLockfile(path, f"invalid package name {quote(name)}", line=stanza.line)
    version = stanza.get("version")
    if not _VERSION.match(version):
        found = quote(version) if version else "none"
        raise InvalidLockfile(path, f"invalid version of {name}: {found}", line=stanza.line)
    source, source_version = name, version
    if stanza.get("source"):
        m = _SOURCE.match(stanza.get("source"))
        if not m or not _NAME.match(m.group(1)) or not _VERSION.match(m.group(2) or version):
            raise InvalidLockfile(
                path, f"malformed Source of {name}: {quote(stanza.get('source'))}", line=stanza.line
            )
        source, source_version = m.group(1), m.group(2) or version
    depends = _relations(stanza.get("pre-depends")) + _relations(stanza.get("depends"))
    provides = tuple(g[0] for g in _relations(stanza.get("provides")) if g)
    arch = stanza.get("architecture")
    arch = arch if re.fullmatch(r"[a-z0-9-]{1,32}", arch) else ""
    return _Package(
        stanza.line, name, version, arch, source, source_version, depends, provides, stanza
    )


def _relations(text: str) -> tuple[tuple[str, ...], ...]:
    """``a (>= 1), b | c:any`` -> ``(("a",), ("b", "c"))``; unparsable items are skipped."""
    groups: list[tuple[str, ...]] = []
    for item in text.replace("\n", " ").split(","):
        names = []
        for alternative in item.split("|"):
            m = _RELATION.match(alternative.strip())
            if m:
                names.append(m.group(1))
        if names:
            groups.append(tuple(names))
    return tuple(groups)


def _first_installed(
    pkg: _Package,
    group: tuple[str, ...],
    comps: dict[str, list[tuple[_Package, Component]]],
    providers: dict[str, list[tuple[_Package, Component]]],
) -> Component | None:
    for name in group:
        found = comps.get(name) or providers.get(name)
        if found:
            # Multi-Arch: prefer the dependant's own architecture, then "all"
            for arch in (pkg.arch, "all"):
                for other, comp in found:
                    if other.arch == arch:
                        return comp
            return found[0][1]
    return None


def _component(path: Path, root: Path, osr: OsRelease, ecosystem: str, pkg: _Package) -> Component:
    from packageurl import PackageURL

    qualifiers = {k: v for k, v in (("arch", pkg.arch), ("distro", osr.distro)) if v}
    purl = PackageURL(
        type="deb",
        namespace=osr.id if osr.id in ("debian", "ubuntu") else "debian",
        name=pkg.name,
        version=pkg.version,
        qualifiers=qualifiers,
    )
    stanza = pkg.stanza
    homepage = stanza.get("homepage")
    synopsis = stanza.get("description").split("\n", 1)[0].strip()
    return Component(
        ecosystem,
        pkg.name,
        pkg.version,
        source=str(path),
        licenses=_licenses(root, pkg.name),
        purl_override=str(purl),
        supplier=printable(stanza.get("maintainer")),
        description=printable(synopsis),
        external_refs=(("website", homepage),) if _is_url(homepage) else (),
        properties=((SOURCE_NAME, pkg.source), (SOURCE_VERSION, pkg.source_version)),
    )


def _licenses(root: Path, name: str) -> str | None:
    found = inside(root, PurePosixPath("usr/share/doc") / name / "copyright")
    return licenses(found) if found is not None else None


def _is_url(text: str) -> bool:
    return text.startswith(("http://", "https://")) and printable(text) == text
