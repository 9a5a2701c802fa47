from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings

from assay.sbom.catalogers.podfile_lock import PodfileLockCataloger
from tests.sbom.catalogers._hostile import (
    assert_refused,
    common_cases,
    format_text,
    garbage_10mb,
    read_or_refuse,
    run_common,
    write,
)

DATA = Path(__file__).parent / "testdata" / "podfile_lock"
CAT = PodfileLockCataloger()


def test_matches_by_name() -> None:
    assert CAT.matches(Path("Podfile.lock"))
    assert CAT.matches(Path("ios__Podfile.lock"))
    assert not CAT.matches(Path("Podfile"))


def test_pods_subspecs_direct_checksums_edges() -> None:
    path = DATA / "Podfile.lock"
    bom = CAT.read(path)
    got = {c.name: (c.version, c.direct) for c in bom}
    assert got == {
        "Alamofire": ("5.8.1", True),
        "Firebase": ("10.18.0", True),  # three subspecs, one pod
        "FirebaseAnalytics": ("10.18.0", False),
        "FirebaseCore": ("10.18.0", False),
        "GoogleUtilities": ("7.12.0", False),
        "SwiftyJSON": ("5.0.1", True),
    }  # LocalKit (:path) is local code, not a component
    assert {c.name: c.hashes for c in bom}["Alamofire"] == (
        ("SHA-1", "3ca42e259043ee0dc5c0cdd76c4bc568b8e42af7"),
    )
    ref = "CocoaPods:{}".format
    assert bom.edges == {
        (ref("Firebase@10.18.0"), ref("FirebaseAnalytics@10.18.0")),
        (ref("Firebase@10.18.0"), ref("FirebaseCore@10.18.0")),
        (ref("FirebaseAnalytics@10.18.0"), ref("FirebaseCore@10.18.0")),
        (ref("FirebaseAnalytics@10.18.0"), ref("GoogleUtilities@7.12.0")),
        (ref("FirebaseCore@10.18.0"), ref("GoogleUtilities@7.12.0")),
    }
    assert bom.warnings == [
        f"{path}:20: SwiftyJSON 5.0.1 comes from an external source"
        " (git https://github.com/SwiftyJSON/SwiftyJSON.git, tag 5.0.1), not the CocoaPods trunk"
    ]
    assert next(iter(bom)).purl == "pkg:cocoapods/Alamofire@5.8.1"


def test_minimal(tmp_path: Path) -> None:
    bom = CAT.read(write(tmp_path, "Podfile.lock", b"PODS:\n  - A (1.0)\n"))
    assert [(c.name, c.version, c.direct, c.hashes) for c in bom] == [("A", "1.0", False, ())]
    assert len(CAT.read(write(tmp_path, "Podfile.lock", b"PODS:\nCOCOAPODS: 1.0\n"))) == 0


@pytest.mark.parametrize("case", sorted(common_cases()))
def test_common_bad_inputs(tmp_path: Path, case: str) -> None:
    run_common(CAT, tmp_path, "Podfile.lock", case)


@pytest.mark.parametrize(
    ("text", "reason", "line"),
    [
        ("PODS:\n  - A (1.0)\n  - 'B (2", "invalid YAML", 3),  # truncated
        ('{"packages": []}', "no PODS section", None),
        ("DEPENDENCIES:\n  - A\n", "no PODS section", None),
        ("PODS: A\n", "PODS must be an array", 1),
        ("PODS:\n  - A\n", "expected 'Name \\(version\\)', found A", 2),
        ("PODS:\n  - A (1.0\n", "expected 'Name \\(version\\)'", 2),
        ("PODS:\n  - A (1.0)\n  - A/B (2.0)\n", "A is locked at 1.0 and 2.0", 3),
        ("PODS:\n  - A (1.0):\n    - 7\n", "requirement of A must be", 2),
        ("PODS:\n  - A (1.0):\n    - 'B (1'\n", "expected 'Name \\(requirement\\)'", 3),
        ("PODS:\n  - 5\n", "PODS entry must be", 1),
        ("PODS:\n  - A (1.0)\nSPEC CHECKSUMS:\n  A: nothex\n", "invalid checksum nothex", 4),
        ("PODS:\n  - A (1.0)\nSPEC CHECKSUMS: [1]\n", "SPEC CHECKSUMS must be a table", None),
        ("PODS:\n  - A (1.0)\nEXTERNAL SOURCES: 3\n", "EXTERNAL SOURCES must be a table", 3),
        ("PODS:\n  - &a A (1.0)\n  - *a\n", "anchors and aliases", 2),
        ('PODS:\n  - "A\\e[2J (1.0)"\n', "has control characters", 1),
    ],
)
def test_bad_documents(tmp_path: Path, text: str, reason: str, line: int | None) -> None:
    exc = assert_refused(CAT, write(tmp_path, "Podfile.lock", text.encode()), reason)
    assert exc.line == line


def test_garbage(tmp_path: Path) -> None:
    assert_refused(CAT, write(tmp_path, "Podfile.lock", garbage_10mb()), "invalid YAML|no PODS")


@settings(max_examples=60, deadline=None)
@given(
    format_text(
        [
            "PODS:\n",
            "  - A (1.0)\n",
            "  - A/B (1.0):\n",
            "    - C (~> 1)\n",
            "DEPENDENCIES:\n",
            "  - A\n",
            "SPEC CHECKSUMS:\n",
            "  A: " + "a" * 40 + "\n",
            "EXTERNAL SOURCES:\n",
            "  A:\n    :path: x\n",
        ]
    )
)
def test_never_crashes(text: str) -> None:
    read_or_refuse(CAT, "Podfile.lock", text.encode())
