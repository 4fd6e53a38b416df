"""The agency handoff's pure rules: statuses, which reports close a case, one row of an update file."""

from __future__ import annotations

import datetime as dt

import pytest

from cobro.collections.domain.agency import AgencyStatus, closes_case, parse_status, read_update_row

TODAY = dt.date(2026, 12, 4)


def test_status_names_are_forgiving_and_refusals_name_the_field() -> None:
    assert parse_status(" Partially Recovered ") is AgencyStatus.PARTIALLY_RECOVERED
    assert parse_status("legal-action") is AgencyStatus.LEGAL_ACTION
    with pytest.raises(ValueError, match=r"^status: 'won' is not one of received"):
        parse_status("won")


def test_only_the_agencys_final_reports_close_a_case() -> None:
    assert {s for s in AgencyStatus if closes_case(s)} == {AgencyStatus.RECOVERED, AgencyStatus.UNCOLLECTABLE,
                                                           AgencyStatus.RETURNED}


def test_an_update_row_is_read_or_refused_by_column() -> None:
    line = read_update_row({"case": "#12", "date": "2026-12-01", "status": "recovered", "recovered": " 1.200,50 ",
                            "reference": "ACN-9", "note": " paid in full "}, today=TODAY)
    assert (line.case_id, line.day, line.status, line.recovered, line.reference, line.note) == (
        12, dt.date(2026, 12, 1), AgencyStatus.RECOVERED, "1.200,50", "ACN-9", "paid in full")
    refusals = [({"case": "x", "date": "2026-12-01", "status": "received"}, "case:"),
                ({"case": "0", "date": "2026-12-01", "status": "received"}, "case:"),
                ({"case": "1", "date": "01/12/2026", "status": "received"}, "date:"),
                ({"case": "1", "date": "2026-12-05", "status": "received"}, "date: 2026-12-05 is in the future"),
                ({"case": "1", "date": "2026-12-01", "status": ""}, "status:"),
                ({"case": "1", "date": "2026-12-01", "status": "received", "note": "x" * 2001}, "note: at most 2000")]
    for row, start in refusals:
        with pytest.raises(ValueError) as exc:
            read_update_row(row, today=TODAY)
        assert str(exc.value).startswith(start), (row, str(exc.value))
