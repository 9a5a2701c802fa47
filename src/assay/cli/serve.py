"""``assay serve``: the platform server (REST API, web UI, background worker)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from assay.cli._args import add_command

if TYPE_CHECKING:
    from assay.cli._args import Subparsers
    from assay.core.config import Settings


LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


def register(subparsers: Subparsers) -> None:
    parser = add_command(
        subparsers,
        "serve",
        run,
        help="run the server: REST API under /api/v1, web UI at /, /healthz, /metrics",
        description="Run the server. Embedded default: SQLite in ASSAY_HOME with the "
        "background worker in this process. Production: set ASSAY_ENV=production, "
        "ASSAY_DATABASE_URL=postgresql://... and ASSAY_SECRET_KEY, and run "
        "'assay db upgrade' first.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8000, help="port to listen on")
    parser.add_argument(
        "--no-worker",
        action="store_true",
        help="do not run background jobs in this process (another process runs them)",
    )


def run(args: argparse.Namespace) -> int:
    import uvicorn

    from assay.api.app import create_app
    from assay.cli import console
    from assay.core.config import Settings
    from assay.core.errors import ConfigError

    settings = Settings.from_env()
    if settings.is_development and args.host not in LOOPBACK:
        raise ConfigError(
            f"--host {args.host}: development mode (cookies without Secure, a generated key) "
            "serves only this machine; set ASSAY_ENV=production and ASSAY_SECRET_KEY"
        )
    app = create_app(settings, start_worker=not args.no_worker)  # refuses insecure settings
    console.note(f"assay server on http://{args.host}:{args.port}/ (database: {_where(settings)})")
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        log_level="info",
        proxy_headers=False,
        server_header=False,
        timeout_graceful_shutdown=10,
    )
    return 0


def _where(settings: Settings) -> str:
    return str(settings.sqlite_path) if settings.is_sqlite else "PostgreSQL"
