"""Safe XML loading and namespace-agnostic navigation for ISO 20022 messages.

`defusedxml.lxml` is deprecated, so we configure lxml ourselves (no entity expansion, no network, no DTD
loading, no huge trees) and refuse any document whose DOCTYPE declares entities before lxml sees it:
billion-laughs and external-entity (XXE) files fail with a clear error and nothing is read.
"""

from __future__ import annotations

import re
from datetime import date

from lxml import etree

from cobro.cashapp.bank.base import StatementParseError, lenient_date

_DOCTYPE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)
_ENTITY = re.compile(rb"<!ENTITY", re.IGNORECASE)


def xml_head(data: bytes, size: int = 4096) -> bytes | None:
    """The first bytes with NULs and BOMs removed (so UTF-16 sniffs like UTF-8), or None if it is not XML."""
    head = data[: size * 2].replace(b"\x00", b"").lstrip(b"\xef\xbb\xbf\xff\xfe \t\r\n")
    return head[:size] if head.startswith(b"<") else None


def _parser() -> etree.XMLParser:
    # A fresh parser per call: lxml parsers are not thread-safe.
    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False,
                           dtd_validation=False, remove_comments=True, remove_pis=True)


def load_xml(data: bytes, filename: str) -> etree._Element:
    # Strip NULs so a UTF-16 document cannot hide its DOCTYPE from the byte scan.
    probe = data.replace(b"\x00", b"")
    if _DOCTYPE.search(probe) and _ENTITY.search(probe):
        line = probe[: _DOCTYPE.search(probe).start()].count(b"\n") + 1  # type: ignore[union-attr]
        raise StatementParseError("DOCTYPE with entity declarations is not allowed (possible XXE / "
                                  "entity-expansion attack); document rejected", filename=filename, line=line)
    try:
        root = etree.fromstring(data, parser=_parser())
    except etree.XMLSyntaxError as exc:
        raise StatementParseError(f"malformed XML: {exc.msg}", filename=filename, line=exc.lineno) from exc
    docinfo = root.getroottree().docinfo
    dtd = docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        raise StatementParseError("DOCTYPE with entity declarations is not allowed", filename=filename, line=1)
    return root


def local(el: etree._Element) -> str:
    tag = el.tag
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def kids(el: etree._Element | None, name: str) -> list[etree._Element]:
    if el is None:
        return []
    return [c for c in el if local(c) == name]


def find_all(el: etree._Element | None, path: str) -> list[etree._Element]:
    """Elements under `el` along a '/'-separated path of local names (namespace and version agnostic)."""
    current = [] if el is None else [el]
    for step in path.split("/"):
        current = [c for e in current for c in kids(e, step)]
    return current


def find(el: etree._Element | None, path: str) -> etree._Element | None:
    found = find_all(el, path)
    return found[0] if found else None


def text(el: etree._Element | None, *paths: str) -> str:
    """Stripped text of the first path that exists and is non-empty, else ''."""
    for path in paths:
        for node in find_all(el, path):
            if node.text and node.text.strip():
                return " ".join(node.text.split())
    return ""


def path_of(el: etree._Element) -> str:
    """/Document/BkToCstmrStmt/Stmt[1]/Ntry[2] - readable in error messages, unlike lxml's /*/*[1]."""
    parts = []
    node: etree._Element | None = el
    while node is not None:
        parent = node.getparent()
        name = local(node)
        if parent is None:
            parts.append(name)
        else:
            siblings = kids(parent, name)
            parts.append(f"{name}[{siblings.index(node) + 1}]" if len(siblings) > 1 else name)
        node = parent
    return "/" + "/".join(reversed(parts))


def xml_date(el: etree._Element | None, filename: str) -> date | None:
    """`<X><Dt>` or `<X><DtTm>` (date part as written; the bank's local day is what we want) or `<X>` itself."""
    if el is None:
        return None
    raw = text(el, "Dt") or text(el, "DtTm") or (el.text or "").strip()
    if not raw:
        return None
    try:
        return lenient_date(int(raw[0:4]), int(raw[5:7]), int(raw[8:10]))[0]
    except ValueError as exc:
        raise StatementParseError(f"invalid date {raw!r}", filename=filename, xml_path=path_of(el)) from exc
