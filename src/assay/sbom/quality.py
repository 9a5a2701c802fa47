"""How complete an SBOM is: a score from 0 to 10 and the checks behind it.

The checks follow the NTIA minimum elements of an SBOM (supplier, component
name, version, unique identifier, dependency relationships, author of the SBOM
data, timestamp) plus four that decide whether a document is useful to a
scanner and an auditor (licence coverage, hash coverage, purl validity, spec
version). Each check scores 0 to 10; the total is their weighted mean.

Weights (documented for users in docs/sbom-quality.md; changing one changes
:data:`SCHEMA`):

============== ======== ====== ===================================================
check          category weight score
============== ======== ====== ===================================================
supplier       ntia     1      share of components with a supplier
name           ntia     1      share of components with a name
version        ntia     1      share of components with a version
unique-id      ntia     1.5    share with a purl or a CPE
dependencies   ntia     1.5    share of components in the dependency graph
author         ntia     1      10 when the document names an author, else 0
timestamp      ntia     1      10 for an ISO 8601 creation time, else 0
licenses       quality  1      share of components with a licence
hashes         quality  1      share of components with a hash
purl-valid     quality  1      share of purls that parse and have a known type
spec-version   quality  0.5    CycloneDX 1.5+ or SPDX 2.3: 10; older: less
============== ======== ====== ===================================================

Identifiers and dependencies weigh more: without them a document can be
neither matched against advisories nor traced. A share is ``10 * have / total``;
a document with no components scores 0 on every per-component check.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from assay.sbom.model import Bom, Component

#: identifies the JSON layout of :meth:`Quality.to_json`; bumped on any change
#: to the fields, check ids or weights, so a policy can pin what it requires.
SCHEMA = "assay.sbom.quality/1"
#: failing components named per check
EXAMPLES = 3

#: purl types registered in the purl specification (PURL-TYPES)
KNOWN_PURL_TYPES = frozenset(
    {
        "alpm", "apk", "bitbucket", "bitnami", "cargo", "cocoapods", "composer", "conan",
        "conda", "cpan", "cran", "deb", "docker", "gem", "generic", "github", "gitlab",
        "golang", "hackage", "hex", "huggingface", "julia", "luarocks", "maven", "mlflow",
        "npm", "nuget", "oci", "opam", "otp", "pub", "pypi", "qpkg", "rpm", "swid", "swift",
        "vscode-extension", "yocto",
    }
)  # fmt: skip

#: spec -> score; anything else (a lockfile, an unknown format) scores 0
SPEC_SCORES: dict[str, float] = {
    "CycloneDX 1.7": 10.0,
    "CycloneDX 1.6": 10.0,
    "CycloneDX 1.5": 10.0,
    "CycloneDX 1.4": 7.0,
    "CycloneDX 1.3": 5.0,
    "CycloneDX 1.2": 4.0,
    "SPDX 2.3": 10.0,
    "SPDX 2.2": 7.0,
}


@dataclass(frozen=True, slots=True)
class Check:
    """One check's result: the score, the numbers behind it, and how to do better."""

    id: str
    category: str  # "ntia" or "quality"
    score: float  # 0 to 10
    weight: float
    have: int  # components (or facts) that pass
    total: int  # components (or facts) examined
    detail: str  # the numbers in words: "812 of 1,108 components have a supplier"
    hint: str  # what to change in the generator or document; "" at full marks
    #: up to :data:`EXAMPLES` components (or purls) that fail, so a doubter can look
    examples: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "category": self.category,
            "score": round(self.score, 2),
            "weight": self.weight,
            "have": self.have,
            "total": self.total,
            "detail": self.detail,
            "hint": self.hint,
            "examples": list(self.examples),
        }


@dataclass(frozen=True, slots=True)
class Quality:
    """All checks of one document and their weighted mean."""

    source: str
    spec: str | None
    components: int
    checks: tuple[Check, ...]

    @property
    def score(self) -> float:
        weight = sum(c.weight for c in self.checks)
        if not weight:
            return 0.0
        return round(sum(c.score * c.weight for c in self.checks) / weight, 1)

    def to_json(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "source": self.source,
            "spec": self.spec,
            "components": self.components,
            "score": self.score,
            "checks": [c.to_json() for c in self.checks],
        }


def _count(n: int) -> str:
    return f"{n:,}"


def _share(
    check_id: str,
    weight: float,
    components: list[Component],
    test: Callable[[Component], bool],
    what: str,
    hint: str,
    category: str = "ntia",
) -> Check:
    total = len(components)
    failing = [c for c in components if not test(c)]
    have = total - len(failing)
    examples = tuple(f"{c.name}@{c.version}" for c in failing[:EXAMPLES])
    score = 10.0 * have / total if total else 0.0
    if total:
        detail = f"{_count(have)} of {_count(total)} components {what}"
    else:
        detail = "the document lists no components"
    hint = "" if score == 10 else hint
    return Check(check_id, category, score, weight, have, total, detail, hint, examples)


def _fact(
    check_id: str, weight: float, present: bool, detail: str, hint: str, category: str = "ntia"
) -> Check:
    return Check(
        check_id,
        category,
        10.0 if present else 0.0,
        weight,
        int(present),
        1,
        detail,
        "" if present else hint,
    )


def _has_purl(c: Component) -> bool:
    return bool(c.purl_override)


def _purl_valid(purl: str) -> bool:
    from packageurl import PackageURL  # ~15 ms, only paid when scoring

    try:
        parsed = PackageURL.from_string(purl)
    except ValueError:
        return False
    return parsed.type in KNOWN_PURL_TYPES


def _in_graph(bom: Bom) -> Callable[[Component], bool]:
    linked: set[str] = set()
    for parent, child in bom.edges:
        linked.add(parent)
        linked.add(child)
    return lambda c: c.ref in linked or c.direct is True


def _valid_timestamp(value: str | None) -> bool:
    if not value:
        return False
    try:
        datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


_SPEC = re.compile(r"^\s*(cyclonedx|spdx)[\s-]*v?(\d+\.\d+)", re.IGNORECASE)


def spec_name(spec: str | None) -> str | None:
    """``"SPDX-2.3"``, ``"spdx 2.3"`` -> ``"SPDX 2.3"``; None when not an SBOM spec."""
    m = _SPEC.match(spec or "")
    if m is None:
        return None
    return f"{'CycloneDX' if m.group(1).lower() == 'cyclonedx' else 'SPDX'} {m.group(2)}"


def _spec_check(spec: str | None) -> Check:
    score = SPEC_SCORES.get(spec_name(spec) or "", 0.0)
    detail = f"written in {spec}" if spec else "not an SBOM document (no spec version)"
    hint = "" if score == 10 else "generate CycloneDX 1.5 or later, or SPDX 2.3"
    return Check("spec-version", "quality", score, 0.5, int(score == 10), 1, detail, hint)


def _purl_check(components: Iterable[Component]) -> Check:
    purls = [c.purl_override for c in components if c.purl_override]
    invalid = [p for p in purls if not _purl_valid(p)]
    total = len(purls)
    valid = total - len(invalid)
    score = 10.0 * valid / total if total else 0.0
    if total:
        detail = f"{_count(valid)} of {_count(total)} purls parse and have a registered type"
    else:
        detail = "the document gives no purls"
    hint = "" if score == 10 else "write purls per the purl specification, with registered types"
    examples = tuple(invalid[:EXAMPLES])
    return Check("purl-valid", "quality", score, 1.0, valid, total, detail, hint, examples)


def assess(bom: Bom, source: str = "") -> Quality:
    """Score ``bom`` (one document as read by an SBOM reader)."""
    components = list(bom.components)
    spec = bom.spec or bom.metadata.get("format")
    authors = [a for a in bom.authors if a.strip()]
    tools = ", ".join(bom.tools) or "none"
    checks = (
        _share(
            "supplier",
            1.0,
            components,
            lambda c: bool(c.supplier),
            "have a supplier",
            "set each component's supplier (CycloneDX supplier.name, SPDX PackageSupplier)",
        ),
        _share(
            "name",
            1.0,
            components,
            lambda c: bool(c.name.strip()),
            "have a name",
            "give every component a name",
        ),
        _share(
            "version",
            1.0,
            components,
            lambda c: bool(c.version.strip()),
            "have a version",
            "give every component a version",
        ),
        _share(
            "unique-id",
            1.5,
            components,
            lambda c: _has_purl(c) or bool(c.cpe),
            "have a purl or CPE",
            "give every component a purl (or a CPE) so it can be matched against advisories",
        ),
        _share(
            "dependencies",
            1.5,
            components,
            _in_graph(bom),
            "are in the dependency graph",
            "record dependency relationships (CycloneDX dependencies, SPDX DEPENDS_ON)",
        ),
        _fact(
            "author",
            1.0,
            bool(authors),
            f"authors: {', '.join(authors)}" if authors else f"no author (tools: {tools})",
            "name the person or organisation that made the SBOM (CycloneDX "
            "metadata.authors, SPDX creationInfo.creators Person/Organization)",
        ),
        _fact(
            "timestamp",
            1.0,
            _valid_timestamp(bom.timestamp),
            f"created {bom.timestamp}" if bom.timestamp else "no creation time",
            "record when the SBOM was made as ISO 8601 (metadata.timestamp, creationInfo.created)",
        ),
        _share(
            "licenses",
            1.0,
            components,
            lambda c: bool(c.licenses),
            "state a licence",
            "state each component's licence as an SPDX expression",
            category="quality",
        ),
        _share(
            "hashes",
            1.0,
            components,
            lambda c: bool(c.hashes),
            "have a hash",
            "record a SHA-256 or stronger hash of each component's artefact",
            category="quality",
        ),
        _purl_check(components),
        _spec_check(spec),
    )
    return Quality(source, spec, len(components), checks)
