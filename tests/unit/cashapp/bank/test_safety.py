"""Hostile and broken input: refused with a message naming the file and the line or XML path."""

from __future__ import annotations

import pytest

from cobro.cashapp.bank import StatementParseError, parse_bytes, parse_statement

from ._fixtures import fixture_path

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><Stmt><Id>&lol4;</Id></Stmt></BkToCstmrStmt></Document>"""


def _xxe(target: str) -> bytes:
    return f"""<?xml version="1.0"?>
<!DOCTYPE d [<!ENTITY xxe SYSTEM "file://{target}">]>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><Stmt><Id>&xxe;</Id>
<Acct><Id><IBAN>&xxe;</IBAN></Id></Acct></Stmt></BkToCstmrStmt></Document>""".encode()


def test_billion_laughs_is_refused():
    with pytest.raises(StatementParseError, match=r"lol\.xml: line 2: DOCTYPE with entity declarations"):
        parse_bytes(BILLION_LAUGHS, "lol.xml")


def test_external_entity_is_refused_and_nothing_is_read(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE")
    with pytest.raises(StatementParseError, match="DOCTYPE with entity declarations") as info:
        parse_bytes(_xxe(str(secret)), "xxe.xml")
    assert "TOP-SECRET-VALUE" not in str(info.value)


def test_utf16_document_cannot_hide_its_doctype(tmp_path):
    data = _xxe("/etc/passwd").decode().replace('encoding="UTF-8"', "").encode("utf-16")
    with pytest.raises(StatementParseError, match="DOCTYPE with entity declarations"):
        parse_bytes(data, "xxe16.xml")


def test_entity_attack_on_pain002_and_unknown_xml_is_refused():
    pain = BILLION_LAUGHS.replace(b"camt.053.001.02", b"pain.002.001.03").replace(b"BkToCstmrStmt", b"CstmrPmtStsRpt")
    with pytest.raises(StatementParseError, match="DOCTYPE with entity"):
        parse_bytes(pain, "p.xml")
    other = BILLION_LAUGHS.replace(b"camt.053.001.02", b"urn:x").replace(b"BkToCstmrStmt", b"Foo")
    with pytest.raises(StatementParseError, match="DOCTYPE with entity"):
        parse_bytes(other, "o.xml")


def test_truncated_xml_names_file_and_line():
    data = fixture_path("camt053/oca-test-camt053.001.02.xml").read_bytes()[:3000]
    with pytest.raises(StatementParseError, match=r"cut\.xml: line \d+: malformed XML"):
        parse_bytes(data, "cut.xml")


@pytest.mark.parametrize("data", [b"\x00\x01\x02 binary garbage \xff\xfe", b"just some text\nnothing else\n",
                                  b"id,code,name\nx,AC01,foo\n"])
def test_garbage_is_an_unrecognised_format(data):
    with pytest.raises(StatementParseError, match=r"junk\.bin: line 1: unrecognised bank-statement format"):
        parse_bytes(data, "junk.bin")


def test_empty_file_and_missing_file(tmp_path):
    with pytest.raises(StatementParseError, match=r"empty\.sta: line 1: file is empty"):
        parse_bytes(b"  \n", "empty.sta")
    with pytest.raises(StatementParseError, match="cannot read file"):
        parse_statement(tmp_path / "nope.xml")


def test_unsupported_xml_and_corrupt_zip():
    with pytest.raises(StatementParseError, match=r"unsupported XML document <Invoice>"):
        parse_bytes(b"<Invoice xmlns='urn:x'><ID>1</ID></Invoice>", "inv.xml")
    with pytest.raises(StatementParseError, match="corrupt zip"):
        parse_bytes(b"PK\x03\x04not really a zip", "bad.zip")


def test_reason_code_table_is_not_a_statement():
    with pytest.raises(StatementParseError, match="unrecognised"):
        parse_statement(fixture_path("pain002/oca-payment.return.reason.csv"))
