"""A Bom with every field the writers map, and the shared lockfiles to generate from."""

from __future__ import annotations

from pathlib import Path

from assay.sbom.formats._output import canonical_hash
from assay.sbom.model import Bom, Component, Scope

SHA256 = "7e522997b529f05601e05166c07ed17789691f562762c7f3b987263d2dedee5c"
# npm integrity of an empty tarball would be base64; this one decodes to 64 bytes
SHA512_B64 = (
    "lcy6Lymft9Rpfqmrqdd4oTDdUx9ZwaAhAfywVrHG4771Pa6PPT0danJ1kDHBXYqh4HHSmIdA+nlmfxfxSDPtBg=="
)


def rich_bom() -> Bom:
    """Two files, a duplicate package, dev/optional scopes, every optional field, bad values."""
    app = Component("PyPI", "Flask", "2.0.1", source="app/requirements.txt", direct=True)
    components = [
        app,
        Component(
            "npm",
            "@babel/cli",
            "7.14.8",
            source="web/package-lock.json",
            scope=Scope.DEV,
            direct=True,
            licenses="MIT",
            hashes=(("SHA-512", SHA512_B64),),
            namespace="@babel",
        ),
        Component(
            "Maven",
            "org.apache.logging.log4j:log4j-core",
            "2.14.1",
            source="svc/pom.xml",
            scope=Scope.OPTIONAL,
            direct=False,
            licenses="Apache-2.0 OR MIT",
            hashes=(("SHA-256", SHA256), ("GO-H1", "h1:notadigest=")),
            supplier="The Apache Software Foundation",
            author="Ralph Goers",
            description='Log4j <core> & "friends"',
            cpe="cpe:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*:*",
            external_refs=(
                ("website", "https://logging.apache.org/log4j/2.x/"),
                ("vcs", "https://github.com/apache/logging-log4j2"),
                ("chat-room", "https://example.invalid/chat"),
                ("website", "not a url with spaces"),
            ),
            properties=(("build", "ci-42"),),
        ),
        Component("crates.io", "serde", "1.0.0", source="rs/Cargo.lock", licenses="BSD"),
        Component(
            "Packagist",
            "vendor/pkg",
            "1.2.3",
            source="php/composer.lock",
            licenses="LicenseRef-Acme",
        ),
        Component(
            "npm", "left-pad", "1.3.0", source="web/package-lock.json", licenses="Foo OR MIT"
        ),
        # the same package version named by a second file, as a dev dependency there
        Component("PyPI", "flask", "2.0.1", source="tools/requirements-dev.txt", scope=Scope.DEV),
    ]
    bom = Bom(components=components, sources=[c.source for c in components])
    bom.edges = {
        (app.ref, components[2].ref),
        (components[1].ref, components[5].ref),
        (app.ref, app.ref),  # self-edge: dropped
        (app.ref, "npm:ghost@0.0.0"),  # dangling: dropped
    }
    bom.authors = ["Jane Doe"]
    bom.tools = ["syft 1.0.0"]
    bom.timestamp = "2024-05-01T12:00:00Z"
    return bom


def hashes(c: Component) -> set[tuple[str, str]]:
    """Hashes as written: hex, CycloneDX algorithm names; non-digests left out."""
    out = set()
    for algorithm, value in c.hashes:
        clean = canonical_hash(algorithm, value)
        if clean is not None:
            out.add(clean)
    return out


def shared_lockfiles(shared_data: Path, limit: int | None = None) -> list[Path]:
    """The real lockfiles of the shared data set assay catalogues, smallest first."""
    from assay.sbom.catalogers.registry import cataloger_for

    root = shared_data / "lockfiles"
    files = [p for p in sorted(root.rglob("*")) if p.is_file() and cataloger_for(p) is not None]
    files.sort(key=lambda p: p.stat().st_size)
    return files if limit is None else files[:limit]
