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
from cobro.kernel.limits import DEFAULT_LIMITS, InputLimits
from cobro.platform.zipsafe import ZIP_ERRORS, ZipLimitError, read_member

PARSERS: tuple[StatementParser, ...] = (CamtParser(), Pain002Parser(), Norma43Parser(), Mt940Parser())


def parse_statement(path: Path, limits: InputLimits = DEFAULT_LIMITS) -> ParsedStatement:
    """Read and parse one statement file of any supported format (or a zip of them)."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise StatementParseError(f"cannot read file: {exc.strerror or exc}", filename=str(path)) from exc
    return parse_bytes(data, str(path), limits)


def parse_bytes(data: bytes, filename: str, limits: InputLimits = DEFAULT_LIMITS) -> ParsedStatement:
    if data.startswith(b"PK\x03\x04"):
        return _parse_zip(data, filename, limits)
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


def _parse_zip(data: bytes, filename: str, limits: InputLimits) -> ParsedStatement:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except ZIP_ERRORS as exc:
        raise StatementParseError(f"corrupt zip archive: {exc}", filename=filename) from exc
    members = [m for m in archive.infolist()
               if not m.is_dir() and not m.filename.startswith("__MACOSX/") and not Path(m.filename).name.startswith(".")]
    if not members:
        raise StatementParseError("zip archive holds no files", filename=filename)
    if len(members) > limits.zip_members:
        raise StatementParseError(f"zip archive holds {len(members)} files (limit {limits.zip_members})",
                                  filename=filename)
    contents: list[tuple[str, str, bytes]] = []
    left = limits.zip_total_bytes
    for member in members:  # read all first: the limits refuse a bomb before any member is parsed
        name = f"{filename}!{member.filename}"
        try:
            # counted as it inflates, never trusting the header; the total cap spans all members
            content = read_member(archive, member, min(limits.zip_member_bytes, left))
        except ZipLimitError as exc:
            raise StatementParseError(str(exc).removeprefix(f"{member.filename}: "), filename=name) from exc
        left -= len(content)
        if content.startswith(b"PK\x03\x04"):
            raise StatementParseError("nested zip archives are not supported", filename=name)
        contents.append((member.filename, name, content))
    formats: list[str] = []
    accounts: list[StatementAccount] = []
    warnings: list[str] = []
    for member_name, name, content in contents:
        parsed = parse_bytes(content, name, limits)
        formats.append(parsed.format)
        accounts.extend(parsed.accounts)
        warnings.extend(f"{member_name}: {w}" for w in parsed.warnings)
    fmt = formats[0] if len(set(formats)) == 1 else "+".join(dict.fromkeys(formats))
    return ParsedStatement(fmt, tuple(accounts), tuple(warnings))
