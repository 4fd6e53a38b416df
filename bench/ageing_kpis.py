"""Ageing and KPIs over 1M open invoices vs a raw SQL GROUP BY of the same table, on SQLite and PostgreSQL.

    .venv/bin/python bench/ageing_kpis.py [--rows 1000000] [--backend sqlite|postgres|both]
        [--pg-url postgresql://postgres@127.0.0.1:5432/cobro_bench]

The scratch databases are a SQLite file in /tmp and the PostgreSQL database `cobro_bench` (created with psql if
missing, and its schema recreated).  Rows are bulk-inserted (COPY on PostgreSQL, executemany on SQLite) into the
migrated schema: one customer per 50 invoices, one instalment per invoice, 10 % of invoices half paid.  The
baseline is the query a person would write by hand: ``SELECT currency, CASE … END, COUNT(*), SUM(open_minor) FROM
instalments GROUP BY 1, 2``.  Each timing is the best of 3 runs; issue 5's target is a ratio ≤ 3×.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine

from cobro.platform.db.engine import make_engine, make_sessionmaker, normalize_url
from cobro.platform.db.migrate import upgrade
from cobro.platform.uow import UnitOfWork
from cobro.reporting import service as reporting
from cobro.reporting.domain.aging import parse_bucket_spec

AS_OF = dt.date(2026, 6, 30)
SPEC = parse_bucket_spec("0,30,60,90,120", "due")


def rows(n: int, seed: int = 5) -> tuple[list[tuple], list[tuple], list[tuple]]:
    rng = random.Random(seed)
    customers = [(i, 1, f"C{i:07d}", f"Customer {i}", "ES", ["retail", "wholesale", "public"][i % 3],
                  "", "", "", "", "es", "net 30", "", "") for i in range(1, n // 50 + 2)]
    invoices, instalments = [], []
    for i in range(1, n + 1):
        issue = AS_OF - dt.timedelta(days=rng.randint(0, 400))
        due = issue + dt.timedelta(days=rng.choice((30, 45, 60, 90)))
        amount = rng.randint(1_000, 5_000_000)
        paid = amount // 2 if i % 10 == 0 else 0
        cust = 1 + (i % len(customers))
        invoices.append((i, 1, cust, f"F{i:08d}", "invoice", issue, due, "EUR", amount, amount - paid, "open",
                         False, "", "", "net 30", False, "bench", 0))
        instalments.append((i, 1, i, cust, 1, due, "EUR", amount, paid, amount - paid))
    return customers, invoices, instalments


INV_COLS = ("id, tenant_id, customer_id, number, kind, issue_date, due_date, currency, amount_minor, open_minor, "
            "status, disputed, corrects, channel, terms, over_legal_cap, source, content_hash")
INS_COLS = "id, tenant_id, invoice_id, customer_id, seq, due_date, currency, amount_minor, paid_minor, open_minor"
CUS_COLS = ("id, tenant_id, code, legal_name, country, segment, tax_id, account_owner, collector, "
            "credit_limit_currency, language, terms, behaviour, row_hash")


def load(engine: Engine, n: int) -> None:
    customers, invoices, instalments = rows(n)
    with engine.begin() as conn:
        if conn.execute(text("SELECT id FROM tenants WHERE code = 'default'")).scalar() != 1:
            conn.execute(text("INSERT INTO tenants (id, code, name) VALUES (1, 'default', 'bench')"))
        if engine.dialect.name == "postgresql":
            raw = conn.connection.dbapi_connection
            assert raw is not None
            with raw.cursor() as cur:  # type: ignore[attr-defined]
                for table, cols, data in (("customers", CUS_COLS, customers), ("invoices", INV_COLS, invoices),
                                          ("instalments", INS_COLS, instalments)):
                    with cur.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                        for row in data:
                            copy.write_row(row)
            conn.execute(text("ANALYZE"))
        else:
            raw = conn.connection.dbapi_connection
            for table, cols, data in (("customers", CUS_COLS, customers), ("invoices", INV_COLS, invoices),
                                      ("instalments", INS_COLS, instalments)):
                marks = ", ".join("?" * len(cols.split(",")))
                raw.cursor().executemany(  # type: ignore[union-attr]
                    f"INSERT INTO {table} ({cols}) VALUES ({marks})",
                    [tuple(v.isoformat() if isinstance(v, dt.date) else v for v in r) for r in data])
            conn.execute(text("ANALYZE"))


def best(fn: Callable[[], object], repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


def run(engine: Engine, label: str) -> dict[str, float]:
    sessions = make_sessionmaker(engine)
    dpd = ("CAST(julianday(:as_of) - julianday(due_date) AS INTEGER)" if engine.dialect.name == "sqlite"
           else "(CAST(:as_of AS DATE) - due_date)")
    raw_sql = text(f"SELECT currency, {SPEC.case_sql(dpd)} AS b, COUNT(*), SUM(open_minor) FROM instalments "
                   f"WHERE tenant_id = 1 AND open_minor > 0 GROUP BY currency, {SPEC.case_sql(dpd)}")

    def raw() -> object:
        with engine.connect() as conn:
            return conn.execute(raw_sql, {"as_of": AS_OF}).all()

    def ageing() -> dict[str, Any]:  # the report as `cobro report ageing --format json` prints it
        with UnitOfWork(sessions) as uow:
            return reporting.ageing_report(uow, AS_OF, SPEC).as_json()

    def kpis() -> object:
        with UnitOfWork(sessions) as uow:
            return reporting.kpi_report(uow, AS_OF, 90).as_json()

    out = {"raw": best(raw), "ageing": best(ageing), "kpis": best(kpis)}
    total = ageing()["currency"]["EUR"]["total"]
    print(f"{label:10s} raw GROUP BY {out['raw']:.3f}s | ageing {out['ageing']:.3f}s "
          f"({out['ageing'] / out['raw']:.2f}x) | kpis {out['kpis']:.3f}s ({out['kpis'] / out['raw']:.2f}x) "
          f"| open EUR {total}")
    return out


def sqlite_engine(n: int) -> Engine:
    path = Path(f"/tmp/cobro_bench_{n}.db")
    path.unlink(missing_ok=True)
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    started = time.perf_counter()
    load(engine, n)
    print(f"sqlite     loaded {n:,} invoices in {time.perf_counter() - started:.1f}s ({path})")
    return engine


def pg_engine(url: str, n: int) -> Engine:
    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    exists = subprocess.run(["psql", admin, "-tAc", f"SELECT 1 FROM pg_database WHERE datname = '{name}'"],
                            capture_output=True, text=True, check=True).stdout.strip()
    if not exists:
        subprocess.run(["psql", admin, "-qc", f"CREATE DATABASE {name}"], check=True)
    with create_engine(normalize_url(url)).begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine = make_engine(url)
    upgrade(engine)
    started = time.perf_counter()
    load(engine, n)
    print(f"postgres   loaded {n:,} invoices in {time.perf_counter() - started:.1f}s (COPY)")
    return engine


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    ap.add_argument("--reuse", action="store_true", help="Keep the rows a previous run loaded.")
    ap.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432/cobro_bench")
    args = ap.parse_args()
    if args.backend in ("sqlite", "both"):
        path = f"sqlite:////tmp/cobro_bench_{args.rows}.db"
        run(make_engine(path) if args.reuse else sqlite_engine(args.rows), "sqlite")
    if args.backend in ("postgres", "both"):
        run(make_engine(args.pg_url) if args.reuse else pg_engine(args.pg_url, args.rows), "postgres")


if __name__ == "__main__":
    main()
