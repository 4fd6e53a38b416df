"""The operator's rate tables (`COBRO_RATES_DIR` = `Settings.rates_dir`) reach every letter that states interest:
the cycle's formal letter, the escalation evidence pack and the terms letter, not only `cobro interest`."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from collections_builder import POLICY, Ledger  # type: ignore[import-not-found]
from sqlalchemy import select
from typer.testing import CliRunner

from cobro.app.cli import app
from cobro.collections.records import EscalationCaseRow
from cobro.collections.service.evidence import evidence_pack
from cobro.delivery.records import OutboxMessageRow
from cobro.platform.container import Container, build
from cobro.platform.settings import Settings

runner = CliRunner()
DUE = dt.date(2025, 1, 15)


def _operator_rates(tmp_path: Path) -> Path:
    ops = tmp_path / "rates"
    ops.mkdir()
    (ops / "es_ley_3_2004_fix.csv").write_text(  # 2025 H1 corrected from the shipped 11.15 to 20.00
        "# version: ops-1\nvalid_from,valid_to,rate,source,status\n2025-01-01,2025-06-30,20.00,operator,V\n",
        encoding="utf-8")
    return ops


def _cli(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def _letter_interest(container: Container, template: str) -> dict[str, str] | None:
    with container.uow() as uow:
        row = uow.session.scalar(select(OutboxMessageRow).where(OutboxMessageRow.template == template))
        assert row is not None
        found: dict[str, str] | None = json.loads(row.context_json)["interest"]
        return found


def test_cycle_letter_and_evidence_pack_use_the_operator_rates(container: Container, cli_env: dict[str, str],
                                                                 tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    ledger = Ledger(container)
    # enter a case with no earlier action at the formal letter (the default would send a first reminder)
    ledger.policy(POLICY.read_text() + "onboarding: {entry_step: formal_letter}\n")
    cid = ledger.customer("RT1")
    ledger.invoice(cid, "F-RT-1", DUE, "1200.00")
    ops = _operator_rates(tmp_path)
    monkeypatch.setenv("COBRO_RATES_DIR", str(ops))

    # day 45 is a Saturday, so the formal letter (which states the interest) goes on Monday, 47 days late
    _cli("cycle", "run", "--as-of", "2025-03-03")
    # 47 days at 20.00 % on 1,200.00 = 30.90 (the shipped 11.15 % gives 17.23)
    assert _letter_interest(container, "final_notice") == {"amount": "30.90", "currency": "EUR", "rate": "20.00"}

    _cli("cycle", "run", "--as-of", "2025-03-20")  # 64 days: escalation
    with container.uow() as uow:
        case = uow.session.scalar(select(EscalationCaseRow).where(EscalationCaseRow.customer_id == cid))
        assert case is not None
        case_id = case.id
    packs = {}
    for name, env in (("operator", str(ops)), ("again", str(ops)), ("shipped", None)):
        if env is None:
            monkeypatch.delenv("COBRO_RATES_DIR")
        out = tmp_path / f"{name}.pdf"
        _cli("escalation", "pack", str(case_id), "--out", str(out), "--as-of", "2025-03-31")
        packs[name] = out.read_bytes()
    assert packs["operator"] == packs["again"]  # the pack is deterministic ...
    assert packs["operator"] != packs["shipped"]  # ... so the difference is the operator's rate

    # the same pack built from a container with rates_dir set: 75 days at 20.00 % = 49.32 (shipped: 27.49)
    configured = build(Settings(database_url=container.settings.database_url, rates_dir=ops))
    try:
        with configured.uow() as uow:
            text = evidence_pack(uow, case_id, as_of=dt.date(2025, 3, 31),
                                 rates=configured.rates).text_layer()
    finally:
        configured.close()
    assert "49,32" in text and "27,49" not in text


def test_terms_letter_states_the_operator_rate(container: Container, cli_env: dict[str, str], tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    Ledger(container).customer("RT2")
    monkeypatch.setenv("COBRO_RATES_DIR", str(_operator_rates(tmp_path)))
    _cli("terms", "send", "RT2", "--as-of", "2025-03-03")
    assert _letter_interest(container, "terms_letter") == {"rate": "20.00"}
