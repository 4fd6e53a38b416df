"""Rendering: es/en snapshots, Babel formatting, HTML escaping, sandboxing and errors as RenderError."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cobro.delivery.channels.render import Renderer, RenderError, split_language

TEMPLATES = ["reminder_pre_due", "reminder_1", "reminder_2", "whatsapp_reminder", "final_notice", "terms_letter",
             "statement_of_account"]


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    return Renderer()


@pytest.mark.parametrize("language", ["es", "en"])
@pytest.mark.parametrize("template", TEMPLATES)
def test_snapshot(renderer: Renderer, variables: dict[str, Any], snapshot: Callable[[str, str], None],
                  template: str, language: str) -> None:
    out = renderer.render(template, language, variables)
    snapshot(f"{language}-{template}.txt",
             f"Subject: {out.subject}\n\n--- text ---\n{out.text}\n--- html ---\n{out.html}")


# notices to people other than the customer (an agency, the tenant's users), rendered from their own variables
INTERNAL = ["agency_update", "alert_digest", "comment_mention"]


def test_every_template_exists_in_every_language(renderer: Renderer) -> None:
    assert renderer.available("es") == renderer.available("en") == sorted(TEMPLATES + INTERNAL)


@pytest.mark.parametrize("language", ["es", "en"])
def test_alert_digest_lists_each_alert(renderer: Renderer, variables: dict[str, Any],
                                       snapshot: Callable[[str, str], None], language: str) -> None:
    notes = ("C001 · credit_stop_set: credit stop set: exposure 12,500.00 EUR over the limit 10,000.00",
             "C002 · bounce: email to ap@c002.example bounced: email marked invalid (550 no such user)")
    out = renderer.render("alert_digest", language, {**variables, "notes": notes})
    assert all(n in out.text for n in notes) and all(n in out.html for n in notes)
    assert ("2 alertas" if language == "es" else "2 alerts") in out.subject
    snapshot(f"{language}-alert_digest.txt",
             f"Subject: {out.subject}\n\n--- text ---\n{out.text}\n--- html ---\n{out.html}")


def test_money_and_dates_follow_the_locale(renderer: Renderer, variables: dict[str, Any]) -> None:
    es = renderer.render("reminder_1", "es", variables)
    en = renderer.render("reminder_1", "en", variables)
    assert "1.234,56\u00a0€" in es.text and "21.234,56\u00a0€" in es.subject and "09/02/2026" in es.text
    assert "€1,234.56" in en.text and "€21,234.56" in en.subject


def test_html_is_escaped_text_is_not(renderer: Renderer, variables: dict[str, Any]) -> None:
    out = renderer.render("reminder_1", "es", variables)
    assert "Ferretería &lt;Martínez&gt; &amp; Hijos" in out.html
    assert "<Martínez>" not in out.html
    assert "Ferretería <Martínez> & Hijos" in out.text


def test_final_notice_states_interest_and_compensation_only_when_asked(
        renderer: Renderer, variables: dict[str, Any]) -> None:
    stated = renderer.render("final_notice", "es", variables).text
    assert "Ley 3/2004" in stated and "40,00\u00a0€" in stated and "10,15 % anual" in stated
    variables.update(state_interest=False, state_compensation=False)
    plain = renderer.render("final_notice", "es", variables).text
    assert "Ley 3/2004" not in plain and "40,00\u00a0€" not in plain


def test_missing_variable_is_a_render_error(renderer: Renderer, variables: dict[str, Any]) -> None:
    del variables["creditor"]
    with pytest.raises(RenderError, match="creditor"):
        renderer.render("reminder_1", "es", variables)


@pytest.mark.parametrize("name", ["nope", "../es/reminder_1", "_macros", ""])
def test_unknown_or_unsafe_template_name(renderer: Renderer, variables: dict[str, Any], name: str) -> None:
    with pytest.raises(RenderError):
        renderer.render(name, "es", variables)


def test_float_amount_is_refused(renderer: Renderer, variables: dict[str, Any]) -> None:
    variables["total"] = {"amount": 12.5, "currency": "EUR"}
    with pytest.raises(RenderError, match="float"):
        renderer.render("reminder_1", "es", variables)


def test_sandbox_blocks_attribute_escapes(tmp_path: Path, variables: dict[str, Any]) -> None:
    (tmp_path / "es").mkdir()
    (tmp_path / "es" / "evil.j2").write_text(
        "{% block subject %}x{% endblock %}{% block text %}"
        "{{ ''.__class__.__mro__[1].__subclasses__() }}{% endblock %}", encoding="utf-8")
    with pytest.raises(RenderError, match=r"SecurityError|unsafe"):
        Renderer(tmp_path).render("evil", "es", variables)


def test_syntax_error_is_a_render_error(tmp_path: Path, variables: dict[str, Any]) -> None:
    (tmp_path / "es").mkdir()
    (tmp_path / "es" / "broken.j2").write_text("{% block subject %}{{ oops( {% endblock %}", encoding="utf-8")
    with pytest.raises(RenderError, match="broken"):
        Renderer(tmp_path).render("broken", "es", variables)


def test_language_resolution() -> None:
    assert split_language("es") == ("es", "es_ES")
    assert split_language("es-MX") == ("es", "es_MX")
    assert split_language("en") == ("en", "en_GB")
    assert split_language("fr") == ("es", "es_ES")
    assert split_language("") == ("es", "es_ES")


@pytest.mark.parametrize("language", ["es", "en"])
def test_no_template_claims_an_earlier_notice_the_timeline_does_not_hold(
        renderer: Renderer, variables: dict[str, Any], language: str) -> None:
    claims = {"es": ("Pese a nuestros avisos anteriores", "Ya le escribimos anteriormente", "se le haya pasado"),
              "en": ("Despite our previous reminders", "We wrote to you earlier", "slipped through")}[language]
    with_notices = {t: renderer.render(t, language, variables) for t in ("final_notice", "reminder_2")}
    assert claims[0] in with_notices["final_notice"].text and claims[1] in with_notices["reminder_2"].text
    variables["earlier_notices"] = ()
    for template in ("reminder_pre_due", "reminder_1", "reminder_2", "whatsapp_reminder", "final_notice"):
        out = renderer.render(template, language, variables)
        for claim in claims:
            assert claim not in out.text and claim not in out.html, (template, claim)
    first = renderer.render("reminder_1", language, variables)  # the sample's items are months overdue
    assert ("por primera vez" if language == "es" else "first notice") in first.text
