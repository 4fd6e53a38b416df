"""Benchmark the demo ledger generator: generation alone, then written to SQLite and to PostgreSQL.

    .venv/bin/python bench/demo_generate.py [--invoices 100000] [--debtors 2000] [--pg-url URL] [--no-pg] [--no-sqlite]

PostgreSQL goes to a throw-away database (default `cobro_bench_demo` on 127.0.0.1, created if missing and
wiped on each run); never point --pg-url at a database you care about.  Prints one line per target and a
JSON summary at the end.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from cobro.demo.generator import DemoSpec, FirstIds, generate_ledger, make_parties
from cobro.demo.repository import write_demo
from cobro.platform.container import build, migrate
from cobro.platform.db.engine import normalize_url
from cobro.platform.settings import Settings

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/cobro_bench_demo"


def generation_only(spec: DemoSpec) -> dict[str, float]:
    started = time.perf_counter()
    customers, contacts = make_parties(spec, FirstIds())
    rows = len(customers) + len(contacts)
    for chunk in generate_ledger(spec, customers, tenant_id=1, first=FirstIds()):
        rows += len(chunk.invoices) + len(chunk.instalments) + len(chunk.payments) + len(chunk.allocations)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "rows": rows, "rows_per_s": rows / seconds, "documents_per_s": spec.invoices / seconds}


def fresh_pg(url: str) -> None:
    """Create the bench database if needed and empty its public schema."""
    target = make_url(normalize_url(url))
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if not conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :d"), {"d": target.database}).first():
            conn.execute(text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()
    engine = create_engine(target)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def into_database(url: str, spec: DemoSpec) -> dict[str, float]:
    container = build(Settings(database_url=url))
    try:
        migrate(container)
        started = time.perf_counter()
        with container.engine.begin() as conn:
            counts = write_demo(conn, tenant_code="default", spec=spec)
        seconds = time.perf_counter() - started
    finally:
        container.close()
    return {"seconds": seconds, "rows": counts.rows, "rows_per_s": counts.rows / seconds,
            "documents_per_s": spec.invoices / seconds, "open_invoices": counts.open_invoices,
            "payments": counts.payments}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--invoices", type=int, default=100_000)
    parser.add_argument("--debtors", type=int, default=0, help="default: invoices / 50")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--pg-url", default=DEFAULT_PG)
    parser.add_argument("--no-pg", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true")
    args = parser.parse_args()
    spec = DemoSpec(debtors=args.debtors or max(10, args.invoices // 50), invoices=args.invoices, seed=args.seed,
                    as_of=dt.date(2026, 6, 30))
    results: dict[str, dict[str, float]] = {}

    def report(name: str, r: dict[str, float]) -> None:
        results[name] = r
        print(f"{name:<16} {r['seconds']:7.1f} s  {r['rows']:>10,.0f} rows  {r['rows_per_s']:>9,.0f} rows/s  "
              f"{r['documents_per_s']:>8,.0f} invoices/s")

    print(f"demo ledger: {spec.debtors:,} debtors, {spec.invoices:,} documents, seed {spec.seed}")
    report("generation only", generation_only(spec))
    if not args.no_sqlite:
        with tempfile.TemporaryDirectory() as tmp:
            report("sqlite", into_database(f"sqlite:///{Path(tmp) / 'bench.db'}", spec))
    if not args.no_pg:
        fresh_pg(args.pg_url)
        report("postgresql", into_database(args.pg_url, spec))
    print(json.dumps({"debtors": spec.debtors, "invoices": spec.invoices, "results": results}, indent=2))


if __name__ == "__main__":
    main()
