"""Import throughput: validated `cobro import invoices` vs a raw bulk insert of the same rows, same run.

    python bench/import_rate.py [--rows 200000] [--pg postgresql://postgres@127.0.0.1:5432/cobro_bench_import] [--json]

For each back end: (1) the full validated import (parse CSV, validate every cell, stage, merge into invoices +
instalments) into a freshly migrated database; (2) the baseline, a raw executemany (SQLite) / COPY (PostgreSQL)
of the same rows, pre-parsed into tuples, into a plain table; (3) the floor: the same rows, ids resolved and
nothing validated, written straight into the real indexed, keyed `invoices` and `instalments` tables.  Re-imports
are timed too: the same file again (all unchanged) and a file with the same numbers and every row changed.  Prints
rows/s and the ratio baseline/validated.
Targets (issue 3): ≥ 50k rows/s on SQLite and ≥ 100k rows/s on PostgreSQL.  The client's CPU time is printed
too: on a shared machine it is steadier than wall time (for SQLite it is all of the work).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.orm import configure_mappers

from cobro.ledger.repository import invoice_import
from cobro.ledger.service.imports import import_invoices
from cobro.platform.db.engine import make_engine, make_sessionmaker, normalize_url
from cobro.platform.db.migrate import upgrade
from cobro.platform.uow import UnitOfWork


def write_csv(path: Path, rows: int, customers: int, seed: int = 1) -> list[tuple[object, ...]]:
    rng = random.Random(seed)
    base = dt.date(2025, 1, 1)
    tuples: list[tuple[object, ...]] = []
    with path.open("w", encoding="utf-8") as fh:
        fh.write("invoice_number;customer_code;issue_date;due_date;amount;currency\n")
        for i in range(rows):
            issue = base + dt.timedelta(days=rng.randrange(365))
            due = issue + dt.timedelta(days=rng.choice((30, 60, 90)))
            cents = rng.randrange(1000, 5_000_000)
            cust = f"C{rng.randrange(customers):06d}"
            euros, c = divmod(cents, 100)
            fh.write(f"F{i:09d};{cust};{issue:%d/%m/%Y};{due:%d/%m/%Y};{euros:,}".replace(",", ".") + f",{c:02d};EUR\n")
            tuples.append((f"F{i:09d}", cust, issue.isoformat(), due.isoformat(), cents, "EUR"))
    return tuples


def seed_customers(url: str, customers: int) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO customers (tenant_id, code, legal_name, country, tax_id, segment, account_owner, collector,"
            " credit_limit_currency, language, terms, behaviour, row_hash) VALUES (1, :c, :c, 'ES', '', '', '', '',"
            " '', 'es', 'net 30', '', '')"), [{"c": f"C{i:06d}"} for i in range(customers)])
    engine.dispose()


def validated(url: str, csv_path: Path) -> tuple[float, float]:
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    # the ORM configures its mappers once per process on first use (~0.1 s): start-up, not import work, so it is
    # paid before the clock starts (the unit of work resolves the tenant with an ORM query)
    configure_mappers()
    start, cpu = time.perf_counter(), time.process_time()
    with UnitOfWork(sessions) as uow:  # the default tenant (id 1, created by the setup)
        report = import_invoices(uow, csv_path)
        assert not report.errors, report.errors[:3]
        uow.commit()
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    engine.dispose()
    return elapsed, cpu


def raw(url: str, tuples: list[tuple[object, ...]]) -> tuple[float, float]:
    engine = create_engine(normalize_url(url))
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS raw_invoices"))
        conn.execute(text("CREATE TABLE raw_invoices (number VARCHAR(64), customer VARCHAR(64), issue_date DATE,"
                          " due_date DATE, amount_minor BIGINT, currency VARCHAR(3))"))
    start, cpu = time.perf_counter(), time.process_time()
    with engine.begin() as conn:
        dbapi = conn.connection.driver_connection
        assert dbapi is not None
        if engine.dialect.name == "postgresql":
            with dbapi.cursor() as cur, cur.copy("COPY raw_invoices FROM STDIN") as copy:
                for t in tuples:
                    copy.write_row(t)
        else:
            dbapi.cursor().executemany("INSERT INTO raw_invoices VALUES (?, ?, ?, ?, ?, ?)", tuples)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    engine.dispose()
    return elapsed, cpu


def raw_ledger(url: str, tuples: list[tuple[object, ...]], *, rebuild: bool) -> tuple[float, float]:
    """The floor: the same rows written straight into the real `invoices` and `instalments` tables, with ids and
    customer ids resolved beforehand and nothing validated; indexes and keys maintained row by row, or (rebuild)
    dropped first and built again at the end, as the import's bulk path does."""
    engine = create_engine(normalize_url(url))
    pg = engine.dialect.name == "postgresql"
    with engine.begin() as conn:
        conn.execute(text("TRUNCATE instalments, invoices CASCADE" if pg else "DELETE FROM allocations"))
        if not pg:
            conn.execute(text("DELETE FROM payments"))
            conn.execute(text("DELETE FROM instalments"))
            conn.execute(text("DELETE FROM invoices"))
        ids = dict(conn.execute(text("SELECT code, id FROM customers WHERE tenant_id = 1")).tuples().all())
    heads = [(i + 1, 1, ids[c], n, "invoice", issue, due, cur, amt, amt, "open", False, "", "", "net 30", False,
              "raw", 0) for i, (n, c, issue, due, amt, cur) in enumerate(tuples)]
    lines = [(1, h[0], h[2], 1, h[6], h[7], h[8], 0, h[8]) for h in heads]
    inv_cols = ("id, tenant_id, customer_id, number, kind, issue_date, due_date, currency, amount_minor, open_minor,"
                " status, disputed, corrects, channel, terms, over_legal_cap, source, content_hash")
    ins_cols = "tenant_id, invoice_id, customer_id, seq, due_date, currency, amount_minor, paid_minor, open_minor"
    start, cpu = time.perf_counter(), time.process_time()
    with engine.begin() as conn:
        dbapi = conn.connection.driver_connection
        assert dbapi is not None
        with invoice_import.bulk_load(conn, len(heads) if rebuild else 0, len(heads)):
            _write_ledger(dbapi, pg, heads, lines, inv_cols, ins_cols)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    engine.dispose()
    return elapsed, cpu


def _write_ledger(dbapi: Any, pg: bool, heads: list[tuple[object, ...]], lines: list[tuple[object, ...]],
              inv_cols: str, ins_cols: str) -> None:
    if pg:
        with dbapi.cursor() as cur:
            with cur.copy(f"COPY invoices ({inv_cols}) FROM STDIN") as copy:
                for h in heads:
                    copy.write_row(h)
            with cur.copy(f"COPY instalments ({ins_cols}) FROM STDIN") as copy:
                for ln in lines:
                    copy.write_row(ln)
    else:
        cur = dbapi.cursor()
        cur.executemany(f"INSERT INTO invoices ({inv_cols}) VALUES ({', '.join('?' * 18)})", heads)
        cur.executemany(f"INSERT INTO instalments ({ins_cols}) VALUES ({', '.join('?' * 9)})", lines)


def fresh_pg(url: str) -> str:
    admin = create_engine(normalize_url(url.rsplit("/", 1)[0] + "/postgres"), isolation_level="AUTOCOMMIT")
    name = url.rsplit("/", 1)[1]
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=200_000)
    ap.add_argument("--customers", type=int, default=20_000)
    ap.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/cobro_bench_import")
    ap.add_argument("--no-pg", action="store_true")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        csv_path = Path(tmp) / "invoices.csv"
        tuples = write_csv(csv_path, args.rows, args.customers)
        changed_path = Path(tmp) / "invoices-changed.csv"
        write_csv(changed_path, args.rows, args.customers, seed=2)
        targets = [("sqlite", f"sqlite:///{tmp}/bench.db", 50_000)]
        if not args.no_pg:
            targets.append(("postgresql", args.pg, 100_000))
        for name, url, target in targets:
            if name == "postgresql":
                fresh_pg(url)
            engine = make_engine(url)
            upgrade(engine)
            engine.dispose()
            seed_customers(url, args.customers)
            t_val, c_val = validated(url, csv_path)
            t_same, _ = validated(url, csv_path)  # every row unchanged
            t_changed, _ = validated(url, changed_path)  # same invoice numbers, every row's content changed
            t_raw, c_raw = raw(url, tuples)
            t_floor, _ = raw_ledger(url, tuples, rebuild=False)
            t_bulk, _ = raw_ledger(url, tuples, rebuild=True)
            results[name] = {
                "rows": args.rows, "validated_s": round(t_val, 3), "raw_s": round(t_raw, 3),
                "validated_cpu_s": round(c_val, 3), "raw_cpu_s": round(c_raw, 3),
                "load_average_1m": round(os.getloadavg()[0], 2),
                "validated_rows_per_s": round(args.rows / t_val), "raw_rows_per_s": round(args.rows / t_raw),
                "slowdown_vs_raw": round(t_val / t_raw, 2), "target_rows_per_s": target,
                "reimport_unchanged_s": round(t_same, 3), "reimport_all_changed_s": round(t_changed, 3),
                "raw_into_ledger_s": round(t_floor, 3), "raw_into_ledger_rows_per_s": round(args.rows / t_floor),
                "raw_into_ledger_rebuild_s": round(t_bulk, 3),
                "raw_into_ledger_rebuild_rows_per_s": round(args.rows / t_bulk),
                "meets_target": args.rows / t_val >= target,
            }
    if args.json:
        print(json.dumps(results, indent=2))
        return
    for name, r in results.items():
        print(f"{name:10} validated {r['validated_rows_per_s']:>9,} rows/s ({r['validated_s']} s)   raw "
              f"{r['raw_rows_per_s']:>9,} rows/s ({r['raw_s']} s)   validated is {r['slowdown_vs_raw']}x raw   "
              f"[client CPU {r['validated_cpu_s']} s vs {r['raw_cpu_s']} s; load {r['load_average_1m']}]   "
              f"target {r['target_rows_per_s']:,}: {'met' if r['meets_target'] else 'NOT met'}")
        print(f"{'':10} re-import of the same file: {r['reimport_unchanged_s']} s unchanged, "
              f"{r['reimport_all_changed_s']} s with every row changed")
        print(f"{'':10} floor, unvalidated rows straight into the ledger tables: indexes kept "
              f"{r['raw_into_ledger_rows_per_s']:,} rows/s ({r['raw_into_ledger_s']} s), indexes rebuilt "
              f"{r['raw_into_ledger_rebuild_rows_per_s']:,} rows/s ({r['raw_into_ledger_rebuild_s']} s)")


if __name__ == "__main__":
    main()
