"""One OSV record (https://ossf.github.io/osv-schema/) parsed into a checked, normalised value.

Validation is light on purpose: the fields assay stores and matches on must have
the right shape (``id``, ``modified``, ``aliases``, ``affected[].package``),
everything else is kept as given. Timestamps become ISO 8601 UTC
(``YYYY-MM-DDTHH:MM:SSZ``) whatever spelling the source used, ecosystems take
OSV's spelling and package names the normalised form they are looked up by.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from assay.core.ecosystems import canonical_ecosystem, normalise_name
from assay.core.errors import InputError

# Column widths of assay.vulndb.models; longer values are refused, not truncated.
MAX_ID = 128
MAX_ECOSYSTEM = 64
MAX_NAME = 512
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:+-]*$")
MALICIOUS_MARKERS = ("malicious-packages-origins",)


class InvalidAdvisory(InputError):
    """An advisory file or record is not a usable OSV record."""


@dataclass(frozen=True, slots=True)
class SeverityEntry:
    type: str
    score: str


@dataclass(frozen=True, slots=True)
class AffectedPackage:
    """One ``affected[]`` entry that names a package, with the name as stored."""

    ecosystem: str
    name: str
    entry: dict[str, Any]


@dataclass(frozen=True, slots=True)
class OsvRecord:
    id: str
    modified: str
    published: str | None
    withdrawn: str | None
    aliases: tuple[str, ...]
    related: tuple[str, ...]
    summary: str
    details: str
    severity: tuple[SeverityEntry, ...]
    affected: tuple[dict[str, Any], ...]
    database_specific: dict[str, Any]
    references: tuple[dict[str, Any], ...]
    malicious: bool
    raw: dict[str, Any]
    record_json: str  # the record as stored: canonical JSON of ``raw``
    content_hash: str  # SHA-256 of ``json``: equal content, equal hash

    @property
    def prefix(self) -> str:
        """The id's database prefix: ``PYSEC`` for ``PYSEC-2021-1``."""
        return self.id.split("-", 1)[0]

    def packages(self) -> list[AffectedPackage]:
        """The affected entries that name a package (GIT-only entries have none)."""
        out = []
        for entry in self.affected:
            pkg = entry.get("package")
            if isinstance(pkg, dict) and pkg.get("ecosystem") and pkg.get("name"):
                eco = str(pkg["ecosystem"])
                out.append(AffectedPackage(eco, normalise_name(eco, str(pkg["name"])), entry))
        return out


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def normalise_timestamp(value: object, source: str, field: str) -> str:
    """RFC 3339 / ISO 8601 in many spellings -> ``YYYY-MM-DDTHH:MM:SSZ`` (UTC).

    Accepts ``Z`` or a numeric offset or none (taken as UTC), a space instead of
    ``T``, fractional seconds (dropped) and a bare date (midnight).
    """
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    elif isinstance(value, str) and value.strip():
        text = value.strip().upper()
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise InvalidAdvisory(
                source, f"{field}: not an ISO 8601 timestamp: {value!r:.60}"
            ) from None
    else:
        raise InvalidAdvisory(source, f"{field}: expected a timestamp string")
    try:
        if moment.tzinfo is not None:
            moment = moment.astimezone(UTC)
    except OverflowError:
        raise InvalidAdvisory(source, f"{field}: timestamp out of range: {value!r:.60}") from None
    return (
        f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}"
        f"T{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d}Z"
    )


def _string(record: Mapping[str, Any], key: str, source: str) -> str:
    value = record.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidAdvisory(source, f"{key}: expected a string")
    return value


def _id_list(record: Mapping[str, Any], key: str, source: str) -> tuple[str, ...]:
    value = record.get(key)
    if value is None:
        return ()
    if not isinstance(value, list):
        raise InvalidAdvisory(source, f"{key}: expected a list of ids")
    out: dict[str, None] = {}
    for item in value:
        if not isinstance(item, str) or not item.strip():
            raise InvalidAdvisory(source, f"{key}: expected a list of ids")
        item = item.strip()
        if len(item) > MAX_ID:
            raise InvalidAdvisory(source, f"{key}: id longer than {MAX_ID} characters")
        out[item] = None
    return tuple(out)


def _dict_list(record: Mapping[str, Any], key: str, source: str) -> list[dict[str, Any]]:
    value = record.get(key)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise InvalidAdvisory(source, f"{key}: expected a list of objects")
    return value


def _severity(record: Mapping[str, Any], source: str) -> tuple[SeverityEntry, ...]:
    out = []
    for i, item in enumerate(_dict_list(record, "severity", source)):
        kind, score = item.get("type"), item.get("score")
        if not isinstance(kind, str) or not isinstance(score, str | int | float):
            raise InvalidAdvisory(source, f"severity[{i}]: expected 'type' and 'score'")
        out.append(SeverityEntry(kind, str(score)))
    return tuple(out)


def _affected(record: Mapping[str, Any], source: str) -> tuple[dict[str, Any], ...]:
    out = []
    for i, entry in enumerate(_dict_list(record, "affected", source)):
        pkg = entry.get("package")
        if pkg is None:
            out.append(entry)
            continue
        if not isinstance(pkg, dict):
            raise InvalidAdvisory(source, f"affected[{i}].package: expected an object")
        eco, name = pkg.get("ecosystem"), pkg.get("name")
        if not isinstance(eco, str) or not eco.strip() or len(eco) > MAX_ECOSYSTEM:
            raise InvalidAdvisory(source, f"affected[{i}].package.ecosystem: missing or invalid")
        if not isinstance(name, str) or not name.strip() or len(name) > MAX_NAME:
            raise InvalidAdvisory(source, f"affected[{i}].package.name: missing or invalid")
        for key in ("ranges", "versions"):
            if entry.get(key) is not None and not isinstance(entry[key], list):
                raise InvalidAdvisory(source, f"affected[{i}].{key}: expected a list")
        out.append({**entry, "package": {**pkg, "ecosystem": canonical_ecosystem(eco)}})
    return tuple(out)


def is_malicious(record_id: str, aliases: tuple[str, ...], record: Mapping[str, Any]) -> bool:
    """OSV's malicious-packages ids (``MAL-``) or their origin markers."""
    if record_id.upper().startswith("MAL-") or any(a.upper().startswith("MAL-") for a in aliases):
        return True
    places = [record.get("database_specific")]
    places += [e.get("database_specific") for e in record.get("affected") or []]
    return any(isinstance(p, dict) and any(m in p for m in MALICIOUS_MARKERS) for p in places)


def parse_record(data: object, source: str) -> OsvRecord:
    """Check and normalise one OSV record; :class:`InvalidAdvisory` names what is wrong."""
    if not isinstance(data, dict):
        raise InvalidAdvisory(source, f"not an OSV record: expected an object, got {_kind(data)}")
    rid = data.get("id")
    if not isinstance(rid, str) or "modified" not in data:
        raise InvalidAdvisory(source, "not an OSV record: no string 'id' and 'modified' fields")
    rid = rid.strip()
    if not _ID.match(rid) or len(rid) > MAX_ID:
        raise InvalidAdvisory(source, f"id: not a valid advisory id: {rid!r:.60}")
    where = f"{source}: {rid}" if rid not in source else source
    modified = normalise_timestamp(data["modified"], where, "modified")
    published = _optional_time(data, "published", where)
    withdrawn = _optional_time(data, "withdrawn", where)
    aliases = tuple(a for a in _id_list(data, "aliases", where) if a != rid)
    db_specific = data.get("database_specific")
    if db_specific is not None and not isinstance(db_specific, dict):
        raise InvalidAdvisory(where, "database_specific: expected an object")
    affected = _affected(data, where)
    raw = dict(data)
    raw["id"] = rid
    raw["modified"] = modified
    for key, value in (("published", published), ("withdrawn", withdrawn)):
        if value is not None:
            raw[key] = value
    if "affected" in raw:
        raw["affected"] = list(affected)
    try:
        text = canonical_json(raw)
    except (TypeError, ValueError):
        raise InvalidAdvisory(where, "holds values that are not JSON (YAML tags?)") from None
    try:
        encoded = text.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidAdvisory(where, "holds text that is not valid Unicode") from None
    if "\\u0000" in text:
        # PostgreSQL text cannot hold NUL; no genuine advisory contains one.
        raise InvalidAdvisory(where, "holds a NUL character")
    return OsvRecord(
        id=rid,
        modified=modified,
        published=published,
        withdrawn=withdrawn,
        aliases=aliases,
        related=_id_list(data, "related", where),
        summary=_string(data, "summary", where),
        details=_string(data, "details", where),
        severity=_severity(data, where),
        affected=affected,
        database_specific=db_specific or {},
        references=tuple(_dict_list(data, "references", where)),
        malicious=is_malicious(rid, aliases, data),
        raw=raw,
        record_json=text,
        content_hash=hashlib.sha256(encoded).hexdigest(),
    )


def _optional_time(data: Mapping[str, Any], key: str, source: str) -> str | None:
    value = data.get(key)
    return None if value is None else normalise_timestamp(value, source, key)


def _kind(value: object) -> str:
    return {list: "a list", str: "a string", int: "a number", float: "a number"}.get(
        type(value), type(value).__name__
    )
