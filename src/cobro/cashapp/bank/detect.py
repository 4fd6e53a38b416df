"""Pick the right parser for a file by sniffing its bytes; unpack zip uploads (banks zip camt batches)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from cobro.cashapp.bank._xml import load_xml, local, xml_head
from cobro.cashapp.bank.base import StatementParseError, StatementParser
from cobro.cashapp.bank.camt import CamtParser
from cobro.cashapp.bank.mt940 import Mt940Parser
from cobro.cashapp.bank.norma43 import Norma43Parser
from cobro.cashapp.bank.pain002 import Pain002Parser
from cobro.cashapp.bank.records import ParsedStatement, StatementAccount

PARSERS: tuple[StatementParser, ...] = (CamtParser(), Pain002Parser(), Norma43Parser(), Mt940Parser())
MAX_MEMBER_BYTES = 50 * 1024 * 1024  # a statement is never this big; refuse zip bombs
MAX_MEMBERS = 200


def parse_statement(path: Path) -> ParsedStatement:
    """Read and parse one statement file of any supported format (or a zip of them)."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise StatementParseError(f"cannot read file: {exc.strerror or exc}", filename=str(path)) from exc
    return parse_bytes(data, str(path))


def parse_bytes(data: bytes, filename: str) -> ParsedStatement:
    if data.startswith(b"PK\x03\x04"):
        return _parse_zip(data, filename)
    if not data.strip():
        raise StatementParseError("file is empty", filename=filename, line=1)
    for parser in PARSERS:
        if parser.identify(data, filename):
            return parser.parse(data, filename)
    if xml_head(data) is not None:
        root = load_xml(data, filename)  # rejects DOCTYPE/entity tricks and malformed XML with a clear message
        raise StatementParseError(f"unsupported XML document <{local(root)}> (expected camt.052/053/054 or "
                                  "pain.002)", filename=filename, xml_path="/" + local(root))
    raise StatementParseError("unrecognised bank-statement format (expected Norma 43, camt.052/053/054, "
                              "MT940/MT942 or pain.002)", filename=filename, line=1)


def _parse_zip(data: bytes, filename: str) -> ParsedStatement:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise StatementParseError(f"corrupt zip archive: {exc}", filename=filename) from exc
    members = [m for m in archive.infolist()
               if not m.is_dir() and not m.filename.startswith("__MACOSX/") and not Path(m.filename).name.startswith(".")]
    if not members:
        raise StatementParseError("zip archive holds no files", filename=filename)
    if len(members) > MAX_MEMBERS:
        raise StatementParseError(f"zip archive holds {len(members)} files (limit {MAX_MEMBERS})", filename=filename)
    formats: list[str] = []
    accounts: list[StatementAccount] = []
    warnings: list[str] = []
    for member in members:
        name = f"{filename}!{member.filename}"
        if member.file_size > MAX_MEMBER_BYTES:
            raise StatementParseError(f"member is {member.file_size} bytes uncompressed (limit "
                                      f"{MAX_MEMBER_BYTES})", filename=name)
        content = archive.read(member)
        if content.startswith(b"PK\x03\x04"):
            raise StatementParseError("nested zip archives are not supported", filename=name)
        parsed = parse_bytes(content, name)
        formats.append(parsed.format)
        accounts.extend(parsed.accounts)
        warnings.extend(f"{member.filename}: {w}" for w in parsed.warnings)
    fmt = formats[0] if len(set(formats)) == 1 else "+".join(dict.fromkeys(formats))
    return ParsedStatement(fmt, tuple(accounts), tuple(warnings))
