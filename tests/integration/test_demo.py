"""The demo ledger generator and `cobro demo`, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections import defaultdict
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from cobro.app.cli import app
from cobro.demo import repository as demo_writer
from cobro.demo.generator import DemoSpec
from cobro.demo.parties import BEHAVIOURS
from cobro.kernel.errors import ConflictError
from cobro.kernel.money import exponent
from cobro.kernel.taxids import check_tax_id
from cobro.ledger.repository import summary as ledger
from cobro.platform.container import Container, build
from cobro.platform.db.migrate import upgrade
from cobro.platform.settings import Settings
from cobro.platform.tenants import resolve_tenant

AS_OF = dt.date(2026, 6, 30)
SPEC = DemoSpec(debtors=30, invoices=600, seed=11, as_of=AS_OF)


def _generate(container: Container, spec: DemoSpec = SPEC) -> demo_writer.DemoCounts:
    with container.engine.begin() as conn:
        return demo_writer.write_demo(conn, tenant_code="default", spec=spec, chunk_documents=200)


def _summary(container: Container) -> dict[str, object]:
    with container.uow() as uow:
        return ledger.summary(uow.session, resolve_tenant(uow.session, "default").id, AS_OF)


def _rows(container: Container, sql: str) -> list[tuple[object, ...]]:
    with container.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql))]


def _count(container: Container, sql: str) -> int:
    value = _rows(container, sql)[0][0]
    assert isinstance(value, int)
    return value


@pytest.fixture
def demo(container: Container) -> tuple[Container, demo_writer.DemoCounts]:
    return container, _generate(container)


def test_counts_parties_and_tax_ids(demo: tuple[Container, demo_writer.DemoCounts]) -> None:
    container, counts = demo
    assert counts.customers == 30
    assert counts.invoices + counts.credit_notes == 600
    assert 0 < counts.credit_notes < 40
    assert counts.instalments > counts.invoices + counts.credit_notes  # some invoices have 2-3 instalments
    assert set(counts.behaviours) == set(BEHAVIOURS)
    customers = _rows(container, "SELECT tax_id, country, behaviour, language, terms FROM customers")
    assert len(customers) == 30
    for tax_id, country, _, _, _ in customers:
        check = check_tax_id(str(tax_id), str(country))
        assert check.valid, check.message
    assert {str(c[2]) for c in customers} == set(BEHAVIOURS)
    assert {"ES"} < {str(c[1]) for c in customers}
    roles = {str(r[0]) for r in _rows(container, "SELECT role FROM contacts")}
    assert "administration" in roles and "finance" in roles
    # every customer has an administration contact with an email
    assert _count(container, """SELECT COUNT(DISTINCT customer_id) FROM contacts
                               WHERE role = 'administration' AND email LIKE '%@%'""") == 30
    terms = {str(c[4]) for c in customers}
    assert len(terms) >= 3
    first_issue = _rows(container, "SELECT MIN(issue_date) FROM invoices")[0][0]
    assert str(first_issue) >= (AS_OF - dt.timedelta(days=548)).isoformat()  # ~18 months of history
    _assert_bad_payers_have_larger_overdue_shares(container)


def test_amounts_are_consistent(demo: tuple[Container, demo_writer.DemoCounts]) -> None:
    container, counts = demo
    bad_instalments = _rows(container, """
        SELECT x.id FROM instalments x
        LEFT JOIN (SELECT instalment_id, SUM(amount_minor) AS paid FROM allocations GROUP BY instalment_id) a
               ON a.instalment_id = x.id
        WHERE COALESCE(a.paid, 0) <> x.paid_minor OR x.open_minor <> x.amount_minor - x.paid_minor
           OR x.open_minor < 0""")
    assert bad_instalments == []
    bad_invoices = _rows(container, """
        SELECT i.id FROM invoices i JOIN instalments x ON x.invoice_id = i.id
        GROUP BY i.id, i.amount_minor, i.open_minor, i.status
        HAVING SUM(x.amount_minor) <> i.amount_minor OR SUM(x.open_minor) <> i.open_minor
            OR (i.status = 'paid') <> (i.open_minor = 0)""")
    assert bad_invoices == []
    bad_payments = _rows(container, """
        SELECT p.id FROM payments p JOIN allocations a ON a.payment_id = p.id
        GROUP BY p.id, p.amount_minor, p.unapplied_minor
        HAVING SUM(a.amount_minor) + p.unapplied_minor <> p.amount_minor""")
    assert bad_payments == []
    assert _count(container, f"SELECT COUNT(*) FROM allocations WHERE date > '{AS_OF.isoformat()}'") == 0
    # the story's ingredients are all there
    assert _count(container, "SELECT COUNT(*) FROM payments WHERE unapplied_minor > 0") > 0
    multi = _count(container, "SELECT COUNT(*) FROM (SELECT payment_id FROM allocations GROUP BY payment_id "
                              "HAVING COUNT(*) > 1) m")
    assert multi > 0
    assert _count(container, "SELECT COUNT(*) FROM instalments WHERE paid_minor > 0 AND open_minor > 0") > 0
    assert 0 < counts.open_invoices < counts.invoices
    summary = _summary(container)
    assert summary["invoices"] == counts.invoices
    assert summary["open_invoices"] == counts.open_invoices
    # CLP has no decimals: amounts are whole pesos in minor units, the summary shows no fraction
    for cur, amount in dict(summary["open_amount"]).items():  # type: ignore[call-overload]
        assert ("." in str(amount)) == (exponent(cur) > 0)


def test_same_seed_same_ledger(demo: tuple[Container, demo_writer.DemoCounts], tmp_path: Path) -> None:
    container, counts = demo
    other_url = f"sqlite:///{tmp_path / 'again.db'}"
    other = build(Settings(database_url=other_url))
    try:
        upgrade(other.engine)
        again = _generate(other)
        assert again.as_dict() == counts.as_dict()
        assert _summary(other) == _summary(container)
        q = "SELECT code, tax_id, legal_name, behaviour FROM customers ORDER BY code"
        assert _rows(other, q) == _rows(container, q)
    finally:
        other.close()
    with pytest.raises(ConflictError):  # the demo writes into an empty tenant only
        _generate(container)


def _assert_bad_payers_have_larger_overdue_shares(container: Container) -> None:
    rows = _rows(container, f"""
        SELECT c.behaviour, c.id,
               SUM(CASE WHEN x.due_date < '{AS_OF.isoformat()}' THEN x.open_minor ELSE 0 END),
               SUM(x.amount_minor)
        FROM customers c JOIN invoices i ON i.customer_id = c.id AND i.kind = 'invoice'
        JOIN instalments x ON x.invoice_id = i.id
        GROUP BY c.behaviour, c.id""")
    shares: dict[str, list[float]] = defaultdict(list)
    for behaviour, _, overdue, total in rows:
        shares[str(behaviour)].append(int(overdue) / max(int(total), 1))  # type: ignore[call-overload]
    mean = {b: sum(v) / len(v) for b, v in shares.items()}
    assert mean["insolvent"] > mean["punctual"]
    assert mean["chronic_late"] > mean["punctual"]
    assert mean["insolvent"] > 0.2
    assert mean["punctual"] < 0.05
    disputed = _rows(container, """SELECT c.behaviour, COUNT(*) FROM invoices i JOIN customers c
                                   ON c.id = i.customer_id WHERE i.disputed GROUP BY c.behaviour""")
    assert {str(b): int(n) for b, n in disputed}.get("disputing", 0) > 0  # type: ignore[call-overload]


def test_cli_generate_json(cli_env: dict[str, str]) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["init"]).exit_code == 0
    args = ["demo", "generate", "--debtors", "8", "--invoices", "120", "--seed", "3", "--as-of", "2026-03-31",
            "--json"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["customers"] == 8
    assert data["invoices"] + data["credit_notes"] == 120
    again = runner.invoke(app, args)
    assert again.exit_code == 2
    assert "already has customers" in again.output


def test_cli_demo_story(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("COBRO_DATABASE_URL", raising=False)
    args = ["demo", "--no-serve", "--out", "out", "--debtors", "12", "--invoices", "200", "--as-of", "2026-05-31"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "cobro-demo.db").exists()
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert summary["customers"] == 12
    assert len(json.loads((tmp_path / "out" / "top_customers.json").read_text(encoding="utf-8"))) == 10
    # the demo's e-mails are the demo creditor's (its profile), never the placeholder tenant's
    mail = sorted((tmp_path / "out" / "mail").glob("*.eml"))
    assert mail
    first = mail[0].read_text(encoding="utf-8", errors="replace")
    assert "From: Suministros Iberia - Cobros <cobros@demo.cobro.example>" in first
    assert not any("Default tenant" in m.read_text(encoding="utf-8", errors="replace") for m in mail)
    # the story's last step stored a payment-date prediction for every instalment open at the as-of date
    predicted = json.loads((tmp_path / "out" / "predictions.json").read_text(encoding="utf-8"))
    with sqlite3.connect(tmp_path / "cobro-demo.db") as db:
        stored = db.execute("SELECT COUNT(*) FROM payment_predictions WHERE as_of = '2026-05-31'").fetchone()[0]
        still_open = db.execute(
            "SELECT COUNT(*) FROM instalments s JOIN invoices i ON i.id = s.invoice_id WHERE i.kind = 'invoice' "
            "AND i.status NOT IN ('cancelled', 'written_off') AND i.issue_date <= '2026-05-31' AND s.amount_minor - "
            "COALESCE((SELECT SUM(a.amount_minor) FROM allocations a WHERE a.instalment_id = s.id "
            "AND a.date <= '2026-05-31'), 0) > 0").fetchone()[0]
    assert stored == still_open == len(predicted) > 0
    # a second run starts from a fresh database, and without --no-serve ends by serving the dashboard
    served: list[tuple[str, int]] = []
    monkeypatch.setattr("cobro.app.serve.serve_app",
                        lambda settings, *, host, port: served.append((host, port)))
    result = CliRunner().invoke(app, args[:1] + args[2:])
    assert result.exit_code == 0, result.output
    assert served == [("127.0.0.1", 8000)]
