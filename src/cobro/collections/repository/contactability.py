"""What stops a contact point being used, for the cycle's recipient choice and `cobro report contacts`: the
delivery feature's invalid points (a hard bounce, a wrong number) and opt-outs.  Addresses are compared as
delivery normalises them: an e-mail lower-case, a phone its digits (a leading 00 dropped)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from cobro.delivery.records import ChannelOptOutRow, ContactPointStatusRow

_Blocks = tuple[dict[tuple[str, str], str], dict[tuple[str, str], str]]


def _norm_phone(value: str) -> str:
    digits = "".join(ch for ch in value if ch.isdigit())
    return digits[2:] if digits.startswith("00") else digits


def contact_blocks(session: Session, tenants: set[int]) -> dict[int, _Blocks]:
    """Per tenant: invalid points {(kind, address): why} and opt-outs {(channel, recipient): why}; a tenant with
    neither is left out, so the common case costs two small queries."""
    if not tenants:
        return {}
    out: dict[int, _Blocks] = {}
    p, o = ContactPointStatusRow, ChannelOptOutRow
    conn = session.connection()
    for tenant, kind, address, source in conn.execute(
            select(p.tenant_id, p.kind, p.address, p.source).where(p.tenant_id.in_(tenants))):
        label = "bounced" if source == "bounce" else "wrong number" if source == "wrong_number" else str(source)
        out.setdefault(int(tenant), ({}, {}))[0][str(kind), str(address)] = f"{kind} invalid ({label})"
    for tenant, channel, recipient, source in conn.execute(
            select(o.tenant_id, o.channel, o.recipient, o.source).where(o.tenant_id.in_(tenants))):
        out.setdefault(int(tenant), ({}, {}))[1][str(channel), str(recipient)] = f"opted out ({source})"
    return out


def blocked_channels(blocks: _Blocks, email: str, phone: str) -> tuple[tuple[str, str], ...]:
    invalid, opted = blocks
    mail, tel = email.strip().lower(), _norm_phone(phone)
    out: list[tuple[str, str]] = []
    for channel, key, kind in (("email", mail, "email"), ("sms", tel, "phone"), ("whatsapp", tel, "phone"),
                               ("call_task", tel, "phone")):
        if not key:
            continue
        why = invalid.get((kind, key)) or (
            None if channel == "call_task" else opted.get((channel, key)) or opted.get(("*", key)))
        if why:
            out.append((channel, why))
    return tuple(out)
