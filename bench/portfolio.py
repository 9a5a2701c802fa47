"""Project list and portfolio search at 1,000 projects x 1,000 components, 20 concurrent clients.

Generates the portfolio straight into the tables (COPY on PostgreSQL,
executemany in chunks on SQLite), with log4j-core seeded into ~50 projects
(half of them between 2.0 and 2.14.1) and open CVE-2021-44228 findings there,
known to the knowledge base as a GHSA whose alias is the CVE. Then it starts a
real uvicorn server on 127.0.0.1 and measures, with 20 threads of httpx
clients, a bounded number of requests per query:

* the project list, page 1 sorted by critical desc; a filtered page (tag + q)
* component search by name + range: log4j-core in [2.0, 2.14.1]
* affected_by: /search/vulnerability/GHSA-... (alias resolution included)

and prints p50/p95 per query and requests per second, plus EXPLAIN of the
search statements so the plans can be checked for the indexes.

Usage: python bench/portfolio.py [--projects 1000] [--components 1000] [--requests 400]
Runs on SQLite, and on PostgreSQL too when ASSAY_TEST_POSTGRES_URL names a server
(a scratch database is created and dropped).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx
import uvicorn
from sqlalchemy import create_engine, event, text

from assay.api.app import create_app
from assay.core import account_service as accounts
from assay.core.config import Settings
from assay.core.db import Database, upgrade
from assay.core.permissions import SYSTEM, Permission
from assay.vulndb.models import Advisory, Alias
from bench._common import row

LOG4J = ("Maven", "org.apache.logging.log4j:log4j-core")
LOG4J_PURL = "pkg:maven/org.apache.logging.log4j/log4j-core@{}"
CVE, GHSA = "CVE-2021-44228", "GHSA-jfh8-c2jp-5v3q"
LOG4J_VERSIONS = ["2.0", "2.3", "2.8.2", "2.11.1", "2.13.3", "2.14.1",
                  "2.15.0", "2.16.0", "2.17.1", "2.19.0", "1.2.17"]  # fmt: skip
ECOSYSTEMS = (("npm", "npm"), ("PyPI", "pypi"), ("Maven", "maven"), ("Go", "golang"))
CHUNK = 50_000
NOW = "2026-01-01T00:00:00.000000Z"
# Licence expressions as a portfolio has them: a few common ones and a long tail of
# vendor notices; 1 in 200 components names GPL-3.0-only (alone or in an expression).
COMMON = ("MIT",) * 50 + ("Apache-2.0",) * 25 + ("BSD-3-Clause",) * 10 + ("ISC",) * 5
TAIL = tuple(f"(Apache-2.0 AND LicenseRef-notice-{i})" for i in range(300))


def licence(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.005:
        return rng.choice(("GPL-3.0-only", "(MIT OR GPL-3.0-only)"))
    return rng.choice(TAIL) if r < 0.05 else rng.choice(COMMON)


def progress(label: str, done: int, total: int) -> None:
    print(f"\r  {label}: {done:>9,} / {total:,}", end="", file=sys.stderr, flush=True)
    if done >= total:
        print(file=sys.stderr)


def package_pool(rng: random.Random, size: int) -> list[tuple[str, str, str, str]]:
    """(ecosystem, name, version, purl) of ``size`` made-up packages."""
    pool = []
    for i in range(size):
        eco, ptype = ECOSYSTEMS[i % len(ECOSYSTEMS)]
        if eco == "Maven":
            name, purl_name = f"org.bench{i % 97}:lib-{i}", f"org.bench{i % 97}/lib-{i}"
        elif eco == "Go":
            name = purl_name = f"github.com/bench/mod{i}"
        else:
            name = purl_name = f"bench-pkg-{i}"
        version = f"{rng.randint(0, 9)}.{rng.randint(0, 30)}.{rng.randint(0, 20)}"
        pool.append((eco, name, version, f"pkg:{ptype}/{purl_name}@{version}"))
    return pool


def _rows(args: argparse.Namespace) -> Iterator[tuple[str, list[tuple[Any, ...]]]]:
    """(table, rows) batches of the generated portfolio; ids are assigned here."""
    rng = random.Random(42)
    pool = package_pool(rng, 20_000)
    n_teams = 10
    yield "team", [(t + 1, f"bench-team-{t}", "view_portfolio", NOW) for t in range(n_teams)]
    log4j_projects = set(rng.sample(range(args.projects), max(1, args.projects // 20)))
    projects, versions, tags = [], [], []
    for p in range(args.projects):
        crit = rng.choice(("low", "medium", "high", "critical"))
        team = p % n_teams + 1
        projects.append((p + 1, f"project-{p:04d}", "", "", team, crit, "internal", None, NOW, NOW))
        counts = [rng.randint(0, 20) for _ in range(5)]
        versions.append((p + 1, p + 1, "1.0.0", True, NOW, NOW, args.components, *counts, 0))
        tags.append((p + 1, rng.choice(("pci", "internal", "payments", "web"))))
    yield "project", projects
    yield "project_version", versions
    yield "project_tag", tags
    comp_id = 0
    batch: list[tuple[Any, ...]] = []
    findings: list[tuple[Any, ...]] = []
    for p in range(args.projects):
        chosen = rng.sample(pool, args.components)
        if p in log4j_projects:
            v = rng.choice(LOG4J_VERSIONS)
            purl = LOG4J_PURL.format(v)
            chosen[0] = (*LOG4J, v, purl)
            if v.startswith("2.") and v not in {"2.15.0", "2.16.0", "2.17.1", "2.19.0"}:
                findings.append(
                    (len(findings) + 1, p + 1, p + 1, purl, LOG4J[1], v, "Maven", CVE,
                     f'["{CVE}", "{GHSA}"]', "Log4Shell", "critical", 10.0, '["2.15.0"]',
                     "2.15.0", NOW, NOW, None)
                )  # fmt: skip
        for eco, name, version, purl in rng.sample(chosen[1:], min(20, len(chosen) - 1)):
            vuln = f"CVE-2020-{rng.randint(1, 4000)}"  # ~20 other open findings per project
            findings.append(
                (len(findings) + 1, p + 1, p + 1, purl, name, version, eco, vuln, f'["{vuln}"]',
                 "", rng.choice(("critical", "high", "medium", "low")), None, "[]", None, NOW,
                 NOW, None)
            )  # fmt: skip
        for eco, name, version, purl in chosen:
            comp_id += 1
            batch.append(
                (comp_id, p + 1, eco, name, name, version, purl, licence(rng),
                 "required", None, purl, "[]", "")
            )  # fmt: skip
        if len(batch) >= CHUNK:
            yield "component", batch
            batch = []
    if batch:
        yield "component", batch
    yield "finding", findings


COLUMNS = {
    "team": "id, name, permissions, created_at",
    "project": "id, name, description, business_unit, team_id, criticality, exposure, "
    "parent_id, created_at, updated_at",
    "project_version": "id, project_id, version, is_latest, created_at, analysed_at, components, "
    "critical, high, medium, low, unknown, suppressed",
    "project_tag": "project_id, tag",
    "component": "id, version_id, ecosystem, name, display_name, version, purl, licenses, scope, "
    "direct, bom_ref, hashes, source",
    "finding": "id, version_id, project_id, component_purl, component_name, component_version, "
    "ecosystem, vuln_id, aliases, summary, severity, cvss_score, fixed_versions, fix, "
    "first_seen_at, last_seen_at, resolved_at",
}


def seed(db: Database, args: argparse.Namespace) -> float:
    total = args.projects * args.components
    start = time.perf_counter()
    done = 0
    raw = db.engine.raw_connection()
    try:
        cur = raw.cursor()
        for table, rows in _rows(args):
            cols = COLUMNS[table]
            if db.settings.is_sqlite:
                marks = ", ".join("?" * len(cols.split(",")))
                cur.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", rows)
            else:
                with cur.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                    for r in rows:
                        copy.write_row(r)
            if table == "component":
                done += len(rows)
                progress("components", done, total)
        raw.commit()
        if not db.settings.is_sqlite:
            for table in COLUMNS:  # move sequences past the ids given explicitly
                if table != "project_tag":
                    cur.execute(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT max(id) FROM {table}))"
                    )
            raw.commit()
        cur.execute("ANALYZE")
        raw.commit()
    finally:
        raw.close()
    with db.session() as s:
        s.add(
            Advisory(
                id=GHSA, source="bench", modified=NOW, summary="Log4Shell", aliases=f'["{CVE}"]',
                severity_level="critical", record=f'{{"id": "{GHSA}"}}', content_hash="0" * 64,
                imported_at=NOW,
            )
        )  # fmt: skip
        s.flush()
        s.add(Alias(advisory_id=GHSA, alias=CVE))
    return time.perf_counter() - start


@contextmanager
def server(db: Database) -> Iterator[str]:
    app = create_app(db.settings, database=db, start_worker=False)
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", access_log=False)
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    while not srv.started:
        time.sleep(0.05)
    port = srv.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}/api/v1"
    finally:
        srv.should_exit = True
        thread.join(timeout=10)


def measure(
    label: str, base: str, key: str, path: str, params: dict[str, Any], n: int, clients: int
) -> None:
    local = threading.local()

    def one(_: int) -> float:
        if not hasattr(local, "client"):
            auth = {"Authorization": f"Bearer {key}"}
            local.client = httpx.Client(base_url=base, headers=auth, timeout=60)
        t0 = time.perf_counter()
        response = local.client.get(path, params=params)
        took = time.perf_counter() - t0
        if response.status_code != 200:
            raise SystemExit(f"bench: {path}: {response.status_code} {response.text[:200]}")
        return took

    serial = sorted(one(0) for _ in range(10))  # one client alone: the service time
    start = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        times = sorted(pool.map(one, range(n)))
    wall_s = time.perf_counter() - start
    p50 = statistics.median(times) * 1000
    p95 = times[int(len(times) * 0.95) - 1] * 1000
    alone = statistics.median(serial) * 1000
    row(
        label,
        f"alone {alone:6.1f} ms | {clients} clients: p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  "
        f"{n / wall_s:6.1f} req/s",
    )


def explain(db: Database, call: Callable[[Any], object]) -> None:
    """Run a service call in-process and print the plan of each statement it ran."""
    seen: list[tuple[str, Any]] = []

    def capture(_c: Any, _cur: Any, statement: str, params: Any, _ctx: Any, _many: bool) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            seen.append((statement, params))

    event.listen(db.engine, "before_cursor_execute", capture)
    try:
        with db.session() as s:
            call(s)
    finally:
        event.remove(db.engine, "before_cursor_execute", capture)
    prefix = "EXPLAIN QUERY PLAN " if db.settings.is_sqlite else "EXPLAIN "
    raw = db.engine.raw_connection()
    try:
        cur = raw.cursor()
        for statement, params in seen:
            cur.execute(prefix + statement, params)
            plan = [" ".join(str(c) for c in r[-1:]) for r in cur.fetchall()]
            print("    " + " ".join(statement.split())[:110])
            for line in plan:
                print("      " + line)
    finally:
        raw.close()


def run(label: str, db: Database, args: argparse.Namespace) -> None:
    from assay.inventory.search import ComponentQuery, affected_by, search_components

    db.ensure_schema()
    took = seed(db, args)
    rows = args.projects * args.components
    row(f"{label}: seed {rows:,} components", f"{took:6.1f} s")
    with db.session() as s:
        perms = frozenset({Permission.VIEW_PORTFOLIO, Permission.PORTFOLIO_WIDE})
        team = accounts.create_team(s, SYSTEM, "bench-audit", perms)
        wide = accounts.create_api_key(s, SYSTEM, team, "bench")
        own = accounts.team_by_name(s, "bench-team-3")
        assert own is not None
        own.permissions = "view_portfolio"
        mine = accounts.create_api_key(s, SYSTEM, own, "bench")
    name = {"name": LOG4J[1], "ecosystem": "Maven", "range": "[2.0,2.14.1]"}
    if args.explain:
        print(f"  {label}: query plans")
        who = SYSTEM
        explain(db, lambda s: search_components(s, who, ComponentQuery(**name)))
        explain(db, lambda s: affected_by(s, who, GHSA))
    with server(db) as base:
        n, c = args.requests, args.clients
        by_critical = {"sort": "critical", "order": "desc"}
        filtered = {"tag": "pci", "q": "project-0", "sort": "high", "order": "desc"}
        affected = f"/search/vulnerability/{GHSA}"
        measure("project list, critical desc (all)", base, wide, "/projects", by_critical, n, c)
        measure("project list, tag + q filter (all)", base, wide, "/projects", filtered, n, c)
        measure("project list, critical desc (1 team)", base, mine, "/projects", by_critical, n, c)
        measure("log4j-core in [2.0,2.14.1] (all)", base, wide, "/search/components", name, n, c)
        any_eco = {"name": LOG4J[1], "range": "[2.0,2.14.1]"}
        search = "/search/components"
        measure("log4j-core, no ecosystem given (all)", base, wide, search, any_eco, n, c)
        gpl = {"license": "GPL-3.0-only"}
        measure("licence GPL-3.0-only, page 1 (all)", base, wide, "/search/components", gpl, n, c)
        measure("affected by GHSA alias (all)", base, wide, affected, {}, n, c)
        measure("affected by GHSA alias (1 team)", base, mine, affected, {}, n, c)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--projects", type=int, default=1000)
    parser.add_argument("--components", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--no-explain", dest="explain", action="store_false")
    parser.add_argument("--engine", choices=("sqlite", "postgres", "both"), default="both")
    args = parser.parse_args()
    print(f"portfolio: {args.projects:,} projects x {args.components:,} components, "
          f"{args.clients} clients, {args.requests} requests per query")  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="assay-bench-") as home:
        if args.engine in {"sqlite", "both"}:
            settings = Settings.from_env({"ASSAY_HOME": home, "ASSAY_ENV": "test"})
            db = Database(settings)
            try:
                run("sqlite", db, args)
            finally:
                db.dispose()
        admin_url = os.environ.get("ASSAY_TEST_POSTGRES_URL")
        if args.engine in {"postgres", "both"} and admin_url:
            url = admin_url.replace("postgresql://", "postgresql+psycopg://", 1)
            name = f"assay_bench_{uuid.uuid4().hex[:8]}"
            admin = create_engine(url, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
            try:
                pg_url = f"{url.rpartition('/')[0]}/{name}"
                engine = create_engine(pg_url)
                upgrade(engine)
                engine.dispose()
                env = {"ASSAY_HOME": home, "ASSAY_ENV": "test", "ASSAY_DATABASE_URL": pg_url}
                db = Database(Settings.from_env(env))
                try:
                    run("postgresql", db, args)
                finally:
                    db.dispose()
            finally:
                with admin.connect() as conn:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                admin.dispose()


if __name__ == "__main__":
    main()
