"""Tests for assay.matching.model: grouping, primary ids, thresholds."""

from __future__ import annotations

import pytest

from assay.matching.model import (
    AdvisoryRecord,
    DatabaseInfo,
    Finding,
    ScanResult,
    Vulnerability,
    fails,
    group_advisories,
    level_rank,
)
from assay.sbom.model import Component
from assay.vulndb.ids import natural_key


def adv(i: str, *aliases: str, **kw: object) -> AdvisoryRecord:
    return AdvisoryRecord(id=i, source=kw.pop("source", "src"), aliases=aliases, **kw)  # type: ignore[arg-type]


def test_natural_key_orders_numbers_as_numbers() -> None:
    ids = ["CVE-2021-10000", "CVE-2021-9999", "CVE-2020-1"]
    assert sorted(ids, key=natural_key) == ["CVE-2020-1", "CVE-2021-9999", "CVE-2021-10000"]


def test_level_rank_unknown_spellings_are_lowest() -> None:
    assert level_rank("CRITICAL") > level_rank("high") > level_rank("low") > level_rank("none")
    assert level_rank("moderate") == level_rank("unknown") == 0


def test_group_transitively_through_aliases() -> None:
    a = adv("PYSEC-2021-1", "CVE-2021-9")
    b = adv("GHSA-aaaa-bbbb-cccc", "CVE-2021-9", "CVE-2021-10")
    c = adv("OSV-2021-3", "CVE-2021-10")
    d = adv("PYSEC-2022-2")
    groups = group_advisories([d, c, b, a])
    assert [sorted(x.id for x in g) for g in groups] == [
        ["GHSA-aaaa-bbbb-cccc", "OSV-2021-3", "PYSEC-2021-1"],
        ["PYSEC-2022-2"],
    ]


def test_group_when_one_advisory_id_is_another_alias() -> None:
    groups = group_advisories([adv("GO-2022-1", "GHSA-x"), adv("GHSA-x")])
    assert len(groups) == 1


@pytest.mark.parametrize(
    ("records", "primary"),
    [
        ([adv("PYSEC-2021-1", "CVE-2021-9", "GHSA-a")], "CVE-2021-9"),
        ([adv("PYSEC-2021-1", "GHSA-b"), adv("GHSA-a")], "GHSA-a"),
        ([adv("RUSTSEC-2021-10"), adv("RUSTSEC-2021-9", "RUSTSEC-2021-10")], "RUSTSEC-2021-9"),
        ([adv("GO-1", "CVE-2021-10000", "CVE-2021-9999")], "CVE-2021-9999"),
    ],
)
def test_primary_id_rule(records: list[AdvisoryRecord], primary: str) -> None:
    vuln = Vulnerability.from_advisories(records)
    assert vuln.id == primary
    assert primary not in vuln.aliases
    assert vuln.ids == {r.id for r in records} | {a for r in records for a in r.aliases}


def test_primary_id_does_not_depend_on_order() -> None:
    records = [adv("PYSEC-1", "CVE-1", summary="a"), adv("GHSA-1", "CVE-1", summary="b")]
    assert Vulnerability.from_advisories(records) == Vulnerability.from_advisories(records[::-1])


def test_merge_takes_highest_severity_union_of_vectors_and_any_malicious() -> None:
    v = Vulnerability.from_advisories(
        [
            adv("GHSA-1", "CVE-1", level="medium", score=5.0, vectors=("V1",), summary=""),
            adv("PYSEC-1", "CVE-1", level="high", score=7.5, vectors=("V1", "V2"), summary="x"),
            adv("MAL-1", "CVE-1", malicious=True, source="ossf"),
        ]
    )
    assert (v.level, v.score, v.vectors, v.malicious) == ("high", 7.5, ("V1", "V2"), True)
    assert v.effective_level == "critical"
    assert v.summary == "x"
    assert v.sources == (("GHSA-1", "src"), ("MAL-1", "ossf"), ("PYSEC-1", "src"))


def test_from_advisories_refuses_empty() -> None:
    with pytest.raises(ValueError, match="at least one"):
        Vulnerability.from_advisories([])


def _result(*levels: tuple[str, bool]) -> ScanResult:
    comp = Component("PyPI", "x", "1.0")
    findings = tuple(
        Finding(comp, Vulnerability(id=f"V-{i}", level=lvl, malicious=mal))
        for i, (lvl, mal) in enumerate(levels)
    )
    return ScanResult((comp,), findings, DatabaseInfo("db", 1))


@pytest.mark.parametrize(
    ("levels", "fail_on", "expected"),
    [
        ((), "any", False),
        ((("unknown", False),), "any", True),
        ((("unknown", False),), "low", False),
        ((("low", False),), "medium", False),
        ((("medium", False),), "medium", True),
        ((("high", False),), "critical", False),
        ((("low", True),), "critical", True),
        ((("critical", False),), "none", False),
        ((("none", False),), "low", False),
        ((("none", False),), "any", True),
    ],
)
def test_fails_thresholds(
    levels: tuple[tuple[str, bool], ...], fail_on: str, expected: bool
) -> None:
    assert fails(_result(*levels), fail_on) is expected


def test_fails_unknown_threshold() -> None:
    with pytest.raises(ValueError, match="unknown threshold"):
        fails(_result(), "severe")


def test_counts_cover_every_level() -> None:
    counts = _result(("high", False), ("low", True), ("bogus", False)).counts()
    assert counts == {"critical": 1, "high": 1, "medium": 0, "low": 0, "none": 0, "unknown": 1}
