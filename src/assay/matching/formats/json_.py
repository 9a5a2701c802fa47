"""``--format json``: the documented, versioned scan result (``docs/scan-json.md``).

The schema is ``docs/schemas/scan-result-1.0.schema.json``. Compatible
additions keep ``schema_version`` at 1.x; removing or renaming a field makes
it 2.0. Only the standard library is imported here: this is the CI hot path.
"""

from __future__ import annotations

import json
from typing import Any

from assay.matching.formats.interface import RenderOptions
from assay.matching.model import Finding, IgnoredFinding, ScanResult, Vulnerability

SCHEMA_VERSION = "1.0"


def package(finding: Finding) -> dict[str, Any]:
    c = finding.component
    return {
        "ecosystem": c.ecosystem,
        "name": c.name,
        "version": c.version,
        "purl": c.purl,
        "direct": c.direct,
        "dev": c.dev,
        "source": c.source,
    }


def vulnerability(v: Vulnerability) -> dict[str, Any]:
    return {
        "id": v.id,
        "aliases": list(v.aliases),
        "summary": v.summary,
        "severity": {"level": v.level, "score": v.score, "vectors": list(v.vectors)},
        "malicious": v.malicious,
        "sources": [{"id": i, "source": s} for i, s in v.sources],
    }


def finding(f: Finding) -> dict[str, Any]:
    return {
        "package": package(f),
        "vulnerability": vulnerability(f.vulnerability),
        "fixed_versions": list(f.fixed_versions),
        "fix": f.fix,
    }


def ignored(i: IgnoredFinding) -> dict[str, Any]:
    return {
        **finding(i.finding),
        "ignore": {"reason": i.reason, "rule": i.rule, "expires": i.expires},
    }


def document(result: ScanResult, options: RenderOptions) -> dict[str, Any]:
    db = result.database
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": options.tool_name, "version": options.tool_version},
        "database": {
            "location": db.location,
            "advisories": db.advisories,
            "last_import": db.last_import,
            "last_sync": db.last_sync,
        },
        "summary": {
            "components": len(result.components),
            "findings": len(result.findings),
            "vulnerabilities": len(result.vulnerability_ids()),
            "ignored": len(result.ignored),
            "by_severity": result.counts(),
            "fail_on": options.fail_on,
        },
        "sources": list(result.sources),
        "findings": [finding(f) for f in result.findings],
        "ignored": [ignored(i) for i in result.ignored],
        "warnings": list(result.warnings),
    }


class JsonFormatter:
    name = "json"

    def render(self, result: ScanResult, options: RenderOptions) -> str:
        return json.dumps(document(result, options), indent=2, ensure_ascii=False) + "\n"


FORMATTER = JsonFormatter()
