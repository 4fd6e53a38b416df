"""Law per country (issue 13, item 8): the debt follows the debtor's country's late-payment law, letters cite it
and name the tax id as that country does, and an operator's rate row added with `cobro rates` is used by the
letters, the evidence pack and `cobro interest`; a period with no row is said to be "not loaded"."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from collections_builder import POLICY, Ledger  # type: ignore[import-not-found]
from sqlalchemy import select, update
from typer.testing import CliRunner

from cobro.app.cli import app
from cobro.collections.records import EscalationCaseRow
from cobro.delivery.channels.compose import compose
from cobro.delivery.channels.render import Renderer
from cobro.delivery.records import OutboxMessageRow
from cobro.delivery.schemas import OutboxMessage, read_context
from cobro.ledger.records import CustomerRow
from cobro.platform.container import Container
from cobro.tenancy.schemas import ProfileChanges
from cobro.tenancy.service import update_profile

runner = CliRunner()
PROFILE = ProfileChanges(legal_name="Cobros de Prueba SL", tax_id="B58818501", country="ES",
                         address_lines=("Calle de Alcalá 100",), postal_code="28009", city="Madrid",
                         iban="ES7620770024003102575766", language="es", currency="EUR")


def _cli(*args: str, code: int = 0) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == code, result.output
    return result.output


def _setup(container: Container, *, code: str, country: str, tax_id: str) -> tuple[Ledger, int]:
    ledger = Ledger(container)
    ledger.policy(POLICY.read_text() + "onboarding: {entry_step: formal_letter}\n")
    cid = ledger.customer(code)
    with container.uow() as uow:
        uow.session.execute(update(CustomerRow).where(CustomerRow.id == cid).values(country=country, tax_id=tax_id))
        update_profile(uow, code="default", changes=PROFILE)
        uow.commit()
    return ledger, cid


def _letter(container: Container, template: str) -> tuple[dict[str, object], str]:
    with container.uow() as uow:
        row = uow.session.scalar(select(OutboxMessageRow).where(OutboxMessageRow.template == template))
        assert row is not None
        message = OutboxMessage(channel=row.channel, template=row.template, idempotency_key=row.idempotency_key,
                                context=read_context(row.context_json), recipient=row.recipient,
                                recipient_name=row.recipient_name, language=row.language, tone=row.tone)
        context = json.loads(row.context_json)
    out = compose(renderer=Renderer(), message=message, message_id="<m@x>",
                  created=dt.datetime(2025, 3, 3, tzinfo=dt.UTC))
    return context, out.text


def test_a_chilean_debtors_letter_cites_chilean_rules_and_says_rut(container: Container, cli_env: dict[str, str],
                                                                    tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    ledger, cid = _setup(container, code="CL1", country="CL", tax_id="76354771-K")
    ledger.invoice(cid, "F-CL-1", dt.date(2025, 1, 15), "1200.00")
    monkeypatch.setenv("COBRO_RATES_DIR", str(tmp_path / "rates"))
    rows = tmp_path / "cmf.csv"
    rows.write_text("jurisdiction,kind,valid_from,valid_to,rate,source\n"
                    "CL,corriente,2025-01-01,2025-01-31,30.00,CMF test row\n"
                    "CL,corriente,2025-02-01,2025-02-28,30.00,CMF test row\n"
                    "CL,,2025-03-01,2025-03-31,30.00,CMF test row\n", encoding="utf-8")
    assert "3 row(s) stored" in _cli("rates", "import", str(rows))

    _cli("cycle", "run", "--as-of", "2025-03-03")
    context, text = _letter(container, "final_notice")
    assert context["interest_reference"] == "CL"
    # 47 days at 30.00 % on 1,200.00 = 46.36; the fixed fee is 1 % of the unpaid balance (12.00), not EUR 40
    assert context["interest"] == {"amount": "46.36", "currency": "EUR", "rate": "30.00"}
    assert context["compensation"] == {"amount": "12.00", "currency": "EUR"}
    assert "(RUT 76354771-K)" in text
    assert "Ley 19.983" in text and "interés corriente" in text and "comisión fija de cobranza del 1 %" in text
    assert "3/2004" not in text and "NIF" not in text

    # the terms letter follows the same law
    _cli("terms", "send", "CL1", "--as-of", "2025-03-03")
    context, text = _letter(container, "terms_letter")
    assert context["interest_reference"] == "CL" and context["interest"] == {"rate": "30.00"}
    assert "Ley 19.983" in text and "3/2004" not in text


def test_a_spanish_rate_added_with_cobro_rates_reaches_letters_pack_and_interest(
        container: Container, cli_env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ledger, cid = _setup(container, code="ES1", country="ES", tax_id="B12345674")
    with container.uow() as uow:
        uow.session.execute(update(CustomerRow).where(CustomerRow.id == cid).values(
            address="Calle Mayor 5", postal_code="28013", city="Madrid"))
        uow.commit()
    ledger.invoice(cid, "F-ES-1", dt.date(2026, 7, 15), "1200.00")
    (tmp_path / "rates").mkdir()
    monkeypatch.setenv("COBRO_RATES_DIR", str(tmp_path / "rates"))
    with container.uow() as uow:
        case = EscalationCaseRow(tenant_id=ledger.tenant, customer_id=cid, currency="EUR", amount_minor=120000,
                                 items_json="[]", reason="test", status="open", opened_on=dt.date(2026, 8, 31))
        uow.session.add(case)
        uow.commit()
        case_id = int(case.id)
    interest = ["interest", "-j", "ES", "--amount", "1200.00", "--currency", "EUR", "--due", "2026-07-15",
                "--paid", "2026-08-31", "--json"]

    # no 2026-H2 row yet: every computation says which rate is missing and how to load it
    missing = "ES rate for 2026-H2 not loaded: cobro rates add --jurisdiction ES --from 2026-07-01 --to 2026-12-31"
    result = runner.invoke(app, interest)
    assert result.exit_code == 2 and missing in result.output
    pack = tmp_path / "before.pdf"
    _cli("escalation", "pack", str(case_id), "--out", str(pack), "--as-of", "2026-08-31")
    assert missing.encode() not in pack.read_bytes()  # compressed: read the text layer instead
    from cobro.collections.service.evidence import evidence_pack

    with container.uow() as uow:
        text = evidence_pack(uow, case_id, as_of=dt.date(2026, 8, 31), rates=container.rates).text_layer()
    assert missing in text

    # the operator adds the row: a bad one first (nothing written), then the real one
    bad = _cli("rates", "add", "-j", "ES", "--from", "2026-07-01", "--to", "2026-12-31", "--rate", "abc",
               "--source", "BOE test", code=2)
    assert "rate: 'abc' is not a number" in bad and not list((tmp_path / "rates").iterdir())
    _cli("rates", "add", "-j", "ES", "--from", "2026-07-01", "--to", "2026-12-31", "--rate", "14.00",
         "--source", "BOE test 2026-H2")
    assert "BOE test 2026-H2 (es_ley_3_2004_operator.csv)" in _cli("rates", "list", "-j", "ES")

    # cobro interest: 47 days at 14.00 % on 1,200.00 = 21.63
    doc = json.loads(_cli(*interest))
    assert (doc["interest"], doc["periods"][0]["rate"]) == ("21.63", "14.00")

    # the evidence pack, built by the command (its container reads COBRO_RATES_DIR)
    with_rate = tmp_path / "after.pdf"
    _cli("escalation", "pack", str(case_id), "--out", str(with_rate), "--as-of", "2026-08-31")
    assert with_rate.read_bytes() != pack.read_bytes()
    from cobro.platform.container import build
    from cobro.platform.settings import Settings

    configured = build(Settings(database_url=container.settings.database_url, rates_dir=tmp_path / "rates"))
    try:
        with configured.uow() as uow:
            text = evidence_pack(uow, case_id, as_of=dt.date(2026, 8, 31), rates=configured.rates).text_layer()
    finally:
        configured.close()
    assert "21,63" in text and "not loaded" not in text
    assert "ES1 S.L.\nNIF/CIF B12345674\nCalle Mayor 5\n28013 Madrid" in text  # the debtor as the agency needs it

    # the cycle's formal letter states the same figure
    _cli("cycle", "run", "--as-of", "2026-08-31")
    context, letter = _letter(container, "final_notice")
    assert context["interest"] == {"amount": "21.63", "currency": "EUR", "rate": "14.00"}
    assert "artículo 7 de la Ley 3/2004" in letter and "(NIF/CIF B12345674)" in letter


def _text_positions(pdf: bytes) -> list[tuple[float, float]]:
    """(x, y) in points, from the bottom-left corner, of every text line fpdf2 drew (its `BT x y Td` operators)."""
    import re
    import zlib

    found = []
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            text = zlib.decompress(stream)
        except zlib.error:
            continue
        found += [(float(x), float(y)) for x, y in re.findall(rb"BT ([\d.]+) ([\d.]+) Td", text)]
    return found


def test_the_letter_prints_the_debtors_address_in_the_envelope_window(container: Container, cli_env: dict[str, str],
                                                                      tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from cobro.delivery.channels.pdf import WINDOW_MM, letter_pdf

    ledger, cid = _setup(container, code="CLW", country="CL", tax_id="76354771-K")
    with container.uow() as uow:
        uow.session.execute(update(CustomerRow).where(CustomerRow.id == cid).values(
            address="Av. Apoquindo 3000", postal_code="7550000", city="Las Condes", region="Región Metropolitana"))
        uow.commit()
    ledger.invoice(cid, "F-CLW-1", dt.date(2025, 1, 15), "1200.00")
    _cli("cycle", "run", "--as-of", "2025-03-03")
    with container.uow() as uow:
        row = uow.session.scalar(select(OutboxMessageRow).where(OutboxMessageRow.template == "final_notice"))
        assert row is not None
        message = OutboxMessage(channel=row.channel, template=row.template, idempotency_key=row.idempotency_key,
                                context=read_context(row.context_json), recipient=row.recipient,
                                recipient_name=row.recipient_name, language=row.language, tone=row.tone)
    assert message.context.customer.address == ("Av. Apoquindo 3000", "7550000 Las Condes", "Región Metropolitana")
    out = compose(renderer=Renderer(), message=message, message_id="<m@x>",
                  created=dt.datetime(2025, 3, 3, tzinfo=dt.UTC))
    (pdf,) = [a.content for a in out.attachments if a.filename.endswith(".pdf")]

    # the same letter's text layer: the window block is the debtor's name, RUT and postal lines
    text = letter_pdf(creditor={"name": "x"}, recipient={"name": message.context.customer.legal_name,
                                                          "tax_id": "76354771-K", "tax_label": "RUT",
                                                          "address": list(message.context.customer.address)},
                      title="t", body="b", date=dt.date(2025, 3, 3)).text_layer()
    assert "CLW S.L.\nRUT 76354771-K\nAv. Apoquindo 3000\n7550000 Las Condes\nRegión Metropolitana" in text

    mm = 72 / 25.4
    x, y, width, height = WINDOW_MM
    page_height = 297 * mm
    left, right = x * mm, (x + width) * mm
    top, bottom = page_height - y * mm, page_height - (y + height) * mm
    inside = [(px, py) for px, py in _text_positions(pdf) if left <= px <= right and bottom <= py <= top]
    # five lines in the window (name, RUT, street, postal code and city, region), one above the other at one x
    assert len(inside) == 5 and len({px for px, _ in inside}) == 1
    assert all(left + 2 * mm <= px for px, _ in inside)  # clear of the window's left edge


def test_a_letter_without_a_loaded_rate_leaves_the_amount_out_and_the_timeline_says_why(
        container: Container, cli_env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from cobro.collections.records import TimelineEventRow

    ledger, cid = _setup(container, code="ES2", country="ES", tax_id="B12345674")
    ledger.invoice(cid, "F-ES-2", dt.date(2026, 7, 15), "1200.00")
    _cli("cycle", "run", "--as-of", "2026-08-31")
    context, letter = _letter(container, "final_notice")
    assert context.get("interest") is None and context["state_interest"] is True
    assert "Ley 3/2004" in letter and "asciende a" not in letter and "0,00 € " not in letter
    with container.uow() as uow:
        summaries = list(uow.session.scalars(select(TimelineEventRow.summary).where(
            TimelineEventRow.customer_id == cid, TimelineEventRow.kind == "dunning.letter_pdf")))
    assert len(summaries) == 1
    assert ("interest not stated: ES rate for 2026-H2 not loaded: cobro rates add --jurisdiction ES "
            "--from 2026-07-01 --to 2026-12-31") in summaries[0]
