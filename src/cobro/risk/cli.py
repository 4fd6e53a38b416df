"""Prediction and risk commands on the database: model, forecast, risk, alerts, recommend, worklist.

Thin: parse, call one service inside a unit of work, commit only where something is stored (risk score), print.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.table import Table

from cobro.kernel.cells import as_number, csv_writer
from cobro.kernel.errors import CobroError
from cobro.platform.cli.context import console, fail, parse_day, print_json, state

T = TypeVar("T")
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]
AsOfOpt = Annotated[str | None, typer.Option("--as-of", help="As of this date (YYYY-MM-DD; default today).")]
PolicyOpt = Annotated[Path | None, typer.Option("--policy", help="Policy YAML with `risk`/`decision` sections "
                                                "(default: the stored default policy).")]
FinOpt = Annotated[Path | None, typer.Option("--financials", help="Debtors' financial statements (CSV/XLSX) "
                                             "for the solvency part of the score.")]

model_app = typer.Typer(help="Payment-date model on the database ledger.", no_args_is_help=True)
forecast_app = typer.Typer(help="13-week cash-in forecast with p10/p50/p90 bands, by currency.")
risk_app = typer.Typer(help="Behavioural risk scores, classification of delinquent customers.", no_args_is_help=True)
alerts_app = typer.Typer(help="Risk alerts for collectors and account owners.", no_args_is_help=True)


def register(root: typer.Typer) -> None:
    root.add_typer(model_app, name="model")
    root.add_typer(forecast_app, name="forecast")
    root.add_typer(risk_app, name="risk")
    root.add_typer(alerts_app, name="alerts")
    root.command("recommend")(recommend)
    root.command("worklist")(worklist_cmd)


def _run(ctx: typer.Context, fn: Callable[..., T], *, commit: bool = False) -> T:
    container = state(ctx).container()
    try:
        with container.uow() as uow:
            out = fn(uow)
            if commit:
                uow.commit()
            return out
    except (CobroError, ValueError) as exc:
        raise fail(str(exc)) from exc


def _day(ctx: typer.Context, value: str | None) -> dt.date:
    return parse_day(value, state(ctx).container().clock.today())


def _model_dir(ctx: typer.Context) -> Path:
    return Path(state(ctx).settings.model_dir)


def _kw(policy: Path | None, financials: Path | None, ctx: typer.Context) -> dict[str, Any]:
    from cobro.solvency.service.solvency import model_path

    kw: dict[str, Any] = {"solvency_model": model_path(_model_dir(ctx)), "rates": state(ctx).container().rates}
    if policy is not None:
        if not policy.exists():
            raise fail(f"policy file not found: {policy}")
        kw["policy_yaml"] = policy.read_text(encoding="utf-8")
    if financials is not None:
        from cobro.solvency.model.statements_import import by_customer, read_statements

        statements, problems = read_statements(financials)
        for p in problems:
            console.print(f"  warning: {p}")
        kw["financials"] = by_customer(statements)
    return kw


def _table(title: str, rows: list[dict[str, Any]], cols: list[str]) -> None:
    table = Table(title=title)
    for col in cols:
        table.add_column(col, overflow="fold")
    for r in rows:
        table.add_row(*("" if r.get(c) is None else str(r.get(c)) for c in cols))
    console.print(table)


# --- model and forecast -----------------------------------------------------------------------------------------

@model_app.command("train")
def model_train(ctx: typer.Context, as_of: AsOfOpt = None, as_json: JsonOpt = False) -> None:
    """Train the payment-date model on the ledger as known on --as-of; save it in the model directory."""
    from cobro.forecasting import service as prediction

    day, where = _day(ctx, as_of), _model_dir(ctx)
    now = state(ctx).container().clock.now()
    out = _run(ctx, lambda u: prediction.train(u, day, where, now=now).as_json())
    if as_json:
        print_json(out)
        return
    if out["message"]:
        console.print(f"[yellow]warning:[/] {out['message']}")
    m = out["metrics"]
    console.print(f"model {out['kind']} trained on {int(m.get('n_train', 0))} settled items until {out['trained_until']}"
                  f" (calibration coverage {m.get('calibration_coverage', float('nan')):.2f}); saved to {out['path']}")


@model_app.command("evaluate")
def model_evaluate(ctx: typer.Context,
                   split_date: Annotated[str, typer.Option("--split-date", help="Train before, test from.")],
                   end_date: Annotated[str | None, typer.Option("--end-date")] = None,
                   as_json: JsonOpt = False) -> None:
    """Time-split evaluation on the ledger: cobro next to the baselines (MAE, AUC, coverage, pinball, WAPE)."""
    from cobro.forecasting import service as prediction
    from cobro.forecasting.paydate.evaluate import format_table

    split = parse_day(split_date)
    end = parse_day(end_date) if end_date else None
    out = _run(ctx, lambda u: prediction.evaluate(u, split, end).as_json())
    if as_json:
        print_json(out)
    else:
        typer.echo(format_table(out))


@forecast_app.callback(invoke_without_command=True)
def forecast(ctx: typer.Context, as_of: AsOfOpt = None,
             horizon_weeks: Annotated[int, typer.Option("--horizon-weeks")] = 13,
             fmt: Annotated[str, typer.Option("--format", help="table | json | csv")] = "table") -> None:
    """Expected cash-in per week with p10/p50/p90 bands (promises to pay count as strong evidence)."""
    if ctx.invoked_subcommand is not None:
        return
    from cobro.forecasting import service as prediction

    if fmt not in ("table", "json", "csv"):
        raise fail("--format must be table, json or csv")
    day, where = _day(ctx, as_of), _model_dir(ctx)
    out = _run(ctx, lambda u: prediction.forecast(u, day, horizon_weeks=horizon_weeks, model_dir=where).as_json())
    if fmt == "json":
        print_json(out)
        return
    if fmt == "csv":
        w = csv_writer(sys.stdout)
        w.writerow(["currency", "period_start", "expected", "p10", "p50", "p90"])
        for cur, data in out["currencies"].items():
            for p in data["periods"]:
                w.writerow([cur, p["period_start"], *(as_number(p[k]) for k in ("expected", "p10", "p50", "p90"))])
        return
    console.print(f"{out['open_items']} open items as of {out['as_of']}; {out['model']['note']}")
    for cur, data in out["currencies"].items():
        _table(f"{cur}: open {data['open']}, expected in {horizon_weeks} weeks {data['expected_in_horizon']}",
               data["periods"], ["period_start", "expected", "p10", "p50", "p90"])


@forecast_app.command("backtest")
def forecast_backtest(ctx: typer.Context,
                      cutoff: Annotated[list[str] | None, typer.Option("--cutoff", help="Replay date (repeat).")] = None,
                      horizon_weeks: Annotated[int, typer.Option("--horizon-weeks")] = 13,
                      as_json: JsonOpt = False) -> None:
    """Replay past dates: weekly WAPE and p10-p90 band coverage of the open-book forecast, per cutoff and per
    horizon week."""
    from cobro.forecasting import service as prediction

    days = [parse_day(c) for c in cutoff or []]
    out = _run(ctx, lambda u: prediction.backtest(u, days or None, horizon_weeks=horizon_weeks).as_json())
    if as_json:
        print_json(out)
        return
    rows = [{**r, "wape": f"{r['wape']:.3f}", "band_coverage": f"{r['band_coverage']:.2f}",
             "weekly_mae": f"{r['weekly_mae']:,.0f}"} for r in out["results"]]
    _table("Cash forecast backtest", rows, ["cutoff", "currency", "model", "n_open", "weekly_mae", "wape",
                                           "band_coverage", "n_weeks"])
    by_horizon = [{**h, "wape": f"{h['wape']:.3f}", "band_coverage": f"{h['band_coverage']:.2f}"}
                  for h in out["horizons"]]
    _table("Per horizon week over the cutoffs (1 = the cutoff's week)", by_horizon,
           ["currency", "horizon_week", "n_cutoffs", "wape", "band_coverage", "n_weeks"])


# --- risk, alerts, recommend, worklist ------------------------------------------------------------------------

@risk_app.command("score")
def risk_score(ctx: typer.Context, as_of: AsOfOpt = None, as_json: JsonOpt = False, policy: PolicyOpt = None,
               financials: FinOpt = None) -> None:
    """Score every customer (0 best .. 100 worst, grade A-E) with reasons; store the scores; raise alerts."""
    from cobro.risk.service import scores as risk

    day, kw = _day(ctx, as_of), _kw(policy, financials, ctx)
    out = _run(ctx, lambda u: risk.score_all(u, day, **kw).as_json(), commit=True)
    if as_json:
        print_json(out)
        return
    rows = [{**r, "reasons": "; ".join(r["reasons"])} for r in out["scores"]]
    _table(f"Risk scores as of {out['as_of']}", rows, ["customer", "score", "grade", "days_beyond_terms", "reasons"])
    console.print(f"{len(out['alerts'])} new alert(s) (`cobro alerts list`)")


@risk_app.command("show")
def risk_show(ctx: typer.Context, customer: str, as_of: AsOfOpt = None, as_json: JsonOpt = False,
              policy: PolicyOpt = None, financials: FinOpt = None) -> None:
    """One customer's score with every component, its classification, recommendation and alerts."""
    from cobro.risk.service import scores as risk

    day, kw = _day(ctx, as_of), _kw(policy, financials, ctx)
    out = _run(ctx, lambda u: risk.show(u, customer, day, **kw).as_json())
    if as_json:
        print_json(out)
        return
    sc = out["score"]
    console.print(f"[bold]{customer}[/] {out['name']}: score {sc['score']} grade {sc['grade']} "
                  f"(collector {out['collector'] or '-'}, owner {out['account_owner'] or '-'})")
    for r in out["all_reasons"]:
        console.print(f"  {r['points']:5.1f}  {r['text']}")
    if out.get("solvency"):
        _print_solvency(out["solvency"])
    if out["classification"]:
        c = out["classification"]
        console.print(f"classification: {c['label']} ({c['nature']}) — {c['explanation']}")
        for e in c["evidence"]:
            console.print(f"  · {e}")
    for rec in out["recommendations"]:
        console.print(f"recommend {rec['action']} ({rec['currency']}): " + " | ".join(rec["reasons"]))
    for a in out["alerts"]:
        console.print(f"alert {a['as_of']} {a['kind']}: {a['message']}")


def _print_solvency(sol: dict[str, Any]) -> None:
    src = "stored accounts" if sol["source"] == "stored" else "accounts from --financials"
    rows = [{"year": y["year"], "Z''": y["altman_z2"], "zone": y["zone"],
             **{k: "-" if v is None else f"{v:.2f}" for k, v in y["ratios"].items()}} for y in sol["years"]]
    _table(f"Solvency ({src})", rows, ["year", "Z''", "zone", *sol["years"][0]["ratios"]])
    if sol["p_default"] is not None:
        console.print(f"bankruptcy model: P(default within a year) {sol['p_default']:.1%} "
                      f"({sol['model_features']} model features from the accounts)")
    else:
        console.print(f"Altman only: {sol['model_note']}")
    if sol["falling"]:
        console.print("falling: " + ", ".join(sol["falling"]))


@risk_app.command("classify")
def risk_classify(ctx: typer.Context, as_of: AsOfOpt = None, as_json: JsonOpt = False, policy: PolicyOpt = None,
                  financials: FinOpt = None) -> None:
    """Liquidity problem or unwillingness to pay?  Every delinquent customer, with the evidence."""
    from cobro.risk.service import scores as risk

    day, kw = _day(ctx, as_of), _kw(policy, financials, ctx)
    out = _run(ctx, lambda u: [c.as_json() for c in risk.classify_all(u, day, **kw)])
    if as_json:
        print_json(out)
        return
    rows = [{**r, "evidence": "; ".join(r["evidence"])} for r in out]
    _table("Delinquent customers", rows, ["customer", "nature", "label", "evidence", "explanation"])


@alerts_app.command("list")
def alerts_list(ctx: typer.Context, status: Annotated[str, typer.Option("--status")] = "open",
                recipient: Annotated[str, typer.Option("--to", help="Only alerts for this collector/owner.")] = "",
                for_user: Annotated[str, typer.Option("--for", help="Open alerts a user (e-mail) receives, "
                                                      "snoozed ones hidden.")] = "",
                as_of: AsOfOpt = None, as_json: JsonOpt = False) -> None:
    """Alerts: worsened score or days beyond terms, over limit, broken promise, credit stop, dispute past its date,
    large payment, bounce."""
    from cobro.risk.service import alerts
    from cobro.risk.service import scores as risk

    if for_user:
        day = _day(ctx, as_of)
        out = _run(ctx, lambda u: [a.as_json() for a in alerts.alerts_for(u, as_of=day, user=for_user)])
    else:
        out = _run(ctx, lambda u: [a.as_json() for a in risk.list_alerts(u, status=status, recipient=recipient)])
    if as_json:
        print_json(out)
    else:
        _table("Risk alerts", out, ["id", "as_of", "customer", "kind", "message", "recipients", "snoozed_until"])


def _who(ctx: typer.Context) -> str:
    return state(ctx).user or "cli"


@alerts_app.command("ack")
def alerts_ack(ctx: typer.Context, alert_id: Annotated[int, typer.Argument(help="The alert's id.")]) -> None:
    """Acknowledge an alert: it leaves the open list and every digest; the audit log names who (--user)."""
    from cobro.risk.service import alerts

    done = _run(ctx, lambda u: alerts.acknowledge(u, alert_id, user=_who(ctx)), commit=True)
    console.print(f"alert #{done.id} {done.status}")


@alerts_app.command("snooze")
def alerts_snooze(ctx: typer.Context, alert_id: Annotated[int, typer.Argument(help="The alert's id.")],
                  until: Annotated[str, typer.Option("--until", help="Hidden until this date (YYYY-MM-DD).")]) -> None:
    """Hide an open alert from lists and digests until a date."""
    from cobro.risk.service import alerts

    today = state(ctx).container().clock.today()
    day = _parse_until(until)
    done = _run(ctx, lambda u: alerts.snooze(u, alert_id, until=day, today=today, user=_who(ctx)), commit=True)
    console.print(f"alert #{done.id} snoozed until {day.isoformat()}")


def _parse_until(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise fail(f"--until: {value!r} is not a date (YYYY-MM-DD)") from None


@alerts_app.command("digest")
def alerts_digest(ctx: typer.Context, as_of: AsOfOpt = None, as_json: JsonOpt = False) -> None:
    """Raise the day's alerts (disputes past their date, large payments) and queue each user's digest e-mail
    with the alerts they have not received yet (`cobro outbox deliver` sends them)."""
    from cobro.risk.service.digest import send_digests

    day = _day(ctx, as_of)
    report = _run(ctx, lambda u: send_digests(u, as_of=day), commit=True)
    if as_json:
        print_json(report.as_json())
        return
    _table(f"Alert digests {day.isoformat()}", [d.as_json() for d in report.digests], ["user", "mode", "alerts"])
    console.print(f"{report.raised} alert(s) raised, {report.delivered} delivered in {len(report.digests)} "
                  f"e-mail(s); {len(report.unaddressed)} open alert(s) match no user")


@alerts_app.command("prefs")
def alerts_prefs(ctx: typer.Context, user: Annotated[str, typer.Argument(help="The user's e-mail.")],
                 mode: Annotated[str, typer.Option("--set", help="off, daily or immediate.")] = "") -> None:
    """Show or set how a user receives alerts: off, a daily digest (the default) or each at once."""
    from cobro.risk.service import alerts

    if mode:
        chosen = _run(ctx, lambda u: alerts.set_preference(u, user=user, mode=mode), commit=True)
    else:
        chosen = _run(ctx, lambda u: alerts.preference(u, user=user))
    console.print(f"{user}: {chosen}")


def recommend(ctx: typer.Context, customer: Annotated[str, typer.Option("--customer")] = "",
              as_of: AsOfOpt = None, as_json: JsonOpt = False, policy: PolicyOpt = None,
              financials: FinOpt = None) -> None:
    """Does acting make sense?  Expected value of wait … write off per delinquent case; the best, with reasons."""
    from cobro.risk.service import scores as risk

    day, kw, where = _day(ctx, as_of), _kw(policy, financials, ctx), _model_dir(ctx)
    out = _run(ctx, lambda u: [r.as_json() for r in risk.recommend_all(u, day, customer=customer, model_dir=where,
                                                                         **kw)])
    if as_json:
        print_json(out)
        return
    rows = [{**r, "why": r["reasons"][1] if len(r["reasons"]) > 1 else ""} for r in out]
    _table("Recommended actions (best value over waiting first)", rows,
           ["customer", "currency", "overdue", "days_past_due", "label", "action", "expected_value", "value_vs_wait",
            "why"])


def worklist_cmd(ctx: typer.Context, collector: Annotated[str, typer.Option("--collector")] = "",
                 as_of: AsOfOpt = None, as_json: JsonOpt = False) -> None:
    """Open tasks and cases ranked by expected money recovered per minute of collector time."""
    from cobro.risk.service.worklist import worklist

    day = _day(ctx, as_of)
    rates = state(ctx).container().rates
    out = _run(ctx, lambda u: [w.as_json() for w in worklist(u, day, collector or None, rates=rates)])
    if as_json:
        print_json(out)
    else:
        _table("Worklist", out, ["rank", "kind", "id", "customer", "collector", "action", "minutes",
                                 "per_minute_base", "reason"])
