"""Upper bounds on what one input may make cobro read, inflate or build (docs/reliability.md, "Bounded inputs").

A hostile or broken file must be refused with a clear message before it costs more than a bounded amount of memory
or time: a zip whose headers lie, a spreadsheet that inflates to gigabytes, a CSV with one 50 MB line, a YAML
alias bomb.  The defaults suit real exports (a million-row invoice file stays well inside them); operators change
them through `Settings` (`COBRO_LIMIT_*`), which hands them down through the container and the unit of work.
"""

from __future__ import annotations

from dataclasses import dataclass

KIB = 1024
MIB = 1024 * KIB


@dataclass(frozen=True, slots=True)
class InputLimits:
    # CSV: the csv module's own field limit is 128 KiB; a physical line bounds what one read may hold
    csv_field_bytes: int = 256 * KIB
    csv_line_bytes: int = 1 * MIB
    # XLSX: every member's real inflated size counts (headers are not trusted); the parts openpyxl holds in memory
    # (shared strings, styles, the workbook) have a tighter cap than the worksheets, which are streamed
    xlsx_total_bytes: int = 1024 * MIB
    xlsx_part_bytes: int = 64 * MIB
    xlsx_cells: int = 50_000_000  # rows x columns as read, padding included
    xlsx_columns: int = 16_384  # Excel's own last column, XFD
    # statement zips (banks zip camt batches)
    zip_member_bytes: int = 50 * MIB
    zip_total_bytes: int = 200 * MIB
    zip_members: int = 200
    # YAML (policies, import mappings, risk tuning): size, nesting, aliases and the nodes aliases expand to
    yaml_bytes: int = 1 * MIB
    yaml_depth: int = 50
    yaml_aliases: int = 100
    yaml_nodes: int = 100_000


DEFAULT_LIMITS = InputLimits()
