"""submit and status: the blob, the upload row, its job and audit entry in one transaction."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from assay.api.errors import NotFound
from assay.core.audit import AuditEntry
from assay.core.blobs import BlobStore
from assay.core.db import Database
from assay.core.errors import InputError, InputTooLarge
from assay.core.jobs import Job
from assay.core.permissions import ALL_PERMISSIONS, Permission, Principal
from assay.inventory.intake import status, submit
from assay.inventory.models import BomUpload, Project
from assay.inventory.projects_ensure import NoOwnerTeam
from tests.inventory.intake_support import APP_1, blobs, run_jobs, team_key, upload


def test_submit_stores_blob_queues_job_and_audits(database: Database) -> None:
    alpha = team_key(database, "alpha")
    data = APP_1.read_bytes()
    with database.session() as session:
        found = submit(
            session, blobs(database), alpha, "shop", "1.0",
            [data[:100], b"", data[100:]], "bom\n.json", True,
        )  # fmt: skip
        token, upload_id = found.token, found.id
    assert len(token) == 32 and int(token, 16) >= 0
    with database.session() as session:
        row = session.get(BomUpload, upload_id)
        assert row is not None
        assert (row.state, row.size, row.filename, row.uploaded_by) == (
            "queued", len(data), "bom.json", "key:assay_alpha",
        )  # fmt: skip
        (job,) = session.scalars(select(Job))
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "bom.upload")).one()
    assert blobs(database).read(row.digest) == data
    assert (job.kind, json.loads(job.args)) == ("process_bom", {"upload_id": upload_id})
    detail = json.loads(entry.detail)
    assert detail["digest"] == row.digest and detail["size"] == len(data)
    assert entry.team_id == next(iter(alpha.team_ids))


def test_empty_or_too_large_documents_are_refused_and_nothing_is_kept(
    database: Database,
) -> None:
    alpha = team_key(database, "alpha")
    with pytest.raises(InputError, match=r"^empty\.json: empty document$"):
        upload(database, alpha, b"", filename="empty.json")
    small = BlobStore(database.settings.blob_dir, 10)
    with (
        pytest.raises(InputTooLarge, match=r"^big\.json: larger than the limit"),
        database.session() as session,
    ):
        submit(session, small, alpha, "shop", "1.0", [b"x" * 11], "big.json", True)
    with database.session() as session:  # the auto-created project went with the rollback
        assert session.scalar(select(func.count(Project.id))) == 0
        assert session.scalar(select(func.count(Job.id))) == 0


def test_status_follows_processing(database: Database) -> None:
    alpha = team_key(database, "alpha")
    upload(database, alpha, APP_1)
    with database.session() as session:
        token = session.scalars(select(BomUpload.token)).one()
        queued = status(session, alpha, token)
    assert (queued.state, queued.processing, queued.components) == ("queued", True, None)
    assert (queued.project, queued.version) == ("shop", "1.0")
    run_jobs(database)
    with database.session() as session:
        done = status(session, alpha, token)
    assert (done.state, done.processing, done.components, done.findings) == ("done", False, 5, 0)
    assert done.format == "cyclonedx-json" and done.error is None


def test_status_is_not_found_for_other_teams_and_unknown_tokens(database: Database) -> None:
    alpha, beta = team_key(database, "alpha"), team_key(database, "beta")
    upload(database, alpha, APP_1)
    wide = Principal(
        "user", "auditor", frozenset({Permission.VIEW_PORTFOLIO, Permission.PORTFOLIO_WIDE}),
        frozenset(),
    )  # fmt: skip
    with database.session() as session:
        token = session.scalars(select(BomUpload.token)).one()
        with pytest.raises(NotFound, match="no upload with this token"):
            status(session, beta, token)
        with pytest.raises(NotFound, match="no upload with this token"):
            status(session, alpha, "0" * 32)
        assert status(session, wide, token).project == "shop"


def test_the_uploader_sees_its_upload_of_a_teamless_project(database: Database) -> None:
    """An administrator without a team auto-creates a teamless project; a team does not see it."""
    alpha = team_key(database, "alpha")
    root = Principal("user", "root", ALL_PERMISSIONS, frozenset())
    upload(database, root, APP_1, project="shared")
    with database.session() as session:
        token = session.scalars(select(BomUpload.token)).one()
        assert status(session, root, token).project == "shared"
        with pytest.raises(NotFound):
            status(session, alpha, token)


def test_a_user_of_several_teams_cannot_auto_create(database: Database) -> None:
    alpha, beta = team_key(database, "alpha"), team_key(database, "beta")
    both = Principal("user", "carol", alpha.permissions, alpha.team_ids | beta.team_ids)
    with pytest.raises(NoOwnerTeam, match="belong to 2 teams, so its owner is ambiguous"):
        upload(database, both, APP_1, project="shared")
