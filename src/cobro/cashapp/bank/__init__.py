"""Bank-statement parsers: Norma 43, camt.052/053/054, MT940/MT942 and pain.002, behind one protocol.

`parse_statement(path)` autodetects the format; every parser returns a format-neutral `ParsedStatement`.
No database here: cash application consumes these records elsewhere.
"""

from cobro.cashapp.bank.base import StatementParseError, StatementParser
from cobro.cashapp.bank.camt import CamtParser
from cobro.cashapp.bank.detect import PARSERS, parse_bytes, parse_statement
from cobro.cashapp.bank.mt940 import Mt940Parser
from cobro.cashapp.bank.norma43 import Norma43Parser
from cobro.cashapp.bank.pain002 import Pain002Parser
from cobro.cashapp.bank.records import ParsedStatement, StatementAccount, StatementTransaction

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
