"""Point-in-time features for the payment-date model.

Every feature of an invoice is computed from the history *known at its as-of date*: invoices issued and
settled strictly before that date.  Two ways of choosing the as-of date:

- ``frozen``: one cutoff for all invoices to predict (what a forecast run on a given day sees);
- ``expanding``: each invoice's own issue date (history grows as time passes).

Training rows get "block-frozen" as-of dates (``training_as_of``): time before the cutoff is cut into
blocks as long as the forecast horizon and every row sees the history frozen at the start of its block.
That reproduces, for the training rows, the staleness a real forecast has, so the model and its
calibration learn from the same kind of features it will be fed.

Customer statistics are shrunk toward a prior (the customer's segment, or country, when it has data, else
the global value) with weight ``k / (n + k)``: a customer with 3 past invoices is mostly the prior, one with 30 mostly
itself.  Customers without history get the prior and the ``new_customer`` flag.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

import numpy as np
import polars as pl

Mode = Literal["frozen", "expanding"]
LEDGER_COLUMNS = (
    "invoice_number", "customer_code", "issue_date", "due_date", "amount", "currency", "disputed",
    "settled_date", "channel", "country",
)
FEATURES: tuple[str, ...] = (
    "n_hist", "new_customer", "thin_history",
    "d_mean", "d_median", "d_std", "d_q10", "d_q90", "d_recent", "d_trend",
    "late_rate", "disputed_share", "late_rate_if_disputed", "late_rate_if_undisputed",
    "d_mean_same_dispute", "d_mean_same_channel",
    "amount_log", "amount_rel", "terms_days", "issue_month", "channel_electronic", "disputed",
)
_EPOCH = date(1970, 1, 1)
_K_COUNTRY = 20.0  # pseudo-count pulling a country's statistics toward the global ones


class FeatureError(ValueError):
    """Input frame unusable for features (missing columns, bad dates)."""


def require_columns(frame: pl.DataFrame, columns: Sequence[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise FeatureError(f"{what}: missing column(s) {', '.join(missing)}")


def _days(series: pl.Series) -> np.ndarray:
    """Dates as integer days since 1970-01-01 (nulls become a huge sentinel)."""
    return series.cast(pl.Int64).fill_null(np.iinfo(np.int64).max // 2).to_numpy().astype(np.int64)


def delay_days(frame: pl.DataFrame) -> np.ndarray:
    """Signed delay d = settled - due in days (the model's target); NaN for open invoices."""
    out = (frame["settled_date"] - frame["due_date"]).dt.total_days().cast(pl.Float64)
    return out.fill_null(np.nan).to_numpy()


@dataclass(frozen=True)
class _Stats:
    """Delay statistics of one group (global, one country or one customer's prior)."""

    mean: float
    median: float
    std: float
    q10: float
    q90: float
    late: float
    disputed_share: float
    late_disp: float
    late_undisp: float
    lift_disp: float  # mean delay of disputed invoices minus the group mean
    amount_median: float

    @staticmethod
    def of(d: np.ndarray, disp: np.ndarray, amount: np.ndarray, fallback: _Stats | None) -> _Stats:
        if d.size == 0:
            if fallback is None:
                return _Stats(0.0, 0.0, 10.0, -12.0, 12.0, 0.35, 0.2, 0.6, 0.3, 6.0, 1.0)
            return fallback
        late = d > 0
        mean = float(d.mean())
        base = fallback
        late_disp = float(late[disp].mean()) if disp.any() else (base.late_disp if base else 0.6)
        late_undisp = float(late[~disp].mean()) if (~disp).any() else (base.late_undisp if base else 0.3)
        lift = float(d[disp].mean() - mean) if disp.any() else (base.lift_disp if base else 0.0)
        raw = _Stats(
            mean, float(np.median(d)), float(d.std()) if d.size > 1 else 10.0,
            float(np.quantile(d, 0.1)), float(np.quantile(d, 0.9)), float(late.mean()),
            float(disp.mean()), late_disp, late_undisp, lift, float(np.median(amount)),
        )
        if fallback is None:
            return raw
        w = d.size / (d.size + _K_COUNTRY)
        return _Stats(*(w * a + (1 - w) * b for a, b in zip(_astuple(raw), _astuple(fallback), strict=True)))


def _astuple(s: _Stats) -> tuple[float, ...]:
    return (s.mean, s.median, s.std, s.q10, s.q90, s.late, s.disputed_share, s.late_disp, s.late_undisp,
            s.lift_disp, s.amount_median)


def _shrink(n: int, value: float, prior: float, k: float) -> float:
    return prior if n == 0 else (n * value + k * prior) / (n + k)


class _History:
    """Settled history sorted by settlement date, with per-customer index arrays."""

    def __init__(self, history: pl.DataFrame) -> None:
        require_columns(history, ("customer_code", "issue_date", "due_date", "settled_date", "amount",
                                  "disputed"), "history")
        h = history.filter(pl.col("settled_date").is_not_null())
        # A total order (ties broken by issue date and number): features must not depend on row order.
        keys = [c for c in ("settled_date", "issue_date", "invoice_number") if c in h.columns]
        h = h.sort(keys, nulls_last=True)
        self.settled = _days(h["settled_date"])
        self.issued = _days(h["issue_date"])
        self.d = delay_days(h)
        self.disp = h["disputed"].fill_null(False).to_numpy().astype(bool)
        self.amount = h["amount"].cast(pl.Float64).fill_null(np.nan).to_numpy()
        chan = h["channel"].fill_null("") if "channel" in h.columns else pl.Series([""] * h.height)
        self.channel = np.asarray(chan.str.to_lowercase().to_list(), dtype=object)
        self.invoice = np.asarray(h["invoice_number"].to_list() if "invoice_number" in h.columns
                                  else [None] * h.height, dtype=object)
        self.country = np.asarray(segment_keys(h), dtype=object)
        positions: dict[str, list[int]] = {}
        for i, code in enumerate(h["customer_code"].to_list()):
            positions.setdefault(code, []).append(i)
        self.by_customer = {k: np.asarray(v, dtype=np.int64) for k, v in positions.items()}
        self._priors: dict[int, tuple[_Stats, dict[str, _Stats]]] = {}

    def priors(self, as_of: int) -> tuple[_Stats, dict[str, _Stats]]:
        """Global and per-country statistics of everything settled (and issued) before ``as_of``."""
        if as_of not in self._priors:
            m = (self.settled < as_of) & (self.issued < as_of)
            glob = _Stats.of(self.d[m], self.disp[m], self.amount[m], None)
            countries = {}
            for c in set(self.country[m].tolist()):
                cm = m & (self.country == c)
                countries[c] = _Stats.of(self.d[cm], self.disp[cm], self.amount[cm], glob)
            self._priors[as_of] = (glob, countries)
        return self._priors[as_of]


def segment_keys(frame: pl.DataFrame) -> list[str]:
    """Prior group of each row: its ``segment`` when set, else its ``country`` (empty when neither)."""
    empty = pl.lit("", dtype=pl.String)
    seg = pl.col("segment").fill_null("") if "segment" in frame.columns else empty
    country = pl.col("country").fill_null("") if "country" in frame.columns else empty
    keys = frame.select(pl.when(seg != "").then(seg).otherwise(country).alias("k"))["k"]
    return [str(k) for k in keys.to_list()]


def _channel_flag(channel: str) -> float:
    if channel.startswith("elec") or channel in {"email", "edi", "portal", "einvoice"}:
        return 1.0
    if channel.startswith("pap") or channel in {"post", "mail"}:
        return 0.0
    return float("nan")


def build_features(
    targets: pl.DataFrame,
    history: pl.DataFrame,
    as_of: date | Sequence[date] | None = None,
    *,
    mode: Mode = "frozen",
    shrink_k: float = 5.0,
    recent_n: int = 5,
) -> pl.DataFrame:
    """Features for each row of ``targets`` from ``history`` known at its as-of date.

    ``mode="frozen"`` needs ``as_of`` (one date, or one per target row); ``mode="expanding"`` uses each
    target's issue date.  Only history rows issued and settled strictly before the as-of date are read, and
    a target never sees its own row.  Returns ``invoice_number`` plus the columns in ``FEATURES``.
    """
    require_columns(targets, ("invoice_number", "customer_code", "issue_date", "due_date", "amount"), "targets")
    hist = _History(history)
    issue = _days(targets["issue_date"])
    if mode == "expanding":
        as_of_days = issue.copy()
    elif as_of is None:
        raise FeatureError("frozen features need an as-of date")
    elif isinstance(as_of, date):
        as_of_days = np.full(targets.height, (as_of - _EPOCH).days, dtype=np.int64)
    else:
        if len(as_of) != targets.height:
            raise FeatureError("as_of must have one date per target row")
        as_of_days = np.asarray([(a - _EPOCH).days for a in as_of], dtype=np.int64)

    due = _days(targets["due_date"])
    amount = targets["amount"].cast(pl.Float64).fill_null(np.nan).to_numpy()
    disputed = (targets["disputed"].fill_null(False).to_numpy().astype(bool)
                if "disputed" in targets.columns else np.zeros(targets.height, dtype=bool))
    channels = (targets["channel"].fill_null("").str.to_lowercase().to_list()
                if "channel" in targets.columns else [""] * targets.height)
    countries = segment_keys(targets)
    months = targets["issue_date"].dt.month().to_numpy()
    rows: list[list[float]] = []
    empty = np.zeros(0, dtype=np.int64)
    for i, (code, inv) in enumerate(zip(targets["customer_code"].to_list(),
                                         targets["invoice_number"].to_list(), strict=True)):
        glob, by_country = hist.priors(int(as_of_days[i]))
        prior = by_country.get(countries[i], glob)
        idx = hist.by_customer.get(code, empty)
        idx = idx[(hist.settled[idx] < as_of_days[i]) & (hist.issued[idx] < as_of_days[i])]
        idx = idx[hist.invoice[idx] != inv]
        rows.append(_row(hist, idx, prior, k=shrink_k, recent_n=recent_n, amount=float(amount[i]),
                         disputed=bool(disputed[i]), channel=channels[i], terms=float(due[i] - issue[i]),
                         month=float(months[i])))
    data = np.asarray(rows, dtype=np.float64).reshape(len(rows), len(FEATURES))
    frame = pl.DataFrame({name: data[:, j] for j, name in enumerate(FEATURES)})
    return frame.insert_column(0, targets["invoice_number"].alias("invoice_number"))


def _row(hist: _History, idx: np.ndarray, prior: _Stats, *, k: float, recent_n: int, amount: float,
         disputed: bool, channel: str, terms: float, month: float) -> list[float]:
    d, disp, n = hist.d[idx], hist.disp[idx], idx.size
    late = d > 0
    s = _Stats.of(d, disp, hist.amount[idx], prior) if n else prior
    mean = _shrink(n, float(d.mean()) if n else 0.0, prior.mean, k)
    median = _shrink(n, float(np.median(d)) if n else 0.0, prior.median, k)
    var = _shrink(n, float(d.var()) if n else 0.0, prior.std**2, k)
    q10 = _shrink(n, float(np.quantile(d, 0.1)) if n else 0.0, prior.q10, k)
    q90 = _shrink(n, float(np.quantile(d, 0.9)) if n else 0.0, prior.q90, k)
    recent, earlier = d[-recent_n:], d[:-recent_n]
    d_recent = _shrink(recent.size, float(recent.mean()) if recent.size else 0.0, mean, k)
    m = min(recent.size, earlier.size)
    trend = (float(recent.mean() - earlier.mean()) * m / (m + k)) if m else 0.0
    late_rate = _shrink(n, float(late.mean()) if n else 0.0, prior.late, k)
    nd, nu = int(disp.sum()), int((~disp).sum())
    # Rates conditional on dispute: prior = customer's late rate moved by the prior's dispute effect.
    late_d = _shrink(nd, float(late[disp].mean()) if nd else 0.0,
                     float(np.clip(late_rate + prior.late_disp - prior.late, 0, 1)), k)
    late_u = _shrink(nu, float(late[~disp].mean()) if nu else 0.0,
                     float(np.clip(late_rate + prior.late_undisp - prior.late, 0, 1)), k)
    same = disp == disputed
    lift = prior.lift_disp if disputed else -prior.lift_disp * prior.disputed_share / max(
        1e-9, 1 - prior.disputed_share)
    d_same_disp = _shrink(int(same.sum()), float(d[same].mean()) if same.any() else 0.0, mean + lift, k)
    same_ch = hist.channel[idx] == channel
    d_same_ch = _shrink(int(same_ch.sum()), float(d[same_ch].mean()) if same_ch.any() else 0.0, mean, k)
    amount_ref = s.amount_median if np.isfinite(s.amount_median) and s.amount_median > 0 else 1.0
    amount_ok = np.isfinite(amount) and amount > 0
    return [
        float(n), float(n == 0), float(n < 5),
        mean, median, float(np.sqrt(max(var, 0.0))), q10, q90, d_recent, trend,
        late_rate, _shrink(n, float(disp.mean()) if n else 0.0, prior.disputed_share, k), late_d, late_u,
        d_same_disp, d_same_ch,
        float(np.log(amount)) if amount_ok else float("nan"),
        float(np.log(amount / amount_ref)) if amount_ok else float("nan"),
        terms, month, _channel_flag(channel), float(disputed),
    ]


def training_as_of(issue_dates: pl.Series, cutoff: date, horizon_days: int, mode: Mode) -> list[date]:
    """As-of date of each training row: its block start (``frozen``) or its own issue date (``expanding``)."""
    if mode == "expanding":
        return list(issue_dates.to_list())
    out = []
    for issued in issue_dates.to_list():
        blocks = -(-(cutoff - issued).days // horizon_days)  # ceil division
        out.append(cutoff - timedelta(days=max(blocks, 1) * horizon_days))
    return out


def training_rows(history: pl.DataFrame, cutoff: date) -> pl.DataFrame:
    """Invoices issued and settled before ``cutoff`` (open ones are censored and left out)."""
    return history.filter(
        (pl.col("issue_date") < cutoff) & pl.col("settled_date").is_not_null() & (pl.col("settled_date") < cutoff)
    )
