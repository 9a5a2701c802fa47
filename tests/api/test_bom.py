"""/api/v1/bom: upload (202 + token), status polling, permissions, parallel uploads."""

from __future__ import annotations

import threading
from collections.abc import Callable

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from assay.api.tasks import TASKS
from assay.core.jobs import drain
from assay.inventory.models import BomUpload, ComponentRow, Project, ProjectVersion
from tests.api.conftest import Api
from tests.inventory.intake_support import APP_1, cyclonedx, import_advisories

URL = "/api/v1/bom"


def _post(
    client: TestClient, data: bytes, project: str = "shop", version: str = "1.0", auto: bool = True
) -> httpx.Response:
    return client.post(
        URL,
        data={"project": project, "version": version, "auto_create": str(auto).lower()},
        files={"bom": ("bom.cdx.json", data, "application/json")},
    )


def test_upload_then_poll_until_done(api: Api) -> None:
    import_advisories(api.db)
    alpha = api.as_role("alpha")
    answer = _post(alpha, APP_1.read_bytes())
    assert answer.status_code == 202, answer.text
    token = answer.json()["token"]
    queued = alpha.get(f"{URL}/token/{token}").json()
    assert (queued["state"], queued["processing"], queued["components"]) == ("queued", True, None)
    assert api.drain() == 2  # process_bom, then the policy.evaluate it queues
    done = alpha.get(f"{URL}/token/{token}").json()
    assert done == {
        "token": token,
        "state": "done",
        "processing": False,
        "error": None,
        "project": "shop",
        "version": "1.0",
        "components": 5,
        "findings": 2,
        "format": "cyclonedx-json",
    }


def test_a_ci_key_with_upload_only_polls_its_own_upload(api: Api) -> None:
    ci = api.as_role("alpha_ci")
    token = _post(ci, APP_1.read_bytes(), project="ci-made").json()["token"]
    assert ci.get(f"{URL}/token/{token}").json()["state"] == "queued"
    assert api.as_role("beta").get(f"{URL}/token/{token}").status_code == 404
    assert api.as_role("auditor").get(f"{URL}/token/{token}").status_code == 200


@pytest.mark.parametrize(
    ("role", "status"),
    [(None, 401), ("auditor", 403), ("beta", 404), ("alpha", 202), ("admin", 202)],
)
def test_who_may_upload_to_alphas_project(api: Api, role: str | None, status: int) -> None:
    _post(api.as_role("alpha"), APP_1.read_bytes())
    client = api.anonymous if role is None else api.as_role(role)
    answer = _post(client, APP_1.read_bytes(), auto=True)
    assert answer.status_code == status
    if status == 404:  # same answer as for a project that does not exist
        missing = _post(client, APP_1.read_bytes(), project="nope", auto=False)
        assert missing.json() == {"detail": "no project named 'nope'"}
        assert answer.json() == {"detail": "no project named 'shop'"}


@pytest.mark.parametrize(
    ("form", "files", "status"),
    [
        ({"project": "", "version": "1"}, True, 422),
        ({"project": "p" * 257, "version": "1"}, True, 422),
        ({"project": "a\x00b", "version": "1"}, True, 422),
        ({"project": "p", "version": "v" * 129}, True, 422),
        ({"project": "p"}, True, 422),
        ({"project": "p", "version": "1"}, False, 422),
        ({"project": "p", "version": "1", "auto_create": "perhaps"}, True, 422),
    ],
)
def test_bad_forms_are_422(api: Api, form: dict[str, str], files: bool, status: int) -> None:
    body = {"bom": ("b.json", APP_1.read_bytes(), "application/json")} if files else None
    answer = api.as_role("alpha").post(URL, data=form, files=body)
    assert answer.status_code == status, answer.text


def test_empty_too_large_and_unknown_tokens(api: Api) -> None:
    alpha = api.as_role("alpha")
    empty = _post(alpha, b"")
    assert (empty.status_code, empty.json()) == (
        422,
        {"detail": "bom.cdx.json: empty document"},
    )
    assert alpha.get(f"{URL}/token/{'0' * 32}").status_code == 404
    assert alpha.get(f"{URL}/token/not-hex").status_code == 422
    assert alpha.get(f"{URL}/token/{'a' * 65}").status_code == 422
    with api.db.session() as session:
        assert session.scalar(select(func.count(Project.id))) == 0


def test_failed_processing_is_reported_in_one_line(api: Api) -> None:
    alpha = api.as_role("alpha")
    token = _post(alpha, b'{"bomFormat": "CycloneDX", "specVersion": "1.6", "compo').json()["token"]
    api.drain()
    body = alpha.get(f"{URL}/token/{token}").json()
    assert body["state"] == "failed" and body["processing"] is False
    assert body["error"].startswith("bom.cdx.json:1: invalid JSON")


def _parallel(count: int, work: Callable[[int], None]) -> list[BaseException]:
    errors: list[BaseException] = []
    start = threading.Barrier(count)

    def run(i: int) -> None:
        try:
            start.wait()
            work(i)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


def _document(i: int) -> tuple[bytes, set[str]]:
    triples = [("npm", f"pkg-{i}-{j}", f"1.0.{j}") for j in range(5 + i)]
    return cyclonedx(triples), {f"pkg:npm/{n}@{v}" for _, n, v in triples}


@pytest.mark.parametrize("same_version", [True, False], ids=["same-version", "new-versions"])
def test_twenty_parallel_uploads_lose_and_duplicate_nothing(api: Api, same_version: bool) -> None:
    key = api.role("alpha")
    documents = [_document(i) for i in range(20)]
    tokens: dict[str, int] = {}

    def upload(i: int) -> None:
        client = api.client(key)
        version = "1.0" if same_version else f"1.{i}"
        answer = _post(client, documents[i][0], project="busy", version=version)
        assert answer.status_code == 202, answer.text
        tokens[answer.json()["token"]] = i

    assert _parallel(20, upload) == []
    # Four workers drain the queue at once, as several server processes would.
    assert _parallel(4, lambda _: drain(api.db, TASKS) and None) == []
    with api.db.session() as session:
        uploads = list(session.scalars(select(BomUpload).order_by(BomUpload.id)))
        assert [u.state for u in uploads] == ["done"] * 20
        for version in session.scalars(select(ProjectVersion)):
            stored = list(
                session.scalars(
                    select(ComponentRow.purl).where(ComponentRow.version_id == version.id)
                )
            )
            applied = [u for u in uploads if u.version_id == version.id and u.error is None]
            last = max(applied, key=lambda u: u.id)
            expected = documents[tokens[last.token]][1]
            assert len(stored) == len(set(stored)) == version.components
            assert set(stored) == expected  # exactly one upload, whole
        versions = session.scalar(select(func.count(ProjectVersion.id)))
        superseded = [u for u in uploads if u.error]
    assert versions == (1 if same_version else 20)
    assert all(u.error and u.error.startswith("superseded by upload ") for u in superseded)
