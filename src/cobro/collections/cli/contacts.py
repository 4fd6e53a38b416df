"""`cobro report contacts [--customer CODE] [--json]`: customers whose contact data stops their policy — a step
that must fall back to another contact or channel, or that reaches nobody (no address, a bounced address, a wrong
number, an opt-out).  Registered into the `report` group by `app/cli.py`."""

from __future__ import annotations

from typing import Annotated

import typer

from cobro.collections.cli.common import JsonOpt, print_table, run_service
from cobro.platform.cli.context import console, print_json


def register_report(report_app: typer.Typer) -> None:
    report_app.command("contacts")(report_contacts)


def report_contacts(ctx: typer.Context,
                    customer: Annotated[str, typer.Option("--customer", help="Only this customer code.")] = "",
                    as_json: JsonOpt = False) -> None:
    """Customers whose contact data stops a step of their policy, and why."""
    from cobro.collections.service.contactability import contacts_report

    report = run_service(ctx, lambda uow: contacts_report(uow, customer=customer), commit=False)
    if as_json:
        print_json(report.as_json())
        return
    rows = [{"customer": r.customer, "policy": r.policy, "step": s.step, "channel": s.channel,
             "status": str(s.status), "used": s.used, "contact": s.contact, "reason": s.reason}
            for r in report.rows for s in r.steps]
    print_table("Contact data that stops the policy", rows,
                ["customer", "policy", "step", "channel", "status", "used", "contact", "reason"])
    blocked = sum(r.blocked for r in report.rows)
    console.print(f"{len(report.rows)} of {report.customers} customer(s) with a problem; {blocked} blocked; "
                  f"{len(report.invalid_points)} address(es) or phone(s) known invalid")
