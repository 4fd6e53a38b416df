"""Domain, kernel and service modules do no I/O and read no clock (docs/architecture.md, CONVENTIONS.md).

They may not open or read files (`open(`, `Path.open/read_text/read_bytes/write_text/write_bytes`), read the
environment (`os.environ`, `os.getenv`), read the wall clock (`datetime.now/utcnow/today`, `date.today`), nor
call `float(` (money is `Money`/Decimal or integer minor units).  Files are read by entrypoints, repositories and
loaders (`cobro.platform.rates.RateBook`); the time comes from the entrypoint's `Clock`; values are passed in.

A float that is legitimate (a score's points, a model output, a ratio) is allowed by an entry in `ALLOWED` that
names the module, the exact call and why.  `DEBT` lists known I/O still to be moved out of a service, owned by
other work; remove entries as it is moved, never add them.  Like the import contracts' ignores, an entry whose call
is gone is not an error (parallel work removes calls); remove it when you see it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[3] / "src" / "cobro"
MODULES = sorted({*PACKAGE.glob("kernel/**/*.py"), *PACKAGE.glob("*/domain.py"), *PACKAGE.glob("*/domain/**/*.py"),
                  *PACKAGE.glob("*/service.py"), *PACKAGE.glob("*/service/**/*.py")})

FILE_METHODS = frozenset({"open", "read_text", "read_bytes", "write_text", "write_bytes"})
CLOCK_METHODS = frozenset({"now", "utcnow", "today"})
CLOCK_CLASSES = frozenset({"datetime", "date"})
ENV_NAMES = frozenset({"environ", "getenv"})

# (module, call as written): why it is not money
ALLOWED: dict[tuple[str, str], str] = {
    ("kernel/clock.py", "dt.datetime.now(dt.UTC)"):
        "SystemClock is the one wall clock; entrypoints reach it only through the container's Clock",
    ("risk/domain/risk.py", "float(min(LIMIT_POINTS, LIMIT_POINTS * (ratio - LIMIT_WATCH) / LIMIT_RAMP))"):
        "score points are floats; the exposure/limit ratio itself is compared and ramped in Decimal",
    ("risk/domain/risk.py", "float(5 * min(Decimal(1), share))"):
        "score points from the disputed share, a Decimal ratio of two amounts",
    ("risk/domain/risk.py", "float(len(s.worsened))"): "score points from a count of falling indicators",
    ("risk/service/scores.py", "float(sum((x * y for x, y in zip(w, days, strict=True))) / max(w.sum(), 1.0))"):
        "amount-weighted days past due: a number of days, not money",
    ("risk/service/scores.py", "float(d50)"): "the payment-date model's predicted delay in days",
    ("risk/service/scores.py", "float(row.days_beyond_terms)"): "a stored number of days",
    ("risk/service/scores.py", "float(rec.value_vs_wait)"):
        "ranking key only: value over waiting divided by the currency's FX rate to rank across currencies",
    ("risk/service/scores.py", "float(ctx.decision.fx_to_base.get(case.currency, Decimal(1)))"):
        "an FX rate (a ratio), used for the same ranking key",
    ("risk/service/worklist.py", "float(per_minute)"):
        "expected gain per collector minute in the base currency: a ranking score, the JSON number per_minute_base",
    ("solvency/service/solvency.py", "float(v)"): "the bankruptcy model's probability of default",
    ("solvency/service/solvency.py", "float(v or 0)"): "a financial ratio (dimensionless), shown rounded",
}

# known I/O in services, from before this check; each is to be moved to an entrypoint or a loader (issue 11)
DEBT: dict[tuple[str, str], str] = {
    ("cashapp/service/application.py", "path.read_bytes()"): "the statement file: the CLI should read it",
    ("cashapp/service/sepa.py", "out.write_bytes(xml)"): "the pain.008 file: the CLI should write the bytes",
}


def violations(source: str) -> list[tuple[int, str]]:
    """Forbidden calls and reads in a module's source: (line, the expression as written)."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module == "os":
            found += [(node.lineno, f"from os import {a.name}") for a in node.names if a.name in ENV_NAMES]
        elif isinstance(node, ast.Attribute) and node.attr == "environ" and ast.unparse(node.value) == "os":
            found.append((node.lineno, "os.environ"))
        elif isinstance(node, ast.Call) and _forbidden(node.func):
            found.append((node.lineno, ast.unparse(node)))
    return sorted(found)


def _forbidden(func: ast.expr) -> bool:
    """`open(`, `float(`, `getenv(`; a file method; `os.getenv`; `datetime.now`-like on a datetime/date class."""
    if isinstance(func, ast.Name):
        return func.id in {"open", "float", "getenv"}
    if not isinstance(func, ast.Attribute):
        return False
    if func.attr in FILE_METHODS or func.attr == "getenv":
        return True
    return func.attr in CLOCK_METHODS and ast.unparse(func.value).split(".")[-1] in CLOCK_CLASSES


def _module(path: Path) -> str:
    return path.relative_to(PACKAGE).as_posix()


def test_the_check_catches_each_forbidden_call() -> None:
    sample = "\n".join([
        "import datetime as dt, os",
        "from datetime import date, datetime",
        "from os import environ, getenv",
        "def f(path, clock, amount):",
        "    open('x.csv')",
        "    path.read_text(encoding='utf-8')",
        "    path.read_bytes()",
        "    path.open('rb')",
        "    path.write_text('x')",
        "    path.write_bytes(b'x')",
        "    os.environ['COBRO_X']",
        "    os.getenv('COBRO_X')",
        "    getenv('COBRO_X')",
        "    dt.datetime.now(dt.UTC)",
        "    datetime.utcnow()",
        "    date.today()",
        "    dt.date.today()",
        "    datetime.today()",
        "    float(amount)",
        # allowed: the injected clock, date arithmetic, Decimal, a method merely named like a file method
        "    clock.now(); clock.today(); dt.date(2025, 1, 1); dt.datetime.combine(dt.date.min, dt.time())",
        "    return amount.quantize(1), session.execute(1)",
    ])
    assert violations(sample) == [
        (3, "from os import environ"), (3, "from os import getenv"), (5, "open('x.csv')"),
        (6, "path.read_text(encoding='utf-8')"), (7, "path.read_bytes()"), (8, "path.open('rb')"),
        (9, "path.write_text('x')"), (10, "path.write_bytes(b'x')"), (11, "os.environ"),
        (12, "os.getenv('COBRO_X')"), (13, "getenv('COBRO_X')"), (14, "dt.datetime.now(dt.UTC)"),
        (15, "datetime.utcnow()"), (16, "date.today()"), (17, "dt.date.today()"), (18, "datetime.today()"),
        (19, "float(amount)"),
    ]


@pytest.mark.parametrize("path", MODULES, ids=_module)
def test_domain_and_service_modules_do_no_io(path: Path) -> None:
    module = _module(path)
    left = [(line, call) for line, call in violations(path.read_text(encoding="utf-8"))
            if (module, call) not in ALLOWED and (module, call) not in DEBT]
    assert left == [], f"{module}: pass these values in from the entrypoint (or a loader / repository)"


def test_every_allowance_names_a_checked_module_and_says_why() -> None:
    checked = {_module(p) for p in MODULES}
    for (module, call), why in {**ALLOWED, **DEBT}.items():
        assert module in checked, f"{module} is not a kernel, domain or service module"
        assert why.strip() and violations(call), f"{module}: {call!r} is not a forbidden call, or says no why"


def test_the_check_covers_kernel_domains_and_services() -> None:
    names = {_module(p) for p in MODULES}
    assert {"kernel/money.py", "kernel/rates.py", "interest/domain/__init__.py", "interest/domain/law.py",
            "collections/service/evidence.py", "risk/domain/risk.py", "solvency/domain.py"} <= names
    assert len(names) > 50
