"""The ``--ignore-file``: accepted risks, each with a reason and an optional end date.

Format (YAML; documented in ``docs/ignore-file.md``)::

    version: 1
    ignore:
      - id: CVE-2024-1234            # any id or alias of the vulnerability
        package: django              # optional: a name, or a purl (pkg:pypi/django@4.2.1)
        version: 4.2.1               # optional: only this version
        reason: not reachable, we never call the affected function
        expires: 2025-06-30          # optional: the entry stops working after this day

An entry without ``reason``, with an unknown key, or with a malformed date is
an input error naming the file and line. An expired entry no longer ignores
anything and produces a warning.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from assay.core.ecosystems import ECOSYSTEM_BY_PURL_TYPE, normalise_name
from assay.core.errors import InputError
from assay.core.inputs import parse_yaml, read_text
from assay.matching.model import Finding, IgnoredFinding, ScanResult

MAX_BYTES = 4 * 1024 * 1024
_KEYS = frozenset({"id", "package", "version", "reason", "expires"})


class InvalidIgnoreFile(InputError):
    """An ignore file that cannot be read: ``FILE:LINE: reason``."""


@dataclass(frozen=True, slots=True)
class IgnoreRule:
    id: str
    reason: str
    where: str  # FILE:LINE of the entry
    package: str | None = None  # normalised name (with the ecosystem when given as a purl)
    ecosystem: str | None = None
    version: str | None = None
    expires: date | None = None

    def expired(self, today: date) -> bool:
        """An entry works through its ``expires`` day and stops the day after."""
        return self.expires is not None and today > self.expires

    def matches(self, finding: Finding) -> bool:
        vuln, comp = finding.vulnerability, finding.component
        if self.id.upper() not in {i.upper() for i in vuln.ids}:
            return False
        if self.ecosystem is not None and self.ecosystem != comp.ecosystem:
            return False
        if self.package is not None:
            eco = self.ecosystem or comp.ecosystem
            if normalise_name(eco, self.package) != comp.key_name:
                return False
        return self.version is None or self.version == comp.version


def _lines(text: str) -> list[int]:
    """1-based line of each entry of the ``ignore`` list (PyYAML node marks)."""
    import yaml

    root = yaml.compose(text, Loader=yaml.SafeLoader)
    if not isinstance(root, yaml.MappingNode):
        return []
    for key, value in root.value:
        if getattr(key, "value", None) == "ignore" and isinstance(value, yaml.SequenceNode):
            return [item.start_mark.line + 1 for item in value.value]
    return []


def _package(raw: str, source: Path, line: int) -> tuple[str, str | None, str | None]:
    """(name, ecosystem, version) from a plain name or a purl."""
    if not raw.startswith("pkg:"):
        return raw, None, None
    from packageurl import PackageURL

    try:
        purl = PackageURL.from_string(raw)
    except ValueError as exc:
        raise InvalidIgnoreFile(source, f"package: not a valid purl: {exc}", line=line) from None
    ecosystem = ECOSYSTEM_BY_PURL_TYPE.get(purl.type)
    if ecosystem is None:
        raise InvalidIgnoreFile(source, f"package: unknown purl type {purl.type!r}", line=line)
    name = purl.name
    if purl.namespace:
        name = f"{purl.namespace}:{name}" if purl.type == "maven" else f"{purl.namespace}/{name}"
    return name, ecosystem, purl.version


def _rule(item: Any, source: Path, line: int) -> IgnoreRule:
    if not isinstance(item, dict):
        raise InvalidIgnoreFile(source, "an entry must be a mapping with id and reason", line=line)
    unknown = sorted(str(k) for k in item if k not in _KEYS)
    if unknown:
        raise InvalidIgnoreFile(
            source, f"unknown key {unknown[0]!r} (expected {', '.join(sorted(_KEYS))})", line=line
        )
    for key in ("id", "reason"):
        value = item.get(key)
        if not isinstance(value, str) or not value.strip():
            raise InvalidIgnoreFile(source, f"entry has no {key}", line=line)
    for key in ("package", "version"):
        value = item.get(key)
        if isinstance(value, float):  # 4.10 would silently become 4.1
            raise InvalidIgnoreFile(source, f"{key}: write {value!r} in quotes", line=line)
        if value is not None and not isinstance(value, str | int):
            raise InvalidIgnoreFile(source, f"{key}: expected text", line=line)
    expires: date | None = None
    if item.get("expires") is not None:
        try:
            expires = date.fromisoformat(str(item["expires"]).strip())
        except ValueError:
            raise InvalidIgnoreFile(
                source, f"expires: {item['expires']!r} is not a date (YYYY-MM-DD)", line=line
            ) from None
    where = f"{source}:{line}"
    name, ecosystem, purl_version = None, None, None
    if item.get("package") is not None:
        name, ecosystem, purl_version = _package(str(item["package"]).strip(), source, line)
    version = str(item["version"]).strip() if item.get("version") is not None else purl_version
    return IgnoreRule(
        id=item["id"].strip(),
        reason=" ".join(item["reason"].split()),
        where=where,
        package=name,
        ecosystem=ecosystem,
        version=version,
        expires=expires,
    )


def parse_ignore(text: str, source: Path) -> list[IgnoreRule]:
    data = parse_yaml(text, source, error=InvalidIgnoreFile)
    if not isinstance(data, dict) or not isinstance(data.get("ignore"), list):
        raise InvalidIgnoreFile(source, "expected a mapping with an 'ignore:' list", line=1)
    version = data.get("version", 1)
    if version != 1:
        raise InvalidIgnoreFile(source, f"unsupported version {version!r} (expected 1)", line=1)
    extra = sorted(str(k) for k in data if k not in {"version", "ignore"})
    if extra:
        raise InvalidIgnoreFile(source, f"unknown top-level key {extra[0]!r}", line=1)
    lines = _lines(text)
    items: Sequence[Any] = data["ignore"]
    return [_rule(item, source, lines[i] if i < len(lines) else 1) for i, item in enumerate(items)]


def load_ignore(path: Path) -> list[IgnoreRule]:
    return parse_ignore(read_text(path, limit=MAX_BYTES, error=InvalidIgnoreFile), path)


def apply_ignores(result: ScanResult, rules: Iterable[IgnoreRule], today: date) -> ScanResult:
    """Move findings matched by a live rule to ``ignored``; warn about expired rules."""
    live, warnings = [], list(result.warnings)
    for rule in rules:
        if rule.expired(today):
            warnings.append(
                f"{rule.where}: ignore entry for {rule.id} expired on {rule.expires}; "
                "its findings are reported again"
            )
        else:
            live.append(rule)
    kept: list[Finding] = []
    ignored = list(result.ignored)
    for finding in result.findings:
        rule_hit = next((r for r in live if r.matches(finding)), None)
        if rule_hit is None:
            kept.append(finding)
        else:
            ignored.append(
                IgnoredFinding(
                    finding,
                    rule_hit.reason,
                    rule_hit.where,
                    rule_hit.expires.isoformat() if rule_hit.expires else None,
                )
            )
    return replace(result, findings=tuple(kept), ignored=tuple(ignored), warnings=tuple(warnings))
