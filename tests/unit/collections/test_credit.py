"""The credit check's rules: limit source, higher_limit exceptions in force or not, exposure net of credits."""

from __future__ import annotations

import datetime as dt

from cobro.collections.domain.credit import LimitException, check_credit
from cobro.kernel.money import Money

AS_OF = dt.date(2026, 3, 31)
EUR = {"EUR": Money.of("20000.00", "EUR")}


def m(amount: str, cur: str = "EUR") -> Money:
    return Money.of(amount, cur)


def approved(id_: int, value: str, expires: dt.date = dt.date(2026, 6, 30), **kw: str) -> LimitException:
    return LimitException(id_, value, kw.get("status", "approved"), expires, kw.get("requested_by", "ana"),
                          kw.get("approved_by", "jorge"))


def test_policy_limit_applies_when_the_record_has_none() -> None:
    c = check_credit("A", AS_OF, customer_limit=None, policy_limits=EUR, open_invoices={"EUR": m("19000.00")})
    (line,) = c.lines
    assert (line.limit, line.source, line.exposure, line.headroom) == (m("20000.00"), "policy", m("19000.00"),
                                                                       m("1000.00"))
    assert not c.over_limit


def test_record_limit_wins_over_the_policy_and_over_means_credit_stop() -> None:
    c = check_credit("A", AS_OF, customer_limit=m("15000.00"), policy_limits=EUR,
                     open_invoices={"EUR": m("15000.01")})
    (line,) = c.lines
    assert line.source == "customer" and line.headroom == m("-0.01")
    assert line.over_limit and c.over_limit
    # exactly at the limit is not over it
    assert not check_credit("A", AS_OF, customer_limit=m("15000.00"), policy_limits=EUR,
                            open_invoices={"EUR": m("15000.00")}).over_limit


def test_an_approved_exception_in_force_raises_the_limit_until_it_expires() -> None:
    ex = [approved(7, "30000 EUR", expires=dt.date(2026, 4, 30)), approved(8, "25000.00 EUR")]
    kw = {"customer_limit": m("15000.00"), "policy_limits": EUR, "open_invoices": {"EUR": m("27000.00")},
          "exceptions": ex}
    (line,) = check_credit("A", AS_OF, **kw).lines  # type: ignore[arg-type]
    assert (line.limit, line.base_limit, line.source, line.exception_id) == (m("30000.00"), m("15000.00"),
                                                                             "exception", 7)
    assert line.headroom == m("3000.00") and not line.over_limit
    # the last day of the exception still counts; the day after, the next one (25,000) is the largest in force
    assert check_credit("A", dt.date(2026, 4, 30), **kw).lines[0].exception_id == 7  # type: ignore[arg-type]
    later = check_credit("A", dt.date(2026, 5, 1), **kw).lines[0]  # type: ignore[arg-type]
    assert (later.limit, later.exception_id, later.over_limit) == (m("25000.00"), 8, True)
    gone = check_credit("A", dt.date(2026, 7, 1), **kw).lines[0]  # type: ignore[arg-type]
    assert (gone.limit, gone.source, gone.exception_id, gone.over_limit) == (m("15000.00"), "customer", None, True)


def test_unapproved_rejected_expired_or_self_approved_exceptions_change_nothing() -> None:
    ex = [approved(1, "90000 EUR", status="requested", approved_by=""),
          approved(2, "90000 EUR", status="rejected"),
          approved(3, "90000 EUR", status="expired"),
          approved(4, "90000 EUR", requested_by="Jorge", approved_by="jorge"),
          approved(5, "90000 EUR", expires=dt.date(2026, 3, 30)),
          approved(6, "not money")]
    (line,) = check_credit("A", AS_OF, customer_limit=None, policy_limits=EUR,
                           open_invoices={"EUR": m("21000.00")}, exceptions=ex).lines
    assert (line.limit, line.source, line.exception_id, line.over_limit) == (m("20000.00"), "policy", None, True)


def test_an_exception_never_lowers_the_limit() -> None:
    (line,) = check_credit("A", AS_OF, customer_limit=m("50000.00"), policy_limits=EUR,
                           open_invoices={"EUR": m("40000.00")}, exceptions=[approved(3, "30000 EUR")]).lines
    assert (line.limit, line.source, line.exception_id) == (m("50000.00"), "customer", None)


def test_currencies_credits_and_no_limit() -> None:
    c = check_credit("A", AS_OF, customer_limit=None, policy_limits=EUR,
                     open_invoices={"EUR": m("5000.00"), "USD": m("800.00", "USD")},
                     credits={"EUR": m("6000.00"), "USD": m("100.00", "USD")},
                     exceptions=[approved(9, "1000000 CLP")])
    by = {line.currency: line for line in c.lines}
    assert set(by) == {"CLP", "EUR", "USD"}
    assert by["EUR"].exposure == m("0.00")  # credit beyond the open invoices is not negative exposure
    assert by["USD"].limit is None and by["USD"].headroom is None and not by["USD"].over_limit
    assert by["USD"].exposure == m("700.00", "USD")
    assert by["CLP"].limit == m("1000000", "CLP") and by["CLP"].exposure == m("0", "CLP")
    # a customer with nothing open is shown the policy's limit
    (new,) = check_credit("N", AS_OF, customer_limit=None, policy_limits=EUR, open_invoices={}).lines
    assert new.limit == m("20000.00") and new.headroom == m("20000.00")
    assert check_credit("N", AS_OF, customer_limit=None, policy_limits={}, open_invoices={}).lines == ()


def test_as_dict_is_plain_strings() -> None:
    c = check_credit("A", AS_OF, customer_limit=None, policy_limits=EUR, open_invoices={"EUR": m("25000.00")},
                     exceptions=[approved(7, "30000 EUR")])
    assert c.as_dict() == {"customer": "A", "as_of": "2026-03-31", "over_limit": False, "lines": [
        {"currency": "EUR", "limit": "30000.00", "base_limit": "20000.00", "source": "exception", "exception": 7,
         "exposure": "25000.00", "headroom": "5000.00", "over_limit": False}]}
