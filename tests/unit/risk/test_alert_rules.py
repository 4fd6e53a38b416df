"""Who an alert goes to, its one key, whether a user is addressed, and when a snoozed alert shows again."""

from __future__ import annotations

import datetime as dt

from cobro.risk.domain.alerts import CREDIT_MANAGERS, addressed_to, alert_key, recipient_tags, visible

DAY = dt.date(2026, 6, 1)


def test_recipients_by_kind() -> None:
    assert recipient_tags("credit_stop_set", collector="carla", account_owner="owen") == ("owen", CREDIT_MANAGERS)
    assert recipient_tags("bounce", collector="carla", account_owner="owen") == ("carla",)
    assert recipient_tags("large_payment", collector="same", account_owner="same") == ("same",)
    assert recipient_tags("dispute_overdue", collector="", account_owner="owen") == (CREDIT_MANAGERS,)


def test_one_key_per_subject_and_day_or_episode() -> None:
    assert alert_key("bounce", 7, subject="email:a@x", as_of=DAY) == "bounce:7:email:a@x:2026-06-01"
    assert alert_key("dispute_overdue", 7, subject="dispute:3", as_of=DAY, episode="dispute:3") == \
        alert_key("dispute_overdue", 7, subject="dispute:3", as_of=DAY + dt.timedelta(days=9), episode="dispute:3")
    assert len(alert_key("bounce", 7, subject="x" * 500, as_of=DAY)) == 200


def test_addressed_by_name_email_or_role() -> None:
    assert addressed_to(("Carla Ruiz",), email="c@x", display_name="carla ruiz", roles=("collector",))
    assert addressed_to(("C@X",), email="c@x", display_name="", roles=())
    assert addressed_to((CREDIT_MANAGERS,), email="m@x", display_name="M", roles=("credit_manager",))
    assert not addressed_to((CREDIT_MANAGERS, "owen"), email="c@x", display_name="Carla", roles=("collector",))


def test_snoozed_until_the_day() -> None:
    later = DAY + dt.timedelta(days=2)
    assert not visible(status="open", snoozed_until=later, as_of=DAY)
    assert visible(status="open", snoozed_until=later, as_of=later)
    assert not visible(status="acknowledged", snoozed_until=None, as_of=DAY)
