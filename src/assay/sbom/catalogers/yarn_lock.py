"""``yarn.lock``: yarn classic (v1, yarn's own format) and yarn berry (2+, YAML).

Berry entries are keyed by descriptors (``"pkg@npm:^1.0.0, pkg@npm:^1.1.0"``)
and resolve to a locator (``resolution: "pkg@npm:1.2.3"``). ``@workspace:``
entries are the project's own packages: not components, but their
dependencies are direct. ``patch:`` resolutions are the underlying npm
package. Berry's ``checksum`` is the digest of yarn's own cache zip, not of the
registry tarball, so it is not reported as a component hash.

A ``package.json`` beside the lockfile, when present, marks its dependencies
direct and makes packages reachable only from ``devDependencies`` dev-scoped.
Without it (and without berry workspaces) ``direct`` is unknown (None).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from assay.core.inputs import read_text
from assay.sbom.catalogers import claims
from assay.sbom.catalogers._npm import (
    Collector,
    Manifest,
    integrity_hashes,
    line_of,
    load_yaml,
    reachable_scopes,
    read_sibling_manifest,
    split_spec,
)
from assay.sbom.catalogers._yarn_classic import parse_classic
from assay.sbom.catalogers.interface import InvalidLockfile
from assay.sbom.model import Bom

Ident = tuple[str, str]
_DEP_BLOCKS = ("dependencies", "optionalDependencies")
_LOCAL_PROTOCOLS = ("workspace:", "link:", "portal:")


class YarnLockCataloger:
    name = "yarn-lock"
    ecosystem = "npm"

    def matches(self, path: Path) -> bool:
        return claims.by_name("yarn.lock")(path)

    def read(self, path: Path) -> Bom:
        text = read_text(path, error=InvalidLockfile)
        head = text.lstrip()[:1]
        if head in ("{", "["):
            raise InvalidLockfile(path, "looks like JSON, not a yarn lockfile", line=1)
        out = Collector(str(path))
        manifest = read_sibling_manifest(path, "yarn.lock")
        if "\n__metadata:" in text or text.startswith("__metadata:"):
            _read_berry(path, text, manifest, out)
        else:
            _read_classic(path, text, manifest, out)
        return out.bom()


def _finish(
    out: Collector,
    graph: dict[Ident, list[Ident]],
    manifest: Manifest | None,
    resolve: Callable[[str, str], Ident | None],
    workspace_deps: Iterable[Ident] = (),
    member_deps: Iterable[Ident] = (),
) -> None:
    """Edges from ``graph``; direct and dev scope from the manifest and workspaces.

    ``workspace_deps``: what any workspace depends on (direct); ``member_deps``:
    what workspaces other than the root depend on, taken as production since the
    lockfile does not say (the root's own split comes from ``package.json``).
    """
    for parent, children in graph.items():
        for child in children:
            out.link(parent, child)
    direct = set(workspace_deps)
    if manifest is None and not direct:
        return
    out.direct_known = True
    if manifest is not None:
        prod: set[Ident] = set(member_deps)
        dev: set[Ident] = set()
        for section, bucket in (
            (manifest.prod, prod),
            (manifest.optional, prod),
            (manifest.dev, dev),
        ):
            for name, rng in section.items():
                ident = resolve(name, rng)
                if ident is not None:
                    bucket.add(ident)
        direct |= prod | dev
        if dev:
            for ident, scope in reachable_scopes(graph, prod, dev).items():
                if ident in out:
                    out.set_scope(ident, scope)
    for ident in direct:
        out.set_direct(ident, True)


def _read_classic(path: Path, text: str, manifest: Manifest | None, out: Collector) -> None:
    entries = parse_classic(text, str(path))
    by_spec: dict[str, Ident] = {}
    for entry in entries:
        version = entry.fields.get("version")
        if not version:
            raise InvalidLockfile(path, "entry has no version", line=entry.line)
        name, rng = split_spec(entry.specs[0])
        if rng.startswith("npm:"):  # alias "foo@npm:bar@^1": the package is bar
            name = split_spec(rng[4:])[0]
        if not name:
            raise InvalidLockfile(
                path, f"cannot read package name from {entry.specs[0]!r}", line=entry.line
            )
        ident = (name, version)
        hashes = integrity_hashes(entry.fields.get("integrity"))
        if not hashes:
            _, _, sha1 = entry.fields.get("resolved", "").partition("#")
            if len(sha1) == 40:
                hashes = (("SHA-1", sha1),)
        out.add(ident, hashes=hashes)
        for spec in entry.specs:
            by_spec[spec] = ident

    def resolve(name: str, rng: str) -> Ident | None:
        return by_spec.get(f"{name}@{rng}")

    graph: dict[Ident, list[Ident]] = {}
    for entry in entries:
        parent = by_spec[entry.specs[0]]
        children = graph.setdefault(parent, [])
        for block in _DEP_BLOCKS:
            for name, rng in entry.blocks.get(block, {}).items():
                child = resolve(name, rng)
                if child is not None:
                    children.append(child)
    _finish(out, graph, manifest, resolve)


def _locator(resolution: str) -> tuple[str, str, str]:
    """``pkg@npm:1.2.3`` -> (name, protocol, rest); patches unwrap to what they patch."""
    name, ref = split_spec(resolution)
    if ref.startswith("patch:"):
        inner = unquote(ref[6:].split("#", 1)[0])
        inner_name, inner_ref = split_spec(inner)
        if inner_name and inner_ref:
            name, ref = inner_name, inner_ref
    protocol, sep, rest = ref.partition(":")
    if not sep:
        return name, "", ref
    return name, protocol + ":", rest


def _read_berry(path: Path, text: str, manifest: Manifest | None, out: Collector) -> None:
    data = load_yaml(text, path)
    if not isinstance(data, dict):
        raise InvalidLockfile(path, "expected a mapping of entries (yarn berry lockfile)")
    metadata = data.get("__metadata")
    if not isinstance(metadata, dict) or "version" not in metadata:
        raise InvalidLockfile(path, "'__metadata' has no lockfile version (yarn berry lockfile)")
    by_spec: dict[str, Ident | None] = {}  # None: a workspace or local link
    workspaces: list[tuple[str, dict[str, Any]]] = []
    packages: list[tuple[Ident, dict[str, Any]]] = []
    for raw_key, entry in data.items():
        key = str(raw_key)
        if key == "__metadata":
            continue
        if not isinstance(entry, dict):
            raise InvalidLockfile(
                path, f"entry {key!r} is not a mapping", line=_entry_line(text, key)
            )
        resolution = entry.get("resolution")
        if not isinstance(resolution, str) or "@" not in resolution[1:]:
            raise InvalidLockfile(
                path, f"entry {key!r} has no valid 'resolution'", line=_entry_line(text, key)
            )
        name, protocol, rest = _locator(resolution)
        ident: Ident | None = None
        if protocol == "workspace:":
            workspaces.append((resolution, entry))
        elif protocol not in _LOCAL_PROTOCOLS:
            if protocol == "npm:":
                version = rest
            else:
                version = str(entry.get("version", "")) or rest
                out.warnings.append(
                    f"{path}: {name}@{version} resolved from {resolution!r}, not the npm registry"
                )
            ident = (name, version)
            out.add(ident)
            packages.append((ident, entry))
        for spec in key.split(","):
            by_spec[spec.strip()] = ident

    def resolve(dep: str, rng: str) -> Ident | None:
        spec = f"{dep}@{rng}"
        if spec in by_spec:
            return by_spec[spec]
        return by_spec.get(f"{dep}@npm:{rng}")

    def children(entry: dict[str, Any]) -> list[Ident]:
        found: list[Ident] = []
        for block in _DEP_BLOCKS:
            deps = entry.get(block)
            if isinstance(deps, dict):
                for dep, rng in deps.items():
                    child = resolve(str(dep), str(rng))
                    if child is not None:
                        found.append(child)
        return found

    graph: dict[Ident, list[Ident]] = {}
    for ident, entry in packages:
        graph.setdefault(ident, []).extend(children(entry))
    workspace_deps: list[Ident] = []
    member_deps: list[Ident] = []
    for resolution, ws in workspaces:
        deps = children(ws)
        workspace_deps.extend(deps)
        if not resolution.endswith("@workspace:."):
            member_deps.extend(deps)
    _finish(out, graph, manifest, resolve, workspace_deps, member_deps)


def _entry_line(text: str, key: str) -> int | None:
    """Line of an entry, for error messages only: a scan of the whole text, so never per entry."""
    return line_of(text, f'\n"{key}":', f"\n{key}:")
