"""What other features use of delivery's rendering: the escalation evidence pack and the shipped templates.

Collections draws evidence packs (with delivery's PDF writer, so a pack looks like the letters it lists) and
checks that a policy's message steps name templates that exist; it reaches the channels only through here.
"""

from __future__ import annotations

from collections.abc import Mapping

from cobro.delivery.channels.compose import LETTER_TEMPLATES
from cobro.delivery.channels.pdf import (
    BrokenPromise,
    Demand,
    Dispute,
    InterestClaim,
    PdfDocument,
    evidence_pack_pdf,
    interest_claim,
)
from cobro.delivery.channels.render import TEMPLATES_DIR

__all__ = ["BrokenPromise", "Demand", "Dispute", "InterestClaim", "PdfDocument", "evidence_pack_pdf",
           "interest_claim", "is_letter", "shipped_templates"]


def is_letter(channel: str, template: str) -> bool:
    """Whether a message is printed as a letter (a PDF with the creditor's letterhead), as compose decides."""
    return channel == "letter" or template in LETTER_TEMPLATES


def shipped_templates() -> Mapping[str, tuple[str, ...]]:
    """Template names per shipped language, sorted: {"en": ["final_notice", ...], "es": [...]} (`_macros` and
    other partials are not templates a message can name)."""
    return {folder.name: tuple(sorted(p.name[:-3] for p in folder.glob("*.j2") if not p.name.startswith("_")))
            for folder in sorted(TEMPLATES_DIR.iterdir()) if folder.is_dir()}
