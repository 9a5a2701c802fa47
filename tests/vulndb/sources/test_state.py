"""``source_state`` bookkeeping: which validators a source sends, what a failure keeps."""

from __future__ import annotations

from assay.core.db import Database
from assay.vulndb.models import SourceState
from assay.vulndb.sources.interface import SourceResult
from assay.vulndb.sources.state import Validators, previous_validators, record

URL = "https://mirror.example/kev.json"


def row(db: Database, name: str) -> SourceState | None:
    with db.session() as s:
        return s.get(SourceState, name)


def test_never_synced_sends_no_validators(database: Database) -> None:
    assert previous_validators(database, "kev", URL) == Validators()


def test_success_then_failure_then_unchanged(database: Database) -> None:
    record(
        database, SourceResult("kev", URL, "updated", 3, '"e1"', "Wed, 09 Oct 2024 12:00:00 GMT")
    )
    assert previous_validators(database, "kev", URL) == Validators(
        '"e1"', "Wed, 09 Oct 2024 12:00:00 GMT"
    )
    first = row(database, "kev")
    assert first is not None and first.synced_at is not None
    record(database, SourceResult("kev", URL, "failed", message="kev.json: HTTP 500"))
    failed = row(database, "kev")
    assert failed is not None
    assert (failed.status, failed.message, failed.etag, failed.records) == (
        "failed",
        "kev.json: HTTP 500",
        '"e1"',
        3,
    )
    assert failed.synced_at == first.synced_at
    record(database, SourceResult("kev", URL, "unchanged", 0, '"e1"', None, "not modified"))
    unchanged = row(database, "kev")
    assert unchanged is not None and (unchanged.status, unchanged.records) == ("unchanged", 3)


def test_a_new_url_or_password_change_is_handled(database: Database) -> None:
    record(database, SourceResult("kev", URL, "updated", 3, '"e1"', None))
    assert previous_validators(database, "kev", "https://other.example/kev.json") == Validators()
    # The stored URL is redacted, so only the credentials changing keeps the validators.
    record(database, SourceResult("epss", "https://***@m.example/e.gz", "updated", 1, '"x"', None))
    assert previous_validators(database, "epss", "https://u:new@m.example/e.gz").etag == '"x"'


def test_first_failure_creates_a_row_without_validators(database: Database) -> None:
    record(database, SourceResult("osv:PyPI", URL, "failed", message="offline: " + URL))
    created = row(database, "osv:PyPI")
    assert created is not None and created.status == "failed" and created.synced_at is None
    assert previous_validators(database, "osv:PyPI", URL) == Validators()
