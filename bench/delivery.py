"""Delivery metrics over a large synthetic history, beside a plain SQL aggregation of its counts.

Generates ``--events`` events (default 1,000,000) for ``--services`` services (200)
with :mod:`assay.delivery.synthetic`, then, on a temporary SQLite database and on
PostgreSQL when ASSAY_BENCH_POSTGRES_URL or ASSAY_TEST_POSTGRES_URL names a server
(a scratch database is created and dropped):

- generation alone, and ``assay.delivery.store.ingest`` of the same stream (the
  ingest rate is events / (ingest - generation) seconds);
- ``dora_report``, ``quality_report`` and ``flow_report`` for all services over the
  whole history, and for one team's services;
- the floor: plain SQL GROUP BY queries, with the driver directly, that count what the
  reports count (production deployments per service, runs by result with mean durations,
  incidents and their mean duration, test cases by result, changes, coverage, defects).

Prints each and the ratio of every report to the floor. Then starts the real server
(``assay serve`` on 127.0.0.1, a free port, its own temporary database), makes an API
key with send_events (portfolio-wide: it sends every service's events), and POSTs
``--api-events`` events to /api/v1/events in batches of ``--batch``, from one client
and from four at once: events per second.
``--profile`` prints the report functions' top cProfile entries.
Usage: python bench/delivery.py [--events N] [--services N] [--api-events N] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from functools import partial
from itertools import islice
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy.orm import Session

from assay.core.config import Settings
from assay.core.db import Database, upgrade
from assay.delivery import services as service_store
from assay.delivery.canonical import encode
from assay.delivery.events import Event
from assay.delivery.metrics.model import Selection
from assay.delivery.store import ingest, ms
from assay.delivery.synthetic import generate, service_configs
from bench._common import REPO, row
from bench.intake import postgres_database

END = datetime(2026, 12, 1, tzinfo=UTC)
TEAMS = 3
EVENTS_PER_SERVICE_DAY = 20  # what the synthetic organisation produces, a little under


def history_days(events: int, services: int) -> int:
    """Days of history that hold at least ``events`` events for ``services`` services."""
    return max(2, -(-events // (services * EVENTS_PER_SERVICE_DAY)) + 1)


def stream(events: int, services: int, days: int) -> Iterator[Event]:
    return islice(generate(services=services, days=days, end=END, teams=TEAMS), events)


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


# -- the floor: what the reports count, as plain GROUP BY queries ------------------------------
def floor_queries(since: int, until: int, production: list[str]) -> list[str]:
    envs = ", ".join(f"'{e}'" for e in production)  # names from our own configuration
    w = f"BETWEEN {since} AND {until - 1}"
    return [
        f"SELECT service, kind, count(*) FROM delivery_deployment WHERE result = 'success' "
        f"AND lower(environment) IN ({envs}) AND finished_at {w} GROUP BY service, kind",
        f"SELECT repo, result, count(*), avg(finished_at - started_at), "
        f"avg(started_at - queued_at) FROM delivery_pipeline_run WHERE finished_at {w} "
        f"GROUP BY repo, result",
        f"SELECT r.name, s.name, count(*), avg(s.finished_at - s.started_at) "
        f"FROM delivery_pipeline_stage s JOIN delivery_pipeline_run r ON r.pk = s.run_pk "
        f"WHERE r.finished_at {w} GROUP BY r.name, s.name",
        f"SELECT service, count(*), avg(resolved_at - created_at) FROM delivery_incident "
        f"WHERE created_at {w} GROUP BY service",
        f"SELECT r.repo, c.result, count(*) FROM delivery_test_case c "
        f"JOIN delivery_test_run r ON r.pk = c.run_pk WHERE r.started_at {w} "
        f"GROUP BY r.repo, c.result",
        f"SELECT repo, count(*), avg(merged_at - created_at), avg(first_review_at - created_at) "
        f"FROM delivery_change WHERE merged_at {w} GROUP BY repo",
        f"SELECT repo, sum(lines_covered), sum(lines_valid) FROM delivery_coverage "
        f"WHERE measured_at {w} GROUP BY repo",
        f"SELECT service, found_in, count(*) FROM delivery_defect WHERE created_at {w} "
        f"GROUP BY service, found_in",
    ]


def floor(db: Database, queries: list[str]) -> float:
    """Seconds for the floor queries through the bare DBAPI connection, rows fetched."""
    raw = db.engine.raw_connection()
    try:
        start = time.perf_counter()
        cur = raw.cursor()
        for query in queries:
            cur.execute(query)
            cur.fetchall()
        took = time.perf_counter() - start
        cur.close()
    finally:
        raw.close()
    return took


# -- one engine -------------------------------------------------------------------------------
def bench_engine(label: str, db: Database, args: argparse.Namespace) -> None:
    days = history_days(args.events, args.services)
    configs = service_configs(args.services, TEAMS)
    with db.session() as session:
        service_store.apply(session, configs, actor="bench")
    gen_s, count = timed(lambda: sum(1 for _ in stream(args.events, args.services, days)))

    def load() -> Any:
        with db.session() as session:
            return ingest(session, stream(args.events, args.services, days), source="bench")

    ingest_s, result = timed(load)
    row(f"{label}: events ({args.services} services, {days} days)", f"{count:,}")
    row(f"{label}: generate only", f"{gen_s:7.1f} s  {count / gen_s:9,.0f} events/s")
    store_s = max(ingest_s - gen_s, 1e-9)
    row(
        f"{label}: generate + ingest",
        f"{ingest_s:7.1f} s  ingest alone ~{count / store_s:,.0f} events/s "
        f"({result.inserted:,} inserted)",
    )
    if db.engine.dialect.name == "postgresql":
        # What autovacuum does after a bulk load: without statistics the planner picks
        # nested loops for the metrics' joins (a 30 s query at 400,000 events).
        with db.engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
    since = END - timedelta(days=days)
    everyone = Selection(since=since, until=END, services=tuple(configs))
    team = Selection(
        since=since, until=END, services=tuple(c for c in configs if c.team == configs[0].team)
    )
    production = sorted({e.casefold() for c in configs for e in c.production_environments})
    floor_s = min(
        floor(db, floor_queries(ms(since) or 0, ms(END) or 0, production)) for _ in range(3)
    )
    row(f"{label}: floor (plain SQL GROUP BY counts)", f"{floor_s:7.2f} s")
    reports = report_functions()
    for scope, selection in (("all services", everyone), (f"team {configs[0].team}", team)):
        total = 0.0
        for name, fn in reports.items():
            took, _ = timed(partial(with_session, db, fn, selection))
            total += took
            row(f"{label}: {name}, {scope}", f"{took:7.2f} s  {took / floor_s:7.1f}x floor")
        row(f"{label}: every report, {scope}", f"{total:7.2f} s  {total / floor_s:7.1f}x floor")
    if args.profile:
        profile(db, everyone, reports)


def report_functions() -> dict[str, Callable[[Session, Selection], Any]]:
    from assay.delivery.metrics.dora import dora_report
    from assay.delivery.metrics.flow import flow_report
    from assay.delivery.metrics.quality import quality_report

    return {
        "dora_report": dora_report,
        "quality_report": quality_report,
        "flow_report": flow_report,
    }


def with_session(
    db: Database, fn: Callable[[Session, Selection], Any], selection: Selection
) -> Any:
    with db.session() as session:
        return fn(session, selection).to_json()


def profile(db: Database, selection: Selection, reports: dict[str, Callable[..., Any]]) -> None:
    for name, fn in reports.items():
        profiler = cProfile.Profile()
        profiler.enable()
        with_session(db, fn, selection)
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(18)
        print(f"\n--- cProfile of {name} (cumulative) ---")
        print("\n".join(line for line in out.getvalue().splitlines() if line.strip())[:6000])


# -- the API ------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def assay(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "assay", *args], env=env, cwd=REPO, check=True,
        capture_output=True, text=True,
    )  # fmt: skip
    return done.stdout


def post(url: str, key: str, body: bytes) -> int:
    request = urllib.request.Request(
        f"{url}/api/v1/events", data=body, method="POST",
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
    )  # fmt: skip
    with urllib.request.urlopen(request, timeout=600) as answer:
        return int(answer.status)


def bodies(events: int, batch: int, seed: int) -> list[bytes]:
    """The request bodies, encoded before the clock starts (the client's work is not timed)."""
    days = history_days(events, 20)
    items = islice(generate(services=20, days=days, end=END, seed=seed), events)
    out, chunk = [], []
    for event in items:
        chunk.append(encode(event))
        if len(chunk) == batch:
            out.append(json.dumps(chunk).encode())
            chunk = []
    if chunk:
        out.append(json.dumps(chunk).encode())
    return out


def bench_api(args: argparse.Namespace, home: Path) -> None:
    env = {**os.environ, "ASSAY_HOME": str(home)}
    env.pop("ASSAY_DATABASE_URL", None)
    key = (
        assay(
            env,
            "admin",
            "create-api-key",
            "--team",
            "bench-ci",
            "--permissions",
            "send_events,portfolio_wide",
        )
        .strip()
        .splitlines()[-1]
    )
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "assay", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        if not wait_healthy(url, server):
            row("api", "skipped: the server did not start")
            return
        if not has_events_endpoint(url):
            row("api", "skipped: POST /api/v1/events is not there yet")
            return
        for clients, seed in ((1, 11), (4, 12)):
            payloads = bodies(args.api_events, args.batch, seed)
            sent = sum(len(json.loads(b)) for b in payloads)
            start = time.perf_counter()
            with ThreadPoolExecutor(clients) as pool:
                codes = list(pool.map(lambda b: post(url, key, b), payloads))
            took = time.perf_counter() - start
            assert set(codes) <= {200, 201, 202}, codes
            row(
                f"api: POST /api/v1/events, {clients} client(s), {args.batch}/request",
                f"{took:7.1f} s  {sent / took:9,.0f} events/s",
            )
    finally:
        server.terminate()
        server.wait(30)


def wait_healthy(url: str, server: subprocess.Popen[bytes]) -> bool:
    for _ in range(240):
        if server.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return True
        except OSError:
            time.sleep(0.25)
    return False


def has_events_endpoint(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/api/v1/openapi.json", timeout=10) as answer:
            spec = json.load(answer)
    except (OSError, urllib.error.URLError, ValueError):
        return False
    return "post" in spec.get("paths", {}).get("/api/v1/events", {})


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--services", type=int, default=200)
    parser.add_argument("--api-events", type=int, default=50_000)
    parser.add_argument("--batch", type=int, default=1000, help="events per API request")
    parser.add_argument("--profile", action="store_true", help="cProfile the reports")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-api", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="assay-delivery-") as tmp:
        home = Path(tmp)
        (home / "sqlite").mkdir()
        db = Database(Settings.from_env({"ASSAY_HOME": str(home / "sqlite")}))
        upgrade(db.engine)
        bench_engine("sqlite", db, args)
        db.dispose()
        admin_url = os.environ.get("ASSAY_BENCH_POSTGRES_URL") or os.environ.get(
            "ASSAY_TEST_POSTGRES_URL"
        )
        if args.no_postgres or not admin_url:
            row("postgresql", "skipped (set ASSAY_BENCH_POSTGRES_URL or ASSAY_TEST_POSTGRES_URL)")
        else:
            with postgres_database(admin_url) as url:
                pg_home = home / "pg"
                settings = {"ASSAY_HOME": str(pg_home), "ASSAY_DATABASE_URL": url}
                pg = Database(Settings.from_env(settings))
                upgrade(pg.engine)
                bench_engine("postgresql", pg, args)
                pg.dispose()
        if not args.no_api:
            bench_api(args, home / "api")


if __name__ == "__main__":
    main()
