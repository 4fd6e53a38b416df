"""Shared helpers: locate the public sample files in /work/shared/fixtures (never copied into the repo)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cobro.cashapp.einvoice import EInvoiceDocument, ParsedEInvoices, parse_einvoice
from tests.conftest import SHARED

FIXTURES = SHARED / "fixtures"


def fixture_path(relative: str) -> Path:
    path = FIXTURES / relative
    if not path.exists():
        pytest.skip(f"fixture {relative} not available at {FIXTURES}")
    return path


def parse_fixture(relative: str) -> ParsedEInvoices:
    return parse_einvoice(fixture_path(relative))


def only_document(relative: str) -> EInvoiceDocument:
    result = parse_fixture(relative)
    assert not result.problems, [str(p) for p in result.problems]
    assert len(result.documents) == 1
    return result.documents[0]
