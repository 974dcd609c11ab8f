"""Thesis trades back-tested since publication and in history, turned into evidence.

Why one module: the ``trade`` kind, the positions other kinds imply, and the
``narrowgate backtest`` command answer the same three questions for every trade — what
did it do since the last close before publication, how does that rank among historical
windows of the same length, and had the move already happened (skill, luck or late) —
and the figures and charts must mean the same in the report and on the terminal.
Each builds a :class:`TradePlan` (engine strategy, closes, provenance);
this module runs it and words the result. pandas and the engine load inside functions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import TYPE_CHECKING, Any

from narrowgate.evaluate.common import date_figure, figure, pct, text
from narrowgate.evaluate.core.thresholds import banded
from narrowgate.evaluate.summary import interim_first, joined
from narrowgate.evaluate.verdict import Chart, DataUsed, Figure, MissingData, Verdict
from narrowgate.evaluate.watch import crossings
from narrowgate.thesis.schema import LocalizedText

if TYPE_CHECKING:
    import pandas as pd

    from narrowgate.backtest.history import PublicationReport
    from narrowgate.evaluate.kinds.trade_attribution import Variants


@dataclass(frozen=True)
class TradePlan:
    """A trade ready to run: an engine strategy (``narrowgate.backtest.strategies``), daily
    closes whose columns are its assets, where they came from, and what the evidence must
    say about them (proxy assumptions, data that would do better). ``rolls``: for futures
    columns that are rolled contracts, the dates on whose close each rolls; every run
    (since publication and each historical window) pays the rolls that fall in it."""

    strategy: Any
    closes: pd.DataFrame
    data: list[DataUsed]
    periods_per_year: float
    currency: str
    notes: list[LocalizedText] = field(default_factory=list)
    missing: list[MissingData] = field(default_factory=list)
    rolls: Mapping[str, Sequence[date]] | None = None


@dataclass(frozen=True)
class TradeRun:
    """A plan run since publication with its history: ``since`` holds the metrics of the
    since-publication daily returns (metrics.summarize; units in ``periods_per_year``),
    ``pre_6m`` the trade's trailing 6-month return at the anchor and ``pre_6m_percentile``
    where that sits among all trailing 6-month returns before it."""

    plan: TradePlan
    report: PublicationReport
    since: dict[str, float]
    history_start: date
    pre_6m: float
    pre_6m_percentile: float

    @cached_property
    def plain_spread(self) -> float:
        """The trade as a commentary's headline reads it: each side's price change at the
        entry weights (no rebalancing, no costs, no carry), long minus short, in %."""
        rep = self.report
        assets = self.plan.strategy.assets
        window = self.plan.closes.loc[rep.anchor:rep.end, assets].dropna(how="any")
        moves = window.iloc[-1] / window.iloc[0] - 1.0
        longs, shorts = self.plan.strategy.sides()
        return float(sum(w * moves[a] for a, w in longs.items())
                     - sum(w * moves[a] for a, w in shorts.items())) * 100

    @property
    def total_return_pct(self) -> float:
        """Since-publication return on the initial capital, after costs, in percent."""
        return self.report.total_return * 100.0


def run_trade(plan: TradePlan, published: date, end: date | None = None) -> TradeRun:
    """Run ``plan`` from the last close before ``published`` to ``end`` (default: the last
    day every asset has a close), rank it among historical fresh-start windows of the
    same length, and take trailing 3/6/12-month returns over the whole history."""
    import numpy as np

    from narrowgate.backtest.history import publication_report, rank_among
    from narrowgate.backtest.metrics import summarize

    report = publication_report(plan.strategy, plan.closes, published, end=end,
                                rolls=plan.rolls, periods_per_year=plan.periods_per_year)
    since = summarize(report.result.returns, periods_per_year=plan.periods_per_year,
                      risk_free_per_period=0.0)
    six = report.rolling["return_6m"]
    before = six[six.index <= report.anchor].dropna()
    pre = float(before.iloc[-1]) if len(before) else float("nan")
    pre_pct = rank_among(pre, before.iloc[:-1])[1] if len(before) > 1 else float("nan")
    first = plan.closes[plan.strategy.assets].dropna(how="any").index[0]
    return TradeRun(plan=plan, report=report, since=since, history_start=first.date(),
                    pre_6m=pre if np.isfinite(pre) else float("nan"), pre_6m_percentile=pre_pct)


def trade_verdict(return_pct: float, supported_min_pct: float,
                  contradicted_max_pct: float) -> Verdict:
    """Above the supported threshold → supported; below the contradicted one →
    contradicted; in between (a band the thesis params set) → mixed."""
    return banded(return_pct, supported=supported_min_pct, contradicted=contradicted_max_pct,
                  inclusive=False)


def _num(value: float, digits: int = 1) -> float | None:
    return None if value != value else pct(value, digits)


def trade_figures(run: TradeRun) -> list[Figure]:
    """The since-publication figures (return decisive) and the history that frames them."""
    rep, since = run.report, run.since
    ppy = run.plan.periods_per_year
    n = len(rep.history)
    hit = rep.rolling_hit_rate
    latest = rep.rolling.dropna(how="all").iloc[-1] if len(rep.rolling.dropna(how="all")) else None
    out = [
        date_figure("window_start", "起点(发布前最后收盘)", "from (last close before publication)",
                    rep.anchor.date()),
        date_figure("window_end", "终点(各腿共同最新数据)", "to (latest close of every leg)",
                    rep.end.date()),
        figure("window_days", "持有交易日", "trading days held", rep.periods, "trading days"),
        figure("since_return", "发布以来收益(扣除成本)", "return since publication, after costs",
               _num(run.total_return_pct, 2), "% of initial capital", decisive=True),
        figure("max_drawdown", "发布以来最大回撤", "max drawdown since publication",
               _num(since["max_drawdown"] * 100), "%"),
        figure("sharpe", "发布以来夏普比率", "Sharpe ratio since publication",
               _num(since["sharpe"], 2),
               f"annualised: daily returns × √{ppy:g} trading days/yr, risk-free 0 per day"),
        figure("volatility", "发布以来年化波动", "volatility since publication",
               _num(since["annual_volatility"] * 100), f"% per year ({ppy:g} trading days)"),
        figure("percentile", "在历史同长度窗口中的分位", "percentile among historical windows",
               _num(rep.percentile * 100), f"% of {n} windows at or below", decisive=True),
        figure("rank", "历史排名", "rank among historical windows", rep.rank,
               f"of {n + 1} (1 = best)"),
        figure("history_hit_rate", "历史同长度窗口盈利比例",
               "historical windows of this length that made money",
               _num(rep.history_hit_rate * 100), "%"),
        date_figure("history_start", "历史起点", "history from", run.history_start),
        figure("pre_publication_6m", "发布前6个月收益", "return in the 6 months before publication",
               _num(run.pre_6m * 100), "%"),
        figure("pre_publication_6m_percentile", "发布前6个月收益的历史分位",
               "percentile of that 6-month return in history",
               _num(run.pre_6m_percentile * 100), "%"),
    ]
    for months in (3, 6, 12):
        col = f"return_{months}m"
        out.append(figure(f"rolling_{months}m_hit_rate", f"滚动{months}个月盈利比例",
                          f"rolling {months}-month windows that made money",
                          _num(float(hit[col]) * 100), "%"))
        if latest is not None:
            out.append(figure(f"rolling_{months}m_latest", f"最近{months}个月收益",
                              f"latest {months}-month return", _num(float(latest[col]) * 100),
                              "%"))
    out.append(figure("plain_spread", "简单价差(入场权重,不调仓、不计成本)",
                      "plain spread (entry weights, no rebalancing, no costs)",
                      _num(run.plain_spread, 2), "percentage points"))
    window = run.plan.closes.loc[rep.anchor:rep.end, run.plan.strategy.assets].dropna(how="any")
    for asset in window.columns:
        move = float(window[asset].iloc[-1] / window[asset].iloc[0] - 1.0) * 100
        out.append(figure(f"leg_return_{asset}", f"{asset} 发布以来涨跌",
                          f"{asset} price change since publication", _num(move, 2), "%"))
    result = rep.result
    out.append(figure("costs_paid", "发布以来交易成本", "trading costs since publication",
                      round(float(result.costs.sum()), 2), run.plan.currency))
    if run.plan.rolls:
        out.append(figure("roll_costs", "发布以来换月成本(含在交易成本中)",
                          "roll costs since publication (part of the trading costs)",
                          round(float(result.roll_trades["cost"].sum()), 2), run.plan.currency))
    out.append(figure("carry", "发布以来持有成本(融券/基差)",
                      "carry since publication (borrow, basis)",
                      round(float(result.carry.sum()), 2),
                      f"{run.plan.currency} (negative = paid)"))
    return out


#: the price bases of ``data/basis.py`` in Chinese
_BASIS_ZH = {"raw": "原始成交价", "split": "拆股调整价", "total": "含股息再投资价"}


def definition(plan: TradePlan) -> LocalizedText:
    """What the headline return is: exposure, rebalancing, costs, carry and price basis."""
    strategy = plan.strategy
    gross = float(getattr(strategy, "gross", sum(abs(w) for w in
                                                  getattr(strategy, "weights", {}).values())))
    longs, shorts = strategy.sides()
    side = f"{gross / 2:g}× equity a side" if longs and shorts else f"{gross:g}× equity"
    side_zh = f"每边 {gross / 2:g} 倍权益" if longs and shorts else f"{gross:g} 倍权益"
    costs = strategy.costs
    fee, borrow = costs.fee * 1e4, costs.borrow_per_year * 1e4
    futures = any(spec.kind == "futures" for spec in strategy.instruments.values())
    bases = sorted({d.basis for d in plan.data if d.basis})
    basis = ", ".join(bases) if bases else ("futures or index levels" if futures else "as stored")
    basis_zh = "、".join(_BASIS_ZH[b] for b in bases) if bases else (
        "期货或指数点位" if futures else "按存储原样")
    rebalance = strategy.rebalance
    when = {"once": "只在入场时买入", "weekly": "每周调回目标权重",
            "monthly": "每月调回目标权重"}.get(rebalance, f"按 {rebalance} 调仓")
    return text(
        f"收益口径:{side_zh},{when},"
        f"扣除 {fee:g} 个基点交易成本{f'与每年 {borrow:g} 个基点融券费' if borrow else ''}"
        f"{'、基差与换月成本' if futures else ''},收盘价口径:{basis_zh}。",
        f"Return definition: {side}, "
        f"{'bought once at entry' if rebalance == 'once' else f'back to target {rebalance}'}, "
        f"after {fee:g} bp fees{f' and {borrow:g} bp/yr borrow' if borrow else ''}"
        f"{', basis and roll costs' if futures else ''}; closes: {basis} basis.")


def timing_note(run: TradeRun) -> LocalizedText:
    """Skill, luck or late, said as far as one window can say it: the base rate, where the
    result ranks, and whether the trade had already run before publication."""
    rep = run.report
    base, where = rep.history_hit_rate * 100, rep.percentile * 100
    pre, pre_pct = run.pre_6m * 100, run.pre_6m_percentile * 100
    late = pre_pct >= 80 and where < 50
    verdict_zh = "像是入场偏晚:发布前该交易已大幅走出,之后表现平平。" if late else ""
    verdict_en = " That reads as late: the trade had run before publication and not after." \
        if late else ""
    return text(
        f"单一窗口无法区分能力与运气。历史上同长度({rep.periods} 个交易日)的窗口有 {base:.0f}% "
        f"盈利;发布以来的结果高于其中 {where:.0f}%。发布前 6 个月该交易已变动 {pre:+.1f}%"
        f"(历史分位 {pre_pct:.0f}%)。{verdict_zh}",
        f"One window cannot separate skill from luck. Of the historical windows of the same "
        f"length ({rep.periods} trading days), {base:.0f}% made money; the since-publication "
        f"result beats {where:.0f}% of them. In the 6 months before publication the trade "
        f"had already moved {pre:+.1f}% (percentile {pre_pct:.0f}% of its history).{verdict_en}",
    )


def rolls_charged_note(run: TradeRun) -> LocalizedText:
    """The futures rolls the since-publication run paid: how many, what they cost, and at
    what rate (the cost over the two fills' notional, so it reads against the fee)."""
    rolled = run.report.result.roll_trades
    cur = run.plan.currency
    total = float(rolled["cost"].sum())
    notional = 2 * float(rolled["value"].sum())  # two fills a roll
    per_leg = ", ".join(f"{a} {n}" for a, n in rolled["asset"].value_counts(sort=False).items())
    rate = f"{total / notional * 1e4:.2f}" if notional else "0"
    return text(
        f"换月成本已计入回测:发布以来共换月 {len(rolled)} 次({per_leg or '无'}),每次在换月日收盘"
        f"平旧开新两笔成交,按该日收盘价计,共 {total:,.0f} {cur}(每笔 {rate} 个基点,含在交易成本中);"
        "历史同长度窗口同样扣除各自的换月成本。",
        f"Roll costs are charged: {len(rolled)} rolls since publication "
        f"({per_leg or 'none'}), each closing the old contract and opening the next at the "
        f"roll day's close, {cur} {total:,.0f} in all ({rate} bp a fill, part of the trading "
        "costs); each historical window pays its own rolls too.")


def trade_charts(run: TradeRun, name: LocalizedText) -> list[Chart]:
    """Equity and drawdown since publication, and the rolling 6-month return over history
    (each thinned to at most 400 points)."""
    from narrowgate.evaluate.hubdata import line_chart

    result = run.report.result
    start = float(run.plan.strategy.initial_cash)
    equity = (result.equity / start).rename("equity").to_frame()
    drawdown = ((result.equity / result.equity.cummax() - 1.0) * 100).rename("drawdown")
    rolling = (run.report.rolling[["return_6m"]] * 100).rename(
        columns={"return_6m": "rolling 6-month return"})
    return [
        line_chart(text(f"{name.zh}:发布以来净值(起点=1)", f"{name.en}: equity since publication "
                        "(start = 1)"), equity, "× initial capital"),
        line_chart(text(f"{name.zh}:发布以来回撤", f"{name.en}: drawdown since publication"),
                   drawdown.to_frame(), "% below peak", digits=2),
        line_chart(text(f"{name.zh}:历史滚动6个月收益", f"{name.en}: rolling 6-month return "
                        "over history"), rolling, "%", digits=2),
    ]


def trade_assessment(plan: TradePlan, *, name: LocalizedText, published: date, as_of: date,
                     supported_min_pct: float, contradicted_max_pct: float,
                     setup: list[Figure], measures: LocalizedText,
                     horizon: date | None = None, variants: Variants | None = None) -> Any:
    """The Assessment of a thesis trade: verdict from the since-publication return against
    the params' thresholds, the figures, four charts and the timing note. Before any
    close after the anchor exists the trade is pending (nothing to measure yet). A
    ``horizon`` ends the measured window; until every leg has a close on or after it the
    coverage gate reports pending with the interim reading. Every run carries its P&L
    attribution; ``variants`` adds the beta-neutral variant and the basis sensitivity
    (:mod:`narrowgate.evaluate.kinds.trade_attribution`)."""
    from narrowgate.backtest.api import BacktestError
    from narrowgate.evaluate.core.coverage import coverage_gate
    from narrowgate.evaluate.kinds.trade_attribution import (
        Variants,
        attribution_evidence,
        variant_evidence,
    )
    from narrowgate.evaluate.verdict import Assessment, Evidence

    try:
        run = run_trade(plan, published, end=horizon)
    except BacktestError as exc:
        return Assessment(
            verdict=Verdict.PENDING,
            summary=text(f"发布({published})后尚无可衡量的收盘价(评估日 {as_of})。",
                         f"No close after publication ({published}) to measure yet at as-of "
                         f"{as_of}: {exc.message}."),
            evidence=Evidence(figures=setup, data=plan.data, notes=[measures, *plan.notes],
                              missing=plan.missing))
    rep = run.report
    ret = run.total_return_pct
    extra = variant_evidence(run, published, variants or Variants(), supported_min_pct,
                             contradicted_max_pct)
    decides = ret if extra.deciding_return is None else extra.deciding_return
    from narrowgate.evaluate.hubdata import last_common_day

    reaches = last_common_day(plan.closes, plan.strategy.assets)
    gate = coverage_gate(trade_verdict(decides, supported_min_pct, contradicted_max_pct),
                         decides_at=horizon, data_reaches=reaches, as_of=as_of)
    verdict = gate.verdict
    start, end = rep.anchor.date(), rep.end.date()
    at_horizon = horizon is not None and reaches is not None and reaches >= horizon
    stop_zh = f"期限 {horizon} 前最后收盘" if at_horizon else "各腿共同最新数据"
    stop_en = f"the last close by the horizon {horizon}" if at_horizon \
        else "the latest close of every leg"
    dd = run.since["max_drawdown"] * 100
    summary = text(
        f"{start} 收盘至 {end}({rep.periods} 个交易日,{stop_zh}):{name.zh} 扣除成本后 "
        f"{ret:+.2f}%,最大回撤 {dd:.1f}%;高于历史同长度窗口的 {rep.percentile * 100:.0f}%"
        f"(自 {run.history_start} 起 {len(rep.history)} 个窗口,盈利比例 "
        f"{rep.history_hit_rate * 100:.0f}%)。判定阈值:高于 {supported_min_pct:g}% 为成立,"
        f"低于 {contradicted_max_pct:g}% 为被否定。",
        f"From the {start} close to {end} ({rep.periods} trading days, {stop_en}): "
        f"{name.en} returned {ret:+.2f}% after costs, max drawdown {dd:.1f}%; "
        f"better than {rep.percentile * 100:.0f}% of {len(rep.history)} historical windows "
        f"of the same length since {run.history_start} (of which "
        f"{rep.history_hit_rate * 100:.0f}% made money). Thresholds: above "
        f"{supported_min_pct:g}% supported, below {contradicted_max_pct:g}% contradicted.",
    )
    spread = run.plain_spread
    summary = joined(summary, definition(plan),
                     text(f"简单价差(不调仓、不计成本){spread:+.2f} 个百分点。",
                          f"The plain spread (entry weights, no rebalancing, no costs) was "
                          f"{spread:+.2f} points."), *extra.summary)
    pnl_figures, pnl_chart, pnl_note = attribution_evidence(run, name)
    figures = [*trade_figures(run), *pnl_figures, *extra.figures, *setup]
    which_zh, which_en = ("", "") if extra.deciding_return is None \
        else ("贝塔中性版本", "beta-neutral variant ")
    if extra.deciding_return is not None:
        figures = [f.model_copy(update={"decisive": False}) if f.key == "since_return" else f
                   for f in figures]
    return Assessment(
        verdict=verdict,
        summary=gate.said_first(summary),
        evidence=Evidence(figures=figures, data=plan.data,
                          charts=[*trade_charts(run, name), pnl_chart],
                          notes=interim_first(gate, measures, timing_note(run), pnl_note,
                                              *extra.notes, *plan.notes,
                                              *([rolls_charged_note(run)] if plan.rolls else [])),
                          missing=plan.missing,
                          watch=crossings(
                              lambda x: trade_verdict(x, supported_min_pct, contradicted_max_pct),
                              decides, [supported_min_pct, contradicted_max_pct],
                              label=text(f"{name.zh}:{which_zh}发布以来收益(扣除成本)",
                                         f"{name.en}: {which_en}return since publication, "
                                         "after costs"),
                              unit="% of initial capital", digits=2, observed=end)),
    )
