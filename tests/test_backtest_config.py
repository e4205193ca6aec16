"""The ``analytics.backtest`` config section: how ``mlcore run`` trades its out-of-sample
signals. Costs set in the config lower the report's net returns by the amount a hand
calculation gives; bad values are refused with their key path."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import pandas as pd
import pytest

from mlcore.analytics.backtest import Backtest
from mlcore.analytics.out_of_sample import HOLDOUT, evaluate_out_of_sample
from mlcore.config import BacktestConfig, MlcoreConfig, config_from_dict, load_config
from mlcore.errors import ConfigError
from mlcore.host import PluginHost
from mlcore.validation import CVResult

OPEN = [100.0, 102.0, 105.0, 104.0, 103.0]
CLOSE = [101.0, 104.0, 104.0, 103.0, 104.0]


def bars() -> pd.DataFrame:
    index = pd.date_range("2024-01-01", periods=len(OPEN), freq="D", tz="UTC")
    high = np.maximum(OPEN, CLOSE) + 1.0
    low = np.minimum(OPEN, CLOSE) - 1.0
    return pd.DataFrame(
        {"open": OPEN, "high": high, "low": low, "close": CLOSE, "volume": 1_000.0}, index=index
    )


def evaluate(backtest: dict[str, Any]) -> Any:
    """The out-of-sample evaluation of one long signal at bar 0, as ``mlcore run`` does it."""
    config = config_from_dict({"analytics": {"risk_free_rate": 0.0, "backtest": backtest}})
    prices = bars()
    held_out = pd.DataFrame({"signal": [1, 0, 0, 0, 0]}, index=prices.index)
    empty_cv = CVResult(pd.DataFrame(), pd.Series(dtype=float), None, (), ())
    performance = evaluate_out_of_sample(
        config, PluginHost(config), prices, held_out=held_out, cv=empty_cv
    )
    assert performance is not None
    assert performance.source == HOLDOUT
    return performance


def test_costs_in_the_config_lower_net_returns_by_the_hand_computed_amount() -> None:
    capital, commission, slip = 10_000.0, 0.001, 10 / 1e4
    free = evaluate({"initial_capital": capital})
    costly = evaluate({"initial_capital": capital, "commission": commission, "slippage_bps": 10})

    # the signal of bar 0 buys at bar 1's open (102) and sells at bar 2's open (105)
    assert free.metrics["total_return"] == pytest.approx(105 / 102 - 1, rel=1e-12)
    buy, sell = 102 * (1 + slip), 105 * (1 - slip)  # slippage moves both fills against us
    shares = capital / buy
    fees = commission * shares * buy + commission * shares * sell
    final = capital + shares * (sell - buy) - fees
    assert costly.metrics["total_return"] == pytest.approx(final / capital - 1, rel=1e-12)

    cost = shares * (buy - 102) + shares * (105 - sell) + fees  # slippage and commissions
    assert costly.backtest.costs.sum() == pytest.approx(cost, rel=1e-9)
    summary = dict(line.split("  ", 1) for line in costly.summary().splitlines()[2:])
    paid = summary["costs paid (commission and slippage)"].strip().replace(",", "")
    assert float(paid) == pytest.approx(cost, abs=0.005)
    assert float(summary["initial capital"].strip().replace(",", "")) == capital
    assert (costly.backtest.returns <= free.backtest.returns + 1e-15).all()
    assert costly.backtest.trades["fees"].iloc[0] == pytest.approx(fees, rel=1e-12)


def test_sizing_and_fill_from_the_config_reach_the_backtest() -> None:
    half = evaluate({"fraction": 0.5, "fill": "close"})
    # half the equity, bought at bar 1's close (104) and sold at bar 2's close (104)
    assert half.backtest.positions.tolist() == [0.0, 0.5, 0.0, 0.0, 0.0]
    assert half.backtest.trades["entry_price"].tolist() == [104.0]
    assert half.backtest.settings == Backtest(fraction=0.5, fill="close")


def test_the_config_section_mirrors_the_backtest_settings() -> None:
    config_fields = {field.name: field.default for field in attrs.fields(BacktestConfig)}
    backtest_fields = {field.name: field.default for field in attrs.fields(Backtest)}
    assert set(config_fields) == set(backtest_fields) - {"periods_per_year"}
    assert Backtest.from_config(MlcoreConfig()) == Backtest()

    config = config_from_dict(
        {"analytics": {"periods_per_year": 365, "backtest": {"long_threshold": 0.6}}}
    )
    built = Backtest.from_config(config)
    assert built.periods_per_year == 365
    # no short_threshold: the same as long_threshold, so there is no flat band
    assert (built.long_threshold, built.short_threshold) == (0.6, 0.6)
    band = config_from_dict(
        {"analytics": {"backtest": {"long_threshold": 0.55, "short_threshold": 0.45}}}
    )
    assert Backtest.from_config(band).short_threshold == 0.45


@pytest.mark.parametrize(
    ("setting", "key", "message"),
    [
        ("commission: 10", "commission", "must be < 1 (a fraction: 0.001 is 10 bps), got 10.0"),
        ("commission: -0.001", "commission", "must be >= 0"),
        ("slippage_bps: -1", "slippage_bps", "must be >= 0, got -1.0"),
        ("slippage_bps: 10000", "slippage_bps", "must be < 10000 basis points"),
        ("commission_per_share: .inf", "commission_per_share", "must be a finite number"),
        ("sizing: kely", "sizing", "did you mean 'kelly'?"),
        ("fill: next", "fill", "expected one of 'open', 'close', got 'next'"),
        ("fraction: 0", "fraction", "must be > 0"),
        ("volatility_window: 1", "volatility_window", "must be >= 2"),
        ("long_threshold: 1.5", "long_threshold", "must be <= 1"),
        ("short_threshold: 0.7", "short_threshold", "must not exceed long_threshold (0.5)"),
        ("initial_capital: '1e6'", "initial_capital", "expected float, got '1e6' (str)"),
        ("allow_short: no", "allow_short", None),  # YAML reads `no` as false: accepted
        ("comission: 0.001", "comission", "did you mean 'commission'?"),
    ],
)
def test_bad_values_name_the_key_path_and_line(
    tmp_path: Path, setting: str, key: str, message: str | None
) -> None:
    path = tmp_path / "run.yaml"
    path.write_text(
        textwrap.dedent(
            f"""\
            training:
              seed: 1
            analytics:
              reports: [html]
              backtest:
                {setting}
            """
        ),
        encoding="utf-8",
    )
    if message is None:
        assert load_config(path).analytics.backtest.allow_short is False
        return
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.key_path == f"analytics.backtest.{key}"
    assert message in str(caught.value)
    assert str(caught.value).startswith(f"{path}:6: config key 'analytics.backtest.{key}'")
