"""Reading a large CycloneDX 1.6 JSON into assay's model, beside plain ``json.load``.

Generates a realistic document (default 10,000 components: npm, PyPI, Maven and
Go purls, SPDX ids, expressions and named licences, SHA-256/SHA-512 hashes,
external references, properties, and a dependency graph of about three edges
per component), then times, in this process and alternately, best of ``--runs``:

- ``json.load`` of the file (the floor: the file must at least be parsed);
- ``CycloneDxJsonReader().read`` of the same file (parse + build the model).

Prints both and the ratio (target: at most 3x).
Usage: python bench/sbom_read.py [--runs N] [--components N] [--keep FILE]
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assay.sbom.formats.cyclonedx_json import CycloneDxJsonReader
from bench._common import row

LICENCES: tuple[dict[str, Any], ...] = (
    {"license": {"id": "MIT"}},
    {"license": {"id": "Apache-2.0"}},
    {"license": {"id": "BSD-3-Clause"}},
    {"expression": "MIT OR Apache-2.0"},
    {"license": {"name": "Custom vendor licence"}},
)
WORDS = ("core", "utils", "http", "parser", "loader", "plugin", "types", "cli", "config", "io")


def _name(rng: random.Random, i: int) -> str:
    return f"{rng.choice(WORDS)}-{rng.choice(WORDS)}-{i}"


def _coordinates(rng: random.Random, i: int) -> tuple[str, str, str, str | None]:
    """(purl, name, version, group) for component ``i``, over four ecosystems."""
    version = f"{rng.randint(0, 9)}.{rng.randint(0, 30)}.{rng.randint(0, 99)}"
    name = _name(rng, i)
    kind = i % 4
    if kind == 0:
        scope = f"@scope{i % 50}"
        return f"pkg:npm/%40{scope[1:]}/{name}@{version}", name, version, scope
    if kind == 1:
        return f"pkg:pypi/{name}@{version}", name, version, None
    if kind == 2:
        group = f"org.example.{rng.choice(WORDS)}"
        return f"pkg:maven/{group}/{name}@{version}?type=jar", name, version, group
    module = f"github.com/example{i % 40}/{name}"
    return f"pkg:golang/{module}@v{version}", module, f"v{version}", None


def component(rng: random.Random, i: int) -> dict[str, Any]:
    purl, name, version, group = _coordinates(rng, i)
    digest = hashlib.sha256(purl.encode()).hexdigest()
    item: dict[str, Any] = {
        "type": "library",
        "bom-ref": purl,
        "name": name,
        "version": version,
        "purl": purl,
        "description": f"The {name} package, generated for the read benchmark.",
        "scope": rng.choice(("required", "required", "required", "optional", "excluded")),
        "licenses": [rng.choice(LICENCES)],
        "hashes": [
            {"alg": "SHA-256", "content": digest},
            {"alg": "SHA-512", "content": hashlib.sha512(purl.encode()).hexdigest()},
        ],
        "externalReferences": [
            {"type": "website", "url": f"https://example.org/{name}"},
            {"type": "vcs", "url": f"https://git.example.org/{name}.git"},
        ],
        "properties": [{"name": "bench:index", "value": str(i)}],
    }
    if group:
        item["group"] = group
    if i % 10 == 0:
        item["supplier"] = {"name": f"Example Supplier {i % 7}"}
    return item


def document(count: int) -> dict[str, Any]:
    rng = random.Random(10_000)
    components = [component(rng, i) for i in range(count)]
    refs = [c["bom-ref"] for c in components]
    dependencies = [{"ref": "app", "dependsOn": refs[: min(count, 25)]}]
    for i, ref in enumerate(refs):
        later = refs[i + 1 :]
        picks = rng.sample(later, min(len(later), rng.randint(0, 6)))
        dependencies.append({"ref": ref, "dependsOn": picks})
    return {
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "serialNumber": "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79",
        "version": 1,
        "metadata": {
            "timestamp": "2026-11-23T12:00:00Z",
            "tools": {"components": [{"type": "application", "name": "bench", "version": "1"}]},
            "authors": [{"name": "Bench Author"}],
            "component": {"type": "application", "bom-ref": "app", "name": "app", "version": "1"},
        },
        "components": components,
        "dependencies": dependencies,
    }


def best(runs: int, **fns: Callable[[], object]) -> dict[str, float]:
    """Best wall time of each callable over ``runs`` alternated runs, with GC settled."""
    times: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(runs):
        for name, fn in fns.items():
            gc.collect()
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return {name: min(values) for name, values in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--components", type=int, default=10_000)
    parser.add_argument("--keep", type=Path, help="also write the generated document here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="assay-read-") as tmp:
        path = args.keep or Path(tmp) / "bom.cdx.json"
        path.write_text(json.dumps(document(args.components), indent=2), encoding="utf-8")
        reader = CycloneDxJsonReader()
        bom = reader.read(path)
        if len(bom) != args.components:
            raise SystemExit(f"bench: read {len(bom)} components, wrote {args.components}")

        def plain() -> object:
            with path.open("rb") as fh:
                return json.load(fh)

        times = best(args.runs, json_load=plain, assay_read=lambda: reader.read(path))
        size = path.stat().st_size
    print(f"CycloneDX 1.6 JSON, {args.components:,} components, {size / 1e6:.1f} MB")
    row(
        "components / edges / warnings read", f"{len(bom)} / {len(bom.edges)} / {len(bom.warnings)}"
    )
    row(f"json.load (best of {args.runs})", f"{times['json_load'] * 1000:.1f} ms")
    row(f"CycloneDxJsonReader.read (best of {args.runs})", f"{times['assay_read'] * 1000:.1f} ms")
    row("ratio (target <= 3.0)", f"{times['assay_read'] / times['json_load']:.2f}")


if __name__ == "__main__":
    main()
