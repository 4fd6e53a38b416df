"""Bank-statement parsers: Norma 43, camt.052/053/054, MT940/MT942 and pain.002, behind one protocol.

`parse_statement(path)` autodetects the format; every parser returns a format-neutral `ParsedStatement`.
No database here: cash application consumes these records elsewhere.
"""

from cobro.importers.bank.base import StatementParseError, StatementParser
from cobro.importers.bank.camt import CamtParser
from cobro.importers.bank.detect import PARSERS, parse_bytes, parse_statement
from cobro.importers.bank.mt940 import Mt940Parser
from cobro.importers.bank.norma43 import Norma43Parser
from cobro.importers.bank.pain002 import Pain002Parser
from cobro.importers.bank.records import ParsedStatement, StatementAccount, StatementTransaction

__all__ = [
    "PARSERS",
    "CamtParser",
    "Mt940Parser",
    "Norma43Parser",
    "Pain002Parser",
    "ParsedStatement",
    "StatementAccount",
    "StatementParseError",
    "StatementParser",
    "StatementTransaction",
    "parse_bytes",
    "parse_statement",
]
