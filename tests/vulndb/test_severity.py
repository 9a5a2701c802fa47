"""Severity: CVSS v2/v3.x/v4 base scores (FIRST specifications), the highest wins; the
qualitative scale of CVSS v3.1 section 5 (None 0.0, Low 0.1-3.9, Medium 4.0-6.9,
High 7.0-8.9, Critical 9.0-10.0)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assay.vulndb.osv import parse_record
from assay.vulndb.severity import assess, rating, score_vector


def record(**extra: Any) -> Any:
    return parse_record({"id": "GHSA-1", "modified": "2024-01-01T00:00:00Z", **extra}, "f.json")


def cvss(*vectors: tuple[str, str]) -> list[dict[str, str]]:
    return [{"type": t, "score": v} for t, v in vectors]


@pytest.mark.parametrize(
    ("vector", "score", "level"),
    [
        # Log4Shell, CVE-2021-44228 (NVD: 10.0 critical)
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10.0, "critical"),
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8, "critical"),
        ("CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 7.8, "high"),
        ("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:L/A:N", 6.5, "medium"),  # NSWG-ECO-1
        ("CVSS:3.0/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1, "medium"),  # typical XSS
        ("CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:N/A:L", 3.7, "low"),
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", 0.0, "none"),
        ("AV:N/AC:L/Au:N/C:P/I:P/A:P", 7.5, "high"),  # CVSS v2
        ("AV:N/AC:M/Au:N/C:N/I:P/A:N", 4.3, "medium"),  # CVSS v2
        ("AV:N/AC:L/Au:N/C:C/I:C/A:C", 10.0, "high"),  # v2 has no "critical"
        ("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", 9.3, "critical"),
        ("CVSS:4.0/AV:L/AC:L/AT:N/PR:L/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", 8.5, "high"),
        ("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N", 0.0, "none"),
    ],
)
def test_known_vectors(vector: str, score: float, level: str) -> None:
    assert score_vector(vector) == (score, level)


@pytest.mark.parametrize(
    ("score", "level"),
    [
        (0.0, "none"),
        (0.1, "low"),
        (3.9, "low"),
        (4.0, "medium"),
        (6.9, "medium"),
        (7.0, "high"),
        (8.9, "high"),
        (9.0, "critical"),
        (10.0, "critical"),
    ],
)
def test_rating_boundaries(score: float, level: str) -> None:
    assert rating(score) == level


@pytest.mark.parametrize(
    ("vector", "match"),
    [
        ("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:U/A:U", "invalid CVSS vector"),  # NSWG-ECO-504
        ("CVSS:3.1/AV:N", "invalid CVSS vector"),
        ("CVSS:5.0/AV:N", "unsupported CVSS version"),
        ("", "invalid CVSS vector"),
        ("high", "invalid CVSS vector"),
    ],
)
def test_bad_vectors(vector: str, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        score_vector(vector)


def test_highest_vector_wins() -> None:
    sev = assess(
        record(
            severity=cvss(
                ("CVSS_V2", "AV:N/AC:M/Au:N/C:N/I:P/A:N"),
                ("CVSS_V3", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"),
                ("CVSS_V4", "CVSS:4.0/AV:L/AC:L/AT:N/PR:L/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"),
            ),
            database_specific={"severity": "LOW"},
        )
    )
    assert (sev.level, sev.score) == ("critical", 9.8)
    assert sev.origin.startswith("CVSS_V3: CVSS:3.1/")
    assert sev.problems == ()


def test_invalid_vector_is_a_problem_not_an_error() -> None:
    sev = assess(
        record(
            severity=cvss(
                ("CVSS_V3", "CVSS:3.1/garbage"),
                ("CVSS_V3", "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:N/A:L"),
            )
        )
    )
    assert (sev.level, sev.score) == ("low", 3.7)
    assert len(sev.problems) == 1 and sev.problems[0].startswith("GHSA-1: invalid CVSS vector")


@pytest.mark.parametrize(
    ("extra", "level", "origin"),
    [
        ({"database_specific": {"severity": "MODERATE"}}, "medium", "database_specific.severity"),
        ({"database_specific": {"severity": "CRITICAL"}}, "critical", "database_specific.severity"),
        ({"ecosystem_specific": {"severity": "HIGH"}}, "high", "ecosystem_specific.severity"),
        (
            {
                "affected": [
                    {"package": {"ecosystem": "Debian:12", "name": "a"}},
                    {
                        "package": {"ecosystem": "Ubuntu:22.04", "name": "b"},
                        "ecosystem_specific": {"severity": "low"},
                    },
                    {
                        "package": {"ecosystem": "npm", "name": "c"},
                        "database_specific": {"severity": "Important"},
                    },
                ]
            },
            "high",
            "affected[2].database_specific.severity",
        ),
        ({"severity": cvss(("Ubuntu", "medium"))}, "medium", "severity Ubuntu"),
        ({"database_specific": {"severity": "whatever"}}, "unknown", "none"),
        ({"severity": cvss(("CVSS_V3", "nonsense"))}, "unknown", "none"),
        ({}, "unknown", "none"),
    ],
)
def test_fallbacks_without_a_vector(extra: dict[str, Any], level: str, origin: str) -> None:
    sev = assess(record(**extra))
    assert (sev.level, sev.score, sev.origin) == (level, None, origin)


def test_malicious_is_critical() -> None:
    sev = assess(
        parse_record(
            {
                "id": "MAL-2024-1",
                "modified": "2024-01-01T00:00:00Z",
                "severity": cvss(("CVSS_V3", "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:N/A:L")),
            },
            "f.json",
        )
    )
    assert (sev.level, sev.origin, sev.score) == ("critical", "malicious", 3.7)


@given(st.text(max_size=120))
def test_any_text_never_raises_anything_but_value_error(text: str) -> None:
    for candidate in (text, "CVSS:3.1/" + text, "CVSS:4.0/" + text):
        try:
            score, level = score_vector(candidate)
        except ValueError:
            continue
        assert 0.0 <= score <= 10.0 and level in {"none", "low", "medium", "high", "critical"}


def test_nodejs_wg_hand_scores_mostly_agree(shared_data: Path) -> None:
    """The Node.js WG files carry a vector and a hand-entered score. Where they disagree
    the score was mistyped (e.g. C:H/I:N/A:N given 9.3, officially 7.5), so agreement
    is high but not total; a scorer bug would make it collapse."""
    agree = disagree = 0
    for path in sorted((shared_data / "osv" / "nodejs-security-wg" / "npm").glob("*.json")):
        data = json.loads(path.read_text())
        if not data.get("cvss_vector") or data.get("cvss_score") is None:
            continue
        try:
            score, _ = score_vector(data["cvss_vector"])
        except ValueError:
            continue
        if abs(score - float(data["cvss_score"])) < 0.01:
            agree += 1
        else:
            disagree += 1
    assert agree > 400 and disagree < agree // 10
