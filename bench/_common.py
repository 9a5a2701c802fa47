"""Helpers shared by the benchmark scripts: locating data, timing, printing."""

from __future__ import annotations

import os
import statistics
import subprocess
import time
from collections.abc import Callable, Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("ASSAY_SHARED_DATA", REPO.parent / "shared" / "data"))
OUT = REPO / "bench" / "out"


def need(path: Path) -> Path:
    if not path.exists():
        raise SystemExit(f"bench: {path} not found (set ASSAY_SHARED_DATA)")
    return path


def wall(cmd: Sequence[str], env: dict[str, str] | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, env=env)
    return time.perf_counter() - start


def interleaved(runs: int, **commands: Callable[[], float]) -> dict[str, list[float]]:
    """Run each timed callable ``runs`` times, alternating, so machine noise hits all alike."""
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, fn in commands.items():
            times[name].append(fn())
    return times


def median(xs: Sequence[float]) -> float:
    return statistics.median(xs)


def row(label: str, value: str) -> None:
    print(f"  {label:<44} {value}")
