"""Renderers of the portfolio analysis: HTML (Chart.js, one self-contained file), PDF (fpdf2) and XLSX (openpyxl)."""

from __future__ import annotations

from pathlib import Path

from cobro.reporting.portfolio.analysis import Portfolio
from cobro.reporting.portfolio.render.view import ReportView, build_view

FORMATS = (".html", ".pdf", ".xlsx")


def write_report(portfolio: Portfolio, path: Path, lang: str = "es", source: str = "") -> ReportView:
    """Write the report in the format the file suffix names (.html, .pdf or .xlsx)."""
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise ValueError(f"{path.name}: the report must end in .html, .pdf or .xlsx")
    view = build_view(portfolio, lang, source)
    if suffix == ".html":
        from cobro.reporting.portfolio.render.html import write_html

        write_html(view, path)
    elif suffix == ".pdf":
        from cobro.reporting.portfolio.render.pdf import write_pdf

        write_pdf(view, path)
    else:
        from cobro.reporting.portfolio.render.xlsx import write_xlsx

        write_xlsx(view, path)
    return view
