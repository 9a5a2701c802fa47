"""The app factory: health, metrics, OpenAPI, authentication errors, insecure settings."""

from __future__ import annotations

import pytest
from fastapi import APIRouter

from assay.api.app import create_app
from assay.api.deps import Caller
from assay.core.config import Settings
from assay.core.errors import ConfigError
from tests.api.conftest import Api


def test_health_and_openapi(api: Api) -> None:
    assert api.anonymous.get("/healthz").json()["status"] == "ok"
    doc = api.anonymous.get("/api/v1/openapi.json").json()
    assert doc["info"]["title"] == "assay"


def test_metrics_count_requests_by_route_template(api: Api) -> None:
    api.anonymous.get("/healthz")
    body = api.anonymous.get("/metrics").text
    assert 'assay_http_requests_total{method="GET",route="/healthz",status="200"}' in body
    assert "assay_jobs" in body or "# HELP assay_jobs" in body


def test_bad_bearer_header_is_401_without_detail_of_which_part(api: Api) -> None:
    client = api.client("assay_not-a-real-key")
    router = APIRouter()

    @router.get("/probe")
    def probe(who: Caller) -> dict[str, str]:
        return {"actor": who.actor}

    api.app.include_router(router, prefix="/test")
    assert client.get("/test/probe").status_code == 401
    assert api.anonymous.get("/test/probe").status_code == 401
    good = api.as_role("alpha")
    assert good.get("/test/probe").json()["actor"].startswith("key:assay_")


@pytest.mark.parametrize("secret", [None, "changeme", "short"])
def test_production_refuses_missing_or_weak_secret(tmp_path, secret: str | None) -> None:
    env = {"ASSAY_HOME": str(tmp_path), "ASSAY_ENV": "production"}
    if secret:
        env["ASSAY_SECRET_KEY"] = secret
    with pytest.raises(ConfigError, match="ASSAY_SECRET_KEY"):
        create_app(Settings.from_env(env), start_worker=False)


def test_development_secret_is_made_once_and_private(tmp_path) -> None:
    settings = Settings.from_env({"ASSAY_HOME": str(tmp_path)})
    first = settings.server_secret()
    assert first == settings.server_secret()
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_security_headers_and_self_hosted_api_docs(api: Api) -> None:
    answer = api.anonymous.get("/healthz")
    assert "script-src 'self'" in answer.headers["content-security-policy"]
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["x-frame-options"] == "DENY"
    docs = api.anonymous.get("/api/docs")
    assert docs.status_code == 200
    assert "/static/vendor/swagger-ui-bundle.js" in docs.text
    assert "cdn" not in docs.text.lower()
