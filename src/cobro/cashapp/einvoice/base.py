"""What every e-invoice parser shares: the protocol, the error, safe XML parsing and lookups that say where they failed."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Protocol, TypeAlias

from lxml import etree
from lxml.etree import _Element, _ElementTree

from cobro.cashapp.einvoice.records import DocumentInstalment, EInvoiceDocument
from cobro.kernel.amounts import AmountError, parse_number
from cobro.kernel.money import KNOWN_CURRENCIES

Element: TypeAlias = _Element
Tree: TypeAlias = _ElementTree

DEFAULT_TERM_DAYS = 30  # used only when a document states no due date at all; always flagged in `warnings`
MAX_FILE_BYTES = 20 * 1024 * 1024  # e-invoices are kilobytes; anything this large is not one


class EInvoiceParseError(ValueError):
    """A file that cannot be read as an e-invoice.  The message names the file and the XML path of the problem."""

    def __init__(self, filename: str, xpath: str, message: str, code: str = "invalid") -> None:
        self.filename = filename
        self.xpath = xpath
        self.detail = message
        self.code = code
        where = f"{filename}: {xpath}" if xpath else filename
        super().__init__(f"{where}: {message}")


class EInvoiceParser(Protocol):
    """A parser for one family of formats.  `detect` asks each parser in turn whether it knows the root."""

    name: str

    def identify(self, root_localname: str, namespace: str) -> bool: ...

    def parse(self, tree: Tree, filename: str) -> list[EInvoiceDocument]: ...


# lxml's defaults resolve entities and may read DTDs; e-invoices never need either.
def safe_parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


_ENTITY_MARKERS = (b"<!ENTITY", "<!ENTITY".encode("utf-16-le"), "<!ENTITY".encode("utf-16-be"))


def parse_xml(data: bytes, filename: str) -> Tree:
    """Parse bytes safely; refuse DOCTYPEs that declare entities or point at an external DTD."""
    if len(data) > MAX_FILE_BYTES:
        raise EInvoiceParseError(filename, "", f"file is {len(data)} bytes, larger than an e-invoice can be",
                                 code="too_large")
    # Refuse before parsing: some entity tricks are syntax errors to libxml2 and would otherwise be
    # reported as "not well-formed", hiding what the file is.
    if any(marker in data for marker in _ENTITY_MARKERS):
        raise EInvoiceParseError(filename, "/!DOCTYPE",
                                 "refused: the DOCTYPE declares entities; e-invoices never do "
                                 "(entity expansion / external entity attack)", code="unsafe_xml")
    try:
        root = etree.fromstring(data, safe_parser())
    except etree.XMLSyntaxError as exc:
        raise EInvoiceParseError(filename, f"line {exc.lineno}", f"not well-formed XML: {exc.msg}",
                                 code="not_xml") from exc
    tree = root.getroottree()
    info = tree.docinfo
    dtd = info.internalDTD
    entities = [e.name for e in dtd.iterentities()] if dtd is not None else []
    if entities:
        raise EInvoiceParseError(filename, "/!DOCTYPE",
                                 f"refused: the DOCTYPE declares entities ({', '.join(map(str, entities[:5]))}); "
                                 "e-invoices never do (entity expansion / external entity attack)",
                                 code="unsafe_xml")
    if info.system_url or info.public_id:
        raise EInvoiceParseError(filename, "/!DOCTYPE",
                                 f"refused: the DOCTYPE references an external DTD ({info.system_url or info.public_id})",
                                 code="unsafe_xml")
    return tree


def localname(el: Element) -> str:
    return str(etree.QName(el).localname)


def namespace(el: Element) -> str:
    return str(etree.QName(el).namespace or "")


_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")


@dataclass
class Reader:
    """Lookups on one document.  Paths use the prefixes of `ns` ("cac:Party/cbc:Name", "cfdi:Emisor/@Rfc");
    a segment without prefix uses `default_ns` ("" = no namespace, "*" = any).  Errors name file and path."""

    filename: str
    ns: dict[str, str] = field(default_factory=dict)
    default_ns: str = ""

    def _qualify(self, path: str) -> str:
        parts = []
        for seg in path.split("/"):
            if seg in (".", "..", "") or seg.startswith("{"):
                parts.append(seg)
            elif ":" in seg:
                prefix, name = seg.split(":", 1)
                parts.append(f"{{{self.ns[prefix]}}}{name}")
            elif self.default_ns:
                parts.append(f"{{{self.default_ns}}}{seg}")
            else:
                parts.append(seg)
        return "/".join(parts)

    def where(self, el: Element, path: str = "") -> str:
        """A readable XPath of `el` (with the document's own prefixes), plus `path` below it."""
        steps = []
        node: Element | None = el
        while node is not None:
            name = localname(node)
            steps.append(f"{node.prefix}:{name}" if node.prefix else name)
            parent = node.getparent()
            if parent is not None:
                same = [s for s in parent if s.tag == node.tag]
                if len(same) > 1:
                    steps[-1] += f"[{same.index(node) + 1}]"
            node = parent
        base = "/" + "/".join(reversed(steps))
        return f"{base}/{path}" if path else base

    def error(self, el: Element, path: str, message: str) -> EInvoiceParseError:
        return EInvoiceParseError(self.filename, self.where(el, path), message)

    def find(self, el: Element, path: str) -> Element | None:
        return el.find(self._qualify(path))

    def findall(self, el: Element, path: str) -> list[Element]:
        return list(el.findall(self._qualify(path)))

    def text(self, el: Element, path: str, default: str = "") -> str:
        """Stripped text of an element ("a/b") or attribute ("a/@b", "@b"); `default` when absent or empty."""
        elem_path, _, attr = path.partition("@")
        elem_path = elem_path.rstrip("/")
        target = self.find(el, elem_path) if elem_path else el
        if target is None:
            return default
        raw = target.get(attr) if attr else target.text
        value = (raw or "").strip()
        return value or default

    def req_text(self, el: Element, path: str) -> str:
        value = self.text(el, path)
        if not value:
            raise self.error(el, path, "required value is missing or empty")
        return value

    def opt_amount(self, el: Element, path: str) -> Decimal | None:
        raw = self.text(el, path)
        if not raw:
            return None
        try:
            # xs:decimal under the one grammar: no exponent (1e30), no NaN/INF, digits 0-9 only
            return parse_number(raw, decimal=".")
        except AmountError as exc:
            raise self.error(el, path, str(exc)) from None

    def amount(self, el: Element, path: str) -> Decimal:
        value = self.opt_amount(el, path)
        if value is None:
            raise self.error(el, path, "required amount is missing or empty")
        return value

    def opt_date(self, el: Element, path: str) -> date | None:
        raw = self.text(el, path)
        if not raw:
            return None
        # Some formats (CFDI Fecha, SUNAT CDR) carry a datetime; the calendar date is what counts for terms.
        if not _DATE.match(raw):
            raise self.error(el, path, f"not a date (YYYY-MM-DD): {raw!r}")
        try:
            return date.fromisoformat(raw[:10])
        except ValueError:
            raise self.error(el, path, f"not a valid date: {raw!r}") from None

    def date(self, el: Element, path: str) -> date:
        value = self.opt_date(el, path)
        if value is None:
            raise self.error(el, path, "required date is missing or empty")
        return value


def check_currency(code: str, warnings: list[str]) -> str:
    """Upper-case the code; unknown codes pass through with a warning (the document is still what it is)."""
    value = code.strip().upper()
    if value not in KNOWN_CURRENCIES and value != "XXX":
        warnings.append(f"currency {value!r} is not one cobro knows")
    return value


def country_alpha2(code: str) -> str:
    """ISO 3166 alpha-3 (Facturae, CFDI ResidenciaFiscal) → alpha-2; alpha-2 stays; unknown stays as written."""
    value = code.strip().upper()
    if len(value) == 3:
        from babel.core import get_global

        alias = get_global("territory_aliases").get(value)
        if alias:
            return str(alias[0])
    return value


def default_instalments(issue: date, due: date | None, amount: Decimal, warnings: list[str],
                        why: str = "") -> tuple[DocumentInstalment, ...]:
    """One instalment at the stated due date, or issue date + 30 days with a warning when none is stated."""
    if due is not None:
        return (DocumentInstalment(due, amount),)
    fallback = issue + timedelta(days=DEFAULT_TERM_DAYS)
    note = f" ({why})" if why else ""
    warnings.append(f"no due date in the document{note}: assumed {fallback.isoformat()} "
                    f"(issue date + {DEFAULT_TERM_DAYS} days)")
    return (DocumentInstalment(fallback, amount),)


def check_instalments(instalments: tuple[DocumentInstalment, ...], payable: Decimal, warnings: list[str]) -> None:
    total = sum((i.amount for i in instalments), Decimal(0))
    if instalments and total != payable:
        warnings.append(f"instalments add up to {total}, the document's payable amount is {payable}")
