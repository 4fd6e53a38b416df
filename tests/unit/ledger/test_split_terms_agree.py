"""Instalment terms ("30/60/90") split a row the same way on the polars path and the row-by-row path."""

from __future__ import annotations

from pathlib import Path

from tests.unit.core.test_fast_path_agrees import _fast, _slow

EXAMPLES = Path(__file__).resolve().parents[3] / "examples" / "imports"


def test_both_paths_split_instalment_terms_alike(tmp_path: Path) -> None:
    path = tmp_path / "facturas.csv"
    path.write_bytes(("Nº Factura;Cliente;Fecha;Vencimiento;Total;Moneda;Forma de pago\n"
                      "F-1;C1;10/01/2026;;100,00;EUR;30/60/90\n"  # 33.33 + 33.33 + 33.34
                      "F-2;C1;10/01/2026;01/03/2026;90,00;EUR;30/60/90\n"  # a due date given: one instalment
                      "F-3;C1;31/01/2026;;50,00;EUR;giros a 30 y 60 días fin de mes\n"
                      "F-4;C1;15/01/2026;;10,00;EUR;60 días f.f.\n").encode("cp1252"))
    slow_rows, slow_problems = _slow(path, None)
    fast_rows, fast_problems = _fast(path, None)
    assert slow_problems == fast_problems == []
    assert fast_rows == slow_rows
    # (number, seq, due, minor): row tuples as the stage holds them
    assert [(r[1], r[2], str(r[6]), r[8]) for r in slow_rows] == [
        ("F-1", 1, "2026-02-09", 3333), ("F-1", 2, "2026-03-11", 3333), ("F-1", 3, "2026-04-10", 3334),
        ("F-2", 1, "2026-03-01", 9000),
        ("F-3", 1, "2026-03-02", 2500), ("F-3", 2, "2026-04-01", 2500),
        ("F-4", 1, "2026-03-16", 1000)]


def test_both_paths_agree_on_the_shipped_spanish_sample() -> None:
    path = EXAMPLES / "es" / "facturas.csv"
    assert _fast(path, None) == _slow(path, None)
