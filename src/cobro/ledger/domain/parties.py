"""Customers (debtors) and their contacts."""

from __future__ import annotations

from dataclasses import dataclass, field

from cobro.kernel.money import Money
from cobro.kernel.types import Channel, ContactRole


@dataclass(frozen=True, slots=True)
class Contact:
    name: str
    role: ContactRole = ContactRole.ADMINISTRATION
    email: str = ""
    phone: str = ""
    preferred_channel: Channel = Channel.EMAIL
    language: str = ""


@dataclass(frozen=True, slots=True)
class Customer:
    code: str
    legal_name: str
    country: str = "ES"
    tax_id: str = ""
    segment: str = ""
    account_owner: str = ""  # the salesperson who owns the relationship
    collector: str = ""
    credit_limit: Money | None = None
    language: str = "es"
    terms: str = "net 30"
    contacts: tuple[Contact, ...] = field(default_factory=tuple)

    def contacts_for(self, roles: tuple[ContactRole, ...]) -> tuple[Contact, ...]:
        """Contacts of the first role in `roles` that has any (administration first, then finance...)."""
        for role in roles:
            found = tuple(c for c in self.contacts if c.role == role)
            if found:
                return found
        return ()
