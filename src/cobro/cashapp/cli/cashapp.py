"""Cash application commands: `cobro matches`, `cobro bank-account`, `cobro sepa`, and `cobro import statement` /
`cobro import einvoice` (added by `register_imports` to the group `cobro.app.cli` composes).  Thin: parse, call
one service, commit, render."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from cobro.kernel.errors import CobroError
from cobro.platform.cli.context import console, err_console, fail, parse_day, print_json, state
from cobro.platform.cli.reports import DryRunOpt, ImportReport, finish_import, import_in_uow
from cobro.platform.cli.reports import JsonOpt as ReportJsonOpt

if TYPE_CHECKING:  # type names only: `cobro --help` stays free of heavy imports
    from cobro.platform.uow import UnitOfWork

matches_app = typer.Typer(help="The review queue of bank entries the matcher was not sure about.",
                          no_args_is_help=True)
accounts_app = typer.Typer(help="Our own bank accounts (statements for other accounts are refused).",
                           no_args_is_help=True)
sepa_app = typer.Typer(help="SEPA direct debit: mandates and pain.008 collection files.", no_args_is_help=True)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def register(root: typer.Typer) -> None:
    root.add_typer(accounts_app, name="bank-account")
    root.add_typer(matches_app, name="matches")
    root.add_typer(sepa_app, name="sepa")


def register_imports(group: typer.Typer) -> None:
    """Add `statement` and `einvoice` to the `cobro import` group."""
    group.command("statement")(import_statement)
    group.command("einvoice")(import_einvoice)


def _in_uow(ctx: typer.Context, work: Callable[[UnitOfWork], Any], *, commit: bool = True) -> Any:
    container = state(ctx).container()
    try:
        with container.uow() as uow:
            result = work(uow)
            if commit:
                uow.commit()
            else:
                uow.rollback()
            return result
    except CobroError as exc:
        raise fail(str(exc)) from exc


# -- imports --------------------------------------------------------------------------------------------------
def _import(ctx: typer.Context, run: Callable[[UnitOfWork], ImportReport], dry_run: bool, as_json: bool) -> None:
    try:
        report = import_in_uow(ctx, run, dry_run=dry_run)
    except CobroError as exc:
        raise fail(str(exc)) from exc
    finish_import(report, as_json)


def import_statement(ctx: typer.Context, file: Path,
                     account: Annotated[str | None, typer.Option("--account", help="Our IBAN this file is for.")] = None,
                     dry_run: DryRunOpt = False, as_json: ReportJsonOpt = False) -> None:
    """Bank statement (Norma 43, camt.052/053/054, MT940/942, pain.002): apply credits, reverse returns."""
    from cobro.cashapp.service import application as cash_application

    _import(ctx, lambda uow: cash_application.import_statement(uow, file, account=account),
            dry_run, as_json)


def import_einvoice(ctx: typer.Context, files: list[Path], dry_run: DryRunOpt = False,
                    as_json: ReportJsonOpt = False) -> None:
    """E-invoices (Facturae, UBL/Peppol, CFDI with Pagos, Chile DTE): customers, invoices, credit notes, payments."""
    from cobro.cashapp.service import einvoices

    _import(ctx, lambda uow: einvoices.import_einvoices(uow, files), dry_run, as_json)


# -- matches --------------------------------------------------------------------------------------------------
@matches_app.command("review")
def matches_review(ctx: typer.Context, limit: int = 50, as_json: JsonOpt = False) -> None:
    """List entries waiting for a decision (below the threshold, or no payer found)."""
    from cobro.cashapp.service import review as cashapp_review

    rows = _in_uow(ctx, lambda uow: [e.as_json() for e in cashapp_review.queue(uow, limit)], commit=False)
    if as_json:
        print_json(rows)
        return
    if not rows:
        console.print("nothing to review")
        return
    table = Table(title=f"{len(rows)} entr{'y' if len(rows) == 1 else 'ies'} to review")
    for col in ("id", "date", "amount", "payer", "remittance", "confidence", "proposal / reason"):
        table.add_column(col)
    for r in rows:
        table.add_row(str(r["id"]), str(r["date"]), f"{r['amount']} {r['currency']}", str(r["payer"]),
                      str(r["remittance"])[:40], str(r["confidence"]), str(r["reason"])[:80])
    console.print(table)


def _split(values: str | None) -> list[str] | None:
    return [v.strip() for v in values.split(",") if v.strip()] if values else None


CustomerOpt = Annotated[str | None, typer.Option("--customer", help="Customer code that really paid.")]
InvoicesOpt = Annotated[str | None, typer.Option("--invoices", help="Comma-separated invoice numbers it pays.")]


@matches_app.command("accept")
def matches_accept(ctx: typer.Context, entry_id: int, customer: CustomerOpt = None, invoices: InvoicesOpt = None,
                   as_json: JsonOpt = False) -> None:
    """Apply the proposal (or the given customer/invoices); the matcher learns the payer's account and name."""
    from cobro.cashapp.service import review as cashapp_review

    out = _in_uow(ctx, lambda uow: cashapp_review.accept(uow, entry_id, customer_code=customer,
                                                         invoices=_split(invoices)).as_json())
    print_json(out) if as_json else console.print(f"entry {entry_id} applied: {out}")


@matches_app.command("reject")
def matches_reject(ctx: typer.Context, entry_id: int, customer: CustomerOpt = None, invoices: InvoicesOpt = None,
                   as_json: JsonOpt = False) -> None:
    """Refuse the proposal; with --customer/--invoices apply it to those instead (and learn from it)."""
    from cobro.cashapp.service import review as cashapp_review

    out = _in_uow(ctx, lambda uow: cashapp_review.reject(uow, entry_id, customer_code=customer,
                                                         invoices=_split(invoices)).as_json())
    print_json(out) if as_json else console.print(f"entry {entry_id}: {out}")


@matches_app.command("settings")
def matches_settings(ctx: typer.Context,
                     threshold: Annotated[str | None, typer.Option(help="Auto-apply at or above (0-1).")] = None,
                     fee_max: Annotated[str | None, typer.Option(help="Largest shortfall taken as a bank fee.")] = None,
                     as_json: JsonOpt = False) -> None:
    """Show or change the tenant's auto-match threshold and bank-fee tolerance."""
    from cobro.cashapp.service import review as cashapp_review

    try:
        th = Decimal(threshold) if threshold else None
        fee = int(Decimal(fee_max) * 100) if fee_max else None
    except InvalidOperation as exc:
        raise fail("--threshold and --fee-max are decimal numbers") from exc
    out = _in_uow(ctx, lambda uow: cashapp_review.set_settings(uow, threshold=th, fee_max_minor=fee).as_json())
    print_json(out) if as_json else console.print(out)


@matches_app.command("alerts")
def matches_alerts(ctx: typer.Context, limit: int = 50, as_json: JsonOpt = False) -> None:
    """Alerts raised by cash application (direct-debit returns and rejects)."""
    from cobro.cashapp.service import matches as cashapp

    rows = _in_uow(ctx, lambda uow: [{"id": a.id, "kind": a.kind, "customer_id": a.customer_id,
                                      "message": a.message, "created_at": a.created_at}
                                     for a in cashapp.alerts(uow, limit)], commit=False)
    if as_json:
        print_json(rows)
        return
    for r in rows:
        console.print(f"[{r['kind']}] {r['message']}")


# -- bank accounts --------------------------------------------------------------------------------------------
@accounts_app.command("add")
def account_add(ctx: typer.Context, iban: str,
                alias: Annotated[str, typer.Option(help="How statements name it, if not by IBAN.")] = "",
                currency: str = "EUR", name: str = "") -> None:
    """Register one of our own accounts, so its statements can be imported."""
    from cobro.cashapp.service import review as cashapp_review

    def work(uow: UnitOfWork) -> tuple[tuple[str, str], bool]:
        acct, created = cashapp_review.add_bank_account(uow, iban, alias=alias, currency=currency, name=name)
        return (acct.iban, acct.alias), created

    row, created = _in_uow(ctx, work)
    console.print(f"{'added' if created else 'already known'}: {row[0]}" + (f" (alias {row[1]})" if row[1] else ""))


@accounts_app.command("list")
def account_list(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    from cobro.cashapp.service import matches as cashapp

    rows = _in_uow(ctx, lambda uow: [{"iban": r.iban, "alias": r.alias, "currency": r.currency, "name": r.name}
                                     for r in cashapp.bank_accounts(uow)], commit=False)
    if as_json:
        print_json(rows)
        return
    for r in rows:
        console.print(f"{r['iban']}  {r['currency']}  {r['alias']}  {r['name']}")


# -- SEPA -----------------------------------------------------------------------------------------------------
@sepa_app.command("mandate")
def sepa_mandate(ctx: typer.Context, action: Annotated[str, typer.Argument(help="add")], customer: str,
                 mandate_id: str, iban: str,
                 signed: Annotated[str, typer.Option("--signed", help="Signature date YYYY-MM-DD.")],
                 scheme: Annotated[str, typer.Option(help="CORE or B2B.")] = "CORE",
                 bic: str = "") -> None:
    """`cobro sepa mandate add CUSTOMER MANDATE_ID IBAN --signed DATE [--scheme B2B]`."""
    from cobro.cashapp.service import sepa

    if action != "add":
        raise fail("only `add` is supported")
    day = parse_day(signed)
    _in_uow(ctx, lambda uow: sepa.add_mandate(uow, customer_code=customer, mandate_id=mandate_id, iban=iban,
                                               signed=day, scheme=scheme, bic=bic))
    console.print(f"mandate {mandate_id} recorded for {customer}")


@sepa_app.command("creditor")
def sepa_creditor(ctx: typer.Context, name: str, iban: str, creditor_id: str, bic: str = "") -> None:
    """Our creditor data: name, collection account and SEPA creditor identifier (AT-02)."""
    from cobro.cashapp.service import sepa

    _in_uow(ctx, lambda uow: sepa.set_creditor(uow, name=name, iban=iban, creditor_id=creditor_id, bic=bic))
    console.print(f"creditor {creditor_id} set")


@sepa_app.command("export")
def sepa_export(ctx: typer.Context, out: Annotated[Path, typer.Option("--out", help="pain.008 XML to write.")],
                plan: Annotated[int | None, typer.Option("--plan", help="Payment plan id.")] = None,
                due_by: Annotated[str | None, typer.Option("--due-by", help="Instalments due by YYYY-MM-DD.")] = None,
                collection_date: Annotated[str | None, typer.Option("--collection-date")] = None,
                as_json: JsonOpt = False) -> None:
    """Write a pain.008.001.02 collection for instalments of customers with a signed mandate."""
    from cobro.cashapp.service import sepa

    if plan is None and due_by is None:
        raise fail("give --plan ID or --due-by DATE")
    day = parse_day(due_by) if due_by else None
    when = parse_day(collection_date) if collection_date else state(ctx).today() + dt.timedelta(days=2)
    result = _in_uow(ctx, lambda uow: sepa.export(uow, out, plan_id=plan, due_by=day,
                                                  collection_date=when).as_json())
    if as_json:
        print_json(result)
        return
    console.print(f"wrote {out}: {result['transactions']} debit(s), {result['total']} {result['currency']}")
    for skipped in result.get("skipped", []):
        err_console.print(f"skipped: {skipped}")
