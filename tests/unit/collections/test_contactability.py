"""The pure recipient choice: roles in order, then fallback channels; what blocks a contact is named."""

from __future__ import annotations

from typing import NamedTuple

from cobro.collections.domain.contactability import reach, template_for


class C(NamedTuple):
    name: str
    role: str
    email: str = ""
    phone: str = ""
    blocked: tuple[tuple[str, str], ...] = ()


ROLES = ("administration", "finance")


def test_the_first_usable_contact_of_the_first_role_wins() -> None:
    ana = C("Ana", "finance", email="ana@x.example")
    bo = C("Bo", "administration", email="bo@x.example")
    found = reach("email", ROLES, (), [ana, bo])
    assert (found.channel, found.contact, found.passed, found.note("email")) == ("email", bo, (), "")


def test_a_blocked_address_passes_to_the_next_contact_with_the_reason() -> None:
    bo = C("Bo", "administration", email="bo@x.example", blocked=(("email", "email invalid (bounced)"),))
    ana = C("Ana", "finance", email="ana@x.example")
    found = reach("email", ROLES, (), [bo, ana])
    assert found.contact == ana
    assert found.note("email") == "email to Bo: email invalid (bounced) → email to Ana"


def test_fallback_channels_in_order_and_nobody_when_all_fail() -> None:
    pablo = C("Pablo", "administration", phone="+34600", blocked=(("whatsapp", "opted out (manual)"),))
    found = reach("email", ROLES, ("whatsapp", "sms", "call_task"), [pablo])
    assert (found.channel, found.contact) == ("sms", pablo)
    assert found.passed == ("email: no contact with an e-mail address among roles administration, finance",
                            "whatsapp to Pablo: opted out (manual)")
    nobody = reach("email", ROLES, ("sms",), [C("Zed", "administration")])
    assert nobody.contact is None and nobody.channel == "email"
    assert nobody.note("email").endswith("→ nobody reachable")
    letter = reach("email", ROLES, ("letter_pdf",), [C("Zed", "administration")])
    assert (letter.channel, letter.contact) == ("letter_pdf", C("Zed", "administration"))


def test_templates_of_fallback_channels() -> None:
    assert template_for("reminder_2", "sms", "email") == "whatsapp_reminder"
    assert template_for("whatsapp_reminder", "email", "whatsapp") == "reminder_1"
    assert template_for("call", "letter_pdf", "call_task") == "reminder_1"
    assert template_for("reminder_2", "letter_pdf", "email") == "reminder_2"
    assert template_for("reminder_2", "email", "email") == "reminder_2"
