"""Renderers of the portfolio analysis: HTML (Chart.js, one self-contained file), PDF (fpdf2) and XLSX (openpyxl)."""

from __future__ import annotations

from pathlib import Path

from cobro.analytics.portfolio import Portfolio
from cobro.analytics.report_render.view import ReportView, build_view

FORMATS = (".html", ".pdf", ".xlsx")


def write_report(portfolio: Portfolio, path: Path, lang: str = "es", source: str = "") -> ReportView:
    """Write the report in the format the file suffix names (.html, .pdf or .xlsx)."""
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise ValueError(f"{path.name}: the report must end in .html, .pdf or .xlsx")
    view = build_view(portfolio, lang, source)
    if suffix == ".html":
        from cobro.analytics.report_render.html import write_html

        write_html(view, path)
    elif suffix == ".pdf":
        from cobro.analytics.report_render.pdf import write_pdf

        write_pdf(view, path)
    else:
        from cobro.analytics.report_render.xlsx import write_xlsx

        write_xlsx(view, path)
    return view
