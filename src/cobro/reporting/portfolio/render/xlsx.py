"""XLSX report (openpyxl): a summary sheet and one sheet per section, numbers as numbers with formats, charts as
matplotlib images."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.drawing.image import Image
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from cobro.kernel.cells import neutralise_workbook
from cobro.reporting.portfolio.render import charts
from cobro.reporting.portfolio.render.view import ReportView, TableView

SHEETS = {"ageing": ("Antigüedad", "Ageing"), "concentration": ("Concentración", "Concentration"),
          "dso": ("DSO", "DSO"), "cost": ("Coste", "Cost"), "interest": ("Intereses", "Interest"),
          "provision": ("Provisión", "Provision"), "priorities": ("Prioridades", "Priorities")}
_TITLE = Font(bold=True, size=14, color="1F3A5F")
_BOLD = Font(bold=True)
_HEAD = PatternFill("solid", fgColor="EEF2F7")
_FORMATS = {"money": "#,##0.00", "num": "#,##0.0", "pct": "0.0", "int": "#,##0", "date": "yyyy-mm-dd"}


def _value(v: object) -> object:
    return float(v) if isinstance(v, Decimal) else v  # openpyxl stores numbers as doubles anyway


def _write_table(ws: Worksheet, row: int, tv: TableView, currency: str) -> int:
    ws.cell(row, 1, tv.title).font = _BOLD
    row += 1
    for c, h in enumerate(tv.header, start=1):
        label = f"{h} ({currency})" if tv.kinds[c - 1] == "money" else (f"{h} (%)" if tv.kinds[c - 1] == "pct" else h)
        cell = ws.cell(row, c, label)
        cell.font, cell.fill = _BOLD, _HEAD
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for raw in tv.raw:
        row += 1
        for c, v in enumerate(raw, start=1):
            cell = ws.cell(row, c, _value(v))
            kind = tv.kinds[c - 1]
            if kind in _FORMATS and (isinstance(v, Decimal | int | dt.date)):
                cell.number_format = _FORMATS[kind]
    if tv.total:
        row += 1
        for c, text in enumerate(tv.total, start=1):
            ws.cell(row, c, text).font = _BOLD
    return row + 2


def _widths(ws: Worksheet, first: int = 28, rest: int = 16, last: int | None = None) -> None:
    for c in range(1, ws.max_column + 1):
        ws.column_dimensions[get_column_letter(c)].width = first if c == 1 else rest
    if last:
        ws.column_dimensions[get_column_letter(ws.max_column)].width = last


def render_xlsx(view: ReportView) -> Workbook:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Resumen" if view.lang == "es" else "Summary"
    ws.cell(1, 1, view.title).font = _TITLE
    ws.cell(2, 1, view.subtitle)
    row = 4
    for k, v in view.meta:
        ws.cell(row, 1, k).font = _BOLD
        ws.cell(row, 2, v)
        row += 1
    row += 1
    if view.empty:
        ws.cell(row, 1, view.fmt.t("empty"))
        row += 2
    for label, value, sub in view.headline:
        ws.cell(row, 1, label).font = _BOLD
        ws.cell(row, 2, value)
        ws.cell(row, 3, sub)
        row += 1
    row += 1
    ws.cell(row, 1, view.fmt.t("notes")).font = _BOLD
    for note in view.notes:
        row += 1
        ws.cell(row, 1, note)
    _widths(ws, 42, 22, 60)
    pngs = charts.render_all(view.charts, view.lang) if not view.empty else {}
    idx = 0 if view.lang == "es" else 1
    for section in view.sections:
        sheet = wb.create_sheet(SHEETS[section.key][idx])
        sheet.cell(1, 1, section.title).font = _TITLE
        r = 2
        if section.intro:
            sheet.cell(r, 1, section.intro)
            r += 1
        for k, v in section.facts:
            sheet.cell(r, 1, k).font = _BOLD
            sheet.cell(r, 2, v)
            r += 1
        r += 1
        for tv in section.tables:
            r = _write_table(sheet, r, tv, view.fmt.currency)
        _widths(sheet, last=70 if section.key == "priorities" else None)
        anchor_col = get_column_letter(max(sheet.max_column, 2) + 2)
        anchor_row = 3
        for key in section.charts:
            if key in pngs:
                img = Image(io.BytesIO(pngs[key]))
                img.width, img.height = 700, 300
                sheet.add_image(img, f"{anchor_col}{anchor_row}")
                anchor_row += 17
    neutralise_workbook(wb)  # customer names and segments come from the debtor's file: never live formulas
    return wb


def write_xlsx(view: ReportView, path: Path) -> None:
    render_xlsx(view).save(path)
