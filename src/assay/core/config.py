"""Settings, read once from the environment into one immutable object.

A plain frozen dataclass rather than pydantic-settings: ``assay scan`` reads
settings on its hot path, and importing pydantic costs ~60 ms of a ~100 ms
budget (see bench/scan.py). Validation happens here, by hand, with clear
errors.

Variables (all optional):

``ASSAY_HOME``           data directory (default ``~/.local/share/assay``)
``ASSAY_DATABASE_URL``   SQLAlchemy URL; default SQLite ``$ASSAY_HOME/assay.db``
``ASSAY_ENV``            ``development`` (default for the CLI) or ``production``
``ASSAY_SECRET_KEY``     required outside development by the server
``ASSAY_OSV_URL``        OSV export URL template with ``{ecosystem}``
``ASSAY_KEV_URL``        CISA Known Exploited Vulnerabilities JSON feed
``ASSAY_EPSS_URL``       FIRST EPSS scores, gzipped CSV
``ASSAY_SYNC_ECOSYSTEMS`` comma-separated OSV ecosystems for ``assay db sync``
``ASSAY_OFFLINE``        ``1`` forbids every network access
``ASSAY_MAX_INPUT_MB``   largest single input file read (default 512)
``ASSAY_SERVER_URL``     the server ``assay upload`` sends to (default http://127.0.0.1:8000)
``ASSAY_API_KEY``        the API key ``assay upload`` sends (never logged)
``ASSAY_PYPI_URL``       PyPI (or mirror) base for ``assay vet`` (default https://pypi.org)
``ASSAY_NPM_URL``        npm registry base for ``assay vet`` (default https://registry.npmjs.org)
``ASSAY_VET_MAX_ARTEFACT_MB`` largest package archive ``assay vet`` downloads (default 50)
``ASSAY_VET_ARTEFACT_HOSTS`` extra origins (comma-separated URLs) artefacts may come from
``ASSAY_METRICS_TOKEN`` bearer token ``/metrics`` requires; delivery gauges only with it
``ASSAY_GITHUB_WEBHOOK_SECRET`` GitHub webhook secret (unset: 404 at the endpoint; never logged)
``ASSAY_GITLAB_WEBHOOK_TOKEN`` GitLab webhook secret token (unset: 404; never logged)
``ASSAY_INCIDENT_LABEL`` issue label that marks an incident in webhooks (default incident)
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from assay.core.errors import ConfigError

DEFAULT_OSV_URL = "https://osv-vulnerabilities.storage.googleapis.com/{ecosystem}/all.zip"
DEFAULT_KEV_URL = (
    "https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json"
)
DEFAULT_EPSS_URL = "https://epss.empiricalsecurity.com/epss_scores-current.csv.gz"
# The ecosystems assay can catalogue; sync fetches these unless told otherwise.
DEFAULT_SYNC_ECOSYSTEMS = (
    "PyPI",
    "npm",
    "Go",
    "crates.io",
    "Maven",
    "RubyGems",
    "Packagist",
    "NuGet",
)
ENVIRONMENTS = ("development", "test", "production")


#: Values seen in sample configurations; refused as ASSAY_SECRET_KEY outside development.
WEAK_SECRETS = frozenset({"changeme", "change-me", "secret", "development", "insecure", "assay"})


def _development_secret(home: Path) -> str:
    import secrets

    path = home / "secret_key"
    if path.is_file():
        return path.read_text(encoding="utf-8").strip()
    home.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(key)
    return key


def _default_home(env_vars: dict[str, str]) -> Path:
    xdg = env_vars.get("XDG_DATA_HOME")
    base = Path(xdg) if xdg else Path.home() / ".local" / "share"
    return base / "assay"


def _megabytes(env_vars: dict[str, str], key: str, default: int) -> int:
    try:
        value = int(env_vars.get(key) or default)
    except ValueError:
        raise ConfigError(f"{key}: not a whole number") from None
    if value <= 0:
        raise ConfigError(f"{key}: must be positive")
    return value * 1024 * 1024


def _origins(env_vars: dict[str, str], key: str) -> tuple[str, ...]:
    """Comma-separated http(s) origins, e.g. ``https://files.mirror.internal,http://nexus:8081``."""
    out = []
    for item in (env_vars.get(key) or "").split(","):
        url = item.strip().rstrip("/")
        if not url:
            continue
        parts = urlsplit(url)
        try:
            parts.port  # noqa: B018 - raises on a port that is not a number
        except ValueError:
            raise ConfigError(f"{key}: {url!r} has a port that is not a number") from None
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigError(f"{key}: {url!r} is not an http(s) URL with a host")
        out.append(url)
    return tuple(out)


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True, slots=True)
class Settings:
    home: Path
    database_url: str
    env: str = "development"
    secret_key: str | None = field(default=None, repr=False)
    osv_url: str = DEFAULT_OSV_URL
    kev_url: str = DEFAULT_KEV_URL
    epss_url: str = DEFAULT_EPSS_URL
    sync_ecosystems: tuple[str, ...] = DEFAULT_SYNC_ECOSYSTEMS
    offline: bool = False
    max_input_bytes: int = 512 * 1024 * 1024
    server_url: str = "http://127.0.0.1:8000"
    api_key: str | None = field(default=None, repr=False)
    pypi_url: str = "https://pypi.org"
    npm_url: str = "https://registry.npmjs.org"
    vet_max_artefact_bytes: int = 50 * 1024 * 1024
    registry_refresh: bool = False  # the server may ask registries for release dates
    metrics_token: str | None = field(default=None, repr=False)  # scrape credential
    github_webhook_secret: str | None = field(default=None, repr=False)
    gitlab_webhook_token: str | None = field(default=None, repr=False)
    incident_label: str = "incident"
    vet_artefact_hosts: tuple[str, ...] = ()  # extra origins artefacts may come from (mirrors)
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def sqlite_path(self) -> Path | None:
        """Filesystem path of an embedded SQLite database, else None."""
        prefix = "sqlite:///"
        if not self.database_url.startswith(prefix):
            return None
        rest = self.database_url[len(prefix) :].split("?", 1)[0]
        return Path(rest) if rest and rest != ":memory:" else None

    @property
    def is_development(self) -> bool:
        return self.env in {"development", "test"}

    def server_secret(self) -> str:
        """The key that signs sessions. Outside development a strong one must be set;
        in development one is made once and kept in ``$ASSAY_HOME/secret_key`` (mode 0600)."""
        key = self.secret_key
        if key is not None:
            if not self.is_development and (len(key) < 32 or key.lower() in WEAK_SECRETS):
                raise ConfigError(
                    "ASSAY_SECRET_KEY: too weak for production (at least 32 random characters)"
                )
            return key
        if not self.is_development:
            raise ConfigError(
                "ASSAY_SECRET_KEY must be set outside development "
                "(e.g. python -c 'import secrets; print(secrets.token_urlsafe(48))')"
            )
        return _development_secret(self.home)

    @property
    def blob_dir(self) -> Path:
        return self.home / "blobs"

    @property
    def cache_dir(self) -> Path:
        return self.home / "cache"

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env_vars = dict(os.environ if environ is None else environ)
        home = Path(env_vars.get("ASSAY_HOME") or _default_home(env_vars)).expanduser()
        url = env_vars.get("ASSAY_DATABASE_URL") or f"sqlite:///{home / 'assay.db'}"
        if url.startswith("postgres://"):
            url = "postgresql+psycopg://" + url[len("postgres://") :]
        elif url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url[len("postgresql://") :]
        if not (url.startswith(("sqlite", "postgresql"))):
            raise ConfigError(
                f"ASSAY_DATABASE_URL: unsupported database {url.split(':', 1)[0]!r} "
                "(use sqlite:///PATH or postgresql://...)"
            )
        run_env = (env_vars.get("ASSAY_ENV") or "development").strip().lower()
        if run_env not in ENVIRONMENTS:
            raise ConfigError(f"ASSAY_ENV: {run_env!r} is not one of {', '.join(ENVIRONMENTS)}")
        osv_url = env_vars.get("ASSAY_OSV_URL") or DEFAULT_OSV_URL
        if "{ecosystem}" not in osv_url:
            raise ConfigError("ASSAY_OSV_URL: the URL template must contain {ecosystem}")
        ecosystems = (
            tuple(
                e.strip()
                for e in (env_vars.get("ASSAY_SYNC_ECOSYSTEMS") or "").split(",")
                if e.strip()
            )
            or DEFAULT_SYNC_ECOSYSTEMS
        )
        try:
            max_mb = int(env_vars.get("ASSAY_MAX_INPUT_MB") or 512)
        except ValueError:
            raise ConfigError("ASSAY_MAX_INPUT_MB: not a whole number") from None
        if max_mb <= 0:
            raise ConfigError("ASSAY_MAX_INPUT_MB: must be positive")
        return cls(
            home=home,
            database_url=url,
            env=run_env,
            secret_key=env_vars.get("ASSAY_SECRET_KEY") or None,
            osv_url=osv_url,
            kev_url=env_vars.get("ASSAY_KEV_URL") or DEFAULT_KEV_URL,
            epss_url=env_vars.get("ASSAY_EPSS_URL") or DEFAULT_EPSS_URL,
            sync_ecosystems=ecosystems,
            offline=_flag(env_vars.get("ASSAY_OFFLINE")),
            max_input_bytes=max_mb * 1024 * 1024,
            server_url=(env_vars.get("ASSAY_SERVER_URL") or "http://127.0.0.1:8000").rstrip("/"),
            api_key=env_vars.get("ASSAY_API_KEY") or None,
            pypi_url=(env_vars.get("ASSAY_PYPI_URL") or "https://pypi.org").rstrip("/"),
            npm_url=(env_vars.get("ASSAY_NPM_URL") or "https://registry.npmjs.org").rstrip("/"),
            vet_max_artefact_bytes=_megabytes(env_vars, "ASSAY_VET_MAX_ARTEFACT_MB", 50),
            registry_refresh=_flag(env_vars.get("ASSAY_REGISTRY_REFRESH")),
            metrics_token=env_vars.get("ASSAY_METRICS_TOKEN") or None,
            github_webhook_secret=env_vars.get("ASSAY_GITHUB_WEBHOOK_SECRET") or None,
            gitlab_webhook_token=env_vars.get("ASSAY_GITLAB_WEBHOOK_TOKEN") or None,
            incident_label=(env_vars.get("ASSAY_INCIDENT_LABEL") or "incident").strip(),
            vet_artefact_hosts=_origins(env_vars, "ASSAY_VET_ARTEFACT_HOSTS"),
        )

    def redacted_database_url(self) -> str:
        """The database URL with any password replaced, safe for logs and output."""
        head, sep, tail = self.database_url.partition("://")
        if "@" not in tail:
            return self.database_url
        creds, _, host = tail.rpartition("@")
        user = creds.split(":", 1)[0]
        return f"{head}{sep}{user}:***@{host}"
