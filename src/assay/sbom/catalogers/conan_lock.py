"""Conan's ``conan.lock``: the Conan 2 format (``version`` 0.5) and Conan 1 graph locks (0.4).

* 0.5: ``requires``, ``build_requires``, ``python_requires`` and
  ``config_requires`` are lists of references
  ``name/version[@user/channel][#recipe-revision[%timestamp]]``. ``requires``
  are scope required; the others are only used to build (tools, recipe code)
  and are scope dev. The format keeps no graph: ``direct`` is unknown.
* 0.4 (and 0.3): ``graph_lock.nodes`` maps node ids to nodes with ``ref``
  (or ``pref``, ``ref:package-id#prev``) and ``requires`` /
  ``build_requires`` lists of node ids. Node ``0`` (or any node without a
  reference) is the consumer itself, not a component; what it requires is
  direct. A package reached only through ``build_requires`` is scope dev.
  Edges follow both lists.
* ``user/channel`` and the recipe revision are kept as properties
  (``conan:user``, ``conan:channel``, ``conan:rrev``); a revision is a recipe
  digest, not an archive hash, so it is not a hash. A reference with a user
  and channel is not a ConanCenter package: its purl carries them as
  qualifiers (``pkg:conan/mylib@2.0?channel=stable&user=acme``).
"""

from __future__ import annotations

from collections import deque
from pathlib import Path
from typing import Any

from assay.sbom.catalogers import claims
from assay.sbom.catalogers._lockcommon import (
    array,
    field,
    load_json_object,
    locate,
    quote,
    table,
)
from assay.sbom.catalogers.interface import InvalidLockfile
from assay.sbom.model import Bom, Component, Scope

ECOSYSTEM = "ConanCenter"
_SECTIONS = (
    ("requires", Scope.REQUIRED),
    ("build_requires", Scope.DEV),
    ("python_requires", Scope.DEV),
    ("config_requires", Scope.DEV),
)


class ConanLockCataloger:
    name = "conan-lock"
    ecosystem = ECOSYSTEM

    def matches(self, path: Path) -> bool:
        return claims.by_name("conan.lock")(path)

    def read(self, path: Path) -> Bom:
        data = load_json_object(path)
        version = data.get("version")
        if "graph_lock" in data:
            if version not in ("0.4", "0.3"):
                raise InvalidLockfile(path, f"unsupported graph lock version {quote(str(version))}")
            return _read_graph(path, table(data["graph_lock"], path, "'graph_lock'"))
        if version == "0.5" or "requires" in data:
            if version != "0.5":
                raise InvalidLockfile(path, f"unsupported conan.lock version {quote(str(version))}")
            return _read_flat(path, data)
        raise InvalidLockfile(path, "not a conan.lock: no 'requires' or 'graph_lock'")


def _read_flat(path: Path, data: dict[str, Any]) -> Bom:
    bom = Bom(sources=[str(path)])
    index: dict[tuple[str, str, str], int] = {}
    for section, scope in _SECTIONS:
        value = data.get(section)
        refs = [] if value is None else array(value, path, f"'{section}'")
        for i, ref in enumerate(refs):
            comp = component(path, field(ref, path, f"{section}[{i}]"), scope)
            key = (comp.name, comp.version, dict(comp.properties).get("conan:user", ""))
            at = index.get(key)
            if at is None:
                index[key] = len(bom.components)
                bom.components.append(comp)
            elif scope is Scope.REQUIRED and bom.components[at].scope is not Scope.REQUIRED:
                bom.components[at] = comp
    return bom


def _read_graph(path: Path, graph: dict[str, Any]) -> Bom:
    nodes = table(graph.get("nodes"), path, "'graph_lock.nodes'")
    comps: dict[str, Component] = {}
    children: dict[str, list[tuple[str, bool]]] = {}  # id -> (child id, build-only)
    roots: list[str] = []
    for node_id, value in nodes.items():
        node = table(value, path, f"node {quote(node_id)}")
        ref = node.get("ref", node.get("pref"))
        if ref is None or node_id == "0":
            roots.append(node_id)
        else:
            text = field(ref, path, f"ref of node {quote(node_id)}").split(":", 1)[0]
            comps[node_id] = component(path, text, Scope.REQUIRED)
        kids: list[tuple[str, bool]] = []
        for section, build in (("requires", False), ("build_requires", True)):
            value = node.get(section)
            for child in [] if value is None else array(value, path, f"{section} of {node_id}"):
                child_id = field(child, path, f"{section} of node {quote(node_id)}")
                if child_id not in nodes:
                    raise InvalidLockfile(
                        path, f"node {quote(node_id)} requires unknown node {quote(child_id)}"
                    )
                kids.append((child_id, build))
        children[node_id] = kids
    if not roots and comps:
        raise InvalidLockfile(path, "graph lock has no root node (node 0)")
    # Breadth-first from the roots: a node reached through any runtime path is required.
    runtime: set[str] = set()
    queue = deque(roots)
    while queue:
        for child_id, build in children[queue.popleft()]:
            if not build and child_id not in runtime:
                runtime.add(child_id)
                queue.append(child_id)
    direct = {child for root in roots for child, _ in children[root]}
    bom = Bom(sources=[str(path)])
    final: dict[str, Component] = {}
    seen: dict[str, Component] = {}
    for node_id, comp in comps.items():
        scope = Scope.REQUIRED if node_id in runtime else Scope.DEV
        comp = Component(
            ECOSYSTEM,
            comp.name,
            comp.version,
            source=comp.source,
            scope=scope,
            direct=node_id in direct,
            properties=comp.properties,
            purl_override=comp.purl_override,
        )
        final[node_id] = comp
        known = seen.get(comp.ref)
        if known is None:
            seen[comp.ref] = comp
        elif (known.scope is Scope.DEV and scope is Scope.REQUIRED) or (
            comp.direct and not known.direct
        ):
            seen[comp.ref] = Component(
                ECOSYSTEM,
                comp.name,
                comp.version,
                source=comp.source,
                scope=Scope.REQUIRED if Scope.REQUIRED in (known.scope, scope) else Scope.DEV,
                direct=bool(known.direct or comp.direct),
                properties=comp.properties,
                purl_override=comp.purl_override,
            )
    bom.components.extend(seen.values())
    for node_id, kids in children.items():
        parent = final.get(node_id)
        for child_id, _ in kids:
            child = final.get(child_id)
            if parent is not None and child is not None and parent.ref != child.ref:
                bom.edges.add((parent.ref, child.ref))
    return bom


def component(path: Path, ref: str, scope: Scope) -> Component:
    """A component for ``name/version[@user/channel][#rrev[%timestamp]]``."""
    body, _, revision = ref.partition("#")
    body, at, user_channel = body.partition("@")
    name, slash, version = body.partition("/")
    user, _, channel = user_channel.partition("/")
    revision = revision.split("%", 1)[0]
    if (
        not slash
        or not name
        or not version
        or "/" in version
        or (at and (not user or not channel or "/" in channel))
        or " " in ref
    ):
        exc = InvalidLockfile(
            path, f"expected 'name/version[@user/channel][#revision]', found {quote(ref)}"
        )
        raise locate(exc, path, ref[:40]) from None
    properties: list[tuple[str, str]] = []
    purl: str | None = None
    if at and user != "_":
        properties += [("conan:user", user), ("conan:channel", channel)]
        purl = _purl(name, version, user, channel)
    if revision:
        properties.append(("conan:rrev", revision))
    return Component(
        ECOSYSTEM,
        name,
        version,
        source=str(path),
        scope=scope,
        properties=tuple(properties),
        purl_override=purl,
    )


def _purl(name: str, version: str, user: str, channel: str) -> str:
    """purl-spec's conan type: ``user`` and ``channel`` are qualifiers."""
    from packageurl import PackageURL

    qualifiers = {"user": user, "channel": channel}
    return str(PackageURL(type="conan", name=name, version=version, qualifiers=qualifiers))
