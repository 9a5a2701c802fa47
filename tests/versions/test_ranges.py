"""OSV range evaluation (assay.versions.ranges) against the OSV schema.

OSV schema, "Evaluation": a version is affected if it is listed in
``versions`` or if, for some range, "for evt in sorted(range.events): if
evt.introduced is present && v >= evt.introduced: vulnerable = true; else if
evt.fixed is present && v >= evt.fixed: vulnerable = false; else if
evt.last_affected is present && v > evt.last_affected: vulnerable = false",
within the range's limits ("If no limit events are provided, an implicit
{ "limit": "*" } is assumed"). "introduced allows a version of the value "0"
to represent a version that sorts before any other version."
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from assay.versions.debian import SCHEME as DEBIAN
from assay.versions.ranges import (
    fixed_versions,
    is_affected,
    prepare,
    range_problems,
    smallest_fix,
)


def entry(
    *ranges: tuple[str, list[dict[str, Any]]], versions: list[Any] | None = None
) -> dict[str, Any]:
    out: dict[str, Any] = {"ranges": [{"type": t, "events": e} for t, e in ranges]}
    if versions is not None:
        out["versions"] = versions
    return out


def test_spec_unfixed_example_affects_every_version() -> None:
    """'The following expresses that "every possible version is affected".'"""
    e = entry(("SEMVER", [{"introduced": "0"}]))
    assert all(is_affected("npm", v, e) for v in ["0.0.0-0", "0.0.1", "99.0.0"])


def test_spec_fixed_example() -> None:
    """'The following expresses that "everything before 1.0.2" is affected.'"""
    e = entry(("SEMVER", [{"introduced": "0"}, {"fixed": "1.0.2"}]))
    assert is_affected("npm", "1.0.1", e)
    assert is_affected("npm", "1.0.2-rc.1", e)
    assert not is_affected("npm", "1.0.2", e)
    assert not is_affected("npm", "2.0.0", e)


@pytest.mark.parametrize("shuffle", [False, True])
def test_spec_multiple_range_example(shuffle: bool) -> None:
    """'versions in the SemVer ranges [1.0.0, 1.0.2) or [3.0.0, 3.2.5) are affected.'

    Events may be listed in any order: they are sorted before evaluation.
    """
    events = [
        {"introduced": "1.0.0"},
        {"fixed": "1.0.2"},
        {"introduced": "3.0.0"},
        {"fixed": "3.2.5"},
    ]
    if shuffle:
        events = [events[3], events[0], events[2], events[1]]
    e = entry(("SEMVER", events))
    got = {
        v: is_affected("npm", v, e)
        for v in ["0.9.0", "1.0.0", "1.0.1", "1.0.2", "2.0.0", "3.0.0", "3.2.4", "3.2.5", "4.0.0"]
    }
    assert [v for v, hit in got.items() if hit] == ["1.0.0", "1.0.1", "3.0.0", "3.2.4"]


def test_spec_last_affected_example() -> None:
    """'the vulnerability is present in all versions of the package, up to and including
    version 2.1.214'."""
    e = entry(("ECOSYSTEM", [{"introduced": "0"}, {"last_affected": "2.1.214"}]))
    assert is_affected("Maven", "2.1.214", e)
    assert not is_affected("Maven", "2.1.215", e)
    assert fixed_versions("Maven", e) == []


def test_limit_bounds_a_range() -> None:
    """'limit ... Sets an upper limit on the range being described'; '*' is infinity."""
    bounded = entry(("ECOSYSTEM", [{"introduced": "1.0"}, {"limit": "2.0"}]))
    assert is_affected("Debian", "1.5", bounded)
    assert not is_affected("Debian", "2.0", bounded)
    assert not is_affected("Debian", "0.9", bounded)
    infinite = entry(("ECOSYSTEM", [{"introduced": "1.0"}, {"limit": "*"}]))
    assert is_affected("Debian", "99", infinite)
    two = entry(("ECOSYSTEM", [{"introduced": "1.0"}, {"limit": "2.0"}, {"limit": "3.0"}]))
    assert is_affected("Debian", "2.5", two)
    assert not is_affected("Debian", "3.0", two)


def test_same_version_events_put_introduced_first() -> None:
    empty = entry(("ECOSYSTEM", [{"fixed": "1.0"}, {"introduced": "1.0"}]))
    assert not is_affected("Debian", "1.0", empty)
    single = entry(("ECOSYSTEM", [{"last_affected": "1.0"}, {"introduced": "1.0"}]))
    assert is_affected("Debian", "1.0", single)
    assert not is_affected("Debian", "1.0.1", single)


def test_any_of_several_ranges_matches() -> None:
    e = entry(
        ("ECOSYSTEM", [{"introduced": "1.0"}, {"fixed": "1.1"}]),
        ("ECOSYSTEM", [{"introduced": "2.0"}, {"fixed": "2.1"}]),
    )
    assert [
        v for v in ["0.5", "1.0", "1.1", "2.0", "2.0.9", "2.1"] if is_affected("Alpine", v, e)
    ] == [
        "1.0",
        "2.0",
        "2.0.9",
    ]


def test_git_ranges_count_only_through_the_versions_list() -> None:
    git = ("GIT", [{"introduced": "0"}, {"fixed": "a" * 40}])
    assert not is_affected("OSS-Fuzz", "1.0", entry(git))
    assert is_affected("OSS-Fuzz", "1.0", entry(git, versions=["1.0"]))
    assert range_problems(entry(git)) == []


def test_versions_list_matches_exact_text_or_equal_versions() -> None:
    listed = entry(versions=["1.0", "v2-weird", "2.0.1"])
    assert is_affected("PyPI", "1.0.0", listed)  # PEP 440: 1.0 == 1.0.0
    assert is_affected("PyPI", "v2-weird", listed)  # not a PEP 440 version, same text
    assert not is_affected("PyPI", "2.0", listed)
    assert is_affected("Debian", "1.0-0", listed)  # dpkg: 1.0 == 1.0-0
    assert not is_affected("Debian", "1.0-1", listed)


def test_semver_ranges_use_semver_whatever_the_ecosystem() -> None:
    """SEMVER: 'The relation u < v denotes the precedence order defined in section 11 of
    SemVer 2.0.'"""
    semver = entry(("SEMVER", [{"introduced": "0"}, {"fixed": "1.0.0"}]))
    ecosystem = entry(("ECOSYSTEM", [{"introduced": "0"}, {"fixed": "1.0.0"}]))
    # "1.0.0-1" is a pre-release of 1.0.0 for SemVer, a Debian revision after 1.0.0 for dpkg
    assert is_affected("Debian", "1.0.0-1", semver)
    assert not is_affected("Debian", "1.0.0-1", ecosystem)


def test_go_semver_ranges_use_the_go_scheme() -> None:
    e = entry(("SEMVER", [{"introduced": "0"}, {"fixed": "0.3.7"}]))
    assert is_affected("Go", "0.3.6", e)
    assert is_affected("Go", "v0.3.6", e)
    assert is_affected("Go", "0.0.0-20210101000000-abcdef123456", e)  # pseudo-version
    assert not is_affected("Go", "v0.3.7", e)


@pytest.mark.parametrize(
    ("affected", "problem"),
    [
        ({"ranges": [{"type": "SEMVER"}]}, r"ranges\[0\]: no events"),
        ({"ranges": [{"type": "SEMVER", "events": []}]}, r"ranges\[0\]: no events"),
        ({"ranges": [{"type": "SEMVER", "events": "0"}]}, r"ranges\[0\]: no events"),
        (
            {"ranges": [{"type": "RANGE", "events": [{"introduced": "0"}]}]},
            r"unknown range type 'RANGE'",
        ),
        ({"ranges": [{"events": [{"introduced": "0"}]}]}, r"unknown range type None"),
        (
            {"ranges": [{"type": "SEMVER", "events": [{"introduced": 0}]}]},
            r"introduced is not a version string",
        ),
        (
            {"ranges": [{"type": "SEMVER", "events": [{"introduced": ""}]}]},
            r"introduced is not a version string",
        ),
        (
            {"ranges": [{"type": "SEMVER", "events": [{"introduced": "0", "fixed": "1"}]}]},
            r"exactly one field",
        ),
        (
            {"ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"patched": "1"}]}]},
            r"unknown event 'patched'",
        ),
        ({"ranges": [{"type": "SEMVER", "events": [{"fixed": "1.0.0"}]}]}, r"no introduced event"),
        ({"ranges": [{"type": "SEMVER", "events": [None]}]}, r"exactly one field"),
        ({"ranges": ["SEMVER"]}, r"ranges\[0\]: not an object"),
        ({"ranges": {"type": "SEMVER"}}, r"ranges: not a list"),
        ({"versions": "1.0"}, r"versions: not a list"),
        ({"versions": ["1.0.0", 2]}, r"versions\[1\]: not a version string"),
        ({}, r"no ranges and no versions"),
        ([], r"not an object"),
    ],
)
def test_malformed_parts_are_skipped_and_reported(affected: Any, problem: str) -> None:
    """Malformed input never raises: the part is skipped and the reason reported."""
    problems = range_problems(affected)
    assert len(problems) == 1
    assert re.search(problem, problems[0]), problems
    listed = isinstance(affected, dict) and affected.get("versions") == ["1.0.0", 2]
    assert is_affected("npm", "1.0.0", affected) is listed


def test_a_malformed_range_does_not_hide_a_good_one() -> None:
    e = entry(("SEMVER", [{"fixed": 1}]), ("SEMVER", [{"introduced": "0"}, {"fixed": "2.0.0"}]))
    assert is_affected("npm", "1.0.0", e)
    assert range_problems(e) == ["ranges[0].events[0]: fixed is not a version string"]


def test_fixed_versions_are_sorted_and_unique() -> None:
    e = entry(
        (
            "SEMVER",
            [{"introduced": "2.0.0"}, {"fixed": "2.10.0"}, {"introduced": "0"}, {"fixed": "1.9.0"}],
        ),
        ("ECOSYSTEM", [{"introduced": "0"}, {"fixed": "2.10.0"}]),
        ("GIT", [{"introduced": "0"}, {"fixed": "f" * 40}]),
    )
    assert fixed_versions("npm", e) == ["1.9.0", "2.10.0"]


def test_smallest_fix_escapes_every_advisory() -> None:
    a = entry(("SEMVER", [{"introduced": "0"}, {"fixed": "1.2.0"}]))
    b = entry(
        (
            "SEMVER",
            [
                {"introduced": "1.0.0"},
                {"fixed": "1.2.5"},
                {"introduced": "2.0.0"},
                {"fixed": "2.0.1"},
            ],
        )
    )
    assert smallest_fix("npm", "1.1.0", [a]) == "1.2.0"
    assert smallest_fix("npm", "1.1.0", [a, b]) == "1.2.5"
    assert smallest_fix("npm", "2.0.0", [a, b]) == "2.0.1"
    assert smallest_fix("npm", "3.0.0", [a, b]) is None


def test_smallest_fix_after_last_affected_needs_known_versions() -> None:
    e = entry(("ECOSYSTEM", [{"introduced": "0"}, {"last_affected": "1.4"}]))
    assert smallest_fix("PyPI", "1.0", [e]) is None
    assert (
        smallest_fix("PyPI", "1.0", [e], known_versions=["0.9", "1.4", "1.4.1", "2.0"]) == "1.4.1"
    )


def test_prepared_matcher_is_reused() -> None:
    e = entry(("ECOSYSTEM", [{"introduced": "1.0"}, {"fixed": "2.0"}]))
    assert prepare("Debian:11", e) is prepare("Debian:12", dict(e))
    assert prepare("Debian", e).matches("1.5")


# Property: "a range check agrees with sorting".
_DEB_VERSION = st.builds(
    "{}.{}{}{}".format,
    st.integers(0, 12),
    st.integers(0, 12),
    st.sampled_from(["", "~rc1", "~rc2", "+dfsg", "a", "b1"]),
    st.sampled_from(["", "-1", "-2", "-1~deb12u1", "-1+b1"]),
)
_DEB = st.lists(_DEB_VERSION, min_size=2, max_size=12)


@given(_DEB, st.data())
def test_range_check_agrees_with_sorting(raw: list[str], data: st.DataObject) -> None:
    """For sorted versions v and a range [v[i], v[j]), exactly v[i..j-1] are affected."""
    versions: list[str] = []
    for v in sorted(raw, key=DEBIAN.key):
        if not versions or DEBIAN.compare(versions[-1], v) < 0:
            versions.append(v)
    if len(versions) < 2:
        return
    i = data.draw(st.integers(0, len(versions) - 2))
    j = data.draw(st.integers(i + 1, len(versions) - 1))
    events = [{"fixed": versions[j]}, {"introduced": versions[i]}]
    half_open = entry(("ECOSYSTEM", events))
    closed = entry(("ECOSYSTEM", [{"introduced": versions[i]}, {"last_affected": versions[j]}]))
    for k, v in enumerate(versions):
        assert is_affected("Debian", v, half_open) == (i <= k < j)
        assert is_affected("Debian", v, closed) == (i <= k <= j)
    assert smallest_fix("Debian", versions[i], [half_open]) == versions[j]


# Real advisories from the shared data set.


def _osv(shared_data: Path, relative: str) -> dict[str, Any]:
    path = shared_data / "osv" / relative
    if path.suffix == ".yaml":
        return dict(yaml.safe_load(path.read_text(encoding="utf-8")))
    return dict(json.loads(path.read_text(encoding="utf-8")))


def test_real_pypi_advisory_with_unordered_events(shared_data: Path) -> None:
    """PYSEC-2023-100: 'In Django 3.2 before 3.2.20, 4 before 4.1.10, and 4.2 before 4.2.3'."""
    affected = _osv(shared_data, "pypi-advisory-db/vulns/django/PYSEC-2023-100.yaml")["affected"][0]
    ranges_only = {"ranges": affected["ranges"]}
    for e in (affected, ranges_only):
        for v in ["3.2", "3.2.19", "4.0", "4.1.9", "4.1.10rc1", "4.2", "4.2.2"]:
            assert is_affected("PyPI", v, e), v
        for v in ["3.1.14", "3.2.20", "4.1.10", "4.2rc1", "4.2.3", "5.0", "3.2.20.post1"]:
            assert not is_affected("PyPI", v, e), v
    assert fixed_versions("PyPI", affected) == ["3.2.20", "4.1.10", "4.2.3"]
    assert smallest_fix("PyPI", "4.1.3", [affected]) == "4.1.10"


def test_real_crates_advisory(shared_data: Path) -> None:
    """RUSTSEC-2023-0001 (tokio): affected >=1.7.0 <1.18.4, >=1.19.0 <1.20.3, >=1.21.0 <1.23.1."""
    affected = _osv(shared_data, "rustsec-advisory-db/osv/crates/RUSTSEC-2023-0001.json")[
        "affected"
    ][0]
    hits = [
        v
        for v in ["1.6.9", "1.7.0", "1.18.3", "1.18.4", "1.19.2", "1.20.3", "1.22.0", "1.23.1"]
        if is_affected("crates.io", v, affected)
    ]
    assert hits == ["1.7.0", "1.18.3", "1.19.2", "1.22.0"]
    assert smallest_fix("crates.io", "1.19.2", [affected]) == "1.20.3"


def test_real_go_advisory(shared_data: Path) -> None:
    """GO-2021-0113 (golang.org/x/text): introduced 0, fixed 0.3.7."""
    affected = _osv(shared_data, "go-vulndb/osv/GO-2021-0113.json")["affected"][0]
    assert is_affected("Go", "0.3.6", affected)
    assert is_affected("Go", "v0.3.5", affected)
    assert not is_affected("Go", "0.3.7", affected)


def test_real_npm_last_affected(shared_data: Path) -> None:
    """NSWG-ECO-100 (uri-js): vulnerable_versions '<=2.1.1'."""
    affected = _osv(shared_data, "npm-nodejs-security-wg-osv/NSWG-ECO-100.json")["affected"][0]
    assert is_affected("npm", "2.1.1", affected)
    assert not is_affected("npm", "2.1.2", affected)
    assert not is_affected("npm", "3.0.0", affected)


def test_every_json_advisory_evaluates_and_simple_ranges_hold(shared_data: Path) -> None:
    """No record raises; for one-range [introduced, fixed) entries the bounds behave."""
    checked = 0
    for pattern in [
        "go-vulndb/osv/*.json",
        "rustsec-advisory-db/osv/crates/*.json",
        "npm-nodejs-security-wg-osv/*.json",
    ]:
        for path in sorted((shared_data / "osv").glob(pattern)):
            record = json.loads(path.read_text(encoding="utf-8"))
            for affected in record.get("affected", []):
                ecosystem = affected["package"]["ecosystem"]
                assert range_problems(affected) == [] or not affected.get("ranges"), path.name
                ranges = affected.get("ranges", [])
                if len(ranges) != 1 or affected.get("versions"):
                    continue
                events = ranges[0]["events"]
                if [next(iter(e)) for e in events] != ["introduced", "fixed"]:
                    continue
                lo, hi = events[0]["introduced"], events[1]["fixed"]
                if lo != "0":
                    assert is_affected(ecosystem, lo, affected), (path.name, lo)
                assert not is_affected(ecosystem, hi, affected), (path.name, hi)
                checked += 1
    assert checked > 1000


def test_hostile_entries_never_raise() -> None:
    weird: list[Any] = [
        {"ranges": [{"type": ["SEMVER"], "events": [{"introduced": "0"}]}]},
        {"ranges": [{"type": "SEMVER", "events": [{1: "0"}]}]},
        {"ranges": [{"type": "SEMVER", "events": [{"introduced": ["0"]}]}]},
        {"ranges": [{"type": "SEMVER", "events": [{"introduced": {"x": 1}}]}]},
        {"ranges": None, "versions": None},
        {"ranges": [[[[[]]]]]},
        None,
        "affected",
    ]
    for affected in weird:
        assert range_problems(affected)
        assert not is_affected("npm", "1.0.0", affected)
        assert fixed_versions("npm", affected) == []
        assert smallest_fix("npm", "1.0.0", [affected]) is None


def test_long_versions_list_and_long_version() -> None:
    many = entry(versions=[f"1.{i}.0" for i in range(5_000)])
    assert is_affected("npm", "1.4999.0", many)
    assert not is_affected("npm", "2.0.0", many)
    assert not is_affected("npm", "1." + "9" * 5000 + ".0", many)
