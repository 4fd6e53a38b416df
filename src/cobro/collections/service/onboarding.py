"""Import another system's dunning history (`cobro import actions FILE`) so the sequence continues where that
system stopped: each row becomes an action done on its date, in the customer×currency's open episode (opened
when none is), counted by the planner as a step done and by the templates as an earlier notice."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

from cobro.collections.domain.policy import CHANNELS
from cobro.collections.repository import onboarding as repo
from cobro.collections.schemas.onboarding import ActionImportReport
from cobro.collections.service.policy import policy_book
from cobro.kernel.errors import Problem
from cobro.kernel.money import KNOWN_CURRENCIES
from cobro.platform.uow import UnitOfWork

COLUMNS = ("date", "customer", "channel", "step", "reference")  # required; `currency` is optional (EUR)


def import_actions(uow: UnitOfWork, *, name: str, text: str, today: dt.date) -> ActionImportReport:
    """Validate every row, then write all of them or none (the caller rolls back when the report has errors)."""
    session, tenant = uow.session, uow.tenant.id
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")), delimiter=_delimiter(text))
    header = [h.strip().lower() for h in reader.fieldnames or ()]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        return ActionImportReport(name, 0, 0, 0, (Problem(f"missing column(s) {', '.join(missing)}; expected "
                                                          f"{', '.join(COLUMNS)} (and optionally currency)",
                                                          file=name, row=1, column=missing[0]),))
    raw = [{k.strip().lower(): (v or "").strip() for k, v in row.items() if k} for row in reader]
    customers = repo.customers_by_code(session, tenant, (r["customer"] for r in raw))
    known = repo.imported_references(session, tenant)
    book = policy_book(uow)
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    good: list[tuple[int, str, dt.date, str, str, str, int, tuple[str, int]]] = []
    for n, row in enumerate(raw, start=2):  # row 1 is the header

        def bad(column: str, message: str, row_number: int = n) -> None:
            problems.append(Problem(f"{column}: {message}", file=name, row=row_number, column=column))

        day = _date(row["date"])
        if day is None:
            bad("date", f"{row['date']!r} is not a date (YYYY-MM-DD or DD/MM/YYYY)")
        elif day > today:
            bad("date", f"{day.isoformat()} is after today ({today.isoformat()})")
        found = customers.get(row["customer"])
        if found is None:
            bad("customer", f"no customer with code {row['customer']!r}")
        if row["channel"] not in CHANNELS:
            bad("channel", f"{row['channel']!r} is not one of {', '.join(CHANNELS)}")
        currency = (row.get("currency") or "EUR").upper()
        if currency not in KNOWN_CURRENCIES:
            bad("currency", f"unknown currency {currency!r}")
        ref = row["reference"]
        if not ref:
            bad("reference", "is required (the other system's id of the notice; re-imports skip known ones)")
        elif ref in seen:
            bad("reference", f"{ref!r} repeats row {seen[ref]}")
        seen.setdefault(ref, n)
        chosen = book.for_customer(found[0], found[1]) if found is not None else None
        index = chosen[2].index(row["step"]) if chosen is not None else -1
        if found is not None and chosen is None:
            bad("customer", f"{row['customer']!r} has no policy; run `cobro policy apply FILE` first")
        elif chosen is not None and index < 0:
            bad("step", f"{row['step']!r} is not a step of policy {chosen[0]!r}: "
                        f"{', '.join(s.id for s in chosen[2].steps)}")
        if found is not None and chosen is not None and day is not None and index >= 0 and ref:
            good.append((found[0], currency, day, row["step"], row["channel"], ref, index, chosen[:2]))
    if problems:
        return ActionImportReport(name, len(raw), 0, 0, tuple(problems))
    fresh = [g for g in good if g[5] not in known]
    rows = []
    for cid, currency, day, step, channel, ref, index, (policy, version) in sorted(fresh, key=lambda g: g[2]):
        episode = repo.case_episode(session, tenant, cid, currency, day)
        rows.append({"tenant_id": tenant, "customer_id": cid, "currency": currency, "step": step,
                     "step_index": index, "channel": channel, "as_of": day, "episode": episode,
                     "policy_name": policy, "policy_version": version, "items_json": json.dumps([]),
                     "total_minor": 0, "reason": repo.IMPORTED_REASON + ref, "status": repo.IMPORTED})
    clash = {(r["customer_id"], r["currency"], r["step"], r["episode"]) for r in rows}
    if len(clash) < len(rows):
        return ActionImportReport(name, len(raw), 0, 0, (Problem(
            "step: a customer's open episode holds each step once; the file repeats a step for one customer",
            file=name, column="step"),))
    repo.add_imported(session, rows)
    return ActionImportReport(name, len(raw), len(rows), len(good) - len(fresh))


def _delimiter(text: str) -> str:
    first = text.split("\n", 1)[0]
    return ";" if first.count(";") > first.count(",") else ","


def _date(value: str) -> dt.date | None:
    parts = value.split("/")
    try:
        if len(parts) == 3 and len(parts[2]) == 4:
            return dt.date(int(parts[2]), int(parts[1]), int(parts[0]))
        return dt.date.fromisoformat(value) if len(value) == 10 else None
    except ValueError:
        return None
