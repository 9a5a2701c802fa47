from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings

from assay.sbom.catalogers.gemfile_lock import GemfileLockCataloger
from tests.sbom.catalogers._hostile import (
    assert_refused,
    common_cases,
    format_text,
    garbage_10mb,
    read_or_refuse,
    run_common,
    write,
)

DATA = Path(__file__).parent / "testdata" / "gemfile_lock"
CAT = GemfileLockCataloger()
MINIMAL = (
    "GEM\n  remote: https://rubygems.org/\n  specs:\n    rack (2.2.8)\n\nDEPENDENCIES\n  rack\n"
)


def test_matches_by_name() -> None:
    assert CAT.matches(Path("Gemfile.lock"))
    assert CAT.matches(Path("gems.locked"))
    assert CAT.matches(Path("OWASP__railsgoat__0e426dbbfb__Gemfile.lock"))
    assert not CAT.matches(Path("Gemfile"))


def test_sections_platforms_path_git_checksums() -> None:
    path = DATA / "full" / "Gemfile.lock"
    bom = CAT.read(path)
    got = {c.name: (c.version, c.direct, len(c.hashes)) for c in bom}
    assert got == {
        "forked_gem": ("2.0.0", True, 0),  # GIT gem named with ! in DEPENDENCIES
        "mini_portile2": ("2.8.5", False, 1),
        "nokogiri": ("1.15.4", True, 2),  # three platform builds, one component
        "racc": ("1.7.3", False, 0),
        "rack": ("2.2.8", True, 1),  # a dependency of the PATH gem myapp
        "rake": ("13.1.0", True, 0),
    }
    assert "myapp" not in got  # PATH gems are the project's own code
    assert bom.edges == {
        ("RubyGems:forked_gem@2.0.0", "RubyGems:rack@2.2.8"),
        ("RubyGems:nokogiri@1.15.4", "RubyGems:mini_portile2@2.8.5"),
        ("RubyGems:nokogiri@1.15.4", "RubyGems:racc@1.7.3"),
    }
    assert bom.warnings == [f"{path}:6: forked_gem 2.0.0 comes from git, not RubyGems"]
    assert all(c.ecosystem == "RubyGems" and c.source == str(path) for c in bom)


def test_shared_railsgoat(shared_data: Path) -> None:
    bom = CAT.read(shared_data / "lockfiles/rubygems/OWASP__railsgoat__0e426dbbfb__Gemfile.lock")
    assert len(bom) == 139
    got = {c.name: c for c in bom}
    assert got["rails"].version == "5.1.6.1"
    assert got["rails"].direct is True
    assert (got["nokogiri"].version, got["rack"].version, got["loofah"].version) == (
        "1.9.1",
        "2.0.6",
        "2.2.3",
    )
    assert got["nokogiri"].direct is False
    assert sum(c.direct is True for c in bom) == 43
    assert ("RubyGems:actioncable@5.1.6.1", "RubyGems:nio4r@" + got["nio4r"].version) in bom.edges


@pytest.mark.parametrize("case", sorted(common_cases()))
def test_common_bad_inputs(tmp_path: Path, case: str) -> None:
    run_common(CAT, tmp_path, "Gemfile.lock", case)


@pytest.mark.parametrize(
    ("text", "reason", "line"),
    [
        (MINIMAL.split("\nDEPENDENCIES")[0], "no DEPENDENCIES section", None),  # truncated
        ("GEM\n  specs:\n    rack (2.2", "expected 'name \\(version\\)'", 3),  # cut mid-line
        ('{"packages": []}\n', "not a Gemfile.lock line", 1),  # JSON named Gemfile.lock
        ("GEM\n  specs:\n\track (1.0)\n", "tab", 3),
        ("GEM\n  specs:\n    ra\x1bck (1.0)\n", r"control character in ra\\x1bck", 3),
        ("  rack (1.0)\n", "indented line before any section", 1),
        ("GEM\n  specs:\n     rack (1.0)\n", "unexpected indentation \\(5 spaces\\) in GEM", 3),
        ("GEM\n  remote-x\n", "unexpected line", 2),
        ("GEM\n  specs:\n    rack ()\n", "invalid version", 3),
        ("DEPENDENCIES\n    rack\n", "unexpected indentation in DEPENDENCIES", 2),
        ("DEPENDENCIES\n  ra ck (1\n", "expected 'name \\(requirement\\)'", 2),
        ("CHECKSUMS\n  rack (1.0) sha256=xyz\nDEPENDENCIES\n", "invalid checksum sha256=xyz", 2),
        ("GEM\n  specs:\n" + " " * 100_000 + "rack (1)\n", "characters long", 3),
    ],
)
def test_bad_documents(tmp_path: Path, text: str, reason: str, line: int | None) -> None:
    assert_refused(CAT, write(tmp_path, "Gemfile.lock", text.encode()), reason, line=line)


def test_minimal_and_unknown_sections(tmp_path: Path) -> None:
    text = MINIMAL + "\nFUTURE SECTION\n  anything: goes\n     here\n"
    bom = CAT.read(write(tmp_path, "Gemfile.lock", text.encode()))
    assert [(c.name, c.version, c.direct) for c in bom] == [("rack", "2.2.8", True)]


def test_huge_line_and_garbage(tmp_path: Path) -> None:
    assert_refused(CAT, write(tmp_path, "Gemfile.lock", b"GEM" * 1_000_000), "characters long")
    path = write(tmp_path, "Gemfile.lock", garbage_10mb())
    assert_refused(CAT, path, "not a Gemfile.lock line", line=1)


@settings(max_examples=150, deadline=None)
@given(
    format_text(
        [
            "\n",
            "  ",
            "    ",
            "      ",
            "GEM",
            "GIT",
            "PATH",
            "DEPENDENCIES",
            "CHECKSUMS",
            "specs:",
            "remote: x",
            "rack",
            " (",
            ")",
            "1.0",
            "-java",
            "!",
            "sha256=",
            ",",
        ]
    )
)
def test_never_crashes(text: str) -> None:
    read_or_refuse(CAT, "Gemfile.lock", text.encode())


def test_one_name_at_too_many_versions(tmp_path: Path) -> None:
    specs = "".join(f"    a (1.{i})\n      a (>= 0)\n" for i in range(300))
    text = f"GEM\n  specs:\n{specs}\nDEPENDENCIES\n  a\n"
    assert_refused(CAT, write(tmp_path, "Gemfile.lock", text.encode()), "more than 256 versions")
