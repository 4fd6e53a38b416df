"""The profile rules: every bad value is a problem naming its field; logos are PNG or script-free SVG, small."""

from __future__ import annotations

import dataclasses
import struct
import zlib

import pytest

from cobro.tenancy.domain import (
    MAX_LOGO_BYTES,
    PAYMENT,
    PNG_MEDIA_TYPE,
    SVG_MEDIA_TYPE,
    Logo,
    Profile,
    check_profile,
    logo_problems,
    missing_fields,
    missing_message,
    payment_reference,
    sniff_logo,
)

LANGUAGES = {"es", "en"}


def png(width: int = 2, height: int = 2) -> bytes:
    """A real RGB PNG of this size (black pixels), built by hand so the test needs no image library."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = (b"\x00" + b"\x00\x00\x00" * width) * height
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


PNG = png()
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>'
GOOD = Profile(legal_name="Suministros Iberia Demo SL", tax_id="b-58818501", country="es",
               iban="es91 2100 0418 4502 0005 1332", address_lines=("Calle Mayor 1", ""), postal_code="28013",
               city="Madrid", sender_email="Cobros@Example.com", time_zone="Europe/Madrid", currency="eur",
               language="es", payment_reference="{customer}/{invoice}", website="suministros.example")


def problems(**changes: object) -> dict[str, str]:
    _, found = check_profile(dataclasses.replace(GOOD, **changes), languages=LANGUAGES)  # type: ignore[arg-type]
    return {p.column: p.message for p in found}


def test_a_good_profile_is_normalised() -> None:
    fixed, found = check_profile(GOOD, languages=LANGUAGES)
    assert found == []
    assert (fixed.iban, fixed.bic, fixed.tax_id, fixed.country, fixed.currency) == (
        "ES9121000418450200051332", "CAIXESBB", "B58818501", "ES", "EUR")
    assert fixed.address_lines == ("Calle Mayor 1",)
    assert fixed.sender_email == "Cobros@example.com"  # the domain is case-insensitive, the local part is not
    assert fixed.website == "https://suministros.example"


@pytest.mark.parametrize(("field", "value", "says"), [
    ("tax_id", "B12345678", "invalid ES NIF/CIF/NIE"),
    ("iban", "ES0021000418450200051332", "not a valid IBAN"),
    ("iban", "hello", "not a valid IBAN"),
    ("bic", "CAIXESBBXX", "not a valid BIC"),
    ("time_zone", "Europe/Atlantis", "not a time zone"),
    ("time_zone", "../../etc/passwd", "not a time zone"),
    ("currency", "EURO", "ISO 4217"),
    ("country", "XX", "ISO 3166"),
    ("postal_code", "99999", "Spanish postal code"),
    ("sender_email", "cobros@", "not an e-mail address"),
    ("reply_to", "no-at-sign", "not an e-mail address"),
    ("phone", "call me", "not a phone number"),
    ("website", "ftp://example.com", "not a web address"),
    ("payment_reference", "{customer.__class__}", "may only use"),
    ("payment_reference", "{amount}", "may only use"),
    ("language", "fr", "no letter templates"),
    ("legal_name", "A" * 201, "longer than 200"),
    ("city", "Madrid\nSpain", "one line"),
])
def test_each_bad_value_names_its_field(field: str, value: str, says: str) -> None:
    found = problems(**{field: value})
    assert list(found) == [field]
    assert says in found[field] and found[field].startswith(f"{field}: ")


def test_a_tax_id_needs_the_country_it_is_checked_for() -> None:
    assert "needs the country (--country)" in problems(country="")["tax_id"]


def test_an_address_has_at_most_four_short_lines() -> None:
    assert "at most 4 lines" in problems(address_lines=("a", "b", "c", "d", "e"))["address_lines"]
    assert "line 2" in problems(address_lines=("a", "b" * 101))["address_lines"]


def test_logos_png_and_clean_svg_pass() -> None:
    assert sniff_logo(PNG).media_type == PNG_MEDIA_TYPE and logo_problems(sniff_logo(PNG)) == []
    assert sniff_logo(SVG).media_type == SVG_MEDIA_TYPE and logo_problems(sniff_logo(SVG)) == []
    internal = SVG.replace(b"<rect", b'<use href="#r"/><rect id="r"')
    assert logo_problems(sniff_logo(internal)) == []


@pytest.mark.parametrize(("data", "says"), [
    (PNG + b"\0" * MAX_LOGO_BYTES, "at most 512 KiB"),
    (b"GIF89a\x01\x00\x01\x00", "neither PNG nor SVG"),
    (b"\x89PNG\r\n\x1a\nnot-a-png", "not a PNG"),
    (PNG[:40], "not a readable PNG"),  # truncated: it would break every PDF it went into
    (PNG[:41] + bytes(b ^ 0xFF for b in PNG[41:49]) + PNG[49:], "not a readable PNG"),  # corrupt pixel data
    (png(5000, 1), "5000x1 pixels"),
    (b"<html><body/></html>", "the XML root is <html>"),
    (SVG.replace(b"<rect", b"<script>alert(1)</script><rect"), "<script>"),
    (SVG.replace(b"<rect", b'<rect onload="alert(1)"'), "event handler (onload)"),
    (SVG.replace(b"<rect", b'<a href="javascript:alert(1)"><text>x</text></a><rect'), "points outside"),
    (SVG.replace(b"<rect", b'<image href="https://tracker.example/p.png"/><rect'), "points outside"),
    (SVG.replace(b"<rect", b"<foreignObject><div/></foreignObject><rect"), "<foreignObject>"),
    ((b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
     b'<svg xmlns="http://www.w3.org/2000/svg"><text>&b;</text></svg>'), "DTDs and entities"),
])
def test_bad_logos_are_refused(data: bytes, says: str) -> None:
    found = logo_problems(sniff_logo(data))
    assert len(found) == 1 and says in found[0]
    assert "logo" in problems(logo=sniff_logo(data))


def test_a_logo_must_be_png_or_svg() -> None:
    assert "must be PNG or SVG" in logo_problems(Logo(PNG, "image/gif"))[0]


def test_what_a_document_needs() -> None:
    empty = Profile()
    assert missing_fields(empty, ("legal_name", PAYMENT)) == ["legal_name", PAYMENT]
    assert missing_fields(Profile(legal_name="X", payment_instructions="Pay by card at pay.example"),
                          ("legal_name", PAYMENT)) == []
    message = missing_message("default", ["iban", PAYMENT], "the terms letter")
    assert message.startswith("the terms letter needs the creditor's iban, iban or payment_instructions")
    assert "`cobro tenant update default --iban ...`" in message
    assert "--address ..." in missing_message("acme", ["address_lines"], "a letter")


def test_payment_reference_formats_customer_and_invoices() -> None:
    assert payment_reference("{customer}/{invoice}", customer="C1", invoices=["F-1", "F-2"]) == "C1/F-1 F-2"
    assert payment_reference("", customer="C1", invoices=["F-1"]) == ""
