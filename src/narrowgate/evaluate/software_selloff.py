"""software-selloff: software and services lost close to $1T of value since 2026-01-28.

Measured on a software ETF (IGV) against the S&P 500 (SPY): drawdown and relative return
from the last close before the selloff to the publication baseline. The dollar loss needs
constituents' market caps, which no provider supplies yet. The "sell software" position
the article recommends — short the software ETF / long the benchmark, equal notional,
entered at the base-date close and held to the latest data — is back-tested beside it
(evidence only; the verdict is the selloff's size above).
"""

from __future__ import annotations

from datetime import date, timedelta

from pydantic import Field, model_validator

from narrowgate.evaluate.common import (
    AwaitingEvaluator,
    Capability,
    InstrumentId,
    bars_needs,
    date_figure,
    figure,
    pct,
    text,
)
from narrowgate.evaluate.hubdata import line_chart, read_closes
from narrowgate.evaluate.implied_trade import (
    ImpliedPlan,
    ImpliedTradeParams,
    held_plan,
    with_implied_trades,
)
from narrowgate.evaluate.registry import DataNeed, EvalContext, Params, register
from narrowgate.evaluate.verdict import Assessment, Evidence, Figure, MissingData, Verdict
from narrowgate.thesis.schema import Claim


class SoftwareSelloffParams(Params):
    instrument: InstrumentId
    benchmark: InstrumentId
    base_date: date = Field(description="last close before the selloff began")
    end_date: date = Field(description="last close before publication")
    article_value_loss_usd_bn: float = Field(gt=0)
    supported_drawdown_pct: float = Field(10.0, gt=0, description="IGV fall at least this")
    supported_underperformance_pp: float = Field(
        5.0, gt=0, description="IGV behind the benchmark by at least this many points"
    )
    implied_trade: ImpliedTradeParams = Field(default_factory=ImpliedTradeParams)

    @model_validator(mode="after")
    def _dates(self) -> SoftwareSelloffParams:
        if self.end_date <= self.base_date:
            raise ValueError("end_date must come after base_date")
        return self


@register
class SoftwareSelloff(AwaitingEvaluator[SoftwareSelloffParams]):
    test = "software-selloff"
    params_model = SoftwareSelloffParams
    title = "Software selloff since 2026-01-28"
    capability = Capability.DATA_HUB
    measures = text(
        "软件 ETF 自抛售前收盘至发布前收盘的跌幅及相对标普 500 的超额收益。",
        "Software-ETF drawdown from the last close before the selloff to the last close "
        "before publication, and its return relative to the S&P 500.",
    )

    def data_needs(self, params: SoftwareSelloffParams, ctx: EvalContext) -> list[DataNeed]:
        return bars_needs([params.instrument, params.benchmark], params.base_date, ctx.as_of,
                          "closes from the selloff start to as-of")

    def setup_figures(self, params: SoftwareSelloffParams, ctx: EvalContext) -> list[Figure]:
        return [
            date_figure("base_date", "基准日", "base date", params.base_date),
            date_figure("end_date", "测量终点", "measured to", params.end_date),
            figure("article_loss", "文章所称市值损失", "article's value loss",
                   params.article_value_loss_usd_bn, "USD bn"),
            figure("drawdown_threshold", "支持所需跌幅", "drawdown for 'supported'",
                   params.supported_drawdown_pct, "%"),
            figure("underperformance_threshold", "支持所需跑输幅度",
                   "underperformance for 'supported'", params.supported_underperformance_pp,
                   "percentage points"),
        ]

    def decide(
        self, claim: Claim, params: SoftwareSelloffParams, ctx: EvalContext
    ) -> Assessment | None:
        from narrowgate.models.performance import (
            max_drawdown,
            normalised_path,
            total_return,
        )

        ids = [params.instrument, params.benchmark]
        closes, data = read_closes(ctx, ids, params.base_date, params.end_date)
        window = closes.dropna()
        start, end = window.index[0].date(), window.index[-1].date()
        fund = total_return(window[params.instrument], start, end) * 100
        bench = total_return(window[params.benchmark], start, end) * 100
        relative = fund - bench
        drawdown = max_drawdown(normalised_path(window, start, end)[params.instrument]) * 100
        fell = -fund >= params.supported_drawdown_pct
        lagged = -relative >= params.supported_underperformance_pp
        if fell and lagged:
            verdict = Verdict.SUPPORTED
        elif fell or lagged or fund < 0:
            verdict = Verdict.MIXED
        else:
            verdict = Verdict.CONTRADICTED
        figures = [
            figure("fund_return", f"{params.instrument} 区间涨跌", f"{params.instrument} return",
                   pct(fund), "%", decisive=True),
            figure("benchmark_return", f"{params.benchmark} 区间涨跌",
                   f"{params.benchmark} return", pct(bench), "%"),
            figure("relative_return", "相对基准", "relative to benchmark", pct(relative),
                   "percentage points", decisive=True),
            figure("max_drawdown", "区间最大回撤", "max drawdown in window", pct(drawdown), "%"),
            *self.setup_figures(params, ctx),
        ]
        chart = line_chart(
            text("软件 ETF 与标普 500(起点=1)", "Software ETF vs S&P 500 (start = 1)"),
            normalised_path(window, start, end),
            "× start",
        )
        summary = text(
            f"{start} 至 {end}:{params.instrument} {fund:+.1f}%,{params.benchmark} {bench:+.1f}%,"
            f"跑输 {-relative:.1f} 个百分点。文章所称约 "
            f"{params.article_value_loss_usd_bn * 10:,.0f} 亿美元的市值损失需成分股市值数据,"
            "此处以 ETF 跌幅检验方向与幅度。",
            f"{start} to {end}: {params.instrument} {fund:+.1f}%, {params.benchmark} "
            f"{bench:+.1f}%, {-relative:.1f} points behind. The article's ~$"
            f"{params.article_value_loss_usd_bn:.0f}B value loss needs constituents' market caps;"
            " the ETF's fall tests its direction and size.",
        )
        assessment = Assessment(
            verdict=verdict,
            summary=summary,
            evidence=Evidence(
                figures=figures,
                data=data,
                charts=[chart],
                notes=[self.measures],
                missing=[
                    MissingData(
                        what="market caps of software and services constituents",
                        how="no provider in this version supplies index constituents",
                    )
                ],
            ),
        )
        return with_implied_trades(assessment, self.implied_plans(claim, params, ctx))

    def implied_plans(self, claim: Claim, params: SoftwareSelloffParams, ctx: EvalContext,
                      start: date | None = None, end: date | None = None) -> list[ImpliedPlan]:
        """Short the software ETF / long the benchmark, equal notional, bought at the
        base-date close (the selloff's start, not the publication) and held to the latest
        data (``start``/``end``: history from / up to, instead of the params' and as-of)."""
        return [ImpliedPlan(
            label=claim.id,
            name=text(f"卖软件(空 {params.instrument}/多 {params.benchmark})",
                      f"sell software (short {params.instrument} / long {params.benchmark})"),
            entry=params.base_date + timedelta(days=1), since=text("抛售开始", "the selloff"),
            plan=lambda: held_plan(ctx, params.implied_trade, long=[params.benchmark],
                                   short=[params.instrument], currency="USD",
                                   match_from=params.base_date, start=start, end=end))]
