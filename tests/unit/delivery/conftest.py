"""Snapshot helper and a sample message shared by the channel tests: the context as stored (JSON-shaped, for the
PDF builders) and the typed message the deliverer reads back from it (for the templates).

Snapshots live in tests/snapshots/channels/.  A missing snapshot is written and the test fails once, so that a
new snapshot is always looked at; set COBRO_UPDATE_SNAPSHOTS=1 to rewrite changed ones on purpose.
"""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cobro.delivery.channels.compose import template_variables
from cobro.delivery.schemas import OutboxMessage, read_context

SNAPSHOTS = Path(__file__).resolve().parents[2] / "snapshots" / "channels"

SAMPLE_CONTEXT: dict[str, Any] = {
    "customer": {"code": "C001", "legal_name": "Ferretería <Martínez> & Hijos S.L.", "tax_id": "B12345678"},
    "items": [
        {"invoice": "F-2026-0101", "seq": 1, "issue_date": "2026-01-10", "due_date": "2026-02-09",
         "days_past_due": 40, "open": "1234.56", "currency": "EUR"},
        {"invoice": "F-2026-0150", "seq": 2, "issue_date": "2026-02-01", "due_date": "2026-03-03",
         "days_past_due": 18, "open": "20000.00", "currency": "EUR"},
    ],
    "total": {"amount": "21234.56", "currency": "EUR"},
    "step": "reminder_1",
    "state_interest": True,
    "state_compensation": True,
    "creditor": {"name": "Suministros Cobro S.A.", "tax_id": "A87654321", "email": "cobros@example.com",
                 "iban": "ES91 2100 0418 4502 0005 1332", "address": ["Calle Mayor 1", "28013 Madrid"],
                 # the rest of the creditor's profile (cobro.tenancy) that letters and e-mails print
                 "trade_name": "Suministros Cobro", "bic": "CAIXESBB", "payment_reference": "C001 F-2026-0001",
                 "payment_instructions": "También puede pagar con tarjeta en https://pagos.example.com.",
                 "signature": "Laura Gómez\nDepartamento de Cobros", "website": "https://suministros.example"},
    "recipient_name": "Ana López",
    "tone": "friendly",
    "as_of": "2026-03-21",
    "terms": {"description": "30 días fecha factura", "days": 30},
    "interest": {"rate": "10.15", "amount": "87.12", "currency": "EUR"},
    "compensation": {"amount": "40.00", "currency": "EUR"},
    "earlier_notices": ["2026-02-10", "2026-03-02"],  # two notices delivered before this one
}


def sample_message() -> OutboxMessage:
    return OutboxMessage(channel="email", template="reminder_1", idempotency_key="C001:EUR:reminder_1:1",
                         context=read_context(json.dumps(SAMPLE_CONTEXT)), recipient="ana@example.com",
                         recipient_name=SAMPLE_CONTEXT["recipient_name"], language="es",
                         tone=SAMPLE_CONTEXT["tone"])


@pytest.fixture
def context() -> dict[str, Any]:
    return copy.deepcopy(SAMPLE_CONTEXT)


@pytest.fixture
def variables() -> dict[str, Any]:
    """The template variables of the sample message (a fresh dict: tests may drop or replace entries)."""
    return template_variables(sample_message())


@pytest.fixture
def snapshot() -> Callable[[str, str], None]:
    def check(name: str, actual: str) -> None:
        path = SNAPSHOTS / name
        if not path.exists() or os.environ.get("COBRO_UPDATE_SNAPSHOTS"):
            path.parent.mkdir(parents=True, exist_ok=True)
            existed = path.exists()
            path.write_text(actual, encoding="utf-8")
            if not existed:
                pytest.fail(f"snapshot {name} written; check it and re-run")
            return
        assert actual == path.read_text(encoding="utf-8"), f"snapshot {name} differs"

    return check
