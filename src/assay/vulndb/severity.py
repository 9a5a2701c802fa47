"""The severity of an advisory: CVSS vectors first, the source's own words second.

Every CVSS vector (v2, v3.0, v3.1, v4.0) in ``severity[]`` is scored with the
``cvss`` library and the highest base score wins. Ratings follow the CVSS v3/v4
qualitative scale (none 0.0, low 0.1-3.9, medium 4.0-6.9, high 7.0-8.9,
critical 9.0-10.0); v2 scores use NVD's v2 scale (low <4, medium <7, high).
Where no vector scores, the textual severities sources publish are used
(GitHub's ``database_specific.severity`` ``LOW/MODERATE/HIGH/CRITICAL``,
``ecosystem_specific.severity``, and the same keys on ``affected[]`` entries).
A malicious package is always critical. A bad vector never raises: it is
recorded in ``problems`` and ignored.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from cvss import CVSS2, CVSS3, CVSS4
from cvss.exceptions import CVSSError

from assay.vulndb.osv import OsvRecord

LEVELS = ("unknown", "none", "low", "medium", "high", "critical")
_WORDS = {
    "none": "none",
    "low": "low",
    "minor": "low",
    "moderate": "medium",
    "medium": "medium",
    "important": "high",
    "high": "high",
    "critical": "critical",
}


@dataclass(frozen=True, slots=True)
class Severity:
    """The winning severity and where it came from (for a person who doubts it)."""

    level: str
    score: float | None
    origin: str  # "CVSS_V3: CVSS:3.1/...", "database_specific.severity", "malicious", "none"
    problems: tuple[str, ...] = ()

    def rank(self) -> int:
        return LEVELS.index(self.level)


def rating(score: float, *, v2: bool = False) -> str:
    if v2:
        return "low" if score < 4.0 else "medium" if score < 7.0 else "high"
    if score == 0.0:
        return "none"
    if score < 4.0:
        return "low"
    if score < 7.0:
        return "medium"
    if score < 9.0:
        return "high"
    return "critical"


def score_vector(vector: str) -> tuple[float, str]:
    """Base score and rating of one CVSS vector; ``ValueError`` if it is not one."""
    text = vector.strip()
    if text.startswith("CVSS:") and not text.startswith(("CVSS:3.0/", "CVSS:3.1/", "CVSS:4.0/")):
        raise ValueError(f"unsupported CVSS version in {text[:12]!r}")
    try:
        if text.startswith("CVSS:4.0/"):
            score = float(CVSS4(text).base_score)
            return score, rating(score)
        if text.startswith(("CVSS:3.0/", "CVSS:3.1/")):
            score = float(CVSS3(text).scores()[0])
            return score, rating(score)
        score = float(CVSS2(text).scores()[0])
        return score, rating(score, v2=True)
    except (CVSSError, ArithmeticError, LookupError, TypeError, ValueError) as exc:
        raise ValueError(f"invalid CVSS vector {text[:80]!r}: {exc}") from None


def _textual(places: Iterable[tuple[str, Any]]) -> tuple[str, str] | None:
    best: tuple[str, str] | None = None
    for where, value in places:
        if not isinstance(value, str):
            continue
        level = _WORDS.get(value.strip().lower())
        if level and (best is None or LEVELS.index(level) > LEVELS.index(best[0])):
            best = (level, where)
    return best


def _text_places(record: OsvRecord) -> list[tuple[str, Any]]:
    places: list[tuple[str, Any]] = [
        ("database_specific.severity", record.database_specific.get("severity")),
    ]
    eco = record.raw.get("ecosystem_specific")
    if isinstance(eco, dict):
        places.append(("ecosystem_specific.severity", eco.get("severity")))
    for i, entry in enumerate(record.affected):
        for key in ("database_specific", "ecosystem_specific"):
            block = entry.get(key)
            if isinstance(block, dict):
                places.append((f"affected[{i}].{key}.severity", block.get("severity")))
    # OSV 1.6 "Ubuntu"-style entries carry a word, not a vector.
    for sev in record.severity:
        if not sev.type.startswith("CVSS"):
            places.append((f"severity {sev.type}", sev.score))
    return places


def assess(record: OsvRecord) -> Severity:
    problems: list[str] = []
    best: tuple[float, str, str] | None = None
    for entry in record.severity:
        if not entry.type.startswith("CVSS"):
            continue
        try:
            score, level = score_vector(entry.score)
        except ValueError as exc:
            problems.append(f"{record.id}: {exc}")
            continue
        if best is None or score > best[0]:
            best = (score, level, f"{entry.type}: {entry.score}")
    if record.malicious:
        return Severity("critical", best[0] if best else None, "malicious", tuple(problems))
    if best is not None:
        return Severity(best[1], best[0], best[2], tuple(problems))
    text = _textual(_text_places(record))
    if text is not None:
        return Severity(text[0], None, text[1], tuple(problems))
    return Severity("unknown", None, "none", tuple(problems))
