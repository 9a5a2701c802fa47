from __future__ import annotations

from pathlib import Path

import pytest

from assay.core.config import DEFAULT_SYNC_ECOSYSTEMS, Settings
from assay.core.errors import ConfigError


def test_defaults_put_sqlite_in_assay_home(tmp_path: Path) -> None:
    s = Settings.from_env({"ASSAY_HOME": str(tmp_path)})
    assert s.database_url == f"sqlite:///{tmp_path / 'assay.db'}"
    assert s.sqlite_path == tmp_path / "assay.db"
    assert s.is_sqlite and s.env == "development" and not s.offline
    assert s.sync_ecosystems == DEFAULT_SYNC_ECOSYSTEMS
    assert s.blob_dir == tmp_path / "blobs"


def test_home_defaults_to_xdg_data_home(tmp_path: Path) -> None:
    s = Settings.from_env({"XDG_DATA_HOME": str(tmp_path)})
    assert s.home == tmp_path / "assay"


@pytest.mark.parametrize(
    "url", ["postgres://u:p@h/db", "postgresql://u:p@h/db", "postgresql+psycopg://u:p@h/db"]
)
def test_postgres_urls_use_psycopg3(url: str) -> None:
    s = Settings.from_env({"ASSAY_DATABASE_URL": url})
    assert s.database_url == "postgresql+psycopg://u:p@h/db"
    assert not s.is_sqlite and s.sqlite_path is None


def test_redacted_url_hides_the_password() -> None:
    s = Settings.from_env({"ASSAY_DATABASE_URL": "postgresql://assay:s3cret@db:5432/assay"})
    assert "s3cret" not in s.redacted_database_url()
    assert s.redacted_database_url() == "postgresql+psycopg://assay:***@db:5432/assay"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"ASSAY_DATABASE_URL": "mysql://x"}, "unsupported database 'mysql'"),
        ({"ASSAY_ENV": "staging"}, "ASSAY_ENV: 'staging' is not one of"),
        ({"ASSAY_OSV_URL": "https://mirror/osv.zip"}, "must contain {ecosystem}"),
        ({"ASSAY_MAX_INPUT_MB": "lots"}, "not a whole number"),
        ({"ASSAY_MAX_INPUT_MB": "0"}, "must be positive"),
        (
            {"ASSAY_VET_ARTEFACT_HOSTS": "blobs.internal"},
            "ASSAY_VET_ARTEFACT_HOSTS: 'blobs.internal'",
        ),
        ({"ASSAY_VET_ARTEFACT_HOSTS": "ftp://x"}, "is not an http"),
        ({"ASSAY_VET_ARTEFACT_HOSTS": "http://x:port"}, "port that is not a number"),
    ],
)
def test_bad_settings_are_refused_with_the_variable_named(
    env: dict[str, str], message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        Settings.from_env(env)


def test_mirror_settings_and_offline_flag() -> None:
    s = Settings.from_env(
        {
            "ASSAY_OSV_URL": "https://mirror.example/osv/{ecosystem}/all.zip",
            "ASSAY_SYNC_ECOSYSTEMS": "PyPI, npm ,",
            "ASSAY_OFFLINE": "yes",
            "ASSAY_MAX_INPUT_MB": "3",
        }
    )
    assert s.osv_url.startswith("https://mirror.example/")
    assert s.sync_ecosystems == ("PyPI", "npm")
    assert s.offline
    assert s.max_input_bytes == 3 * 1024 * 1024


def test_artefact_hosts_are_a_list_of_origins() -> None:
    s = Settings.from_env(
        {"ASSAY_VET_ARTEFACT_HOSTS": " https://blobs.internal/ ,, http://10.0.0.7:9000"}
    )
    assert s.vet_artefact_hosts == ("https://blobs.internal", "http://10.0.0.7:9000")
    assert Settings.from_env({}).vet_artefact_hosts == ()
