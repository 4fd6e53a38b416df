"""The in-process engine (`cobro worker` on SQLite, `--engine inline` anywhere): a database error in a pass is
logged and the next pass carries on; `cobro worker --once` and `cobro jobs run|list|status` through the CLI; the
statement inbox imports each file once and files it in done/ or failed/ with its problems beside it."""

from __future__ import annotations

import datetime as dt
import json
import threading
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError
from typer.testing import CliRunner

from cobro.app.cli import app
from cobro.cashapp.domain.matching import Line
from cobro.demo.statements import to_camt053
from cobro.jobs import runner, service
from cobro.jobs.domain import Schedule, Scope
from cobro.jobs.worker import run_inline
from cobro.platform.cli.context import State
from cobro.platform.container import Container
from tests.integration.jobs.helpers import UTC, Counting, MovingClock, job_runs, registry_of

NOW = dt.datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
cli = CliRunner()


def test_a_database_error_in_a_pass_is_logged_and_the_loop_goes_on(container: Container,
                                                                   monkeypatch: pytest.MonkeyPatch,
                                                                   caplog: pytest.LogCaptureFixture) -> None:
    container.clock = MovingClock(NOW)
    fn = Counting()
    reg = registry_of(("daily", Schedule.daily(dt.time(6, 0)), fn, Scope.TENANT))
    real, calls = runner.due_runs, []

    def flaky(c: Container, r: object) -> list[service.DueRun]:
        calls.append(1)
        if len(calls) == 1:  # the database restarts during the first pass
            raise OperationalError("SELECT 1", {}, Exception("server closed the connection unexpectedly"))
        return real(c, r)  # type: ignore[arg-type]

    monkeypatch.setattr(runner, "due_runs", flaky)
    stop = threading.Event()
    seen: list[str] = []

    def outcome(o: runner.Outcome) -> None:
        seen.append(o.status)
        stop.set()

    passes = run_inline(container, reg, interval=0.01, stop=stop, worker="w1", on_outcome=outcome)
    assert passes == 2 and seen == ["done"] and fn.calls == 1
    assert "worker pass failed" in caplog.text
    with container.uow() as uow:
        (beat,) = service.status(uow, now=NOW).heartbeats
    assert beat.worker == "w1" and beat.passes >= 2 and beat.last_error == ""


def invoke(container: Container, *args: str) -> tuple[int, str]:
    """Exit code and what the command printed: stdout only for --json (log lines go to stderr), else both."""
    result = cli.invoke(app, list(args), obj=State(container))
    return result.exit_code, result.stdout if "--json" in args else result.output


def test_worker_once_and_the_jobs_commands(container: Container) -> None:
    container.clock = MovingClock(NOW)
    code, out = invoke(container, "worker", "--once", "--engine", "inline")
    assert code == 0, out
    assert "cycle default: done" in out and "retrain default: done" in out
    code, out = invoke(container, "jobs", "status", "--json")
    status = json.loads(out)
    runs = {(r["job"], r["status"]) for r in status["runs"]}  # features may register more scheduled jobs
    assert {("cycle", "done"), ("retrain", "done")} <= runs and {s for _, s in runs} == {"done"}
    assert status["workers"][0]["engine"] == "inline"
    code, out = invoke(container, "jobs", "list", "--json")
    lines = {(line["job"], line["tenant"]): line for line in json.loads(out)}
    assert lines[("cycle", "default")]["last"]["scheduled_for"] == "2026-12-04T06:00:00+00:00"
    assert lines[("cycle", "default")]["next"] == "2026-12-07T06:00:00+00:00"  # Monday: the weekend is skipped
    assert lines[("outbox", "")]["next"] is None and lines[("outbox", "")]["schedule"] == "every 5s"
    # `jobs run` runs a day's slot once: the day already ran, another day runs
    code, out = invoke(container, "jobs", "run", "cycle", "--as-of", "2026-12-04")
    assert code == 0 and "skipped already done" in out
    code, out = invoke(container, "jobs", "run", "cycle", "--as-of", "2026-12-03", "--json")
    assert code == 0, out
    assert json.loads(out)["status"] == "done", out
    code, out = invoke(container, "jobs", "run", "outbox")
    assert code == 0 and "outbox: done claimed 0" in out
    assert invoke(container, "jobs", "run", "nope")[0] == 2
    code, out = invoke(container, "jobs", "run", "cycle", "--tenant", "nobody")
    assert code == 2 and "unknown tenant 'nobody'" in out
    assert [r for r in job_runs(container) if r[0] == "cycle"] == [("cycle", "default", "done", 1)] * 2


OUR_IBAN = "ES9121000418450200051332"


def test_the_statement_inbox_imports_each_file_once(container: Container, tmp_path: Path) -> None:
    container.clock = MovingClock(NOW)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    container.settings = container.settings.model_copy(update={"statement_inbox": inbox})
    (tmp_path / "c.csv").write_text("code;legal_name;country;tax_id\nC1;Construcciones Levante SL;ES;B12345674\n",
                                    encoding="utf-8")
    (tmp_path / "i.csv").write_text("invoice_number;customer_code;issue_date;due_date;amount;currency\n"
                                    "F-2026-0101;C1;2026-01-01;2026-01-31;1210.00;EUR\n", encoding="utf-8")
    assert invoke(container, "import", "customers", str(tmp_path / "c.csv"))[0] == 0
    assert invoke(container, "import", "invoices", str(tmp_path / "i.csv"))[0] == 0
    assert invoke(container, "bank-account", "add", OUR_IBAN)[0] == 0
    day = dt.date(2026, 3, 10)
    good = to_camt053([Line("a", 121000, "EUR", day, "", "FRA F-2026-0101", "", "CONSTRUCC. LEVANTE S.L.", "")],
                      account=OUR_IBAN, when=day, statement_id="s1")
    (inbox / "s1.xml").write_bytes(good)
    (inbox / "bad.n43").write_text("not a statement\n", encoding="utf-8")
    (inbox / "coming.xml.part").write_bytes(good)  # still being copied in: left alone
    code, out = invoke(container, "jobs", "run", "statements")
    assert code == 0 and "statements imported 1, failed 1" in out, out
    assert (inbox / "done" / "s1.xml").exists() and not (inbox / "s1.xml").exists()
    assert (inbox / "failed" / "bad.n43").exists()
    problems = (inbox / "failed" / "bad.n43.problems.txt").read_text(encoding="utf-8")
    assert problems.startswith("bad.n43")
    assert (inbox / "coming.xml.part").exists()
    code, out = invoke(container, "ledger", "summary", "--json")
    assert json.loads(out)["open_invoices"] == 0, out  # the credit paid the invoice
    # the same file dropped again is recognised (imported once) and filed under a new name
    (inbox / "s1.xml").write_bytes(good)
    assert "statements imported 1, failed 0" in invoke(container, "jobs", "run", "statements")[1]
    assert (inbox / "done" / "s1.1.xml").exists()
