"""Evaluating the starter policy set over a large SBOM, beside reading that SBOM.

Generates the 10,000-component CycloneDX document of ``bench/sbom_read.py`` (npm,
PyPI, Maven and Go; licences including expressions and unknown names), gives every
fifth component a vulnerability (critical, high or unrated; some KEV-listed), every
seventh a catalogue status and every third a release date, then times, alternately
and best of ``--runs``:

- ``json.load`` of the document (the floor: the SBOM must at least be parsed);
- reading it into assay's model (what the gate does before evaluating);
- ``assay.policy.engine.evaluate`` of the starter policy set over the facts.

Prints each and the ratios of evaluation to the floor and to reading the SBOM.
Usage: python bench/policy.py [--runs N] [--components N]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assay.policy.engine import evaluate
from assay.policy.model import (
    CatalogueFact,
    ComponentFacts,
    ReleaseFact,
    Subject,
    VulnerabilityFact,
)
from assay.policy.starter import starter_policies
from assay.sbom.formats.cyclonedx_json import CycloneDxJsonReader
from assay.sbom.model import Component
from bench._common import row
from bench.sbom_read import document

TODAY = date(2026, 12, 7)
STATUSES = ("approved", "deprecated", "banned", "unlisted")


def facts_for(components: list[Component]) -> list[ComponentFacts]:
    out = []
    for i, c in enumerate(components):
        vulns: tuple[VulnerabilityFact, ...] = ()
        if i % 5 == 0:
            level = ("critical", "high", "unknown")[i % 3]
            vulns = (
                VulnerabilityFact(
                    f"CVE-2026-{i}", severity=level, cvss=9.8 if level == "critical" else None,
                    epss=0.2, kev=i % 2 == 0,
                ),
            )  # fmt: skip
        status = CatalogueFact(STATUSES[i % 4]) if i % 7 == 0 else CatalogueFact("unlisted")
        release = ReleaseFact(published=TODAY - timedelta(days=i % 30)) if i % 3 == 0 else None
        out.append(ComponentFacts(c, vulnerabilities=vulns, catalogue=status, release=release))
    return out


def best(runs: int, fn: Callable[[], object]) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--components", type=int, default=10_000)
    args = parser.parse_args()
    policies = starter_policies()
    subject = Subject(project="bench", tags=frozenset({"production", "distributed"}))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bom.cdx.json"
        path.write_text(json.dumps(document(args.components)))
        bom = CycloneDxJsonReader().read(path)
        facts = facts_for(list(bom.components))

        def floor() -> object:
            with path.open("rb") as f:
                return json.load(f)

        def run() -> object:
            return evaluate(policies, subject, facts, today=TODAY)

        report = evaluate(policies, subject, facts, today=TODAY)
        read_s = best(args.runs, lambda: CycloneDxJsonReader().read(path))
        floor_s = best(args.runs, floor)
        eval_s = best(args.runs, run)
    row("components", f"{len(facts):,}")
    row("policies (starter set)", str(len(policies)))
    row(
        "violations / could not evaluate",
        f"{len(report.violations):,} / {len(report.unevaluated):,}",
    )
    row("json.load (floor)", f"{floor_s * 1000:.0f} ms")
    row("read SBOM into the model", f"{read_s * 1000:.0f} ms")
    row("evaluate starter policies", f"{eval_s * 1000:.0f} ms")
    row("evaluate / floor", f"{eval_s / floor_s:.2f}x")
    row("evaluate / read", f"{eval_s / read_s:.2f}x")


if __name__ == "__main__":
    main()
