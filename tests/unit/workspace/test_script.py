"""What a collector is told to say (workspace.domain.script) and how the page words it in es/en."""

from __future__ import annotations

import datetime as dt

from cobro.kernel.money import Money
from cobro.platform.web.i18n import Formatter
from cobro.workspace.domain import script

EUR = Money.of("1250.00", "EUR")


def test_the_most_pressing_fact_chooses_the_script() -> None:
    assert script(kind="task", action="call", overdue=Money.zero("EUR"), days_late=0).key == "script_nothing_overdue"
    assert script(kind="task", action="call", overdue=EUR, days_late=10).key == "script_friendly"
    assert script(kind="task", action="call", overdue=EUR, days_late=15).key == "script_friendly"
    assert script(kind="task", action="call", overdue=EUR, days_late=16).key == "script_firm"
    assert script(kind="task", action="call", overdue=EUR, days_late=61).key == "script_late"
    assert script(kind="case", action="monitorio", overdue=EUR, days_late=120).key == "script_case"
    broken = script(kind="task", action="call", overdue=EUR, days_late=40,
                    broken_promise=(Money.of("500", "EUR"), dt.date(2025, 6, 20)))
    assert broken.key == "script_broken" and broken.values["day"] == dt.date(2025, 6, 20)
    # an open dispute comes first: ask about it before asking for money
    assert script(kind="task", action="call", overdue=EUR, days_late=90, disputed="price",
                  broken_promise=(EUR, dt.date(2025, 6, 1))).key == "script_dispute"


def test_scripts_read_as_sentences_in_both_languages() -> None:
    firm = script(kind="task", action="call", overdue=EUR, days_late=30)
    assert Formatter("en").say(firm) == ("€1,250.00 is 30 days late. Ask for a firm date and amount; if they promise, "
                                         "record it.")
    assert Formatter("es").say(firm).startswith("1.250,00\xa0€ lleva 30 días de retraso.")
    case = script(kind="case", action="monitorio", overdue=EUR, days_late=120)
    assert "Payment order (monitorio)" in Formatter("en").say(case)
    dispute = script(kind="task", action="call", overdue=EUR, days_late=5, disputed="not_received")
    assert "(no recibido)" in Formatter("es").say(dispute)
    broken = script(kind="task", action="call", overdue=EUR, days_late=40,
                    broken_promise=(Money.of("500", "EUR"), dt.date(2025, 6, 20)))
    assert "20 jun 2025" in Formatter("es").say(broken)


def test_service_refusals_are_worded_in_the_users_language() -> None:
    assert Formatter("es").refusal("four eyes: a@x requested exception #3 and cannot also decide it") == (
        "No puedes decidir una excepción que pediste tú: tiene que hacerlo otra persona.")
    assert Formatter("en").refusal("until: a hold cannot end in the past") == "A hold cannot end in the past."
    assert Formatter("es").refusal("currency: C001 owes in EUR, USD: say which with --currency") == (
        "El cliente debe en varias monedas (EUR, USD): indica cuál.")
    assert Formatter("es").refusal("invoices: C001 has no invoice(s) F-9") == "Esa factura no es de este cliente."
    assert Formatter("es").refusal("customer: something new") == "No se pudo guardar: customer: something new"
