"""Optional checks of the relative-return kind: new highs, a cross-check, the price ratio.

Why apart: they are figures and conditions some claims add ("neither has peaked", "the
ETFs agree", "the gold/silver ratio"); keeping them here keeps the kind's own module about
the basket race. Returns are in %, prices in the instruments' own units.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from pydantic import Field

from narrowgate.evaluate.common import InstrumentId, figure, pct, text
from narrowgate.evaluate.registry import EvalContext, Params
from narrowgate.evaluate.verdict import Chart, DataUsed, Figure, MissingData
from narrowgate.thesis.schema import LocalizedText

if TYPE_CHECKING:
    import pandas as pd


class CrossCheck(Params):
    """The same race on other instruments (e.g. ETFs beside spot prices): shown, and said
    whether it agrees; never deciding."""

    basket: dict[InstrumentId, float] = Field(min_length=1)
    benchmark: dict[InstrumentId, float] = Field(min_length=1)


@dataclass(frozen=True)
class NewHigh:
    """One instrument's pre-start peak and whether a later close (to the end) beat it."""

    instrument: str
    made: bool
    last_vs_peak: float  # %, last close in the window against the prior peak
    figures: list[Figure]


def new_highs(closes: pd.DataFrame, members: list[str], since: date, anchor: date,
              end: date) -> list[NewHigh]:
    """For each member: the highest close over [since, anchor], and whether a close after
    the anchor, up to ``end``, went above it."""
    import pandas as pd

    from narrowgate.models.peaks import peak_check

    out = []
    for inst in members:
        prices = closes[inst].dropna().loc[: pd.Timestamp(end)]
        check = peak_check(prices, since, anchor)
        last = (float(prices.iloc[-1]) / check.prior_peak - 1) * 100
        out.append(NewHigh(inst, check.new_high, last, [
            figure(f"prior_peak_{inst}", f"{inst} 起点前高点({check.prior_peak_date})",
                   f"{inst} peak before the start ({check.prior_peak_date})",
                   round(check.prior_peak, 2), "price"),
            figure(f"after_max_{inst}", f"{inst} 起点后最高({check.after_max_date})",
                   f"{inst} highest close after the start ({check.after_max_date})",
                   round(check.after_max, 2), "price"),
            figure(f"after_max_vs_peak_{inst}", f"{inst} 起点后最高相对前高",
                   f"{inst} post-start high vs prior peak",
                   pct(check.after_max_vs_peak * 100), "%", decisive=True),
            figure(f"last_vs_peak_{inst}", f"{inst} 最新收盘相对前高",
                   f"{inst} last close vs prior peak", pct(last), "%")]))
    return out


def ratio_figures(closes: pd.DataFrame, up: str, down: str, start: date,
                  end: date) -> tuple[list[Figure], Chart]:
    """The price ratio of two single instruments at the start and the end of the window,
    and its path over the window."""
    import pandas as pd

    from narrowgate.evaluate.hubdata import line_chart

    ratio = (closes[up] / closes[down]).dropna()
    chart = line_chart(text(f"{up}/{down} 比价", f"{up}/{down} price ratio"),
                       ratio.loc[pd.Timestamp(start):pd.Timestamp(end)].to_frame("ratio"),
                       f"{up} per {down}", digits=3)
    return [figure("ratio_start", f"{up}/{down} 起点比价", f"{up}/{down} ratio at the start",
                   round(float(ratio.loc[pd.Timestamp(start)]), 2), f"{up} per {down}"),
            figure("ratio_end", f"{up}/{down} 终点比价", f"{up}/{down} ratio at the end",
                   round(float(ratio.loc[pd.Timestamp(end)]), 2), f"{up} per {down}")], chart


def cross_check(ctx: EvalContext, check: CrossCheck, first: date, end: date, sign: float,
                min_excess: float, agrees_with: bool
                ) -> tuple[list[Figure], list[DataUsed], list[MissingData], LocalizedText | None]:
    """The race on the cross-check instruments over their own common window: figures,
    provenance, what is missing, and one sentence (None when it could not run)."""
    import pandas as pd

    from narrowgate.evaluate.partial_data import read_available
    from narrowgate.models.performance import basket_path, last_close_before

    ids = list(dict.fromkeys([*check.basket, *check.benchmark]))
    lookback = (pd.Timestamp(first) - pd.Timedelta(days=10)).date()
    closes, data, missing = read_available(ctx, ids, lookback, end, "cross-check")
    if closes is None or missing:
        return [], data, missing, None
    common = closes[ids].dropna()
    anchor = last_close_before(common, first)
    stop = common.index[-1].date()
    b = (float(basket_path(common, check.basket, anchor, stop).iloc[-1]) - 1) * 100
    m = (float(basket_path(common, check.benchmark, anchor, stop).iloc[-1]) - 1) * 100
    same = (sign * (b - m) >= min_excess) == agrees_with
    lb, lm = "+".join(check.basket), "+".join(check.benchmark)
    figures = [figure("cross_basket_return", f"{lb} 涨跌", f"{lb} return", pct(b), "%"),
               figure("cross_benchmark_return", f"{lm} 涨跌", f"{lm} return", pct(m), "%"),
               figure("cross_agrees", "交叉验证结论一致", "cross-check agrees",
                      "yes" if same else "no", "")]
    said = text(f"交叉验证(至 {stop}):{lb} {b:+.1f}%,{lm} {m:+.1f}%。",
                f"Cross-check (to {stop}): {lb} {b:+.1f}%, {lm} {m:+.1f}%.")
    return figures, data, missing, said
