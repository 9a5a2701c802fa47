"""Swift Package Manager's ``Package.resolved``, versions 1, 2 and 3.

* Version 1: ``object.pins[]`` with ``package``, ``repositoryURL`` and
  ``state`` (``version``, ``revision``, ``branch``).
* Versions 2 and 3: ``pins[]`` with ``identity``, ``kind``, ``location`` and
  ``state``; 3 only adds ``originHash``.
* The name is the repository URL in the form OSV's ``SwiftURL`` ecosystem
  uses: host and path, no scheme, user or ``.git``
  (``https://github.com/apple/swift-nio.git`` and
  ``git@github.com:apple/swift-nio.git`` are both
  ``github.com/apple/swift-nio``); the host is lower-cased.
* ``state.version`` is the version. A pin to a branch or a bare revision has
  none: its commit is the version, with a warning.
* ``localSourceControl`` (a repository on disk) and ``registry`` pins
  (``scope.name`` identities, not URLs) are left out with a warning.
* The file records neither edges nor which pins the manifest names, so
  ``direct`` is unknown.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from assay.sbom.catalogers import claims
from assay.sbom.catalogers._lockcommon import (
    array,
    field,
    line_of,
    load_json_object,
    quote,
    table,
)
from assay.sbom.catalogers.interface import InvalidLockfile
from assay.sbom.model import Bom, Component

ECOSYSTEM = "SwiftURL"
_KINDS = frozenset({"remoteSourceControl", "localSourceControl", "registry"})


class SwiftResolvedCataloger:
    name = "swift-package-resolved"
    ecosystem = ECOSYSTEM

    def matches(self, path: Path) -> bool:
        return claims.by_name("Package.resolved")(path)

    def read(self, path: Path) -> Bom:
        data = load_json_object(path)
        version = data.get("version")
        if version == 1:
            obj = table(data.get("object"), path, "'object'")
            pins = array(obj.get("pins"), path, "'object.pins'")
        elif version in (2, 3):
            pins = array(data.get("pins"), path, "'pins'")
        elif "pins" in data or "object" in data:
            raise InvalidLockfile(
                path, f"unsupported Package.resolved version {quote(str(version))}"
            )
        else:
            raise InvalidLockfile(path, "not a Package.resolved: no 'pins'")
        reader = _Reader(path)
        for index, pin in enumerate(pins):
            reader.pin(index, table(pin, path, f"pins[{index}]"), version)
        return reader.bom


class _Reader:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.bom = Bom(sources=[str(path)])
        self.seen: set[tuple[str, str]] = set()
        self._text: str | None = None

    def where(self, needle: str) -> str:
        if self._text is None:
            self._text = self.path.read_text("utf-8", errors="replace")
        line = line_of(self._text, needle)
        return f"{self.path}:{line}" if line else str(self.path)

    def pin(self, index: int, pin: dict[str, Any], version: int) -> None:
        what = f"pins[{index}]"
        if version == 1:
            identity = field(pin.get("package"), self.path, f"{what}.package")
            location = field(pin.get("repositoryURL"), self.path, f"{what}.repositoryURL")
            kind = "remoteSourceControl"
        else:
            identity = field(pin.get("identity"), self.path, f"{what}.identity")
            kind = field(pin.get("kind"), self.path, f"{what}.kind")
            if kind not in _KINDS:
                raise InvalidLockfile(self.path, f"unknown kind {quote(kind)} of {quote(identity)}")
            location = field(pin.get("location"), self.path, f"{what}.location", required=False)
        state = table(pin.get("state"), self.path, f"state of {quote(identity)}")
        if kind != "remoteSourceControl":
            self.bom.warnings.append(
                f"{self.where(identity)}: {quote(identity)} is a {kind} pin"
                f" ({quote(location) or 'no location'}), not a repository URL; not listed"
            )
            return
        name = repository_name(location)
        if name is None:
            raise InvalidLockfile(
                self.path, f"cannot read a repository from {quote(location)} ({quote(identity)})"
            )
        release = state.get("version")
        if release is not None:
            release = field(release, self.path, f"state.version of {quote(identity)}")
        else:
            revision = field(state.get("revision"), self.path, f"state.revision of {identity}")
            branch = state.get("branch")
            pinned = f"branch {quote(str(branch))}" if branch else "a revision"
            self.bom.warnings.append(
                f"{self.where(location)}: {name} is pinned to {pinned}, not a release;"
                f" listed at commit {quote(revision)}"
            )
            release = revision
        if (name, release) in self.seen:
            return
        self.seen.add((name, release))
        self.bom.components.append(Component(ECOSYSTEM, name, release, source=str(self.path)))


def repository_name(location: str) -> str | None:
    """``https://github.com/a/b.git`` or ``git@github.com:a/b`` -> ``github.com/a/b``."""
    text = location.strip()
    scheme, sep, rest = text.partition("://")
    if sep:
        if scheme.lower() not in ("https", "http", "ssh", "git", "git+ssh"):
            return None
        authority, _, path = rest.partition("/")
        host = authority.rpartition("@")[2]
        if ":" in host and not host.endswith("]"):
            host = host.split(":", 1)[0]  # a port is not part of the name
    else:
        user_host, colon, path = text.partition(":")  # scp-like: git@host:path
        if not colon or "/" in user_host:
            return None
        host = user_host.rpartition("@")[2]
    path = path.strip("/")
    path = path.removesuffix(".git").rstrip("/")
    if not host or not path or any(not part for part in path.split("/")):
        return None
    return f"{host.lower()}/{path}"
