import datetime as dt

import pytest

from cobro.kernel.calendar import HolidayCalendar, add_business_days, business_days_between
from cobro.kernel.terms import PaymentTerms, TermsError, exceeds_spanish_cap


def test_net_days() -> None:
    assert PaymentTerms.parse("net 30").due_date(dt.date(2025, 1, 15)) == dt.date(2025, 2, 14)


def test_end_of_month() -> None:
    # 30 days after the end of January
    assert PaymentTerms.parse("eom 30").due_date(dt.date(2025, 1, 15)) == dt.date(2025, 3, 2)


def test_spanish_pay_days_move_to_next_pay_day() -> None:
    terms = PaymentTerms.parse("net 60 pay days 10,25")
    # nominal 2025-03-16 → next pay day is the 25th
    assert terms.due_date(dt.date(2025, 1, 15)) == dt.date(2025, 3, 25)
    # nominal 2025-03-26 → past the last pay day, so the 10th of the next month
    assert terms.due_date(dt.date(2025, 1, 25)) == dt.date(2025, 4, 10)
    assert PaymentTerms.parse("net 30 días de pago 5/20").pay_days == (5, 20)


def test_pay_day_31_falls_on_short_month_end() -> None:
    assert PaymentTerms.parse("net 10 pay days 31").due_date(dt.date(2025, 2, 5)) == dt.date(2025, 2, 28)


def test_bad_terms_are_refused_with_a_hint() -> None:
    with pytest.raises(TermsError, match="net 30"):
        PaymentTerms.parse("thirty days")
    with pytest.raises(TermsError):
        PaymentTerms(kind="net", days=400)


def test_spanish_sixty_day_cap_is_flagged() -> None:
    assert exceeds_spanish_cap(dt.date(2025, 1, 1), dt.date(2025, 3, 3))
    assert not exceeds_spanish_cap(dt.date(2025, 1, 1), dt.date(2025, 3, 2))


def test_business_days_skip_spanish_holidays() -> None:
    madrid = HolidayCalendar("ES", "MD")
    # Fri 5 Dec 2025; Mon 8 Dec is the Immaculate Conception (national holiday)
    assert add_business_days(dt.date(2025, 12, 5), 1, madrid) == dt.date(2025, 12, 9)
    assert business_days_between(dt.date(2025, 12, 5), dt.date(2025, 12, 9), madrid) == 1
    assert not madrid.is_business_day(dt.date(2025, 5, 2))  # Día de la Comunidad de Madrid


def test_business_day_adjustment_of_due_date() -> None:
    terms = PaymentTerms(kind="net", days=30, business_day_adjust=True)
    # 2025-12-06 (Saturday, Constitution Day) → Tuesday 9th (Monday 8th is a holiday)
    assert terms.due_date(dt.date(2025, 11, 6), HolidayCalendar("ES")) == dt.date(2025, 12, 9)
