"""The demo creditor: a fictional Spanish wholesaler with a complete profile, so every letter, e-mail and pack
of the demo reads like a real one.  The CIF and the IBAN are well-formed test values (their check digits are right;
the IBAN is the Spanish banks' published example account), the addresses and domains are invented (.example).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console

from cobro.tenancy.domain import sniff_logo
from cobro.tenancy.schemas import ProfileChanges

if TYPE_CHECKING:
    from cobro.platform.container import Container

# a plain vector mark: a blue square with the initials (no script, no external references)
LOGO_SVG = (b'<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40" viewBox="0 0 120 40">'
            b'<rect width="40" height="40" rx="6" fill="#1d4e89"/>'
            b'<text x="20" y="27" font-family="sans-serif" font-size="18" fill="#fff" text-anchor="middle">SI</text>'
            b'<text x="48" y="26" font-family="sans-serif" font-size="13" fill="#1d4e89">Suministros Iberia</text>'
            b'</svg>')

DEMO_CREDITOR = ProfileChanges(
    legal_name="Suministros Iberia Demo SL",
    trade_name="Suministros Iberia",
    tax_id="B58818501",
    address_lines=("Calle de la Industria 42", "Polígono Industrial Las Fronteras"),
    postal_code="28850",
    city="Torrejón de Ardoz",
    country="ES",
    iban="ES9121000418450200051332",
    payment_reference="{customer}/{invoice}",
    payment_instructions="Si necesita un plan de pagos o tiene alguna duda sobre sus facturas, responda a este "
                         "correo o llámenos al +34 911 234 567 (de lunes a viernes, de 9:00 a 18:00).",
    sender_name="Suministros Iberia - Cobros",
    sender_email="cobros@demo.cobro.example",
    reply_to="cartera@demo.cobro.example",
    phone="+34 911 234 567",
    website="https://suministros-iberia.example",
    signature="Lucía Fernández\nDepartamento de Gestión de Cobros\nSuministros Iberia Demo SL",
    language="es",
    time_zone="Europe/Madrid",
    currency="EUR",
    logo=sniff_logo(LOGO_SVG),
)


def profile_step(container: Container, out_dir: Path, as_of: dt.date, console: Console) -> None:
    """Give the demo tenant its creditor profile (what `cobro tenant update` would set)."""
    from cobro.tenancy.service import update_profile

    code = container.settings.tenant
    with container.uow() as uow:
        made = update_profile(uow, code=code, changes=DEMO_CREDITOR, name=DEMO_CREDITOR.trade_name)
        uow.commit()
    p = made.profile
    console.print(f"tenant {made.code}: {p.legal_name} ({p.tax_id}), {', '.join(made.postal_lines())}; "
                  f"IBAN {p.iban}; e-mails from {made.sender_name} <{p.sender_email}>")
