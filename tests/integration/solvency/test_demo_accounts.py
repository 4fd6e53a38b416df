"""The demo's invented accounts: balanced, readable by the statement reader, and shaped by the payer behaviour."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from cobro.demo.financials import DemoFirm, make_accounts, write_csv
from cobro.solvency.domain import Zone, altman_z2, falling
from cobro.solvency.model.statements_import import by_customer, read_statements

FIRMS = [DemoFirm(f"C{i:03d}", b, seg, "EUR") for i, (b, seg) in enumerate(
    (b, seg) for b in ("punctual", "insolvent", "chronic_late") for seg in ("retail", "industry", "wholesale",
                                                                           "construction", "public_sector"))]


def test_accounts_follow_the_behaviour(tmp_path: Path) -> None:
    accounts = make_accounts(FIRMS, dt.date(2026, 6, 30), seed=7, share=1.0)
    assert accounts == make_accounts(FIRMS, dt.date(2026, 6, 30), seed=7, share=1.0)  # deterministic
    assert {a.year for a in accounts} <= {2023, 2024, 2025} and all(a.code != "C004" for a in accounts)
    items, problems = read_statements(write_csv(accounts, tmp_path / "f.csv"))
    assert [p.code for p in problems] == ["unknown_column"]  # moneda: read by `cobro import financials`
    behaviour = {f.code: f.behaviour for f in FIRMS}
    for code, stmts in by_customer(items).items():
        assert 2 <= len(stmts) <= 3
        for s in stmts:
            assert s.total_assets is not None and s.equity is not None and s.current_liabilities is not None
            assert abs(s.total_assets - s.equity - s.current_liabilities - (s.non_current_liabilities or 0)) <= 2
        zone = altman_z2(stmts[-1]).zone
        if behaviour[code] == "insolvent":
            assert zone == Zone.DISTRESS and len(falling(stmts)) >= 5
        elif behaviour[code] == "punctual":
            assert zone == Zone.SAFE and len(falling(stmts)) <= 1
