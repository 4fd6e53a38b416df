"""PDF report (fpdf2): headline cards, matplotlib charts as PNG images, and the section tables.

Fonts: DejaVu Sans from matplotlib's own data directory, so "€", "–" and "≤" print without a system font.
"""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib
from fpdf import FPDF
from fpdf.fonts import FontFace

from cobro.reporting.portfolio.render import charts
from cobro.reporting.portfolio.render.view import ReportView, TableView

_FONTS = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
NAVY = (31, 58, 95)
RED = (200, 85, 61)
MUTED = (91, 100, 117)
HEAD_BG = (238, 242, 247)


class _Doc(FPDF):
    footer_text = ""

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("dejavu", size=7)
        self.set_text_color(*MUTED)
        self.cell(0, 5, f"{self.footer_text}   ·   {self.page_no()}/{{nb}}", align="C")


def _doc(view: ReportView) -> _Doc:
    pdf = _Doc(orientation="portrait", unit="mm", format="A4")
    pdf.footer_text = f"{view.title} · {' · '.join(v for _, v in view.meta)}"
    pdf.add_font("dejavu", "", str(_FONTS / "DejaVuSans.ttf"))
    pdf.add_font("dejavu", "B", str(_FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_auto_page_break(auto=True, margin=16)
    pdf.set_margins(14, 14, 14)
    pdf.set_title(view.title)
    pdf.set_creator("cobro")
    return pdf


def _header(pdf: _Doc, view: ReportView) -> None:
    pdf.set_fill_color(*NAVY)
    pdf.rect(0, 0, pdf.w, 34, style="F")
    pdf.set_text_color(255, 255, 255)
    pdf.set_xy(14, 8)
    pdf.set_font("dejavu", "B", 17)
    pdf.cell(0, 8, view.title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("dejavu", size=9)
    pdf.cell(0, 5, view.subtitle, new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 6, "    ".join(f"{k}: {v}" for k, v in view.meta), new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    pdf.set_fill_color(255, 255, 255)  # the band's fill must not leak into table cells
    pdf.set_y(40)


def _cards(pdf: _Doc, view: ReportView) -> None:
    width = (pdf.w - pdf.l_margin - pdf.r_margin - 3 * 3) / 4
    top = pdf.get_y()
    for i, (label, value, sub) in enumerate(view.headline):
        x = pdf.l_margin + (i % 4) * (width + 3)
        y = top + (i // 4) * 25
        pdf.set_draw_color(220, 225, 232)
        pdf.rect(x, y, width, 22)
        pdf.set_xy(x + 2, y + 2)
        pdf.set_font("dejavu", size=6.5)
        pdf.set_text_color(*MUTED)
        pdf.multi_cell(width - 4, 3, label.upper(), align="L", new_x="LEFT", new_y="NEXT")
        pdf.set_xy(x + 2, y + 9)
        pdf.set_font("dejavu", "B", 12)
        pdf.set_text_color(*(RED if i in (1, 2) else NAVY))
        pdf.cell(width - 4, 6, value)
        pdf.set_xy(x + 2, y + 16)
        pdf.set_font("dejavu", size=6)
        pdf.set_text_color(*MUTED)
        line = sub
        while line and pdf.get_string_width(line) > width - 4:  # keep the sub-line inside its card
            line = line[:-2].rstrip() + "…"
        pdf.cell(width - 4, 4, line)
    pdf.set_text_color(0, 0, 0)
    pdf.set_y(top + 2 * 25 + 2)


def _h2(pdf: _Doc, text: str, intro: str = "", keep: float = 60) -> None:
    if pdf.get_y() > pdf.h - keep:  # keep a heading with what follows it
        pdf.add_page()
    pdf.ln(2)
    pdf.set_font("dejavu", "B", 12.5)
    pdf.set_text_color(*NAVY)
    pdf.cell(0, 7, text, new_x="LMARGIN", new_y="NEXT")
    pdf.set_draw_color(*NAVY)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
    pdf.ln(1.5)
    pdf.set_text_color(0, 0, 0)
    if intro:
        pdf.set_font("dejavu", size=8.5)
        pdf.set_text_color(*MUTED)
        pdf.multi_cell(0, 4.2, intro, new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0, 0, 0)
        pdf.ln(1)


def _facts(pdf: _Doc, facts: list[tuple[str, str]]) -> None:
    if not facts:
        return
    pdf.set_font("dejavu", size=8.5)
    text = "     ".join(f"{k}: **{v}**" for k, v in facts)
    pdf.multi_cell(0, 4.5, text, markdown=True, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)


def _image(pdf: _Doc, png: bytes, width: float) -> None:
    height = width * 3.0 / 7.0
    if pdf.get_y() + height > pdf.h - 18:
        pdf.add_page()
    pdf.image(io.BytesIO(png), x=pdf.l_margin + (pdf.w - pdf.l_margin - pdf.r_margin - width) / 2, w=width)
    pdf.ln(1)


def _table(pdf: _Doc, tv: TableView) -> None:
    if not tv.rows:
        return
    pdf.set_font("dejavu", "B", 8.5)
    pdf.cell(0, 5, tv.title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("dejavu", size=7.2)
    weights = [1.8 if k == "text" and i in (0, 1) and h != "#" else 1.0
               for i, (k, h) in enumerate(zip(tv.kinds, tv.header, strict=True))]
    if "text" in tv.kinds and tv.header[-1] and tv.kinds[-1] == "text" and len(tv.header) == 5:
        weights = [0.4, 1.8, 1.3, 1.3, 5.0]  # the priority list: a wide "reason" column
    aligns = tuple("LEFT" if k == "text" else "RIGHT" for k in tv.kinds)
    rows = [*tv.rows, *([tv.total] if tv.total else [])]
    with pdf.table(col_widths=tuple(weights), text_align=aligns, line_height=4.2, first_row_as_headings=True,
                   headings_style=FontFace(emphasis="BOLD", fill_color=HEAD_BG), borders_layout="HORIZONTAL_LINES",
                   padding=0.8) as table:
        table.row(tv.header)
        for i, r in enumerate(rows):
            style = FontFace(emphasis="BOLD") if tv.total and i == len(rows) - 1 else None
            table.row(r, style=style)
    pdf.ln(2)


def render_pdf(view: ReportView) -> bytes:
    pdf = _doc(view)
    pdf.add_page()
    _header(pdf, view)
    if view.empty:
        pdf.set_font("dejavu", size=12)
        pdf.multi_cell(0, 8, view.fmt.t("empty"), new_x="LMARGIN", new_y="NEXT")
    else:
        _cards(pdf, view)
        pngs = charts.render_all(view.charts, view.lang)
        full = pdf.w - pdf.l_margin - pdf.r_margin
        for section in view.sections:
            _h2(pdf, section.title, section.intro if section.key != "ageing" else "",
                keep=110 if section.charts else 60)
            _facts(pdf, section.facts)
            for key in section.charts:
                if key in pngs:
                    _image(pdf, pngs[key], full * (0.78 if key != "trend" else 0.9))
            for tv in section.tables:
                _table(pdf, tv)
    _h2(pdf, view.fmt.t("notes"))
    pdf.set_font("dejavu", size=8)
    for note in view.notes:
        pdf.multi_cell(0, 4.2, f"• {note}", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def write_pdf(view: ReportView, path: Path) -> None:
    path.write_bytes(render_pdf(view))
