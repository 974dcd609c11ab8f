"""relative-return: "X will do better than Y" — a generic test for any thesis.

A buy-and-hold basket (weights fixed at entry, then drifting) from the last close before
the start date (default: the thesis's publication) to the end date (default: the claim's
horizon, else as-of), against a benchmark basket. Supported when the basket beats the
benchmark by at least ``min_excess_pp`` and, if set, returns at least ``min_return_pct``
itself. The coverage gate holds the reading back until every instrument has a close on
or after the end date.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from pydantic import Field, model_validator

from narrowgate.evaluate.common import InstrumentId, figure, pct, text
from narrowgate.evaluate.core.coverage import coverage_gate
from narrowgate.evaluate.hubdata import line_chart, price_need, read_closes
from narrowgate.evaluate.registry import DataNeed, EvalContext, Evaluator, Params, register
from narrowgate.evaluate.verdict import Assessment, Evidence, Verdict, WatchItem

if TYPE_CHECKING:
    import pandas as pd

    from narrowgate.thesis.schema import Claim


class RelativeReturnParams(Params):
    basket: dict[InstrumentId, float] = Field(min_length=1, description="instrument → weight")
    benchmark: dict[InstrumentId, float] = Field(min_length=1, description="instrument → weight")
    start: date | None = Field(None, description="default: the thesis's publication date")
    end: date | None = Field(None, description="default: the claim's horizon, else as-of")
    min_excess_pp: float = Field(0.0, description="basket minus benchmark, percentage points")
    min_return_pct: float | None = Field(None, description="optional floor on the basket itself")

    @model_validator(mode="after")
    def _weights(self) -> RelativeReturnParams:
        for name, legs in (("basket", self.basket), ("benchmark", self.benchmark)):
            if any(w <= 0 for w in legs.values()):
                raise ValueError(f"{name} weights must be positive")
        if self.start and self.end and self.end <= self.start:
            raise ValueError("end must come after start")
        return self


@register
class RelativeReturn(Evaluator[RelativeReturnParams]):
    test = "relative-return"
    params_model = RelativeReturnParams
    title = "A basket against a benchmark from a start date (generic)"

    def data_needs(self, params: RelativeReturnParams, ctx: EvalContext) -> list[DataNeed]:
        start = params.start or ctx.published
        end = params.end or ctx.as_of
        ids = sorted({*params.basket, *params.benchmark})
        return [price_need(i, start, end, "basket vs benchmark") for i in ids]

    def evaluate(self, claim: Claim, params: RelativeReturnParams, ctx: EvalContext) -> Assessment:
        import pandas as pd

        from narrowgate.models.performance import basket_path, common_window, last_close_before

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
        beats = excess >= params.min_excess_pp
        floor_ok = params.min_return_pct is None or basket_ret >= params.min_return_pct
        if beats and floor_ok:
            verdict = Verdict.SUPPORTED
        elif beats or (floor_ok and excess > 0):
            verdict = Verdict.MIXED
        else:
            verdict = Verdict.CONTRADICTED
        gate = coverage_gate(verdict, decides_at=due, data_reaches=_reach(closes, ids),
                             as_of=ctx.as_of)
        label_b = "+".join(params.basket)
        label_m = "+".join(params.benchmark)
        figures = [
            figure(
                "basket_return",
                "组合收益",
                f"{label_b} return",
                pct(basket_ret),
                "%",
                decisive=True,
            ),
            figure("benchmark_return", "基准收益", f"{label_m} return", pct(bench_ret), "%"),
            figure(
                "excess_return",
                "超额收益",
                "excess over benchmark",
                pct(excess),
                "percentage points",
                decisive=True,
            ),
            figure(
                "threshold", "所需超额", "excess needed", params.min_excess_pp, "percentage points"
            ),
            figure("window", "区间", "window", f"{window.start} → {window.end}", "dates"),
        ]
        chart = line_chart(
            text("组合与基准(起点=1)", "Basket vs benchmark (start = 1)"),
            pd.DataFrame({label_b: basket, label_m: bench}),
            "× start",
        )
        summary = text(
            f"{window.start} 至 {window.end}:{label_b} {basket_ret:+.1f}%,{label_m} "
            f"{bench_ret:+.1f}%,超额 {excess:+.1f} 个百分点(需 ≥ {params.min_excess_pp})。",
            f"{window.start} to {window.end}: {label_b} {basket_ret:+.1f}%, {label_m} "
            f"{bench_ret:+.1f}%, excess {excess:+.1f} points (needs ≥ {params.min_excess_pp}).",
        )
        if gate.interim is not None:
            summary = text(gate.interim.zh + summary.zh, f"{gate.interim.en} {summary.en}")
        return Assessment(
            verdict=gate.verdict,
            summary=summary,
            evidence=Evidence(
                figures=figures,
                data=data,
                charts=[chart],
                watch=[
                    WatchItem(
                        label=text("相对基准的超额收益", "excess over the benchmark"),
                        current=round(excess, 2),
                        threshold=params.min_excess_pp,
                        unit="percentage points",
                        flips_to=Verdict.CONTRADICTED if beats else Verdict.SUPPORTED,
                        instrument=label_b,
                        observed=window.end,
                    )
                ],
            ),
        )


def _reach(closes: pd.DataFrame, ids: list[str]) -> date | None:
    """The last day every instrument of the read has a close (None: no common day)."""
    common = closes[ids].dropna(how="any")
    return common.index[-1].date() if len(common) else None
