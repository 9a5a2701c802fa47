"""Helpers of the intake tests: advisories, principals, uploads through the real services."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from assay.api.tasks import TASKS
from assay.core.blobs import BlobStore
from assay.core.db import Database
from assay.core.jobs import drain
from assay.core.permissions import Permission, Principal
from assay.inventory.intake import submit
from assay.inventory.models import ComponentRow, FindingRow, Project, ProjectVersion
from assay.vulndb.importer import import_paths
from tests.inventory.factories import make_team

TESTDATA = Path(__file__).parent / "testdata"
ADVISORIES = TESTDATA / "advisories"
APP_1 = TESTDATA / "app-1.0.cdx.json"
APP_2 = TESTDATA / "app-2.0.cdx.json"
UPLOADER = frozenset({Permission.VIEW_PORTFOLIO, Permission.UPLOAD_BOM})


def import_advisories(db: Database, name: str = "initial") -> None:
    import_paths(db, [ADVISORIES / name])


def team_key(db: Database, team: str, permissions: frozenset[Permission] = UPLOADER) -> Principal:
    """A principal acting as an API key of ``team`` (created if new)."""
    with db.session() as session:
        team_id = make_team(session, team, ",".join(sorted(p.value for p in permissions)))
    return Principal("key", f"assay_{team}", permissions, frozenset({team_id}), key_id=1)


def blobs(db: Database) -> BlobStore:
    return BlobStore(db.settings.blob_dir, db.settings.max_input_bytes)


def upload(
    db: Database,
    who: Principal,
    path: Path | bytes,
    project: str = "shop",
    version: str = "1.0",
    *,
    auto_create: bool = True,
    filename: str | None = None,
) -> int:
    """Submit a document (a file or bytes); returns the upload id. Nothing runs yet."""
    data = path if isinstance(path, bytes) else path.read_bytes()
    name = filename or (path.name if isinstance(path, Path) else "bom.json")
    with db.session() as session:
        found = submit(session, blobs(db), who, project, version, [data], name, auto_create)
        return found.id


def run_jobs(db: Database) -> int:
    return drain(db, TASKS)


def version_of(db: Database, project: str = "shop", version: str = "1.0") -> ProjectVersion:
    with db.session() as session:
        found = session.scalars(
            select(ProjectVersion)
            .join(Project, Project.id == ProjectVersion.project_id)
            .where(Project.name == project, ProjectVersion.version == version)
        ).one()
        session.expunge(found)
        return found


def purls(db: Database, version_id: int) -> list[str | None]:
    with db.session() as session:
        return sorted(
            (p or "")
            for p in session.scalars(
                select(ComponentRow.purl).where(ComponentRow.version_id == version_id)
            )
        )


def findings(db: Database, version_id: int) -> dict[tuple[str, str], FindingRow]:
    with db.session() as session:
        rows = list(session.scalars(select(FindingRow).where(FindingRow.version_id == version_id)))
        for row in rows:
            session.expunge(row)
        return {(r.component_purl, r.vuln_id): r for r in rows}


def cyclonedx(components: list[tuple[str, str, str]]) -> bytes:
    """A CycloneDX 1.6 JSON document of (ecosystem purl type, name, version) triples."""
    items = [
        {
            "type": "library",
            "bom-ref": f"pkg:{kind}/{name}@{version}",
            "name": name,
            "version": version,
            "purl": f"pkg:{kind}/{name}@{version}",
        }
        for kind, name, version in components
    ]
    doc = {"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1, "components": items}
    return json.dumps(doc).encode()
