"""Point-in-time features: nothing after the as-of date may reach them."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import polars as pl
from polars.testing import assert_frame_equal

from cobro.forecasting.paydate.features import FEATURES, build_features, training_as_of

CUTOFF = date(2023, 1, 1)


def _targets(ledger: pl.DataFrame) -> pl.DataFrame:
    return ledger.filter(pl.col("issue_date") >= CUTOFF).drop("settled_date")


def _scramble_future(ledger: pl.DataFrame, as_of: date, seed: int) -> pl.DataFrame:
    """Change everything about rows not known at ``as_of`` and shuffle the row order."""
    rng = np.random.default_rng(seed)
    future = (pl.col("settled_date") >= as_of) | (pl.col("issue_date") >= as_of)
    past, fut = ledger.filter(~future), ledger.filter(future)
    n = fut.height
    fut = fut.with_columns(
        pl.Series("settled_date", [as_of + timedelta(days=int(k)) for k in rng.integers(0, 90, n)]),
        pl.Series("amount", rng.uniform(1, 10_000, n)),
        pl.Series("disputed", rng.random(n) < 0.9),
        pl.Series("channel", ["paper"] * n),
    )
    extra = fut.with_columns(pl.col("invoice_number") + "x", (pl.col("issue_date") + pl.duration(days=3)))
    return pl.concat([past, fut, extra]).sample(fraction=1.0, shuffle=True, seed=seed)


def test_frozen_features_ignore_the_future(ledger: pl.DataFrame) -> None:
    targets = _targets(ledger)
    base = build_features(targets, ledger, CUTOFF)
    for seed in range(3):
        assert_frame_equal(build_features(targets, _scramble_future(ledger, CUTOFF, seed), CUTOFF), base)


def test_expanding_features_ignore_payments_after_each_invoice_date(ledger: pl.DataFrame) -> None:
    target = _targets(ledger).head(1)
    issued = target["issue_date"][0]
    base = build_features(target, ledger, mode="expanding")
    assert_frame_equal(build_features(target, _scramble_future(ledger, issued, 1), mode="expanding"), base)


def test_a_target_never_sees_its_own_settlement(ledger: pl.DataFrame) -> None:
    rows = ledger.filter(pl.col("issue_date") < CUTOFF)
    as_of = training_as_of(rows["issue_date"], CUTOFF, 91, "frozen")
    assert all(a <= issued for a, issued in zip(as_of, rows["issue_date"].to_list(), strict=True))
    feats = build_features(rows, ledger, as_of)
    changed = ledger.with_columns(
        pl.when(pl.col("invoice_number") == rows["invoice_number"][-1])
        .then(pl.col("settled_date") + pl.duration(days=40)).otherwise(pl.col("settled_date"))
    )
    assert_frame_equal(build_features(rows, changed, as_of), feats)


def test_new_customer_falls_back_to_prior_and_is_flagged(ledger: pl.DataFrame) -> None:
    newcomer = _targets(ledger).head(1).with_columns(pl.lit("NEW-1").alias("customer_code"))
    feats = build_features(newcomer, ledger, CUTOFF)
    assert set(feats.columns) == {"invoice_number", *FEATURES}
    row = feats.row(0, named=True)
    assert row["new_customer"] == 1.0 and row["n_hist"] == 0.0
    assert np.isfinite(row["d_mean"]) and np.isfinite(row["late_rate"])


def test_shrinkage_pulls_thin_history_toward_the_prior(ledger: pl.DataFrame) -> None:
    targets = _targets(ledger)
    feats = build_features(targets, ledger, CUTOFF).join(
        targets.select("invoice_number", "customer_code"), on="invoice_number")
    hist = ledger.filter(pl.col("settled_date") < CUTOFF).with_columns(
        d=(pl.col("settled_date") - pl.col("due_date")).dt.total_days())
    raw = hist.group_by("customer_code").agg(pl.col("d").mean().alias("raw"), pl.len().alias("n"))
    both = feats.join(raw, on="customer_code")
    glob = float(hist["d"].mean())  # type: ignore[arg-type]
    # The shrunk mean lies between the customer's raw mean and the prior (up to the segment's offset).
    assert (np.abs(both["d_mean"] - glob) <= np.abs(both["raw"] - glob) + 3.0).all()
