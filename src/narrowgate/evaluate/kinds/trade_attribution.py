"""What a trade's return is made of, and how it reads under other sizing and basis.

Why a module of its own: the trade kind words one verdict; a reader who is told "−3.07%
after costs" still needs to know whether the legs or the costs made it, whether a
beta-neutral book would have said the same, and whether an assumed futures basis decides
it. Three answers, all from the run the verdict used:

* :func:`attribution_evidence` — each leg's price P&L, basis, borrow, fees and rolls and
  the interest on cash, in % of initial capital, summing to the headline return
  (:mod:`narrowgate.backtest.attribution`), with a waterfall drawn as bars;
* :func:`beta_neutral` — the same legs sized so the long side's beta on the short side
  (daily returns over a stated window before entry) is neutralised, at the same gross;
* :func:`basis_sensitivity` — for futures priced on an index proxy, the return with no
  basis, the assumed one and double it, and the verdict under each.

Labels come from the legs; every visible string is in Chinese and English. pandas and the
engine load inside functions.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING

from narrowgate.evaluate.common import figure, text
from narrowgate.evaluate.verdict import Chart, ChartSeries, Figure, Verdict
from narrowgate.thesis.schema import LocalizedText

if TYPE_CHECKING:
    import pandas as pd

    from narrowgate.backtest.attribution import Attribution
    from narrowgate.evaluate.trade_backtest import TradeRun

_TERM_LABELS = {"price": ("价格盈亏", "price P&L"), "basis": ("基差", "basis"),
                "borrow": ("融券费", "borrow"), "fees": ("交易成本", "fees"),
                "rolls": ("换月成本", "rolls")}


def attribution_of(run: TradeRun) -> Attribution:
    """The since-publication run split by leg and term (currency)."""
    from narrowgate.backtest.attribution import pnl_attribution

    strategy = run.plan.strategy
    return pnl_attribution(run.report.result, costs=strategy.costs,
                           instruments=strategy.instruments,
                           initial_cash=float(strategy.initial_cash))


def _terms(att: Attribution) -> list[tuple[str, str, str, float]]:
    """(key, zh, en, % of initial capital) for each non-zero term, legs first."""
    scale = 100.0 / att.initial_cash
    out = []
    for asset, row in att.by_asset.to_dict(orient="index").items():
        for term, amount in row.items():
            if amount != 0.0 or term == "price":
                zh, en = _TERM_LABELS[str(term)]
                out.append((f"pnl_{term}_{asset}", f"{asset} {zh}", f"{asset} {en}",
                            float(amount) * scale))
    if att.interest != 0.0:
        out.append(("pnl_interest", "现金利息", "interest on cash", att.interest * scale))
    return out


def attribution_evidence(run: TradeRun, name: LocalizedText
                         ) -> tuple[list[Figure], Chart, LocalizedText]:
    """Figures (unrounded, % of initial capital; they sum to ``pnl_total``, the headline
    return), a waterfall of them as bars, and one sentence grouping them."""
    att = attribution_of(run)
    terms = _terms(att)
    unit = "% of initial capital"
    figures = [figure(key, zh, en, value, unit) for key, zh, en, value in terms]
    total = att.total * 100.0 / att.initial_cash
    figures.append(figure("pnl_total", "盈亏归因合计(=发布以来收益)",
                          "P&L attribution total (= return since publication)", total, unit))
    chart = Chart(title=text(f"{name.zh}:发布以来盈亏归因(Σ 为合计)",
                             f"{name.en}: P&L attribution since publication (Σ = total)"),
                  series=_bars(att, total), y_label=unit, x_is_date=False)
    longs, _ = run.plan.strategy.sides()
    scale = 100.0 / att.initial_cash
    by = att.by_asset.to_dict(orient="index")
    long_px = sum(row["price"] for a, row in by.items() if a in longs) * scale
    short_px = sum(row["price"] for a, row in by.items() if a not in longs) * scale
    carry = (sum(row["basis"] + row["borrow"] for row in by.values()) + att.interest) * scale
    fees = sum(row["fees"] for row in by.values()) * scale
    rolls = sum(row["rolls"] for row in by.values()) * scale
    note = text(
        f"盈亏归因(占初始资金):多头价格 {long_px:+.2f}%,空头价格 {short_px:+.2f}%,"
        f"持有成本(基差/融券/利息){carry:+.2f}%,交易成本 {fees:+.2f}%,换月 {rolls:+.2f}%;"
        f"合计 {total:+.2f}%。",
        f"P&L attribution (% of initial capital): long legs' prices {long_px:+.2f}%, short "
        f"legs' prices {short_px:+.2f}%, carry (basis, borrow, interest) {carry:+.2f}%, fees "
        f"{fees:+.2f}%, rolls {rolls:+.2f}%; total {total:+.2f}%.")
    return figures, chart, note


def _bars(att: Attribution, total: float) -> list[ChartSeries]:
    """One bar series per term over the legs (ids need no translation; the term names go
    through the report's word table), then interest and the total at "Σ"."""
    by = att.by_asset * 100.0 / att.initial_cash
    legs = [str(a) for a in by.index]
    out = [ChartSeries(name=_TERM_LABELS[term][1], x=list(legs),
                       y=[round(float(v), 4) for v in by[term]], kind="bar")
           for term in by.columns if term == "price" or (by[term] != 0.0).any()]
    if att.interest != 0.0:
        out.append(ChartSeries(name="interest on cash", x=["Σ"], kind="bar",
                               y=[round(att.interest * 100.0 / att.initial_cash, 4)]))
    out.append(ChartSeries(name="total", x=["Σ"], y=[round(total, 4)], kind="bar"))
    return out


def _window(run: TradeRun) -> pd.DataFrame:
    """The closes from the anchor to the end: a variant re-run over the same rows reads
    no more (the anchor is the last close before publication, so it stays the anchor)."""
    return run.plan.closes.loc[run.report.anchor:run.report.end, run.plan.strategy.assets]


@dataclass(frozen=True)
class BetaNeutral:
    """The beta-neutral variant: ``beta`` of the long side's daily returns on the short
    side's over ``days`` sessions to the anchor, the side exposures (× equity) that
    neutralise it at the same gross, and the variant's return since publication (%)."""

    beta: float
    days: int
    long_x: float
    short_x: float
    return_pct: float


def side_beta(run: TradeRun, days: int) -> float:
    """OLS beta of the long side's daily return (entry weights) on the short side's over
    the ``days`` sessions up to the anchor close; NaN when fewer than 20 returns exist."""
    import numpy as np

    from narrowgate.backtest.metrics import beta

    plan = run.plan
    longs, shorts = plan.strategy.sides()
    assets = list(plan.strategy.assets)
    before = plan.closes.loc[:run.report.anchor, assets].to_numpy(dtype=np.float64)
    before = before[~np.isnan(before).any(axis=1)][-(days + 1):]
    if len(before) < 21:
        return float("nan")
    rets = before[1:] / before[:-1] - 1.0
    x = rets @ np.array([shorts.get(a, 0.0) for a in assets])
    y = rets @ np.array([longs.get(a, 0.0) for a in assets])
    return beta(y, x, risk_free_per_period=0.0)


def beta_neutral(run: TradeRun, published: date, days: int) -> BetaNeutral | None:
    """The variant sized long × beta = short at the run's gross, run over the same window
    with the same costs; None for a one-sided trade or a beta that is not positive."""
    import math

    from narrowgate.backtest.history import since_publication

    strategy = run.plan.strategy
    if getattr(strategy, "kind", "") != "long_short" or days <= 0:
        return None
    beta = side_beta(run, days)
    if not (math.isfinite(beta) and beta > 0):
        return None
    gross = float(strategy.gross)
    long_x, short_x = gross / (1 + beta), gross * beta / (1 + beta)
    variant = strategy.model_copy(update={"net": long_x - short_x})
    result = since_publication(variant, _window(run), published,
                               end=run.report.end.date(), rolls=run.plan.rolls)
    ret = (float(result.equity.iloc[-1]) / float(strategy.initial_cash) - 1.0) * 100
    return BetaNeutral(beta=beta, days=days, long_x=long_x, short_x=short_x, return_pct=ret)


def beta_evidence(bn: BetaNeutral, decides: bool) -> tuple[list[Figure], LocalizedText]:
    """The variant's figures and its sentence (it decides only when the params say so)."""
    figs = [figure("beta_long_on_short", "多头对空头的贝塔(入场前)",
                   "beta of the long side on the short side (before entry)", round(bn.beta, 3),
                   f"daily returns over {bn.days} sessions to the entry close"),
            figure("beta_neutral_return", "贝塔中性版本收益(扣除成本)",
                   "beta-neutral variant return, after costs", round(bn.return_pct, 2),
                   f"% of initial capital (long {bn.long_x:.3g}× / short {bn.short_x:.3g}× "
                   "equity)", decisive=decides)]
    role_zh = "按参数以此判定" if decides else "仅供参考,不参与判定"
    role_en = "it decides, as the params say" if decides else "shown, not deciding"
    note = text(
        f"贝塔中性版本:入场前 {bn.days} 个交易日多头对空头的贝塔为 {bn.beta:.2f},按相同总敞口"
        f"多 {bn.long_x:.3g} 倍 / 空 {bn.short_x:.3g} 倍权益,收益 {bn.return_pct:+.2f}%"
        f"({role_zh})。",
        f"Beta-neutral variant: the long side's beta on the short side over the {bn.days} "
        f"sessions before entry was {bn.beta:.2f}; at the same gross, long {bn.long_x:.3g}× / "
        f"short {bn.short_x:.3g}× equity returned {bn.return_pct:+.2f}% ({role_en}).")
    return figs, note


@dataclass(frozen=True)
class BasisCase:
    """One basis assumption: ``multiple`` of the assumed basis, return (%), verdict."""

    multiple: float
    return_pct: float
    verdict: Verdict


def proxied_basis(run: TradeRun) -> bool:
    """Whether a futures leg accrues an assumed basis (index levels stand in)."""
    return any(spec.kind == "futures" and spec.basis_per_year != 0.0
               for spec in run.plan.strategy.instruments.values())


def basis_sensitivity(run: TradeRun, published: date, supported_min_pct: float,
                      contradicted_max_pct: float,
                      multiples: tuple[float, ...] = (0.0, 1.0, 2.0)) -> list[BasisCase]:
    """The run repeated with every proxied leg's basis × each multiple (same window, costs
    and rolls); the assumed case (× 1) is the headline run itself."""
    from narrowgate.backtest.history import since_publication
    from narrowgate.evaluate.trade_backtest import trade_verdict

    strategy = run.plan.strategy
    out = []
    for k in multiples:
        if k == 1.0:
            ret = run.total_return_pct
        else:
            specs = {a: replace(s, basis_per_year=s.basis_per_year * k)
                     for a, s in strategy.instruments.items()}
            result = since_publication(strategy.model_copy(update={"instruments": specs}),
                                       _window(run), published, end=run.report.end.date(),
                                       rolls=run.plan.rolls)
            ret = (float(result.equity.iloc[-1]) / float(strategy.initial_cash) - 1.0) * 100
        out.append(BasisCase(k, ret, trade_verdict(ret, supported_min_pct, contradicted_max_pct)))
    return out


def basis_evidence(cases: list[BasisCase]) -> tuple[list[Figure], LocalizedText]:
    """A figure per case and the sentence saying whether the verdict depends on the basis
    (the summary says it: a yes/no figure would print English on the Chinese page)."""
    names = {0.0: ("零基差", "zero basis"), 1.0: ("假设基差", "assumed basis"),
             2.0: ("两倍基差", "double basis")}
    figs = []
    parts_zh, parts_en = [], []
    for case in cases:
        zh, en = names.get(case.multiple, (f"{case.multiple:g} 倍基差",
                                           f"{case.multiple:g}× basis"))
        figs.append(figure(f"basis_x{case.multiple:g}_return", f"收益({zh})",
                           f"return ({en})", round(case.return_pct, 2), "% of initial capital"))
        said = {Verdict.SUPPORTED: "成立", Verdict.CONTRADICTED: "被否定",
                Verdict.MIXED: "部分成立"}.get(case.verdict, case.verdict.value)
        parts_zh.append(f"{zh} {case.return_pct:+.2f}%({said})")
        parts_en.append(f"{en} {case.return_pct:+.2f}% ({case.verdict.value})")
    depends = len({c.verdict for c in cases}) > 1
    said_zh = "判定取决于基差假设。" if depends else "判定不取决于基差假设。"
    said_en = "The verdict depends on the basis assumption." if depends \
        else "The verdict does not depend on the basis assumption."
    return figs, text(f"基差敏感性:{';'.join(parts_zh)}。{said_zh}",
                      f"Basis sensitivity: {'; '.join(parts_en)}. {said_en}")


@dataclass(frozen=True)
class Variants:
    """Which variants a trade shows beside its headline: the beta window (sessions; 0 =
    none), whether the beta-neutral return decides, and whether proxied futures get a
    basis sensitivity."""

    beta_window_days: int = 0
    beta_decides: bool = False
    basis: bool = True


@dataclass(frozen=True)
class VariantEvidence:
    """Figures and notes of the variants, a summary line, and the beta-neutral return
    when it is to decide (else None)."""

    figures: list[Figure]
    notes: list[LocalizedText]
    summary: list[LocalizedText]
    deciding_return: float | None


def variant_evidence(run: TradeRun, published: date, variants: Variants,
                     supported_min_pct: float, contradicted_max_pct: float) -> VariantEvidence:
    """The beta-neutral variant and the basis sensitivity the params ask for."""
    figs: list[Figure] = []
    notes: list[LocalizedText] = []
    summary: list[LocalizedText] = []
    deciding = None
    bn = beta_neutral(run, published, variants.beta_window_days)
    if bn is not None:
        more, note = beta_evidence(bn, variants.beta_decides)
        figs += more
        if variants.beta_decides:  # deciding, it belongs in the summary
            deciding = bn.return_pct
            summary.append(note)
        else:
            notes.append(note)
    elif variants.beta_decides:
        summary.append(text(
            "贝塔中性版本不可用(入场前贝塔不为正或数据不足 20 天):改以美元中性收益判定。",
            "No beta-neutral variant (the beta before entry is not positive or has under 20 "
            "returns): the dollar-neutral return decides."))
    if variants.basis and proxied_basis(run):
        more, note = basis_evidence(basis_sensitivity(run, published, supported_min_pct,
                                                      contradicted_max_pct))
        figs += more
        summary.append(note)
    return VariantEvidence(figs, notes, summary, deciding)
