"""CISA Known Exploited Vulnerabilities: the catalogue JSON into table ``kev``, replaced atomically.

Format (https://www.cisa.gov/known-exploited-vulnerabilities-catalog, schema
``known_exploited_vulnerabilities_schema.json``): an object whose
``vulnerabilities`` array holds one object per CVE with ``cveID``,
``vendorProject``, ``product``, ``vulnerabilityName``, ``dateAdded`` and
``dueDate`` (``YYYY-MM-DD``) and ``knownRansomwareCampaignUse``
(``Known``/``Unknown``). The whole catalogue is a few megabytes; it is read
whole under the input size limit. An empty catalogue or one whose ``count``
disagrees with its array is refused, so a broken mirror never wipes the table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import delete, insert

from assay.core.config import Settings
from assay.core.db import Database
from assay.core.errors import InputError
from assay.core.inputs import parse_json, read_bytes
from assay.vulndb.models import KevEntry
from assay.vulndb.sources._common import fetched_feed, unchanged
from assay.vulndb.sources.interface import InvalidFeed, SourceResult, SyncProgress

CVE_ID = re.compile(r"CVE-\d{4}-\d{4,19}")
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
RANSOMWARE = re.compile(r"[A-Za-z][A-Za-z ]{0,15}")
MAX_TEXT = 2000


@dataclass(frozen=True, slots=True)
class KevRow:
    cve_id: str
    vendor: str
    product: str
    name: str
    date_added: str
    due_date: str
    ransomware: str

    def as_row(self) -> dict[str, str]:
        return {
            "cve_id": self.cve_id,
            "vendor": self.vendor,
            "product": self.product,
            "name": self.name,
            "date_added": self.date_added,
            "due_date": self.due_date,
            "ransomware": self.ransomware,
        }


def parse_kev(path: Path, label: str, limit: int) -> list[KevRow]:
    """Every entry of the catalogue at ``path``; ``label`` names it in errors."""
    try:
        data = read_bytes(path, limit=limit, error=InvalidFeed)
    except InputError as exc:  # name the feed, not the staging file
        raise InvalidFeed(label, exc.reason) from None
    doc = parse_json(data, label, error=InvalidFeed)
    if not isinstance(doc, dict) or not isinstance(doc.get("vulnerabilities"), list):
        raise InvalidFeed(label, "not a KEV catalogue: no 'vulnerabilities' array")
    items: list[Any] = doc["vulnerabilities"]
    if not items:
        raise InvalidFeed(label, "the catalogue has no entries")
    count = doc.get("count")
    if isinstance(count, int) and count != len(items):
        raise InvalidFeed(label, f"'count' says {count} entries but the array has {len(items)}")
    rows: dict[str, KevRow] = {}
    for index, item in enumerate(items):
        row = _entry(item, f"vulnerabilities[{index}]", label)
        if row.cve_id in rows:
            raise InvalidFeed(label, f"vulnerabilities[{index}]: duplicate cveID {row.cve_id}")
        rows[row.cve_id] = row
    return list(rows.values())


def _entry(item: Any, where: str, label: str) -> KevRow:
    if not isinstance(item, dict):
        raise InvalidFeed(label, f"{where}: not an object")

    def text(key: str, *, required: bool = False, pattern: re.Pattern[str] | None = None) -> str:
        value = item.get(key)
        if value is None and not required:
            return ""
        if not isinstance(value, str) or (required and not value.strip()):
            raise InvalidFeed(label, f"{where}.{key}: expected a non-empty string")
        value = value.strip()
        if pattern is not None and value and not pattern.fullmatch(value):
            raise InvalidFeed(label, f"{where}.{key}: unexpected value {value[:40]!r}")
        return value[:MAX_TEXT]

    return KevRow(
        cve_id=text("cveID", required=True, pattern=CVE_ID),
        vendor=text("vendorProject"),
        product=text("product"),
        name=text("vulnerabilityName"),
        date_added=text("dateAdded", required=True, pattern=DATE),
        due_date=text("dueDate", pattern=DATE),
        ransomware=text("knownRansomwareCampaignUse", pattern=RANSOMWARE) or "Unknown",
    )


def replace_kev(db: Database, rows: list[KevRow]) -> None:
    """Replace the whole ``kev`` table in one transaction."""
    with db.session() as session:
        session.execute(delete(KevEntry))
        for start in range(0, len(rows), 5000):
            session.execute(insert(KevEntry), [r.as_row() for r in rows[start : start + 5000]])


class KevSource:
    """The CISA KEV catalogue at ``settings.kev_url``."""

    name = "kev"

    def url(self, settings: Settings) -> str:
        return settings.kev_url

    def sync(self, db: Database, settings: Settings, progress: SyncProgress) -> SourceResult:
        url = self.url(settings)
        with fetched_feed(db, settings, self.name, url, progress) as fetched:
            if fetched.path is None:
                return unchanged(self.name, fetched)
            rows = parse_kev(fetched.path, fetched.url, settings.max_input_bytes)
            progress(self.name, "import", 0, len(rows))
            replace_kev(db, rows)
            progress(self.name, "import", len(rows), len(rows))
        return SourceResult(
            self.name,
            fetched.url,
            "updated",
            len(rows),
            fetched.etag,
            fetched.last_modified,
            f"{len(rows)} known exploited vulnerabilities",
        )
