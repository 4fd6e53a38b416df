"""Typed inputs and outputs of the tenancy services."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import pycountry
from babel import Locale, UnknownLocaleError

from cobro.tenancy.domain import TEXT_FIELDS, Logo, Profile


@dataclass(frozen=True, slots=True)
class TenantProfile:
    """A tenant and its profile, as documents and commands see it."""

    code: str
    name: str  # the display name (tenants.name), what lists show
    profile: Profile

    @property
    def display_name(self) -> str:
        """The name customers know: the trade name, else the legal name, else the tenant's display name."""
        return self.profile.trade_name or self.profile.legal_name or self.name

    @property
    def sender_name(self) -> str:
        """Who e-mails are from: the sender name, else the display name."""
        return self.profile.sender_name or self.display_name

    def postal_lines(self) -> tuple[str, ...]:
        """The postal address as printed: street lines, "postal code city", the country's name in the profile's
        language (a Spanish creditor writes "España"; English when no language is set)."""
        p = self.profile
        town = " ".join(x for x in (p.postal_code, p.city) if x)
        return (*p.address_lines, *([town] if town else []), *([self.country_name] if p.country else []))

    @property
    def country_name(self) -> str:
        code = self.profile.country
        if not code:
            return ""
        try:
            name = Locale.parse(self.profile.language or "en").territories.get(code)
        except (ValueError, UnknownLocaleError):
            name = None
        if name:
            return str(name)
        found = pycountry.countries.get(alpha_2=code)
        return str(found.name) if found is not None else code

    def as_json(self) -> dict[str, object]:
        """The `--json` shape of `cobro tenant show|list`: every field; the logo as its media type and size."""
        out: dict[str, object] = {"code": self.code, "name": self.name}
        out.update({f: getattr(self.profile, f) for f in TEXT_FIELDS})
        out["address_lines"] = list(self.profile.address_lines)
        logo = self.profile.logo
        out["logo"] = None if logo is None else {"media_type": logo.media_type, "bytes": len(logo.data)}
        return out


@dataclass(frozen=True, slots=True)
class ProfileChanges:
    """What `update` changes: a field given (not None) replaces the stored value; "" clears a text field.
    `logo` replaces the logo; `clear_logo` removes it."""

    legal_name: str | None = None
    trade_name: str | None = None
    tax_id: str | None = None
    address_lines: tuple[str, ...] | None = None
    postal_code: str | None = None
    city: str | None = None
    country: str | None = None
    iban: str | None = None
    bic: str | None = None
    payment_reference: str | None = None
    payment_instructions: str | None = None
    sender_name: str | None = None
    sender_email: str | None = None
    reply_to: str | None = None
    phone: str | None = None
    website: str | None = None
    signature: str | None = None
    language: str | None = None
    time_zone: str | None = None
    currency: str | None = None
    logo: Logo | None = None
    clear_logo: bool = False

    def applied_to(self, profile: Profile) -> Profile:
        given = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)
                 if f.name not in ("logo", "clear_logo") and getattr(self, f.name) is not None}
        logo = None if self.clear_logo else (self.logo or profile.logo)
        return dataclasses.replace(profile, logo=logo, **given)


@dataclass(frozen=True, slots=True)
class TenantList:
    tenants: tuple[TenantProfile, ...]

    def as_json(self) -> list[dict[str, object]]:
        return [t.as_json() for t in self.tenants]
