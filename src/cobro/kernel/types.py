"""Enumerations shared across the domain."""

from __future__ import annotations

from enum import StrEnum


class ContactRole(StrEnum):
    ADMINISTRATION = "administration"
    FINANCE = "finance"
    MANAGEMENT = "management"
    OTHER = "other"


class Channel(StrEnum):
    EMAIL = "email"
    WHATSAPP = "whatsapp"
    SMS = "sms"
    PHONE = "phone"
    LETTER = "letter"


class DocumentKind(StrEnum):
    INVOICE = "invoice"
    CREDIT_NOTE = "credit_note"


class InvoiceStatus(StrEnum):
    OPEN = "open"
    PAID = "paid"
    CANCELLED = "cancelled"
    WRITTEN_OFF = "written_off"

    @classmethod
    def closed_states(cls) -> frozenset[InvoiceStatus]:
        return frozenset({cls.PAID, cls.CANCELLED, cls.WRITTEN_OFF})
