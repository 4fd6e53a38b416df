"""Static charts (matplotlib, Agg backend) as PNG bytes for the PDF and XLSX reports.

The series are floats taken from the view: these numbers are drawn, never summed into money.
"""

from __future__ import annotations

import io
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

NAVY, TEAL, AMBER, RED, GREY = "#1f3a5f", "#2a9d8f", "#e9a23b", "#c8553d", "#8d99ae"
AGE_COLOURS = ["#2a9d8f", "#8ab17d", "#e9c46a", "#f4a261", "#e76f51", "#c8553d", "#9b2226", "#6a040f"]


def _thousands(lang: str) -> FuncFormatter:
    sep = "." if lang == "es" else ","

    def fmt(x: float, _pos: int) -> str:
        return f"{x:,.0f}".replace(",", sep)

    return FuncFormatter(fmt)


def _fig(width: float = 7.0, height: float = 3.0) -> tuple[Figure, Any]:
    fig, ax = plt.subplots(figsize=(width, height), dpi=150)
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="y", color="#e5e5e5", linewidth=0.6)
    ax.set_axisbelow(True)
    ax.tick_params(labelsize=8)
    return fig, ax


def _png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return buf.getvalue()


def _z(values: list[float | None]) -> list[float]:
    return [v or 0.0 for v in values]


def ageing(c: dict[str, Any], lang: str) -> bytes:
    fig, ax = _fig()
    values = _z(c["values"])
    bars = ax.bar(c["labels"], values, color=AGE_COLOURS[: len(values)])
    ax.yaxis.set_major_formatter(_thousands(lang))
    total = sum(values) or 1.0
    for bar, v in zip(bars, values, strict=True):
        if v:
            ax.annotate(f"{v / total:.0%}", (bar.get_x() + bar.get_width() / 2, v), ha="center", va="bottom",
                        fontsize=8, xytext=(0, 2), textcoords="offset points")
    return _png(fig)


def top(c: dict[str, Any], lang: str) -> bytes:
    fig, ax = _fig(7.0, 3.2)
    labels = list(reversed(c["labels"]))
    ax.barh(labels, list(reversed(_z(c["open"]))), color=GREY, label=c["s_open"])
    ax.barh(labels, list(reversed(_z(c["overdue"]))), color=RED, label=c["s_overdue"])
    ax.xaxis.set_major_formatter(_thousands(lang))
    ax.grid(axis="x", color="#e5e5e5", linewidth=0.6)
    ax.grid(axis="y", visible=False)
    ax.legend(fontsize=8, frameon=False, loc="lower right")
    return _png(fig)


def pareto(c: dict[str, Any], lang: str) -> bytes:
    fig, ax = _fig(7.0, 2.8)
    ax.plot(_z(c["x"]), _z(c["y"]), color=NAVY, linewidth=2)
    ax.plot([0, 100], [0, 100], color=GREY, linestyle="--", linewidth=0.8)
    ax.axhline(80, color=AMBER, linewidth=0.8)
    ax.set_xlabel(c["x_label"], fontsize=8)
    ax.set_ylabel(c["y_label"], fontsize=8)
    ax.set_xlim(0, 100)
    ax.set_ylim(0, 100)
    return _png(fig)


def trend(c: dict[str, Any], lang: str) -> bytes:
    fig, ax = _fig(7.0, 3.0)
    x = list(range(len(c["labels"])))
    ax.bar(x, _z(c["ar"]), color="#d8e2ef", label=c["s_ar"])
    ax.bar(x, _z(c["overdue"]), color=AMBER, label=c["s_overdue"])
    ax.yaxis.set_major_formatter(_thousands(lang))
    ax.set_xticks(x, c["labels"], rotation=0)
    ax2 = ax.twinx()
    ax2.plot(x, _z(c["dso"]), color=NAVY, marker="o", linewidth=2, label="DSO")
    ax2.plot(x, _z(c["bpdso"]), color=TEAL, marker="o", linewidth=1.5, linestyle="--", label="BPDSO")
    ax2.set_ylim(bottom=0)
    ax2.tick_params(labelsize=8)
    ax2.spines[["top"]].set_visible(False)
    h1, l1 = ax.get_legend_handles_labels()
    h2, l2 = ax2.get_legend_handles_labels()
    ax.legend(h1 + h2, l1 + l2, fontsize=7, frameon=False, ncol=4, loc="upper center", bbox_to_anchor=(0.5, 1.15))
    return _png(fig)


def provision(c: dict[str, Any], lang: str) -> bytes:
    fig, ax = _fig(7.0, 2.6)
    x = list(range(len(c["labels"])))
    ax.bar([i - 0.2 for i in x], _z(c["balance"]), width=0.4, color=GREY, label=c["s_balance"])
    ax.bar([i + 0.2 for i in x], _z(c["ecl"]), width=0.4, color=RED, label=c["s_ecl"])
    ax.set_xticks(x, c["labels"])
    ax.yaxis.set_major_formatter(_thousands(lang))
    ax.legend(fontsize=8, frameon=False)
    return _png(fig)


RENDERERS = {"ageing": ageing, "top": top, "pareto": pareto, "trend": trend, "provision": provision}


def render_all(charts: dict[str, dict[str, Any]], lang: str) -> dict[str, bytes]:
    """PNG per chart key; a chart with no data is left out."""
    out: dict[str, bytes] = {}
    for key, fn in RENDERERS.items():
        data = charts.get(key, {})
        first = next((v for k, v in data.items() if isinstance(v, list)), [])
        if first:
            out[key] = fn(data, lang)
    return out
