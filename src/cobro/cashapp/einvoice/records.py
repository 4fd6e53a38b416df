"""Neutral records that every e-invoice parser produces.

The records carry what the documents say, not what the ledger will make of it: amounts are `Decimal` exactly as
written (no quantizing, no currency conversion), tax ids are kept as written (only surrounding whitespace goes).
A later service turns them into parties, receivables and payments.

Sign convention: a credit note's `total`/`payable` are the (positive) amount credited.  A document that is an
invoice with negative amounts (EN 16931 allows it) keeps its sign and gets a warning.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Literal

from cobro.kernel.errors import Problem

DocumentKind = Literal["invoice", "credit_note", "payment"]


@dataclass(frozen=True, slots=True)
class Party:
    """Seller or buyer.  `country` is ISO 3166 alpha-2 when the document gives or implies one, else ""."""

    name: str
    tax_id: str
    country: str
    email: str = ""
    address: str = ""


@dataclass(frozen=True, slots=True)
class DocumentInstalment:
    """One due date of the document's schedule and the amount due on it."""

    due_date: date
    amount: Decimal


@dataclass(frozen=True, slots=True)
class PaymentApplied:
    """A payment a payment document (CFDI type P) applies to one earlier document.

    `document_ref` is the paid invoice's UUID (CFDI folio fiscal) as written; `amount` and `currency` are in
    the paid document's currency (ImpPagado / MonedaDR).
    """

    document_ref: str
    amount: Decimal
    date: date
    currency: str
    partiality: int | None = None
    balance_after: Decimal | None = None


@dataclass(frozen=True, slots=True)
class EInvoiceDocument:
    """One invoice, credit note or payment document read from an e-invoice file."""

    format: str  # "facturae-3.2.1", "ubl-peppol", "ubl-pe-sunat", "cfdi-4.0", "cl-dte", …
    kind: DocumentKind
    number: str
    issue_date: date
    currency: str
    seller: Party
    buyer: Party
    total: Decimal
    payable: Decimal  # the amount actually due (after advances/withholdings); 0 for payment documents
    instalments: tuple[DocumentInstalment, ...] = ()
    corrects: str = ""  # credit note → number or UUID of the document it corrects
    uuid: str = ""  # CFDI folio fiscal (TimbreFiscalDigital/@UUID)
    payment_means: str = ""  # code as written in the document (UNCL4461, Facturae, c_FormaPago, …)
    payee_iban: str = ""
    mandate_id: str = ""
    paid_at_issue: bool = False  # CFDI MetodoPago PUE, Chile FmaPago 1 with FchCancel
    payments: tuple[PaymentApplied, ...] = ()
    source: str = ""  # "file.xml#1": file name and 1-based document index inside it
    warnings: tuple[str, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class ParsedEInvoices:
    """Result of reading one file: the documents found and the problems (`cobro.kernel.errors.Problem`)."""

    documents: tuple[EInvoiceDocument, ...]
    problems: tuple[Problem, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems
