"""Hostile input files, generated (never stored): each is small on disk and breaks a limit once read.

Shared by the no-traceback test (tests/integration/test_no_tracebacks.py) and the memory test
(tests/integration/reliability/test_bounded_memory.py).  Sizes are chosen against the default limits of
`cobro.kernel.limits.InputLimits`, so the files prove the defaults, not a lowered test setting.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from pathlib import Path

from cobro.kernel.limits import DEFAULT_LIMITS

INVOICE_HEADER = "invoice_number,customer_code,customer_name,issue_date,due_date,amount,currency\n"
_CONTENT_TYPES = (b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/'
                  b'2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-'
                  b'package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
                  b'<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
                  b'spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType='
                  b'"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>')
_RELS = (b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
         b'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
         b'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
_WORKBOOK = (b'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
             b'2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
             b'<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>')
_WORKBOOK_RELS = (b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
                  b'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
                  b'officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
_SHEET_HEAD = (b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
               b'spreadsheetml/2006/main"><sheetData>')
_SHEET_TAIL = b"</sheetData></worksheet>"
_HEADER_ROW = b'<row r="1">' + b"".join(
    b'<c r="' + col + b'1" t="inlineStr"><is><t>' + name + b"</t></is></c>"
    for col, name in zip((bytes([c]) for c in b"ABCDEFG"), (b"invoice_number", b"customer_code", b"customer_name", b"issue_date",
                                       b"due_date", b"amount", b"currency"), strict=True)) + b"</row>"


def _repeated_deflate(head: bytes, repeat: bytes, times: int, tail: bytes) -> tuple[bytes, int, int]:
    """(raw deflate data, crc32, size) of head + repeat*times + tail, compressed in seconds for any size.

    After a full flush the compressor starts afresh, so the same block compresses to the same bytes each time:
    the block is compressed once and its output repeated, instead of deflating gigabytes."""
    block_reps = max(1, (1 << 20) // len(repeat))
    block = repeat * block_reps
    blocks, rest = divmod(times, block_reps)
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    out = [comp.compress(head) + comp.flush(zlib.Z_FULL_FLUSH)]
    once = comp.compress(block) + comp.flush(zlib.Z_FULL_FLUSH)
    out.append(once * blocks)
    out.append(comp.compress(repeat * rest + tail) + comp.flush())
    crc = zlib.crc32(head)
    for _ in range(blocks):
        crc = zlib.crc32(block, crc)
    crc = zlib.crc32(repeat * rest + tail, crc)
    return b"".join(out), crc, len(head) + len(block) * blocks + len(repeat) * rest + len(tail)


def _zip_with_raw_member(path: Path, members: dict[str, bytes], name: str, raw: bytes, crc: int, size: int) -> None:
    """A zip of `members` plus `name`, whose deflated bytes `raw` are written as they are."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for member, content in members.items():
            zf.writestr(member, content)
    data = path.read_bytes()
    central_at = struct.unpack_from("<I", data, data.rfind(b"PK\x05\x06") + 16)[0]
    entries, count = data[central_at:data.rfind(b"PK\x05\x06")], len(members)
    encoded = name.encode()
    offset = central_at
    local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, crc, len(raw), size, len(encoded), 0) + encoded
    central = struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0, crc, len(raw), size, len(encoded),
                          0, 0, 0, 0, 0, offset) + encoded
    body = data[:central_at] + local + raw
    directory = entries + central
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count + 1, count + 1, len(directory), len(body), 0)
    path.write_bytes(body + directory + end)


def _xlsx(path: Path, sheet_parts: list[bytes], repeat: bytes = b"", times: int = 0, close: bytes = b"") -> Path:
    """A minimal workbook whose sheet is `sheet_parts`, then `repeat` written `times` times, `close`, the tail."""
    raw, crc, size = _repeated_deflate(b"".join(sheet_parts), repeat or b" ", times if repeat else 0,
                                       close + _SHEET_TAIL)
    _zip_with_raw_member(path, {"[Content_Types].xml": _CONTENT_TYPES, "_rels/.rels": _RELS,
                                "xl/workbook.xml": _WORKBOOK, "xl/_rels/workbook.xml.rels": _WORKBOOK_RELS},
                         "xl/worksheets/sheet1.xml", raw, crc, size)
    return path


def xlsx_shared_strings_bomb(path: Path) -> Path:
    """A shared-strings table (which openpyxl holds in memory whole) past the default part limit (64 MiB)."""
    item = b"<si><t>" + b"B" * 1000 + b"</t></si>"
    head = b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    raw, crc, size = _repeated_deflate(head, item, DEFAULT_LIMITS.xlsx_part_bytes // len(item) + 10, b"</sst>")
    # the workbook names its shared strings (openpyxl reads them only then), and the header row uses them
    rels = _WORKBOOK_RELS.replace(b"</Relationships>", b'<Relationship Id="rId2" Type="http://schemas.openxmlformats'
                                  b'.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
                                  b"</Relationships>")
    types = _CONTENT_TYPES.replace(b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                                   b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
    _zip_with_raw_member(path, {"[Content_Types].xml": types, "_rels/.rels": _RELS,
                                "xl/workbook.xml": _WORKBOOK, "xl/_rels/workbook.xml.rels": rels,
                                "xl/worksheets/sheet1.xml": _SHEET_HEAD + _HEADER_ROW
                                + b'<row r="2"><c r="A2" t="s"><v>0</v></c></row>' + _SHEET_TAIL},
                         "xl/sharedStrings.xml", raw, crc, size)
    return path


def xlsx_bomb(path: Path) -> Path:
    """A few MB on disk that inflate past the default total limit (1 GiB): one long run of repeated rows."""
    row = b'<row><c t="inlineStr"><is><t>' + b"A" * 4000 + b"</t></is></c></row>"
    times = DEFAULT_LIMITS.xlsx_total_bytes // len(row) + 10
    return _xlsx(path, [_SHEET_HEAD, _HEADER_ROW], row, times)


def xlsx_wide_row(path: Path) -> Path:
    """One row with a cell far beyond the last column (openpyxl pads the row up to it)."""
    return _xlsx(path, [_SHEET_HEAD, _HEADER_ROW, b'<row r="2"><c r="ZZZZZ2"><v>1</v></c></row>'])


def xlsx_wide_row_unreferenced(path: Path) -> Path:
    """One row of more cells than Excel has columns, without cell references (each one counts)."""
    return _xlsx(path, [_SHEET_HEAD, _HEADER_ROW, b'<row r="2">'], b"<c><v>1</v></c>",
                 DEFAULT_LIMITS.xlsx_columns + 100, b"</row>")


def xlsx_far_row(path: Path) -> Path:
    """A row numbered in the billions: openpyxl would yield every missing row before it."""
    return _xlsx(path, [_SHEET_HEAD, _HEADER_ROW, b'<row r="999999999"><c r="A999999999"><v>1</v></c></row>'])


def lying_zip(path: Path, inflated: int = 2 * DEFAULT_LIMITS.zip_member_bytes) -> Path:
    """A statement zip whose one member's headers say 1 KB while it inflates to `inflated` bytes."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf, zf.open("camt053.xml", "w", force_zip64=False) as fh:
        chunk = b"<Ntry></Ntry>" * 80_000
        written = 0
        while written < inflated:
            fh.write(chunk)
            written += len(chunk)
    data = bytearray(path.read_bytes())
    # local header: uncompressed size at offset 22; central directory entry: at offset 24 after its signature
    struct.pack_into("<I", data, 22, 1024)
    central = data.rfind(b"PK\x01\x02")
    struct.pack_into("<I", data, central + 24, 1024)
    path.write_bytes(bytes(data))
    return path


def oversized_member_zip(path: Path) -> Path:
    """An honest zip whose member is larger than the per-member limit."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf, zf.open("n43.txt", "w", force_zip64=True) as fh:
        line = b"22" + b"0" * 78 + b"\n"
        for _ in range(DEFAULT_LIMITS.zip_member_bytes // len(line) + 10):
            fh.write(line)
    return path


def yaml_alias_bomb() -> str:
    """About 500 bytes of policy whose step recipients, nine levels of nine aliases each, stand for 9**9 (387
    million) strings once the policy is read (issue 14: `steps[].recipients`).  Each anchor is defined where it is
    first used, so the document has no key a policy does not know."""
    nested = '&a0 ["finance","finance","finance","finance","finance","finance","finance","finance","finance"]'
    for i in range(1, 10):
        nested = f"&a{i} [{nested}," + ",".join([f"*a{i - 1}"] * 8) + "]"
    return ("policy: bomb\nsteps:\n  - id: s1\n    trigger: {days: 3, from: due_date}\n    channel: email\n"
            f"    template: reminder_1\n    recipients: {nested}\n")


def yaml_deep(depth: int = 100_000) -> str:
    return "name: deep\nsteps: " + "[" * depth + "]" * depth + "\n"


def yaml_duplicate_key() -> str:
    """A valid policy but for its name, given twice (the second used to win without a word)."""
    return ("policy: first\nsteps:\n  - id: s1\n    trigger: {days: 3, from: due_date}\n    channel: email\n"
            "    template: reminder_1\npolicy: second\n")


def csv_one_long_line(path: Path, size: int = 50 * 1024 * 1024) -> Path:
    """A 50 MB CSV with no line break."""
    with path.open("wb") as fh:
        fh.write(INVOICE_HEADER.encode())
        block = b"x" * (1 << 20)
        for _ in range(size // len(block)):
            fh.write(block)
    return path


def csv_unclosed_quote(path: Path, rows: int = 2000) -> Path:
    """An invoice CSV whose row 3 opens a quote that never closes (the fast path's polars reads it)."""
    body = [INVOICE_HEADER, "F1,C1,Acme,2026-01-01,2026-02-01,10.00,EUR\n",
            'F2,C1,"Acme,2026-01-01,2026-02-01,10.00,EUR\n']
    body += [f"F{i},C1,Acme,2026-01-01,2026-02-01,10.00,EUR\n" for i in range(3, rows)]
    path.write_text("".join(body), encoding="utf-8")
    return path


def csv_nul_byte(path: Path) -> Path:
    path.write_bytes(INVOICE_HEADER.encode() + b"F1,C1,Ac\x00me,2026-01-01,2026-02-01,10.00,EUR\n")
    return path


def csv_mixed_encoding(path: Path) -> Path:
    """UTF-8 rows with one cp1252 byte in row 3: the file as a whole is not UTF-8."""
    path.write_bytes(INVOICE_HEADER.encode() + "F1,C1,PEÑA SL,2026-01-01,2026-02-01,10.00,EUR\n".encode()
                     + b"F2,C2,Mu" + b"\xf1" + b"oz,2026-01-01,2026-02-01,10.00,EUR\n")
    return path

