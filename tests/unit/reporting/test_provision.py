"""IFRS 9 provision matrix: the worked examples of docs/domain.md §2.2."""

from __future__ import annotations

from decimal import Decimal

import pytest

from cobro.reporting.domain.provision import (
    ProvisionError,
    apply_loss_rates,
    average_loss_rates,
    chain_to_write_off,
    roll_rate_matrix,
    roll_rates,
    vintage_loss_rates,
)

D = Decimal
PCT2 = D("0.01")
PCT4 = D("0.0001")
LABELS = ["Current", "1–30", "31–60", "61–90", "91–120"]
SNAPSHOTS = [[D(v) for v in row] for row in [
    (1000, 150, 60, 30, 18, 0),
    (1050, 130, 55, 28, 20, 14),
    (980, 140, 42, 27, 18, 17),
    (1020, 120, 45, 20, 17, 15),
    (1100, 125, 38, 22, 13, 14),
    (1060, 135, 40, 18, 14, 11),
    (1080, 128, 42, 19, 11, 12),
]]


def pct(x: Decimal, q: Decimal = PCT2) -> Decimal:
    return (x * 100).quantize(q)


def test_roll_rate_worked_example() -> None:
    rates = roll_rates(SNAPSHOTS)
    assert [pct(r) for r in rates] == [D("12.53"), D("32.75"), D("47.86"), D("64.14"), D("83.00")]
    m = roll_rate_matrix(SNAPSHOTS, LABELS, lgd=D("0.90"), overlay=D("1.10"))
    assert [pct(x.chain, PCT4) for x in m.lines] == [D("1.0453"), D("8.3436"), D("25.4765"), D("53.2345"),
                                                     D("83.0000")]
    assert [pct(x.loss_rate, PCT4) for x in m.lines] == [D("0.9408"), D("7.5092"), D("22.9289"), D("47.9110"),
                                                         D("74.7000")]
    assert [pct(x.rate, PCT4) for x in m.lines] == [D("1.0348"), D("8.2601"), D("25.2217"), D("52.7021"),
                                                    D("82.1700")]
    assert [x.ecl.quantize(PCT2) for x in m.lines] == [D("11.18"), D("10.57"), D("10.59"), D("10.01"), D("9.04")]
    assert m.balance == 1280
    assert m.ecl.quantize(PCT2) == D("51.39")
    assert m.coverage is not None and pct(m.coverage) == D("4.02")


def test_overlay_is_capped_at_100_percent() -> None:
    m = roll_rate_matrix(SNAPSHOTS, LABELS, lgd=D(1), overlay=D(2))
    assert m.lines[-1].rate == 1 and m.lines[-1].ecl == D(11)


def test_ifrs9_ie_example_12() -> None:
    balances = [("Current", D(15000000)), ("1–30", D(7500000)), ("31–60", D(4000000)), ("61–90", D(2500000)),
                (">90", D(1000000))]
    m = apply_loss_rates(balances, [D("0.003"), D("0.016"), D("0.036"), D("0.066"), D("0.106")])
    assert [x.ecl for x in m.lines] == [45000, 120000, 144000, 165000, 106000]
    assert m.balance == 30000000 and m.ecl == 580000


def test_vintage_loss_rates_example() -> None:
    rates = vintage_loss_rates([D(50000), D(27000), D(15000), D(6000)], D(2000))
    assert [pct(r, D("0.1")) for r in rates] == [D("2.0"), D("4.0"), D("8.7"), D("25.0"), D("100.0")]
    assert average_loss_rates([rates, rates]) == rates


def test_bad_inputs() -> None:
    with pytest.raises(ProvisionError):
        roll_rates(SNAPSHOTS[:1])
    with pytest.raises(ProvisionError):
        roll_rates([[D(1), D(2)], [D(1)]])
    with pytest.raises(ProvisionError):
        roll_rate_matrix(SNAPSHOTS, LABELS[:2])
    with pytest.raises(ProvisionError):
        roll_rate_matrix(SNAPSHOTS, LABELS, lgd=D("1.5"))
    with pytest.raises(ProvisionError):
        apply_loss_rates([("a", D(1))], [D(2)])
    with pytest.raises(ProvisionError):
        vintage_loss_rates([D(-1)], D(0))
    assert chain_to_write_off([D("0.5"), D("0.5")]) == [D("0.25"), D("0.5")]
    assert roll_rates([[D(0), D(0)], [D(0), D(0)]]) == [0]
