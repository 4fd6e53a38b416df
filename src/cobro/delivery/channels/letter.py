"""Printed letters: the PDF goes to an output directory for the print room (or a print-and-post service).

The file name is derived from the Message-ID, so a re-run after a crash overwrites the same file instead of
producing a second letter.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from cobro.delivery.channels.base import DeliveryResult, OutboundMessage


class LetterChannel:
    name = "letter"

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir

    def path_for(self, message: OutboundMessage) -> Path:
        key = hashlib.sha256((message.message_id or message.idempotency_key).encode()).hexdigest()[:16]
        stem = "".join(c if c.isalnum() or c in "-_" else "-" for c in message.template) or "letter"
        return self.out_dir / f"{stem}-{key}.pdf"

    def send(self, message: OutboundMessage) -> DeliveryResult:
        pdfs = [a for a in message.attachments if a.mime_type == "application/pdf"]
        if not pdfs:
            return DeliveryResult.dead("letter has no PDF to print")
        path = self.path_for(message)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".pdf.tmp")
            # The letter first, then any enclosures (statement of account) as separate files.
            tmp.write_bytes(pdfs[0].content)
            os.replace(tmp, path)  # atomic: the print room never sees half a file
            for index, extra in enumerate(pdfs[1:], start=2):
                (path.with_name(f"{path.stem}-{index}.pdf")).write_bytes(extra.content)
        except OSError as exc:
            return DeliveryResult.retry(f"cannot write letter: {exc}", unavailable=True)
        return DeliveryResult.sent(str(path))

    def close(self) -> None:
        return None
