"""relative-return: "X will do better (or worse) than Y" — a generic test for any thesis.

A buy-and-hold basket (weights fixed at entry, then drifting) from the last close before
the start date (default: the thesis's publication) to the end date (default: the claim's
horizon, else as-of), against a benchmark basket. The conditions the params set are the
test: the basket beats (``expect: outperform``) or lags (``underperform``) the benchmark
by at least ``min_excess_pp``, and optionally its own return is at least
``min_return_pct`` or at most ``max_return_pct`` (a fall of at least 10 % is
``max_return_pct: -10``). All set conditions hold → supported; some hold, or the excess
points the expected way → mixed; otherwise contradicted. The basket's max drawdown in the
window is shown beside. The coverage gate holds the reading back until every instrument
has a close on or after the end date. With ``hold``, the position the claim implies (long
the basket / short the benchmark, or the reverse) is back-tested beside it as evidence.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Literal

from pydantic import Field, model_validator

from narrowgate.evaluate.common import InstrumentId, figure, pct, text
from narrowgate.evaluate.core.coverage import coverage_gate
from narrowgate.evaluate.hubdata import line_chart, price_need, read_closes
from narrowgate.evaluate.implied_trade import (
    ImpliedPlan,
    ImpliedTradeParams,
    held_plan,
    with_implied_trades,
)
from narrowgate.evaluate.registry import DataNeed, EvalContext, Evaluator, Params, register
from narrowgate.evaluate.verdict import Assessment, Evidence, MissingData, Verdict, WatchItem
from narrowgate.thesis.schema import LocalizedText

if TYPE_CHECKING:
    import pandas as pd

    from narrowgate.thesis.schema import Claim


class MissingPart(Params):
    """Data the claim would need beyond prices (said as missing; it never decides)."""

    what: str = Field(min_length=1)
    how: str = Field(min_length=1, description="how to get it, or why it is not available")


class RelativeReturnParams(Params):
    basket: dict[InstrumentId, float] = Field(min_length=1, description="instrument → weight")
    benchmark: dict[InstrumentId, float] = Field(min_length=1, description="instrument → weight")
    start: date | None = Field(None, description="default: the thesis's publication date")
    start_event: LocalizedText | None = Field(None, description="what happened at start, "
                                                                "e.g. the selloff")
    end: date | None = Field(None, description="default: the claim's horizon, else as-of")
    expect: Literal["outperform", "underperform"] = Field(
        "outperform", description="the basket beats the benchmark, or lags it")
    min_excess_pp: float = Field(0.0, ge=0, description="by at least this many percentage "
                                                       "points, in the expected direction")
    min_return_pct: float | None = Field(None, description="optional floor on the basket's "
                                                           "own return, %")
    max_return_pct: float | None = Field(None, description="optional ceiling on the basket's "
                                                           "own return, % (-10: a fall of 10%)")
    note: LocalizedText | None = Field(None, description="what the measurement stands for, "
                                                         "said in the summary")
    missing: list[MissingPart] = Field(default_factory=list)
    hold: bool = Field(False, description="back-test the implied position from the start")
    implied_trade: ImpliedTradeParams = Field(default_factory=ImpliedTradeParams)

    @model_validator(mode="after")
    def _weights(self) -> RelativeReturnParams:
        for name, legs in (("basket", self.basket), ("benchmark", self.benchmark)):
            if any(w <= 0 for w in legs.values()):
                raise ValueError(f"{name} weights must be positive")
        if self.start and self.end and self.end <= self.start:
            raise ValueError("end must come after start")
        if self.min_return_pct is not None and self.max_return_pct is not None \
                and self.max_return_pct < self.min_return_pct:
            raise ValueError("max_return_pct cannot be below min_return_pct")
        return self

    @property
    def sign(self) -> float:
        """+1 when the basket should beat the benchmark, -1 when it should lag."""
        return 1.0 if self.expect == "outperform" else -1.0


def relative_verdict(basket_ret: float, excess: float, params: RelativeReturnParams) -> Verdict:
    """Every set condition holds → supported; some hold, or the excess points the expected
    way → mixed; else contradicted (returns in %, excess in percentage points)."""
    held = [params.sign * excess >= params.min_excess_pp]
    if params.min_return_pct is not None:
        held.append(basket_ret >= params.min_return_pct)
    if params.max_return_pct is not None:
        held.append(basket_ret <= params.max_return_pct)
    if all(held):
        return Verdict.SUPPORTED
    if any(held) or params.sign * excess > 0:
        return Verdict.MIXED
    return Verdict.CONTRADICTED


@register
class RelativeReturn(Evaluator[RelativeReturnParams]):
    test = "relative-return"
    params_model = RelativeReturnParams
    title = "A basket against a benchmark between two dates (generic)"

    def data_needs(self, params: RelativeReturnParams, ctx: EvalContext) -> list[DataNeed]:
        start = params.start or ctx.published
        end = params.end or ctx.as_of
        ids = sorted({*params.basket, *params.benchmark})
        return [price_need(i, start, end, "basket vs benchmark") for i in ids]

    def evaluate(self, claim: Claim, params: RelativeReturnParams, ctx: EvalContext) -> Assessment:
        import pandas as pd

        from narrowgate.models.performance import (
            basket_path,
            common_window,
            last_close_before,
            max_drawdown,
        )

        start_day = params.start or ctx.published
        due = params.end or claim.horizon
        end_day = min(due or ctx.as_of, ctx.as_of)
        ids = sorted({*params.basket, *params.benchmark})
        lookback = (pd.Timestamp(start_day) - pd.Timedelta(days=10)).date()
        closes, data = read_closes(ctx, ids, lookback, end_day)
        anchor = last_close_before(closes.dropna(), start_day)
        window = common_window(closes, anchor, end_day)
        basket = basket_path(closes.dropna(), params.basket, window.start, window.end)
        bench = basket_path(closes.dropna(), params.benchmark, window.start, window.end)
        basket_ret = (float(basket.iloc[-1]) - 1) * 100
        bench_ret = (float(bench.iloc[-1]) - 1) * 100
        excess = basket_ret - bench_ret
        drawdown = max_drawdown(basket) * 100
        gate = coverage_gate(relative_verdict(basket_ret, excess, params), decides_at=due,
                             data_reaches=_reach(closes, ids), as_of=ctx.as_of)
        label_b = "+".join(params.basket)
        label_m = "+".join(params.benchmark)
        needed = params.sign * params.min_excess_pp
        figures = [
            figure("basket_return", "组合收益", f"{label_b} return", pct(basket_ret), "%",
                   decisive=True),
            figure("benchmark_return", "基准收益", f"{label_m} return", pct(bench_ret), "%"),
            figure("excess_return", "超额收益", "excess over benchmark", pct(excess),
                   "percentage points", decisive=True),
            figure("max_drawdown", "组合区间最大回撤", f"{label_b} max drawdown in window",
                   pct(drawdown), "%"),
            figure("threshold", "所需超额", "excess needed", needed,
                   "percentage points (≥)" if params.sign > 0 else "percentage points (≤)"),
            figure("window", "区间", "window", f"{window.start} → {window.end}", "dates"),
        ]
        for key, zh, en, value in (("min_return", "组合收益下限", "basket return floor",
                                    params.min_return_pct),
                                   ("max_return", "组合收益上限", "basket return ceiling",
                                    params.max_return_pct)):
            if value is not None:
                figures.append(figure(key, zh, en, value, "%"))
        chart = line_chart(
            text("组合与基准(起点=1)", "Basket vs benchmark (start = 1)"),
            pd.DataFrame({label_b: basket, label_m: bench}), "× start")
        op = "≥" if params.sign > 0 else "≤"
        summary = text(
            f"{window.start} 至 {window.end}:{label_b} {basket_ret:+.1f}%,{label_m} "
            f"{bench_ret:+.1f}%,超额 {excess:+.1f} 个百分点(需 {op} {needed:g})。",
            f"{window.start} to {window.end}: {label_b} {basket_ret:+.1f}%, {label_m} "
            f"{bench_ret:+.1f}%, excess {excess:+.1f} points (needs {op} {needed:g}).")
        if params.note is not None:
            summary = text(f"{summary.zh}{params.note.zh}", f"{summary.en} {params.note.en}")
        if gate.interim is not None:
            summary = text(gate.interim.zh + summary.zh, f"{gate.interim.en} {summary.en}")
        beats = params.sign * excess >= params.min_excess_pp
        assessment = Assessment(
            verdict=gate.verdict,
            summary=summary,
            evidence=Evidence(
                figures=figures, data=data, charts=[chart],
                missing=[MissingData(what=m.what, how=m.how) for m in params.missing],
                watch=[WatchItem(
                    label=text("相对基准的超额收益", "excess over the benchmark"),
                    current=round(excess, 2), threshold=needed, unit="percentage points",
                    flips_to=Verdict.CONTRADICTED if beats else Verdict.SUPPORTED,
                    instrument=label_b, observed=window.end)]))
        if not params.hold:
            return assessment
        return with_implied_trades(assessment, self.implied_plans(claim, params, ctx))

    def implied_plans(self, claim: Claim, params: RelativeReturnParams, ctx: EvalContext,
                      start: date | None = None, end: date | None = None) -> list[ImpliedPlan]:
        """Long the basket / short the benchmark (the reverse when it should lag), equal
        weight within each leg, bought at the last close before the start and held
        (``start``/``end``: history from / up to, instead of the params' and as-of)."""
        if not params.hold:
            return []
        from narrowgate.evaluate.kinds.trade import currency_of

        first = params.start or ctx.published
        up, down = list(params.basket), list(params.benchmark)
        long, short = (up, down) if params.sign > 0 else (down, up)
        name = "+".join(i.partition(":")[2] for i in long), \
            "+".join(i.partition(":")[2] for i in short)
        currency = next((c for c in map(currency_of, [*long, *short]) if c), "points")
        return [ImpliedPlan(
            label=claim.id, name=text(f"多 {name[0]} / 空 {name[1]}",
                                      f"long {name[0]} / short {name[1]}"),
            entry=first, since=(params.start_event or text(f"{first}", f"{first}"))
            if params.start else None,
            plan=lambda: held_plan(ctx, params.implied_trade, long=long, short=short,
                                   currency=currency, match_from=first - timedelta(days=1),
                                   start=start, end=end))]


def _reach(closes: pd.DataFrame, ids: list[str]) -> date | None:
    """The last day every instrument of the read has a close (None: no common day)."""
    common = closes[ids].dropna(how="any")
    return common.index[-1].date() if len(common) else None
