"""Liquidity or unwillingness: each rule on a hand-built customer, asserting the label and the words."""

from __future__ import annotations

from decimal import Decimal

from cobro.risk.domain.classify import Evidence, classify

D = Decimal
BASE = {"customer": "C1", "overdue": D(5000), "overdue_days_weighted": 45.0, "currency": "EUR",
        "settled_items": 20, "customer_days": 500, "mean_delay": 5.0, "delay_trend": 0.0,
        "days_since_last_payment": 10}


def ev(**kw: object) -> Evidence:
    return Evidence(**{**BASE, **kw})  # type: ignore[arg-type]


def test_stopped_paying_is_liquidity() -> None:
    c = classify(ev(days_since_last_payment=120, delay_trend=25.0))
    assert (c.label, c.nature) == ("stopped_paying", "liquidity")
    assert c.evidence[0].text == "paid before, but nothing received for 120 days; delays had grown by 25 days before"
    assert c.explanation.startswith("Stopped paying after slowing down")


def test_broken_promises_outrank_ledger_patterns() -> None:
    c = classify(ev(promises_broken=2, promises_kept=1, days_since_last_payment=120))
    assert (c.label, c.nature) == ("broken_promises", "unwillingness")
    texts = [s.text for s in c.evidence]
    assert texts[0] == "broke 2 promise(s) to pay, kept 1"
    assert any(t.startswith("paid before, but nothing received") for t in texts)  # kept as supporting evidence


def test_partial_payer_in_contact_is_liquidity() -> None:
    c = classify(ev(partial_payments_90d=3, contact_recent=True))
    assert c.label == "partial_in_contact" and c.nature == "liquidity"
    assert c.evidence[0].text == "made 3 part payment(s) in 90 days and answers our calls"
    assert "payment plan" in c.explanation


def test_partial_payer_that_does_not_answer_is_not_partial_in_contact() -> None:
    assert classify(ev(partial_payments_90d=3, contact_recent=False)).label == "unclear"


def test_disputes_without_basis_and_pays_others_are_unwillingness() -> None:
    c = classify(ev(disputes_unfounded=1))
    assert (c.label, c.evidence[0].text) == ("unfounded_disputes", "1 dispute(s) were resolved against the customer")
    c = classify(ev(pays_others=True))
    assert (c.label, c.nature, c.evidence[0].text) == ("pays_others", "unwillingness",
                                                       "pays other suppliers on time but not us")


def test_open_dispute_is_its_own_nature() -> None:
    c = classify(ev(disputed_overdue=D(4000)))
    assert (c.label, c.nature) == ("open_dispute", "dispute")
    assert c.evidence[0].text == "80% of the overdue amount is disputed"
    assert "resolve it first" in c.explanation


def test_falling_solvency_comes_first() -> None:
    c = classify(ev(z2_zone="distress", solvency_worsened=("current_ratio", "equity_ratio"), promises_broken=3))
    assert (c.label, c.nature) == ("solvency_falling", "liquidity")
    assert c.evidence[0].text == ("Altman Z'' is in the distress zone; current_ratio, equity_ratio worsened in the "
                                  "latest accounts")


def test_new_customer_has_too_little_history() -> None:
    c = classify(ev(settled_items=1, customer_days=40, days_since_last_payment=100))
    assert (c.label, c.nature) == ("too_little_history", "unknown")
    assert c.evidence[0].text == "new customer: 1 settled item(s) in 40 days"


def test_chronic_slow_and_deteriorating() -> None:
    c = classify(ev(mean_delay=45.0, delay_trend=3.0))
    assert (c.label, c.nature) == ("chronic_slow", "unwillingness")
    assert c.evidence[0].text == "always pays in the end, but 45 days late on average, steadily"
    c = classify(ev(mean_delay=30.0, delay_trend=35.0))
    assert (c.label, c.nature) == ("deteriorating", "liquidity")
    assert c.evidence[0].text == "pays later and later: the last payments came 35 days later than before"
