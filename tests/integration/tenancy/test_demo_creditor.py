"""The demo tenant gets a complete, valid profile: every document field a letter, e-mail or pack needs."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from rich.console import Console

from cobro.collections.service.creditor import needs
from cobro.demo.creditor import profile_step
from cobro.platform.container import Container
from cobro.tenancy.service import letterhead, missing


def test_the_demo_profile_is_complete_and_valid(container: Container, tmp_path: Path) -> None:
    profile_step(container, tmp_path, dt.date(2026, 5, 31), Console(file=None, quiet=True))
    with container.uow() as uow:
        made = letterhead(uow)
    assert made.profile.legal_name == "Suministros Iberia Demo SL" and made.name == "Suministros Iberia"
    assert made.profile.bic == "CAIXESBB" and made.profile.logo is not None
    for channel, template in (("letter", "final_notice"), ("email", "reminder_1"), ("email", "terms_letter")):
        assert missing(made, needs(channel, template)) == []
