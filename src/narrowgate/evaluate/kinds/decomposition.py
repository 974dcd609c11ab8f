"""decomposition: a price move split into earnings growth and multiple change.

For instruments whose stored bars carry a P/E column (index files often do): E = P / PE,
so the log price change is log EPS growth plus log multiple change exactly (a price index
has no dividend term). The deciding window runs from ``decide_from`` to the claim's
horizon (or ``end``, else the latest data); an instrument fits the claim when its EPS
and multiple moved the expected ways there (``eps``/``multiple``: up, down or either).
Context: the same split over the history window (``history_start`` → ``decide_from``)
and the share of rolling windows that fit. The share of instruments that fit, against
``supported_share``, is the reading; none → contradicted; the coverage gate holds it back
until the data reach the horizon. Arithmetic: :mod:`narrowgate.models.decompose`.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field, model_validator

from narrowgate.evaluate.common import InstrumentId, date_figure, figure, pct, text
from narrowgate.evaluate.core.coverage import coverage_gate
from narrowgate.evaluate.core.thresholds import banded
from narrowgate.evaluate.core.window import measured_window
from narrowgate.evaluate.kinds.relative_return import MissingPart
from narrowgate.evaluate.registry import DataNeed, EvalContext, Evaluator, Params, register
from narrowgate.evaluate.verdict import (
    Assessment,
    Chart,
    DataUsed,
    Evidence,
    Figure,
    MissingData,
    Verdict,
)
from narrowgate.thesis.schema import LocalizedText

if TYPE_CHECKING:
    import pandas as pd

    from narrowgate.thesis.schema import Claim

Direction = Literal["up", "down", "either"]


class DecompositionParams(Params):
    instruments: list[InstrumentId] = Field(min_length=1, description="bars with a P/E column")
    history_start: date = Field(description="start of the context window")
    decide_from: date = Field(description="the deciding window starts at this close")
    decide_from_event: LocalizedText | None = Field(None, description="what decide_from is, "
                                                                      "e.g. the price date")
    end: date | None = Field(None, description="default: the claim's horizon, else as-of")
    eps: Direction = Field("up", description="expected move of EPS in the deciding window")
    multiple: Direction = Field("down", description="expected move of the P/E there")
    min_eps_growth: float = Field(0.0, description="log EPS growth counted as 'up' above "
                                                   "this ('down' below minus it)")
    max_multiple_change: float = Field(0.0, description="log P/E change counted as 'down' "
                                                        "below this ('up' above minus it)")
    pe_flat_band_pct: float = Field(2.0, ge=0, le=50, description="noise band: a P/E "
                                    "change within ± this % of the starting P/E is 'flat', "
                                    "neither up nor down (a flat P/E makes the verdict "
                                    "mixed, never contradicted)")
    window_trading_days: int = Field(120, ge=5, le=1000, description="rolling window, rows")
    supported_share: float = Field(1.0, gt=0, le=1, description="share of instruments that "
                                                                "fit → supported")
    missing: list[MissingPart] = Field(default_factory=list)

    @model_validator(mode="after")
    def _dates(self) -> DecompositionParams:
        if self.decide_from <= self.history_start:
            raise ValueError("decide_from must come after history_start")
        if self.end is not None and self.end <= self.decide_from:
            raise ValueError("end must come after decide_from")
        if self.eps == "either" and self.multiple == "either":
            raise ValueError("expect a direction for eps or multiple (both 'either' tests "
                             "nothing)")
        return self

    def fits(self, eps_growth: Any, multiple_change: Any) -> Any:
        """Both log changes moved the expected ways (beyond the thresholds); elementwise on
        Series, so the rolling windows are judged in one pass."""
        eps_ok = (eps_growth > self.min_eps_growth if self.eps == "up"
                  else eps_growth < -self.min_eps_growth if self.eps == "down"
                  else eps_growth == eps_growth)
        down_below, up_above = self.flat_band()
        pe_ok = (multiple_change < min(self.max_multiple_change, down_below)
                 if self.multiple == "down"
                 else multiple_change > max(-self.max_multiple_change, up_above)
                 if self.multiple == "up"
                 else multiple_change == multiple_change)
        return eps_ok & pe_ok

    def flat_band(self) -> tuple[float, float]:
        """The noise band as log P/E changes: (below this is 'down', above this is 'up')."""
        import math

        band = self.pe_flat_band_pct / 100
        return math.log(1 - band), math.log(1 + band)

    def is_flat(self, multiple_change: float) -> bool:
        """The log P/E change lies inside the noise band (only when a direction is expected)."""
        low, high = self.flat_band()
        return self.multiple != "either" and low <= multiple_change <= high


def read_pe(ctx: EvalContext, instrument: str, start: date,
            end: date) -> tuple[pd.DataFrame, DataUsed]:
    """Close and P/E from ``start`` to ``end``, rows without a P/E dropped (E undefined)."""
    from narrowgate.errors import DataNotFound
    from narrowgate.evaluate.hubdata import provenance_to_data, require_hub

    bars = require_hub(ctx, [instrument]).bars(instrument, start, end, adjust="raw")
    frame = bars.frame
    if "pe" not in frame or frame["pe"].dropna().empty:
        raise DataNotFound(f"{instrument} has no P/E column in the store",
                           "import a file with a P/E column (index files often carry one)",
                           fetch=(instrument,))
    kept = frame.dropna(subset=["close", "pe"])
    dropped = len(frame) - len(kept)
    note = f"close and P/E; {dropped} rows without a P/E left out" if dropped else "close and P/E"
    return kept[["close", "pe"]], provenance_to_data(bars.provenance[0], note)


def split(frame: pd.DataFrame, params: DecompositionParams) -> dict[str, Any]:
    """The decomposition over the history and the deciding windows, and the rolling share
    of windows that fit (all, and those ending after ``decide_from``)."""
    from narrowgate.models.decompose import decompose_return, rolling_decomposition

    close, pe = frame["close"], frame["pe"]
    history = decompose_return(close, params.history_start, params.decide_from, pe=pe)
    after = decompose_return(close, params.decide_from, frame.index[-1], pe=pe)
    roll = rolling_decomposition(close, params.window_trading_days, pe=pe)
    roll = roll[roll["eps_defined"]]
    hit = params.fits(roll["eps_growth"], roll["multiple_change"])
    late = roll.index > params.decide_from.isoformat()
    return {"history": history.iloc[0], "after": after.iloc[0],
            "share_all": float(hit.mean()) if len(hit) else None, "windows": len(hit),
            "share_after": float(hit[late].mean()) if late.any() else None,
            "windows_after": int(late.sum())}


def cumulative_chart(instrument: str, frame: pd.DataFrame) -> Chart:
    """Cumulative log EPS growth and log P/E change since the first date (they sum to the
    log price change)."""
    import numpy as np
    import pandas as pd

    from narrowgate.evaluate.hubdata import line_chart

    close, pe = frame["close"], frame["pe"]
    eps = close / pe
    paths = pd.DataFrame({"EPS growth (log)": np.log(eps / eps.iloc[0]),
                          "multiple change (log)": np.log(pe / pe.iloc[0]),
                          "price return (log)": np.log(close / close.iloc[0])})
    return line_chart(text(f"{instrument}:累计盈利增长与估值变化(对数)",
                           f"{instrument}: cumulative EPS growth vs multiple change (log)"),
                      paths, "log change since start")


def _figures(inst: str, res: dict[str, Any]) -> list[Figure]:
    a, h = res["after"], res["history"]
    span, hspan = f"{a['start'].date()}→{a['end'].date()}", f"{h['start'].date()}→{h['end'].date()}"
    share = res["share_all"]
    late = res["share_after"]
    return [
        figure(f"after_eps_{inst}", f"{inst} 判定区间盈利增长", f"{inst} EPS growth {span}",
               round(float(a["eps_growth"]), 4), "log", decisive=True),
        figure(f"after_multiple_{inst}", f"{inst} 判定区间估值变化",
               f"{inst} multiple change {span}", round(float(a["multiple_change"]), 4), "log",
               decisive=True),
        figure(f"after_pe_{inst}", f"{inst} 市盈率", f"{inst} P/E {span}",
               f"{a['pe_start']:.2f} → {a['pe_end']:.2f}", "x"),
        figure(f"after_return_{inst}", f"{inst} 判定区间涨跌", f"{inst} price return {span}",
               pct(float(a["price_end"] / a["price_start"] - 1) * 100), "%"),
        figure(f"history_eps_{inst}", f"{inst} 历史区间盈利增长", f"{inst} EPS growth {hspan}",
               round(float(h["eps_growth"]), 4), "log"),
        figure(f"history_multiple_{inst}", f"{inst} 历史区间估值变化",
               f"{inst} multiple change {hspan}", round(float(h["multiple_change"]), 4), "log"),
        figure(f"share_windows_{inst}", f"{inst} 符合预期的滚动窗口占比",
               f"{inst} share of rolling windows that fit ({res['windows']} windows)",
               None if share is None else pct(share * 100), "%"),
        figure(f"share_windows_after_{inst}", f"{inst} 判定起点后结束的窗口占比",
               f"{inst} same, windows ending after decide_from ({res['windows_after']})",
               None if late is None else pct(late * 100), "%"),
    ]


def _screened(figures: list[Figure], res: dict[str, Any]) -> list[Figure]:
    """EPS and multiple figures of a window whose earnings were not positive at an end are
    shown as not meaningful (a P/E on negative earnings splits nothing)."""
    from narrowgate.evaluate.core.sanity import not_meaningful_figure

    reason = text("无意义:区间端点的盈利非正(市盈率为负或缺失),无法拆分盈利与估值",
                  "not meaningful: earnings were not positive at an end of the window (a "
                  "negative or missing P/E), so earnings and multiple cannot be split")
    undefined = {"after": not bool(res["after"]["eps_defined"]),
                 "history": not bool(res["history"]["eps_defined"])}
    out = []
    for f in figures:
        window = next((w for w in undefined if f.key.startswith(f"{w}_")), None)
        hit = window is not None and undefined[window] and not f.key.startswith(
            f"{window}_return")
        out.append(not_meaningful_figure(f, reason) if hit else f)
    return out


_MOVE = {"up": ("上升", "up"), "down": ("下降", "down"), "either": ("不限", "either way")}


@register
class Decomposition(Evaluator[DecompositionParams]):
    test = "decomposition"
    params_model = DecompositionParams
    title = "A price move split into EPS growth and multiple change"

    def data_needs(self, params: DecompositionParams, ctx: EvalContext) -> list[DataNeed]:
        return [DataNeed(instrument=i, kind="bars", start=params.history_start,
                         end=params.end or ctx.as_of, why="close and P/E")
                for i in params.instruments]

    def evaluate(self, claim: Claim, params: DecompositionParams, ctx: EvalContext) -> Assessment:
        w = measured_window(claim, ctx, end=params.end)
        due, stop = w.decides, w.stop
        figures: list[Figure] = []
        data: list[DataUsed] = []
        charts: list[Chart] = []
        fitting: list[str] = []
        flat: list[str] = []
        reaches: list[date] = []
        zh_lines, en_lines = [], []
        for inst in params.instruments:
            frame, used = read_pe(ctx, inst, params.history_start, stop)
            data.append(used)
            res = split(frame, params)
            a = res["after"]
            reaches.append(frame.index[-1].date())
            if not bool(a["eps_defined"]):
                pass  # a P/E on negative earnings: neither fits nor is flat (see figures)
            elif bool(params.fits(float(a["eps_growth"]), float(a["multiple_change"]))):
                fitting.append(inst)
            elif params.is_flat(float(a["multiple_change"])):
                flat.append(inst)
            figures += _screened(_figures(inst, res), res)
            en_lines.append(f"{inst} EPS {a['eps_growth']:+.3f}, P/E {a['multiple_change']:+.3f} "
                            f"(log, {a['start'].date()}→{a['end'].date()})")
            zh_lines.append(f"{inst} 盈利 {a['eps_growth']:+.3f}、估值 {a['multiple_change']:+.3f}")
            charts.append(cumulative_chart(inst, frame))
        n = len(params.instruments)
        # a flat P/E is noise: it neither fits nor refutes, so none fitting with one flat
        # is mixed (by this rule, not a line: no stability band is recorded for it)
        reading = Verdict.MIXED if flat and not fitting else banded(
            len(fitting) / n, supported=params.supported_share, contradicted=0.0)
        gate = coverage_gate(reading, decides_at=due, data_reaches=min(reaches), as_of=ctx.as_of)
        eps_zh, eps_en = _MOVE[params.eps]
        pe_zh, pe_en = _MOVE[params.multiple]
        figures.insert(0, figure("indices_backing", "符合预期的标的", "instruments that fit "
                                 f"(EPS {eps_en}, P/E {pe_en}) after {params.decide_from}",
                                 len(fitting), f"of {n}", decisive=True))
        band = f"±{params.pe_flat_band_pct:g}%"
        figures.insert(1, figure("indices_flat", f"市盈率持平(变化在 {band} 以内)的标的",
                                 f"instruments with the P/E flat (change within {band}, "
                                 "noise)", len(flat), f"of {n}"))
        figures += [date_figure("history_start", "历史区间起点", "history from",
                                params.history_start),
                    date_figure("decide_from", "判定区间起点", "deciding window from",
                                params.decide_from),
                    figure("window", "滚动窗口", "rolling window", params.window_trading_days,
                           "trading days")]
        event = params.decide_from_event
        when_zh = f"{params.decide_from}({event.zh})" if event else f"{params.decide_from}"
        when_en = f"{params.decide_from} ({event.en})" if event else f"{params.decide_from}"
        flat_zh = (f"{len(flat)} 个市盈率持平({band} 以内,视为噪音:{'、'.join(flat)})。"
                   if flat else "")
        flat_en = (f" {len(flat)} with the P/E flat (within {band}, noise: "
                   f"{', '.join(flat)})." if flat else "")
        summary = text(f"{when_zh} 之后:" + ";".join(zh_lines) + f"。{len(fitting)}/{n} 个标的"
                       f"盈利{eps_zh}且市盈率{pe_zh}(超出 {band})。" + flat_zh,
                       f"After {when_en}: " + "; ".join(en_lines) + f". {len(fitting)} of {n} "
                       f"show EPS {eps_en} with the P/E {pe_en} (beyond {band})." + flat_en)
        summary = gate.said_first(summary)
        return Assessment(verdict=gate.verdict, summary=summary, evidence=Evidence(
            figures=figures, data=data, charts=charts, notes=[_method(params)],
            missing=[MissingData(what=m.what, how=m.how) for m in params.missing]))


def _method(params: DecompositionParams) -> LocalizedText:
    return text(
        "把价格变化拆成盈利增长与估值变化(E = 价格 / 市盈率,对数变化相加等于价格的对数变化;"
        f"价格指数不含分红项),判定区间自 {params.decide_from} 起。市盈率变化在 "
        f"±{params.pe_flat_band_pct:g}% 以内视为噪音(持平),既不算上升也不算下降。",
        "The price change split into EPS growth and multiple change (E = price / P/E; the "
        "log changes add up to the log price change; a price index has no dividend term), "
        f"decided from {params.decide_from}. A P/E change within "
        f"±{params.pe_flat_band_pct:g}% is noise (flat), neither up nor down.")
