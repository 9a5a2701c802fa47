"""``--format sarif``: SARIF 2.1.0 for code-scanning dashboards (GitHub, Azure DevOps ...).

One rule per vulnerability, one result per affected package and lockfile. The
result points at the lockfile and, when the file is at hand and small, at the
first line naming the package and its version. ``security-severity`` (a CVSS-like
number as a string) lets GitHub rank alerts; a malicious package is 10.0.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

from assay.matching.formats.interface import RenderOptions
from assay.matching.model import Finding, ScanResult, Vulnerability

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/assay-dev/assay"
# Files larger than this are not searched for a line number.
LOCATE_LIMIT = 8 * 1024 * 1024
# How many lines after the package name its version may appear on.
NEARBY = 4
# A representative score per level, used when an advisory has no CVSS score.
LEVEL_SCORES = {"critical": 9.5, "high": 8.0, "medium": 5.5, "low": 2.0, "none": 0.0}
SARIF_LEVELS = {"critical": "error", "high": "error", "medium": "warning", "low": "note"}


def security_severity(v: Vulnerability) -> str | None:
    if v.malicious:
        return "10.0"
    if v.score is not None:
        return f"{v.score:.1f}"
    score = LEVEL_SCORES.get(v.level)
    return None if score is None else f"{score:.1f}"


def _file_lines(source: str) -> tuple[str, ...]:
    path = Path(source)
    try:
        if not path.is_file() or path.stat().st_size > LOCATE_LIMIT:
            return ()
        return tuple(path.read_text(encoding="utf-8", errors="replace").splitlines())
    except OSError:
        return ()


class Locator:
    """Finds package lines, keeping the last few files read (memory stays bounded)."""

    def __init__(self, keep: int = 4) -> None:
        self.keep = keep
        self._files: dict[str, tuple[str, ...]] = {}

    def lines(self, source: str) -> tuple[str, ...]:
        if source not in self._files:
            if len(self._files) >= self.keep:
                del self._files[next(iter(self._files))]
            self._files[source] = _file_lines(source)
        return self._files[source]

    def locate(self, source: str, name: str, version: str) -> int | None:
        """1-based line naming the package, with its version there or in the next lines.

        Lockfiles put the version on the name's line (requirements.txt, go.mod,
        yarn.lock) or just below it (poetry.lock, Cargo.lock, package-lock.json).
        """
        if not source or not name:
            return None
        lines = self.lines(source)
        pattern = re.compile(rf"(?<![\w.-]){re.escape(name)}(?![\w-])")
        for index, line in enumerate(lines):
            if pattern.search(line) and any(
                version in near for near in lines[index : index + NEARBY]
            ):
                return index + 1
        return None


def locate(source: str, name: str, version: str) -> int | None:
    return Locator(keep=1).locate(source, name, version)


def artifact_uri(source: str) -> str:
    """The lockfile path relative to the working directory when inside it, POSIX style."""
    path = Path(source)
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except (ValueError, OSError):
        return path.as_posix()


def _rule(v: Vulnerability) -> dict[str, Any]:
    text = v.summary or v.id
    also = f" Also known as {', '.join(v.aliases)}." if v.aliases else ""
    properties: dict[str, Any] = {"tags": ["security", "vulnerability", "dependency"]}
    if v.malicious:
        properties["tags"].append("malicious")
    severity = security_severity(v)
    if severity is not None:
        properties["security-severity"] = severity
    return {
        "id": v.id,
        "name": v.id.replace("-", ""),
        "shortDescription": {"text": f"{v.id}: {text}"[:1024]},
        "fullDescription": {"text": f"{text}.{also}".replace("..", ".")},
        "help": {
            "text": f"{text}.{also} Sources: {', '.join(f'{i} ({s})' for i, s in v.sources)}.",
        },
        "defaultConfiguration": {"level": SARIF_LEVELS.get(v.effective_level, "warning")},
        "properties": properties,
    }


def _result(f: Finding, rule_index: int, locator: Locator) -> dict[str, Any]:
    c, v = f.component, f.vulnerability
    fix = f"; upgrade to {f.fix}" if f.fix else "; no fixed version known"
    location: dict[str, Any] = {"artifactLocation": {"uri": artifact_uri(c.source or "unknown")}}
    line = locator.locate(c.source, c.name, c.version)
    if line is not None:
        location["region"] = {"startLine": line}
    fingerprint = hashlib.sha256(
        "\x00".join((c.ecosystem, c.key_name, c.version, v.id, c.source)).encode()
    ).hexdigest()
    return {
        "ruleId": v.id,
        "ruleIndex": rule_index,
        "level": SARIF_LEVELS.get(v.effective_level, "warning"),
        "message": {"text": f"{c.name} {c.version} ({c.ecosystem}) is affected by {v.id}{fix}"},
        "locations": [{"physicalLocation": location}],
        "partialFingerprints": {"assayFinding/v1": fingerprint},
        "properties": {
            "package": c.name,
            "version": c.version,
            "ecosystem": c.ecosystem,
            "purl": c.purl,
            "fixedVersions": list(f.fixed_versions),
        },
    }


def document(result: ScanResult, options: RenderOptions) -> dict[str, Any]:
    locator = Locator()
    rules: dict[str, int] = {}
    rule_list: list[dict[str, Any]] = []
    for f in result.findings:
        if f.vulnerability.id not in rules:
            rules[f.vulnerability.id] = len(rule_list)
            rule_list.append(_rule(f.vulnerability))
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": options.tool_name,
                        "version": options.tool_version,
                        "informationUri": INFORMATION_URI,
                        "rules": rule_list,
                    }
                },
                "results": [
                    _result(f, rules[f.vulnerability.id], locator) for f in result.findings
                ],
                "properties": {
                    "database": result.database.location,
                    "advisories": result.database.advisories,
                    "ignored": len(result.ignored),
                },
            }
        ],
    }


class SarifFormatter:
    name = "sarif"

    def render(self, result: ScanResult, options: RenderOptions) -> str:
        return json.dumps(document(result, options), indent=2, ensure_ascii=False) + "\n"


FORMATTER = SarifFormatter()
