"""What every SBOM writer needs: one entry per package, clean hashes, a subject, losses.

A Bom read from a directory holds one Component per package *per file*; a
written SBOM holds one per package version (same :attr:`Component.ref`). The
entries merge the files that named the package: the strongest scope wins
(required > optional > dev), a package is direct if any file says so, hashes
are unioned and every source file is kept.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import re
from collections import Counter
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import PurePath

from assay import __version__
from assay.sbom.model import Bom, Component, Scope

TOOL_NAME = "assay"
TOOL_VERSION = __version__

#: digest length in bytes of each algorithm, CycloneDX spelling
DIGEST_BYTES = {
    "MD5": 16,
    "SHA-1": 20,
    "SHA-256": 32,
    "SHA-384": 48,
    "SHA-512": 64,
    "SHA3-256": 32,
    "SHA3-384": 48,
    "SHA3-512": 64,
    "BLAKE2b-256": 32,
    "BLAKE2b-384": 48,
    "BLAKE2b-512": 64,
    "BLAKE3": 32,
}
_ALGORITHM = {k.upper().replace("-", "").replace("_", ""): k for k in DIGEST_BYTES}
_HEX = re.compile(r"^[0-9a-fA-F]+$")
_SURROGATE = re.compile("[\ud800-\udfff]")
_RANK = {Scope.REQUIRED: 0, Scope.OPTIONAL: 1, Scope.DEV: 2}


class Losses:
    """Counts what a writer could not hold, one line per kind, with a few examples."""

    def __init__(self) -> None:
        self._counts: Counter[str] = Counter()
        self._examples: dict[str, list[str]] = {}

    def add(self, what: str, example: str = "") -> None:
        self._counts[what] += 1
        examples = self._examples.setdefault(what, [])
        if example and len(examples) < 3 and example not in examples:
            examples.append(example)

    def lines(self) -> tuple[str, ...]:
        out = []
        for what, n in self._counts.items():
            examples = self._examples.get(what)
            suffix = f" (e.g. {', '.join(examples)})" if examples else ""
            out.append(f"{what}: {n}{suffix}")
        return tuple(out)


#: properties the writers derive from model fields; read back from an SBOM assay
#: wrote, they are dropped and written afresh (``assay:source`` values are kept
#: as the package's provenance: the lockfile, not the SBOM it passed through)
#: the SPDX package comment, as the SPDX readers keep it; SPDX output writes the
#: assay properties there
SPDX_COMMENT = "spdx:comment"
WRITTEN_PROPERTIES = frozenset({"assay:source", "assay:direct", "assay:scope", "assay:ecosystem"})


@dataclass(frozen=True, slots=True)
class Entry:
    """One package version to write, with every file that named it."""

    key: str
    component: Component
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Entries:
    """The package versions of a Bom, and the entry key of every model ref."""

    items: list[Entry]
    key_of: dict[str, str]

    def edges(self, bom: Bom) -> dict[str, list[str]]:
        """``bom.edges`` between entries, parent key -> sorted child keys; self-edges dropped."""
        pairs: set[tuple[str, str]] = set()
        for parent, child in bom.edges:
            a, b = self.key_of.get(parent), self.key_of.get(child)
            if a is not None and b is not None and a != b:
                pairs.add((a, b))
        out: dict[str, list[str]] = {}
        for a, b in sorted(pairs):
            out.setdefault(a, []).append(b)
        return out


def entry_key(c: Component) -> str:
    """Identity of a package version: its SBOM purl, else ecosystem, normalised name, version.

    Not the document's bom-ref: two refs naming one package version are one
    package, and a ref repeated for two packages (a broken input) must not merge them.
    A component with neither purl nor ecosystem (a file, a device ...) has only its
    ref to tell it apart from another of the same name.
    """
    if c.purl_override:
        return c.purl_override
    if not c.ecosystem:
        return f"\x00{c.ref}"
    return f"{c.ecosystem}:{c.key_name}@{c.version}"


def entries(bom: Bom) -> Entries:
    """The components of ``bom`` merged per package version, in first-seen order."""
    merged: dict[str, Component] = {}
    sources: dict[str, list[str]] = {}
    key_of: dict[str, str] = {}
    for c in bom.components:
        key = entry_key(c)
        key_of.setdefault(c.ref, key)
        seen = sources.setdefault(key, [])
        seen.extend(s for s in _origins(c) if s not in seen)
        if any(k in WRITTEN_PROPERTIES or k == SPDX_COMMENT for k, _ in c.properties):
            c = replace(
                c,
                scope=_stated_scope(c),
                kind=_stated_kind(c),
                properties=_own_properties(c.properties),
            )
        prev = merged.get(key)
        merged[key] = c if prev is None else _merge(prev, c)
    items = [Entry(key, c, tuple(sources[key])) for key, c in merged.items()]
    return Entries(items, key_of)


def _origins(c: Component) -> list[str]:
    """The files a package came from: ``assay:source`` values an SBOM carries, else its source."""
    found = [v for k, v in c.properties if k == "assay:source"]
    for key, value in c.properties:
        if key == SPDX_COMMENT:
            found.extend(
                line.removeprefix("assay:source=")
                for line in value.splitlines()
                if line.startswith("assay:source=")
            )
    return [s for s in found or [c.source] if s]


def _stated_scope(c: Component) -> Scope:
    """The scope assay wrote into an SPDX comment, which has no scope field, else ``c.scope``."""
    if c.scope is not Scope.REQUIRED:
        return c.scope
    for key, value in c.properties:
        if key == SPDX_COMMENT:
            for line in value.splitlines():
                if line in ("assay:scope=dev", "assay:scope=optional"):
                    return Scope(line.removeprefix("assay:scope="))
    return c.scope


def _stated_kind(c: Component) -> str:
    """The component type assay wrote into an SPDX comment (SPDX has no purpose for it)."""
    if c.kind != "other":
        return c.kind
    for key, value in c.properties:
        if key == SPDX_COMMENT:
            for line in value.splitlines():
                if line.startswith("assay:kind=") and line.removeprefix("assay:kind="):
                    return line.removeprefix("assay:kind=")
    return c.kind


def _own_properties(properties: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    """``properties`` without the ones writers derive (and without assay lines in a comment)."""
    out: list[tuple[str, str]] = []
    for key, value in properties:
        if key in WRITTEN_PROPERTIES:
            continue
        if key == SPDX_COMMENT:
            value = "\n".join(v for v in value.splitlines() if not v.startswith("assay:"))
            if not value.strip():
                continue
        out.append((key, value))
    return tuple(out)


def _merge(a: Component, b: Component) -> Component:
    scope = a.scope if _RANK[a.scope] <= _RANK[b.scope] else b.scope
    both = (a.direct, b.direct)
    direct = True if True in both else (False if False in both else None)
    hashes = tuple(dict.fromkeys(a.hashes + b.hashes))
    return replace(
        a,
        scope=scope,
        direct=direct,
        hashes=hashes,
        licenses=a.licenses or b.licenses,
        supplier=a.supplier or b.supplier,
        author=a.author or b.author,
        description=a.description or b.description,
        cpe=a.cpe or b.cpe,
        external_refs=tuple(dict.fromkeys(a.external_refs + b.external_refs)),
        properties=tuple(dict.fromkeys(a.properties + b.properties)),
        extensions=a.extensions or b.extensions,
    )


def extension_fields(c: Component) -> dict[str, object]:
    """The CycloneDX component fields the model does not hold (``Component.extensions``)."""
    if not c.extensions:
        return {}
    try:
        data = json.loads(c.extensions)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def note_extensions(c: Component, losses: Losses, target: str) -> None:
    """Count, per field, the components whose unmodelled CycloneDX fields ``target`` drops."""
    if not c.extensions:
        return
    label = f"{c.name}@{c.version}" if c.version else c.name
    for key in sorted(extension_fields(c)):
        losses.add(f"components with CycloneDX {key!r}, which {target} cannot hold", label)


def canonical_hash(algorithm: str, value: str) -> tuple[str, str] | None:
    """``(CycloneDX algorithm, lowercase hex)``, or None when the pair is not a plain digest.

    Lockfiles write digests in hex (Cargo, poetry) or base64 (npm ``integrity``);
    both SBOM formats want hex of the exact digest length.
    """
    name = _ALGORITHM.get(algorithm.upper().replace("-", "").replace("_", ""))
    if name is None:
        return None
    size = DIGEST_BYTES[name]
    text = value.strip()
    if len(text) == 2 * size and _HEX.match(text):
        return name, text.lower()
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None
    return (name, raw.hex()) if len(raw) == size else None


def subject(bom: Bom) -> Component:
    """The product the SBOM describes: ``bom.subject``, else one named after the inputs."""
    if bom.subject is not None:
        return bom.subject
    name = bom.metadata.get("component") or _name_from_sources(bom.sources)
    return Component("", name, "", kind="application")


def _name_from_sources(sources: list[str]) -> str:
    """The name of the deepest directory holding every source file."""
    parents = [str(PurePath(s).parent) for s in sources if s]
    if not parents:
        return "unnamed"
    try:
        common = os.path.commonpath(parents)
    except ValueError:  # absolute and relative paths mixed
        common = parents[0]
    return PurePath(common).name or PurePath(sources[0]).name or "unnamed"


def timestamp(bom: Bom) -> datetime:
    """The document's creation time: the Bom's own when it has a valid one, else now (UTC)."""
    if bom.timestamp:
        try:
            when = datetime.fromisoformat(bom.timestamp.replace("Z", "+00:00"))
        except ValueError:
            pass
        else:
            return when if when.tzinfo else when.replace(tzinfo=UTC)
    return datetime.now(UTC).replace(microsecond=0)


def split_tool(tool: str) -> tuple[str, str | None]:
    """``"name version"`` -> (name, version); a tool without a version keeps None."""
    name, _, version = tool.strip().rpartition(" ")
    return (name, version) if name else (version, None)


def json_safe(text: str) -> str:
    """JSON text with lone surrogates (file names read with surrogateescape) as ``\\uXXXX``.

    They cannot be encoded as UTF-8; as JSON escapes they survive a round trip.
    """
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def replace_surrogates(text: str, losses: Losses) -> str:
    """``text`` with lone surrogates as U+FFFD (formats without escapes), counted as lost."""
    if _SURROGATE.search(text) is None:
        return text
    losses.add("characters that are not Unicode text (undecodable file names), written as U+FFFD")
    return _SURROGATE.sub("\ufffd", text)
