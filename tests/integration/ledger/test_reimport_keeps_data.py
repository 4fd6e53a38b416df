"""A re-import changes only what the file says, on SQLite and PostgreSQL (issue 13, item 2).

Columns the file lacks keep their stored values; an empty cell keeps the value unless the mapping says
`empty_clears`; a column that feeds no field is a warning (an error with --strict: nothing written); --dry-run
lists each field's old and new value.  Invoices obey the same rule on both import paths (CSV: polars; XLSX: row by
row).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from cobro.app.cli import app
from cobro.platform.db.engine import normalize_url

runner = CliRunner()

FULL = (
    "Código;Razón social;País;NIF;Segmento;Comercial;Gestor de cobro;Límite de crédito;Forma de pago;Idioma;"
    "Dirección;CP;Población;Provincia\n"
    "C001;Construcciones Peña SL;ES;B12345674;obra;Marta;Luis;15.000,00;60 días f.f.;es;Calle Mayor 12;28013;"
    "Madrid;Madrid\n"
    "C002;Distribuidora Núñez SA;ES;A58818501;mayorista;Jordi;Eva;8.000,00;30 días;en;Avda. Diagonal 640;08017;"
    "Barcelona;Barcelona\n"
)


def cobro(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout


def customer(code: str) -> dict[str, object]:
    exit_code, out = cobro("customers", "show", code, "--json")
    assert exit_code == 0, out
    data: dict[str, object] = json.loads(out)["customer"]
    return data


def write(path: Path, text: str, encoding: str = "cp1252") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def test_customers_reimport_with_fewer_columns_keeps_every_other_field(cli_env: dict[str, str],
                                                                        tmp_path: Path) -> None:
    assert cobro("import", "customers", str(write(tmp_path / "full.csv", FULL)))[0] == 0
    before = customer("C001")
    assert before["credit_limit"] == "15000.00 EUR" and before["terms"] == "net 60"
    assert before["address"] == {"street": "Calle Mayor 12", "postal_code": "28013", "city": "Madrid",
                                 "region": "Madrid", "country": "ES"}
    few = write(tmp_path / "few.csv", "Código;Nombre;Forma de pago\nC001;Construcciones Peña SL;30 días\n"
                                      "C002;Distribuidora Núñez SA;30 días\n")
    code, out = cobro("import", "customers", str(few), "--json")
    assert code == 0, out
    report = json.loads(out)
    assert (report["updated"], report["unchanged"]) == (1, 1)
    assert report["changes"] == [{"row": 2, "key": "C001", "field": "terms", "old": "net 60", "new": "net 30"}]
    after = customer("C001")
    assert after == {**before, "terms": "net 30"}  # tax id, owner, collector, limit, address: all kept


def test_empty_cells_keep_unless_the_mapping_clears(cli_env: dict[str, str], tmp_path: Path) -> None:
    assert cobro("import", "customers", str(write(tmp_path / "full.csv", FULL)))[0] == 0
    blanks = write(tmp_path / "blanks.csv", "Código;Razón social;NIF;Comercial;Límite de crédito\n"
                                            "C001;Construcciones Peña SL;;;\n")
    code, out = cobro("import", "customers", str(blanks), "--json")
    assert code == 0, out
    assert json.loads(out)["unchanged"] == 1
    kept = customer("C001")
    assert (kept["tax_id"], kept["account_owner"], kept["credit_limit"]) == ("B12345674", "Marta", "15000.00 EUR")
    per_column = tmp_path / "clear-owner.yaml"
    per_column.write_text("kind: customers\ncolumns:\n  account_owner: {column: Comercial, empty_clears: true}\n")
    code, out = cobro("import", "customers", str(blanks), "--mapping", str(per_column), "--json")
    assert code == 0, out
    assert json.loads(out)["changes"] == [{"row": 2, "key": "C001", "field": "account_owner", "old": "Marta",
                                           "new": ""}]
    assert customer("C001")["tax_id"] == "B12345674"
    whole = tmp_path / "clear-all.yaml"
    whole.write_text("kind: customers\noptions:\n  empty_clears: true\n")
    code, out = cobro("import", "customers", str(blanks), "--mapping", str(whole), "--json")
    assert code == 0, out
    cleared = customer("C001")
    assert (cleared["tax_id"], cleared["credit_limit"]) == ("", "")
    assert cleared["terms"] == "net 60"  # no terms column: still kept


def test_dry_run_lists_each_change_and_writes_nothing(cli_env: dict[str, str], tmp_path: Path) -> None:
    assert cobro("import", "customers", str(write(tmp_path / "full.csv", FULL)))[0] == 0
    changed = write(tmp_path / "changed.csv", "Código;Razón social;Idioma;CP\nC002;Distribuidora Núñez SAU;es;08018\n")
    code, out = cobro("import", "customers", str(changed), "--dry-run")
    assert code == 0, out
    assert "row 2 C002: legal_name: 'Distribuidora Núñez SA' -> 'Distribuidora Núñez SAU'" in out
    assert "row 2 C002: language: 'en' -> 'es'" in out
    assert "row 2 C002: postal_code: '08017' -> '08018'" in out
    assert customer("C002")["language"] == "en"


def test_unknown_columns_warn_and_strict_refuses(cli_env: dict[str, str], tmp_path: Path) -> None:
    extra = write(tmp_path / "extra.csv", "Código;Razón social;Observaciones;Teléfono\nC009;Nueva SL;vip;600\n")
    code, out = cobro("import", "customers", str(extra), "--strict", "--json")
    assert code == 2
    errors = json.loads(out)["errors"]
    assert [(e["file"], e["row"], e["column"]) for e in errors] == [("extra.csv", 1, "Observaciones"),
                                                                   ("extra.csv", 1, "Teléfono")]
    assert "cobro import contacts" in errors[1]["message"]
    assert cobro("customers", "list", "--json")[1].count("C009") == 0
    code, out = cobro("import", "customers", str(extra), "--json")
    assert code == 0, out
    report = json.loads(out)
    assert [w["column"] for w in report["warnings"] if w["column"]] == ["Observaciones", "Teléfono"]
    assert report["created"] == 1


def test_contacts_reimport_keeps_fields_it_does_not_name(cli_env: dict[str, str], tmp_path: Path) -> None:
    assert cobro("import", "customers", str(write(tmp_path / "full.csv", FULL)))[0] == 0
    first = write(tmp_path / "c1.csv", "Cód. cliente;Nombre;Email;Teléfono;Idioma\n"
                                       "C001;Lucía Peña;lucia@pena.example;+34 600 000 001;Inglés\n")
    assert cobro("import", "contacts", str(first))[0] == 0
    second = write(tmp_path / "c2.csv", "Cód. cliente;Nombre;Teléfono\nC001;Lucía Peña;+34 600 000 002\n")
    code, out = cobro("import", "contacts", str(second), "--json")
    assert code == 0, out
    assert json.loads(out)["changes"] == [{"row": 2, "key": "C001 / Lucía Peña", "field": "phone",
                                           "old": "+34 600 000 001", "new": "+34 600 000 002"}]
    exit_code, shown = cobro("customers", "show", "C001", "--json")
    assert exit_code == 0, shown
    contact = json.loads(shown)["contacts"][0]
    assert (contact["email"], contact["phone"]) == ("lucia@pena.example", "+34 600 000 002")


INVOICES = ("Nº Factura;Cód. cliente;Fecha factura;Vencimiento;Total;Moneda;En disputa;Rectifica;Canal;Forma de pago\n"
            "F-1;C001;01/09/2026;01/11/2026;1.000,00;EUR;sí;;letter;60 días f.f.\n"
            "F-2;C001;05/09/2026;;500,00;EUR;no;F-1;email;30 días\n")


def _invoices(fmt: str, tmp_path: Path, name: str, text: str) -> Path:
    if fmt == "csv":
        return write(tmp_path / f"{name}.csv", text)
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for line in text.splitlines():
        sheet.append(line.split(";"))
    target = tmp_path / f"{name}.xlsx"
    book.save(target)
    return target


def _stored(db_url: str, number: str) -> dict[str, object]:
    engine = create_engine(normalize_url(db_url))
    with engine.connect() as conn:
        row = conn.execute(text("SELECT due_date, disputed, corrects, channel, terms, amount_minor, kind "
                                "FROM invoices WHERE number = :n"), {"n": number}).one()
        dues = conn.execute(text("SELECT s.due_date FROM instalments s JOIN invoices i ON i.id = s.invoice_id "
                                 "WHERE i.number = :n ORDER BY s.seq"), {"n": number}).scalars().all()
    engine.dispose()
    return {"due_date": str(row[0])[:10], "disputed": bool(row[1]), "corrects": row[2], "channel": row[3],
            "terms": row[4], "amount": int(row[5]), "kind": row[6], "instalment_dues": [str(d)[:10] for d in dues]}


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_invoice_reimport_keeps_absent_columns_on_both_paths(cli_env: dict[str, str], tmp_path: Path,
                                                              fmt: str) -> None:
    assert cobro("import", "customers", str(write(tmp_path / "full.csv", FULL)))[0] == 0
    code, out = cobro("import", "invoices", str(_invoices(fmt, tmp_path, "full", INVOICES)), "--json")
    assert code == 0, out
    url = cli_env["COBRO_DATABASE_URL"]
    before = {n: _stored(url, n) for n in ("F-1", "F-2")}
    assert before["F-1"]["disputed"] and before["F-2"]["corrects"] == "F-1" and before["F-1"]["terms"] == "net 60"
    fewer = ("Nº Factura;Cód. cliente;Fecha factura;Total;Moneda;Rectifica\n"
             "F-1;C001;01/09/2026;1.100,00;EUR;\n"
             "F-2;C001;05/09/2026;500,00;EUR;\n")
    code, out = cobro("import", "invoices", str(_invoices(fmt, tmp_path, "fewer", fewer)), "--dry-run", "--json")
    assert code == 0, out
    report = json.loads(out)
    assert [(c["key"], c["field"], c["old"], c["new"]) for c in report["changes"]] == [
        ("F-1", "amount", "1000.00", "1100.00")]
    code, out = cobro("import", "invoices", str(_invoices(fmt, tmp_path, "fewer", fewer)), "--json")
    assert code == 0, out
    after = {n: _stored(url, n) for n in ("F-1", "F-2")}
    for field in ("due_date", "instalment_dues", "disputed", "corrects", "channel", "terms", "kind"):
        assert {n: after[n][field] for n in after} == {n: before[n][field] for n in before}, field
    assert after["F-1"]["amount"] != before["F-1"]["amount"]
    # the same partial file again changes nothing; the full file again restores the amount only
    code, out = cobro("import", "invoices", str(_invoices(fmt, tmp_path, "fewer", fewer)), "--json")
    assert (json.loads(out)["updated"], json.loads(out)["unchanged"]) == (0, 2)
    code, out = cobro("import", "invoices", str(_invoices(fmt, tmp_path, "full", INVOICES)), "--json")
    assert json.loads(out)["updated"] == 2
    assert {n: _stored(url, n) for n in ("F-1", "F-2")} == before


def test_tax_id_reimported_without_a_country_column_is_checked_under_the_stored_country(
        cli_env: dict[str, str], tmp_path: Path) -> None:
    chile = write(tmp_path / "cl.csv", "Código;Razón social;País;RUT\nK1;Ferretería Andes SpA;CL;76.086.428-5\n")
    assert cobro("import", "customers", str(chile))[0] == 0
    again = write(tmp_path / "again.csv", "Código;Razón social;RUT\nK1;Ferretería Andes SpA;96.790.240-3\n")
    code, out = cobro("import", "customers", str(again), "--json")
    assert code == 0, out  # a RUT, not a Spanish NIF: checked as Chilean, because the customer is
    assert (customer("K1")["tax_id"], customer("K1")["country"]) == ("967902403", "CL")
    wrong = write(tmp_path / "wrong.csv", "Código;Razón social;RUT\nK1;Ferretería Andes SpA;96.790.240-4\n")
    code, out = cobro("import", "customers", str(wrong), "--json")
    assert code == 2
    assert [(e["file"], e["row"], e["column"]) for e in json.loads(out)["errors"]] == [("wrong.csv", 2, "RUT")]
    assert customer("K1")["tax_id"] == "967902403"


@pytest.mark.parametrize(("yaml_text", "says"), [
    ("kind: customers\ncolumns:\n  tax_id: {header: NIF}\n", "columns.tax_id: write a header, or {column: HEADER"),
    ("kind: customers\ncolumns:\n  tax_id: {column: NIF, empty_clears: 'yes'}\n", "columns.tax_id.empty_clears"),
    ("kind: customers\noptions:\n  empty_clears: sometimes\n", "options.empty_clears: must be true or false"),
])
def test_a_bad_empty_clears_mapping_names_its_yaml_path(cli_env: dict[str, str], tmp_path: Path, yaml_text: str,
                                                        says: str) -> None:
    assert cobro("import", "customers", str(write(tmp_path / "full.csv", FULL)))[0] == 0
    before = customer("C001")
    mapping = tmp_path / "bad.yaml"
    mapping.write_text(yaml_text)
    result = runner.invoke(app, ["import", "customers", str(write(tmp_path / "blanks.csv", "Código;NIF\nC001;\n")),
                                 "--mapping", str(mapping)])
    assert result.exit_code == 2
    assert f"{mapping}: {says}" in " ".join(result.output.split())
    assert customer("C001") == before
