"""CocoaPods' ``Podfile.lock`` (YAML).

* ``PODS`` lists every pod installed: ``Name (1.2.3)``, or a mapping from that
  to the pod's own requirements (``Other (~> 2.0)``). A subspec
  (``Firebase/Core (10.3.0)``) is part of its pod: one component ``Firebase``
  per version, whatever subspecs are used.
* ``DEPENDENCIES`` names what the Podfile asks for: those pods are direct,
  the others transitive.
* ``SPEC CHECKSUMS`` ``Name: <sha1>`` (SHA-1 of the podspec) become
  ``("SHA-1", hex)``.
* ``EXTERNAL SOURCES``: a pod with ``:path`` is local code, not a component;
  one with ``:git`` or ``:podspec`` is a component with a warning (its code is
  not the trunk release of that version).
* Edges go from a pod to the pods its subspecs require (not to itself).
"""

from __future__ import annotations

from pathlib import Path

from assay.core.inputs import parse_yaml, read_text
from assay.sbom.catalogers import claims
from assay.sbom.catalogers._lockcommon import (
    array,
    field,
    hex_hash,
    line_of,
    quote,
    table,
)
from assay.sbom.catalogers.interface import InvalidLockfile
from assay.sbom.model import Bom, Component

ECOSYSTEM = "CocoaPods"


class PodfileLockCataloger:
    name = "podfile-lock"
    ecosystem = ECOSYSTEM

    def matches(self, path: Path) -> bool:
        return claims.by_name("Podfile.lock")(path)

    def read(self, path: Path) -> Bom:
        text = read_text(path, error=InvalidLockfile)
        data = parse_yaml(text, path, error=InvalidLockfile)
        if not isinstance(data, dict) or "PODS" not in data:
            raise InvalidLockfile(path, "not a Podfile.lock: no PODS section")
        return _Reader(path, text).read(data)


class _Reader:
    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.text = text

    def fail(self, reason: str, needle: str) -> InvalidLockfile:
        return InvalidLockfile(self.path, reason, line=self.line(needle))

    def read(self, data: dict[object, object]) -> Bom:
        pods: dict[str, tuple[str, set[str]]] = {}  # pod -> (version, required pods)
        for item in _list(data.get("PODS"), self.path, "PODS", self.text):
            deps: list[object] = []
            if isinstance(item, dict) and len(item) == 1:
                item, value = next(iter(item.items()))
                deps = [] if value is None else array(value, self.path, f"requirements of {item}")
            spec = field(item, self.path, "PODS entry", line=line_of(self.text, "PODS:"))
            name, version = self.spec(spec)
            pod = _pod(name)
            known = pods.get(pod)
            if known is not None and known[0] != version:
                raise self.fail(f"{quote(pod)} is locked at {known[0]} and {version}", spec)
            required = known[1] if known else set()
            for dep in deps:
                text = field(dep, self.path, f"requirement of {quote(name)}", line=self.line(spec))
                dep_pod = _pod(self.requirement(text))
                if dep_pod != pod:
                    required.add(dep_pod)
            pods[pod] = (version, required)
        direct = {
            _pod(self.requirement(field(d, self.path, "DEPENDENCIES entry")))
            for d in _list(data.get("DEPENDENCIES"), self.path, "DEPENDENCIES", self.text)
        }
        checksums = self.checksums(data.get("SPEC CHECKSUMS"))
        external = data.get("EXTERNAL SOURCES") or {}
        external = table(external, self.path, "EXTERNAL SOURCES", line=self.line("EXTERNAL"))
        bom = Bom(sources=[str(self.path)])
        comps: dict[str, Component] = {}
        for pod, (version, _) in pods.items():
            origin = external.get(pod)
            if isinstance(origin, dict) and ":path" in origin:
                continue
            comps[pod] = Component(
                ECOSYSTEM,
                pod,
                version,
                source=str(self.path),
                direct=pod in direct,
                hashes=checksums.get(pod, ()),
            )
            if isinstance(origin, dict):
                how = ", ".join(f"{k.lstrip(':')} {quote(str(v))}" for k, v in origin.items())
                bom.warnings.append(
                    f"{self.where(pod)}: {pod} {version} comes from an external source"
                    f" ({how}), not the CocoaPods trunk"
                )
        bom.components.extend(comps.values())
        for pod, (_, required) in pods.items():
            parent = comps.get(pod)
            for dep in required:
                child = comps.get(dep)
                if parent is not None and child is not None:
                    bom.edges.add((parent.ref, child.ref))
        return bom

    def line(self, needle: str) -> int | None:
        """Line of ``needle``; one that starts with a newline names the line after it."""
        line = line_of(self.text, needle)
        return line + 1 if line is not None and needle.startswith("\n") else line

    def where(self, pod: str) -> str:
        line = self.line(f"\n  - {pod} (") or self.line(f"\n  - {pod}/")
        return f"{self.path}:{line}" if line else str(self.path)

    def spec(self, text: str) -> tuple[str, str]:
        """``Name (1.2.3)`` -> (name, version)."""
        name, sep, rest = text.partition(" (")
        version = rest[:-1].strip() if rest.endswith(")") else ""
        if not sep or not name or " " in name or not version or " " in version:
            raise self.fail(f"expected 'Name (version)', found {quote(text)}", text)
        return name, version

    def requirement(self, text: str) -> str:
        """``Name``, ``Name (~> 1.0)`` or ``Name (from `path`)`` -> name."""
        name, sep, rest = text.partition(" (")
        if not name or " " in name or (sep and not rest.endswith(")")):
            raise self.fail(f"expected 'Name (requirement)', found {quote(text)}", text)
        return name

    def checksums(self, value: object) -> dict[str, tuple[tuple[str, str], ...]]:
        if value is None:
            return {}
        out: dict[str, tuple[tuple[str, str], ...]] = {}
        for pod, digest in table(value, self.path, "SPEC CHECKSUMS").items():
            parsed = hex_hash("sha1", digest) if isinstance(digest, str) else None
            if parsed is None:
                raise self.fail(
                    f"invalid checksum {quote(str(digest))} for {quote(str(pod))}", f"\n  {pod}:"
                )
            out[str(pod)] = (parsed,)
        return out


def _pod(name: str) -> str:
    return name.split("/", 1)[0]


def _list(value: object, path: Path, what: str, text: str) -> list[object]:
    if value is None:
        return []
    return array(value, path, what, line=line_of(text, f"{what}:"))
