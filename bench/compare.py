"""Throughput of assay.versions.compare on the shared version vectors, beside univers.

Prints comparisons per second for each ecosystem and for all vectors, for assay
and for univers in the same run, their ratio, and how many vectors each gets
right. Usage: python bench/compare.py [--repeat N]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable

sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parent.parent))

from tests.versions.vectors import read_vectors, vector_files

from assay.versions import compare
from bench._common import SHARED, need, row

UNIVERS = {
    "PyPI": "PypiVersion",
    "npm": "SemverVersion",
    "crates.io": "SemverVersion",
    "Maven": "MavenVersion",
    "NuGet": "NugetVersion",
    "Packagist": "ComposerVersion",
    "RubyGems": "RubygemsVersion",
    "Debian": "DebianVersion",
    "Alpine": "AlpineLinuxVersion",
    "Red Hat": "RpmVersion",
}


def univers_compare(cls: type, a: str, b: str) -> int | None:
    try:
        va, vb = cls(a), cls(b)
        return (va > vb) - (va < vb)
    except Exception:  # noqa: BLE001 - univers raises many types on invalid input
        return None


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    import univers.versions as uv

    directory = need(SHARED / "version-vectors")
    total = {
        "assay": 0.0,
        "assay_cold": 0.0,
        "univers": 0.0,
        "n": 0,
        "assay_ok": 0,
        "univers_ok": 0,
    }
    print(f"compare() on {directory} (best of {args.repeat} runs)")
    for path, eco in vector_files(directory):
        vectors = read_vectors(path)
        pairs = [(v.a, v.b, v.expected_sign()) for v in vectors]
        # The first pass is cold (assay caches parsed versions); later passes are warm.
        cold_assay = _time(_assay_run, eco, pairs)
        best_assay = min(_time(_assay_run, eco, pairs) for _ in range(args.repeat))
        assay_ok = sum(((c := compare(eco, a, b)) > 0) - (c < 0) == s for a, b, s in pairs)
        line = f"assay {len(pairs) / best_assay:>10,.0f}/s ok {assay_ok}/{len(pairs)}"
        if eco in UNIVERS:
            cls = getattr(uv, UNIVERS[eco])
            best_u = min(_time(_univers_run, cls, pairs) for _ in range(args.repeat))
            u_ok = sum(univers_compare(cls, a, b) == s for a, b, s in pairs)
            line += f" | univers {len(pairs) / best_u:>9,.0f}/s ok {u_ok}/{len(pairs)}"
            line += f" | x{best_u / best_assay:.1f}"
            total["assay"] += best_assay
            total["assay_cold"] += cold_assay
            total["univers"] += best_u
            total["n"] += len(pairs)
            total["assay_ok"] += assay_ok
            total["univers_ok"] += u_ok
        row(f"{path.name} [{eco}]", line)
    n = int(total["n"])
    print(
        f"\nAll ecosystems univers covers: {n:,} comparisons; "
        f"assay {n / total['assay']:,.0f}/s ({int(total['assay_ok']):,} right), "
        f"univers {n / total['univers']:,.0f}/s ({int(total['univers_ok']):,} right); "
        f"assay is {total['univers'] / total['assay']:.1f}x univers' throughput warm, "
        f"{total['univers'] / total['assay_cold']:.1f}x on a cold first pass "
        f"({n / total['assay_cold']:,.0f}/s)"
    )


def _assay_run(eco: str, pairs: list[tuple[str, str, int]]) -> None:
    for a, b, _ in pairs:
        compare(eco, a, b)


def _univers_run(cls: type, pairs: list[tuple[str, str, int]]) -> None:
    for a, b, _ in pairs:
        univers_compare(cls, a, b)


def _time(fn: Callable[..., None], *args: object) -> float:
    start = time.perf_counter()
    fn(*args)
    return time.perf_counter() - start


if __name__ == "__main__":
    main()
