"""ERP exports as they come, with no mapping, on SQLite and PostgreSQL (issue 13, items 3 and 4).

The shipped samples in `examples/imports/` (a Spanish export: `;`, cp1252, decimal commas, Spanish headers and
terms; an English one) import with no mapping; bad input is an error naming file, row and column and writes
nothing; `--suggest-mapping` writes a mapping that loads back; the report says how each file was read.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cobro.app.cli import app

runner = CliRunner()
EXAMPLES = Path(__file__).resolve().parents[3] / "examples" / "imports"
ORDER = {"es": ("clientes", "contactos", "facturas", "cobros"), "en": ("customers", "contacts", "invoices", "payments")}
KINDS = ("customers", "contacts", "invoices", "payments")


def cobro(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout


def summary() -> dict[str, object]:
    code, out = cobro("ledger", "summary", "--json")
    assert code == 0, out
    data: dict[str, object] = json.loads(out)
    return data


def show(code: str) -> dict[str, object]:
    exit_code, out = cobro("customers", "show", code, "--json")
    assert exit_code == 0, out
    data: dict[str, object] = json.loads(out)
    return data


@pytest.mark.parametrize("language", ["es", "en"])
def test_shipped_samples_import_with_no_mapping(cli_env: dict[str, str], language: str) -> None:
    reports = {}
    for kind, name in zip(KINDS, ORDER[language], strict=True):
        code, out = cobro("import", kind, str(EXAMPLES / language / f"{name}.csv"), "--json")
        assert code == 0, out
        reports[kind] = json.loads(out)
        assert reports[kind]["errors"] == []
        assert [w for w in reports[kind]["warnings"] if w["column"]] == [], kind  # every column used
        assert reports[kind]["created"] > 0
    if language == "es":
        assert reports["invoices"]["file_format"] == {"file": "facturas.csv", "encoding": "cp1252",
                                                      "delimiter": ";", "decimal": ",", "thousands": "'.' or blank"}
        ebro = show("430004")
        assert ebro["customer"]["terms"] == "net 30/60/90"
        assert ebro["customer"]["language"] == "en"  # "Inglés"
        assert [(i["seq"], i["due_date"], i["open"]) for i in ebro["open_items"]] == [
            (1, "2026-11-09", "10000.00"), (2, "2026-12-09", "10000.00"), (3, "2027-01-08", "10000.00")]
        pena = show("430001")["customer"]
        assert (pena["terms"], pena["credit_limit"], pena["account_owner"]) == ("net 60", "15000.00 EUR",
                                                                                "Marta Ibáñez")
        assert pena["address"] == {"street": "Calle Mayor 12, 2º", "postal_code": "28013", "city": "Madrid",
                                   "region": "Madrid", "country": "ES"}
        assert show("430003")["customer"]["terms"] == "net 30"  # "Recibo domiciliado a 30 días"
    else:
        assert reports["invoices"]["file_format"]["decimal"] == "."
        assert show("C-101")["customer"]["terms"] == "eom 30"  # "30 days EOM"
        assert show("C-102")["customer"]["terms"] == "net 0"  # "due on receipt"
    assert reports["payments"]["created"] == 2
    assert summary()["open_invoices"] == {"es": 3, "en": 2}[language]  # the paid ones closed


def test_suggested_mapping_loads_back_and_gives_the_same_import(cli_env: dict[str, str], tmp_path: Path) -> None:
    source = EXAMPLES / "es" / "clientes.csv"
    target = tmp_path / "clientes.yaml"
    code, out = cobro("import", "customers", str(source), "--suggest-mapping", str(target))
    assert code == 0, out
    text = target.read_text(encoding="utf-8")
    assert 'terms: "Forma de pago"  # tier-1 synonym of terms' in text
    assert 'encoding: "cp1252"' in text and 'decimal: ","' in text
    assert summary()["customers"] == 0  # suggesting imports nothing
    code, out = cobro("import", "customers", str(source), "--mapping", str(target), "--json")
    assert code == 0, out
    assert json.loads(out)["created"] == 4
    assert json.loads(out)["columns"]["terms"] == "Forma de pago"


def _refused(args: list[str]) -> list[dict[str, object]]:
    before = summary()
    code, out = cobro(*args, "--json")
    assert code == 2, out
    assert summary() == before  # nothing written
    errors: list[dict[str, object]] = json.loads(out)["errors"]
    return errors


def test_unknown_terms_name_the_value_and_the_accepted_forms(cli_env: dict[str, str], tmp_path: Path) -> None:
    bad = tmp_path / "clientes.csv"
    bad.write_bytes("Código;Razón social;Forma de pago\nK1;Uno SL;30 días\nK2;Dos SL;a convenir\n".encode("cp1252"))
    errors = _refused(["import", "customers", str(bad)])
    assert [(e["file"], e["row"], e["column"]) for e in errors] == [("clientes.csv", 3, "Forma de pago")]
    message = str(errors[0]["message"])
    assert "'a convenir'" in message and "'60 días f.f.'" in message and "'net 30'" in message


def test_two_columns_for_one_field_is_an_error_naming_both(cli_env: dict[str, str], tmp_path: Path) -> None:
    bad = tmp_path / "facturas.csv"
    bad.write_text("Nº factura;Cliente;Fecha;Importe;Monto;Moneda\nF1;K1;01/01/2026;10,00;10,00;EUR\n")
    errors = _refused(["import", "invoices", str(bad)])
    assert [(e["file"], e["row"], e["column"]) for e in errors] == [("facturas.csv", 1, "Importe")]
    assert "'Importe' and 'Monto' both map to amount" in str(errors[0]["message"])


def test_bad_language_and_decimal_misuse_are_row_errors(cli_env: dict[str, str], tmp_path: Path) -> None:
    bad = tmp_path / "clientes.csv"
    bad.write_text("Código;Razón social;Idioma\nK1;Uno SL;klingon\n")
    errors = _refused(["import", "customers", str(bad)])
    assert [(e["file"], e["row"], e["column"]) for e in errors] == [("clientes.csv", 2, "Idioma")]
    # the thousands separator must group three digits: 55,94 under decimal "." is not 5594
    assert cobro("import", "customers", str(EXAMPLES / "es" / "clientes.csv"))[0] == 0
    amounts = tmp_path / "facturas.csv"
    amounts.write_text("Nº factura;Cód. cliente;Fecha;Total;Moneda\nF1;430001;01/01/2026;55,94;EUR\n")
    mapping = tmp_path / "m.yaml"
    mapping.write_text('kind: invoices\noptions:\n  decimal: "."\n')
    errors = _refused(["import", "invoices", str(amounts), "--mapping", str(mapping)])
    assert [(e["file"], e["row"], e["column"]) for e in errors] == [("facturas.csv", 2, "Total")]
    assert "55,94" in str(errors[0]["message"])


def test_mapping_with_an_unknown_option_is_refused(cli_env: dict[str, str], tmp_path: Path) -> None:
    mapping = tmp_path / "m.yaml"
    mapping.write_text("kind: customers\noptions:\n  empty_clear: true\n")
    code, out = cobro("import", "customers", str(EXAMPLES / "en" / "customers.csv"), "--mapping", str(mapping))
    assert code == 2, out
    assert summary()["customers"] == 0


def test_suggesting_for_an_ambiguous_file_chooses_one_column_and_says_so(cli_env: dict[str, str],
                                                                         tmp_path: Path) -> None:
    source = tmp_path / "clientes.csv"
    source.write_text("Código;Razón social;NIF;CIF;Observaciones\nK1;Uno SL;B12345674;B12345674;vip\n")
    assert _refused(["import", "customers", str(source)])[0]["column"] == "NIF"
    target = tmp_path / "m.yaml"
    code, out = cobro("import", "customers", str(source), "--suggest-mapping", str(target))
    assert code == 0, out
    text = target.read_text(encoding="utf-8")
    assert "# tax_id: 'NIF' and 'CIF' both fit" in text and "#   'Observaciones': no cobro field" in text
    code, out = cobro("import", "customers", str(source), "--mapping", str(target), "--json")
    assert code == 0, out
    assert show("K1")["customer"]["tax_id"] == "B12345674"
