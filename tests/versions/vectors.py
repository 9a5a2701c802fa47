"""Reader for the version-ordering vectors in ``shared/data/version-vectors``.

Files hold lines ``a < b``, ``a > b`` or ``a = b``; ``//`` and ``#`` start
comments. Source: google/osv-scalibr ``semantic/testdata`` (Apache-2.0).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

# file stem prefix -> OSV ecosystems the vectors apply to
FILES: dict[str, tuple[str, ...]] = {
    "alpine": ("Alpine",),
    "cran": ("CRAN",),
    "debian": ("Debian",),
    "hackage": ("Hackage",),
    "maven": ("Maven",),
    "nuget": ("NuGet",),
    "packagist": ("Packagist",),
    "pub": ("Pub",),
    "pypi": ("PyPI",),
    "redhat": ("Red Hat",),
    "rubygems": ("RubyGems",),
    "semver": ("npm", "crates.io"),
}
_LINE = re.compile(r"^(?P<a>\S+)\s+(?P<op>[<>=])\s+(?P<b>\S+)\s*$")


@dataclass(frozen=True)
class Vector:
    file: str
    line: int
    a: str
    op: str
    b: str

    def expected_sign(self) -> int:
        return {"<": -1, "=": 0, ">": 1}[self.op]


def read_vectors(path: Path) -> list[Vector]:
    out: list[Vector] = []
    for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith(("//", "#")):
            continue
        m = _LINE.match(line)
        if m is None:
            raise ValueError(f"{path.name}:{n}: unreadable vector {raw!r}")
        out.append(Vector(path.name, n, m["a"], m["op"], m["b"]))
    return out


def vector_files(directory: Path) -> list[tuple[Path, str]]:
    """(file, ecosystem) pairs for every vector file present."""
    pairs = []
    for path in sorted(directory.glob("*-versions*.txt")):
        prefix = path.name.split("-versions", 1)[0]
        for ecosystem in FILES.get(prefix, ()):
            pairs.append((path, ecosystem))
    return pairs
