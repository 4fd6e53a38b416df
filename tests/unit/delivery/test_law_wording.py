"""Templates follow the law of the debt (`interest_reference`) and name the debtor's tax id as its country does."""

from __future__ import annotations

import copy
import dataclasses
import json

from cobro.delivery.channels.compose import template_variables
from cobro.delivery.channels.pdf import statement_pdf
from cobro.delivery.channels.render import Renderer
from cobro.delivery.schemas import OutboxMessage, read_context
from tests.unit.delivery.conftest import SAMPLE_CONTEXT


def _message(template: str, *, country: str, law: str, language: str = "es") -> OutboxMessage:
    context = copy.deepcopy(SAMPLE_CONTEXT)
    context["customer"] = {**context["customer"], "country": country, "tax_id": "76354771-K"}
    context["interest_reference"] = law
    return OutboxMessage(channel="letter", template=template, idempotency_key="k", recipient="",
                         context=read_context(json.dumps(context)), recipient_name="Ana", language=language)


def test_a_chilean_final_notice_cites_ley_19983_and_says_rut() -> None:
    message = _message("final_notice", country="CL", law="CL")
    out = Renderer().render("final_notice", "es", template_variables(message))
    assert "(RUT 76354771-K)" in out.text and "NIF" not in out.text
    assert "De acuerdo con la Ley 19.983, modificada por la Ley 21.131" in out.text
    assert "3/2004" not in out.text and "3/2004" not in out.html
    english = Renderer().render("final_notice", "en", template_variables(_message("final_notice", country="CL",
                                                                                  law="CL", language="en")))
    assert "(RUT 76354771-K)" in english.text and "Under Chilean Ley 19.983" in english.text


def test_a_mexican_reminder_cites_article_362_and_states_no_fixed_sum() -> None:
    out = Renderer().render("reminder_1", "es", template_variables(_message("reminder_1", country="MX", law="MX")))
    assert "artículo 362 del Código de Comercio" in out.text
    assert "indemnización" not in out.text and "Ley 3/2004" not in out.text


def test_the_statement_pdf_names_the_tax_id_as_the_debtors_country_does() -> None:
    message = _message("statement_of_account", country="PE", law="PE")
    customer = {**dataclasses.asdict(message.context.customer), "tax_label": "RUC"}
    doc = statement_pdf(creditor={"name": "x"}, customer=customer, items=[], total={"amount": "0",
                                                                                  "currency": "EUR"},
                        as_of="2026-03-21")
    assert "RUC 76354771-K" in doc.text_layer()
