"""earnings-up-pe-down: once consensus is in the price, earnings rise while the P/E falls.

Tested on the CSI AI-hardware indices, whose files carry a P/E column, so index earnings are
E = P / PE and log return = EPS growth + multiple change exactly (price indices: no dividend
term). Decisive: the decomposition after the date the consensus is taken to be in the price
(the article's price date) up to as-of; an index supports the claim when its EPS grew and
its P/E fell there. Context: the same split since the AI rally began, and the share of
rolling windows (about six months) with EPS up and P/E down. Stock-level decomposition
needs reported EPS histories the store does not hold yet; the evidence says so.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

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
from narrowgate.evaluate.registry import DataNeed, EvalContext, Params, register
from narrowgate.evaluate.verdict import (
    Assessment,
    Chart,
    DataUsed,
    Evidence,
    Figure,
    MissingData,
    Verdict,
)

if TYPE_CHECKING:
    import pandas as pd

    from narrowgate.thesis.schema import Claim


class EarningsUpPeDownParams(Params):
    indices: list[InstrumentId] = Field(min_length=1, description="CSI indices with a P/E")
    rally_start: date = Field(description="when the AI rally began")
    consensus_in_price_date: date = Field(description="from when consensus is in the price")
    window_trading_days: int = Field(120, ge=5, le=1000, description="rolling window length")
    min_eps_growth: float = Field(0.0, description="log EPS growth above this → EPS up")
    max_multiple_change: float = Field(0.0, description="log P/E change below this → P/E down")
    supported_share_of_indices: float = Field(
        1.0, gt=0, le=1, description="share of indices with EPS up and P/E down → supported"
    )

    @model_validator(mode="after")
    def _dates(self) -> EarningsUpPeDownParams:
        if self.consensus_in_price_date <= self.rally_start:
            raise ValueError("consensus_in_price_date must come after rally_start")
        return self


def read_index(ctx: EvalContext, instrument: str, start: date) -> tuple[pd.DataFrame, DataUsed]:
    """Close and P/E from ``start`` to as-of, rows without a P/E dropped (E undefined)."""
    from narrowgate.errors import DataNotFound
    from narrowgate.evaluate.hubdata import provenance_to_data, require_hub

    bars = require_hub(ctx, [instrument]).bars(instrument, start, ctx.as_of, adjust="raw")
    frame = bars.frame
    if "pe" not in frame or frame["pe"].dropna().empty:
        raise DataNotFound(f"{instrument} has no P/E column in the store",
                           "import a file with a P/E column (the CSI index files carry one)",
                           fetch=(instrument,))
    kept = frame.dropna(subset=["close", "pe"])
    dropped = len(frame) - len(kept)
    note = f"close and P/E; {dropped} rows without a P/E left out" if dropped else "close and P/E"
    return kept[["close", "pe"]], provenance_to_data(bars.provenance[0], note)


def index_result(frame: pd.DataFrame, params: EarningsUpPeDownParams) -> dict[str, Any]:
    """Decompositions since the rally, after the price date, and the rolling-window shares."""
    from narrowgate.models.decompose import decompose_return, rolling_decomposition

    close, pe = frame["close"], frame["pe"]
    rally = decompose_return(close, params.rally_start, params.consensus_in_price_date, pe=pe)
    after = decompose_return(close, params.consensus_in_price_date, frame.index[-1], pe=pe)
    roll = rolling_decomposition(close, params.window_trading_days, pe=pe)
    roll = roll[roll["eps_defined"]]
    hit = (roll["eps_growth"] > params.min_eps_growth) & (
        roll["multiple_change"] < params.max_multiple_change)
    late = roll.index > params.consensus_in_price_date.isoformat()
    return {
        "rally": rally.iloc[0], "after": after.iloc[0],
        "share_all": float(hit.mean()) if len(hit) else None, "windows": len(hit),
        "share_after": float(hit[late].mean()) if late.any() else None,
        "windows_after": int(late.sum()),
    }


def cumulative_chart(instrument: str, frame: pd.DataFrame) -> Chart:
    """Cumulative log EPS growth and log P/E change since the first date (they sum to the
    log price change)."""
    import numpy as np
    import pandas as pd

    from narrowgate.evaluate.hubdata import line_chart

    close, pe = frame["close"], frame["pe"]
    eps = close / pe
    paths = pd.DataFrame({
        "EPS growth (log)": np.log(eps / eps.iloc[0]),
        "multiple change (log)": np.log(pe / pe.iloc[0]),
        "price return (log)": np.log(close / close.iloc[0]),
    })
    return line_chart(text(f"{instrument}:累计盈利增长与估值变化(对数)",
                           f"{instrument}: cumulative EPS growth vs multiple change (log)"),
                      paths, "log change since start")


@register
class EarningsUpPeDown(AwaitingEvaluator[EarningsUpPeDownParams]):
    test = "earnings-up-pe-down"
    params_model = EarningsUpPeDownParams
    title = "Return decomposition of the CSI AI-hardware indices"
    capability = Capability.DATA_HUB
    measures = text(
        "把中证 AI 硬件相关指数的收益拆成盈利增长与估值变化(E = 价格 / 市盈率),看共识计入价格之后"
        "是否盈利上升、市盈率下降。",
        "Split the CSI AI-hardware indices' returns into EPS growth and multiple change "
        "(E = price / P/E); check whether, after consensus is in the price, EPS rises while "
        "the P/E falls.",
    )

    def data_needs(self, params: EarningsUpPeDownParams, ctx: EvalContext) -> list[DataNeed]:
        return bars_needs(params.indices, params.rally_start, ctx.as_of, "close and P/E")

    def setup_figures(self, params: EarningsUpPeDownParams, ctx: EvalContext) -> list[Figure]:
        return [
            date_figure("rally_start", "AI 行情起点", "AI rally start", params.rally_start),
            date_figure("consensus_date", "共识计入价格日", "consensus in the price from",
                        params.consensus_in_price_date),
            figure("window", "滚动窗口", "rolling window", params.window_trading_days,
                   "trading days"),
        ]

    def decide(
        self, claim: Claim, params: EarningsUpPeDownParams, ctx: EvalContext
    ) -> Assessment | None:
        figures: list[Figure] = []
        data: list[DataUsed] = []
        charts: list[Chart] = []
        backing: list[str] = []
        lines_en: list[str] = []
        lines_zh: list[str] = []
        for inst in params.indices:
            frame, used = read_index(ctx, inst, params.rally_start)
            data.append(used)
            res = index_result(frame, params)
            a, r = res["after"], res["rally"]
            up = a["eps_growth"] > params.min_eps_growth
            down = a["multiple_change"] < params.max_multiple_change
            if up and down:
                backing.append(inst)
            span = f"{a['start'].date()}→{a['end'].date()}"
            figures += [
                figure(f"after_eps_{inst}", f"{inst} 价格日后盈利增长", f"{inst} EPS growth "
                       f"{span}", round(float(a["eps_growth"]), 4), "log", decisive=True),
                figure(f"after_multiple_{inst}", f"{inst} 价格日后估值变化",
                       f"{inst} multiple change {span}", round(float(a["multiple_change"]), 4),
                       "log", decisive=True),
                figure(f"after_pe_{inst}", f"{inst} 市盈率", f"{inst} P/E {span}",
                       f"{a['pe_start']:.2f} → {a['pe_end']:.2f}", "x"),
                figure(f"after_return_{inst}", f"{inst} 价格日后涨跌", f"{inst} price return "
                       f"{span}", pct(float(a["price_end"] / a["price_start"] - 1) * 100), "%"),
                figure(f"rally_eps_{inst}", f"{inst} 行情以来盈利增长", f"{inst} EPS growth "
                       f"{r['start'].date()}→{r['end'].date()}", round(float(r["eps_growth"]), 4),
                       "log"),
                figure(f"rally_multiple_{inst}", f"{inst} 行情以来估值变化",
                       f"{inst} multiple change {r['start'].date()}→{r['end'].date()}",
                       round(float(r["multiple_change"]), 4), "log"),
                figure(f"share_windows_{inst}", f"{inst} 盈利升且估值降的窗口占比",
                       f"{inst} share of windows with EPS up and P/E down "
                       f"({res['windows']} windows)",
                       None if res["share_all"] is None else pct(res["share_all"] * 100), "%"),
                figure(f"share_windows_after_{inst}", f"{inst} 价格日后结束的窗口占比",
                       f"{inst} same, windows ending after the price date "
                       f"({res['windows_after']})",
                       None if res["share_after"] is None else pct(res["share_after"] * 100), "%"),
            ]
            lines_en.append(f"{inst} EPS {a['eps_growth']:+.3f}, P/E {a['multiple_change']:+.3f}"
                            f" (log, {span})")
            lines_zh.append(f"{inst} 盈利 {a['eps_growth']:+.3f}、估值 "
                            f"{a['multiple_change']:+.3f}")
            charts.append(cumulative_chart(inst, frame))
        share = len(backing) / len(params.indices)
        if share >= params.supported_share_of_indices:
            verdict = Verdict.SUPPORTED
        elif not backing:
            verdict = Verdict.CONTRADICTED
        else:
            verdict = Verdict.MIXED
        figures.insert(0, figure("indices_backing", "盈利升且估值降的指数", "indices with EPS up "
                                 "and P/E down after the price date", len(backing),
                                 f"of {len(params.indices)}", decisive=True))
        summary = text(
            f"{params.consensus_in_price_date} 之后:" + ";".join(lines_zh) + f"。"
            f"{len(backing)}/{len(params.indices)} 个指数盈利上升且市盈率下降。",
            f"After {params.consensus_in_price_date}: " + "; ".join(lines_en) + f". "
            f"{len(backing)} of {len(params.indices)} indices show EPS up with the P/E down.",
        )
        missing = [MissingData(
            what="reported EPS histories of the AI-hardware stocks (300308, 300502, 300394, MU, "
                 "LITE) for a stock-level decomposition",
            how="not in the store yet: akshare reported profits (A-shares) or SEC facts (US) "
                "dated by publication; the decomposition model accepts them as `eps=`")]
        return Assessment(verdict=verdict, summary=summary, evidence=Evidence(
            figures=[*figures, *self.setup_figures(params, ctx)], data=data, charts=charts,
            notes=[self.measures], missing=missing))
