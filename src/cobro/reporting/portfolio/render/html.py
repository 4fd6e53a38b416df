"""Single-file HTML report: Jinja2 template, Chart.js inlined (no CDN), chart data as embedded JSON."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import jinja2

from cobro.platform.web import STATIC_DIR
from cobro.reporting.portfolio.render.view import ReportView

CHARTJS = STATIC_DIR / "vendor" / "chart.umd.min.js"
_TEMPLATES = Path(__file__).parent / "templates"


@lru_cache(maxsize=1)
def _env() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(_TEMPLATES), autoescape=True,
                              undefined=jinja2.StrictUndefined)


def _chartjs() -> str:
    """The vendored Chart.js 4 UMD build (MIT, see chart.js.LICENSE.md beside it)."""
    return CHARTJS.read_text(encoding="utf-8")


def render_html(view: ReportView) -> str:
    # "<" escaped so that no label can close the <script> block that carries the data
    charts_json = json.dumps(view.charts, ensure_ascii=False).replace("<", "\\u003c")
    return _env().get_template("portfolio.html.j2").render(
        v=view, chartjs=_chartjs(), charts_json=charts_json, locale=view.fmt.locale.replace("_", "-"),
        currency=view.fmt.currency, empty_text=view.fmt.t("empty"), notes_title=view.fmt.t("notes"),
        generated=view.fmt.t("generated"))


def write_html(view: ReportView, path: Path) -> None:
    path.write_text(render_html(view), encoding="utf-8")
