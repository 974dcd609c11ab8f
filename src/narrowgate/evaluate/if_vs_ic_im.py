"""if-vs-ic-im: long CSI 300 futures (IF), short CSI 500 (IC) and CSI 1000 (IM).

Run on the back-test engine as futures: CFFEX multipliers (IF 300, IC 200, IM 200 CNY per
point), whole lots, daily mark-to-market, margin held from cash at the params' rates, the
same notional on each side, re-sized each rebalance period. Prices, in order of trust
(:mod:`narrowgate.evaluate.futures_prices`): single contracts in the store, rolled front
month before expiry and back-adjusted (``roll: front-month-before-expiry``); otherwise the
index levels with an explicit annual basis per leg (IC/IM futures usually trade at a
discount, which a short pays as the contract converges; a proxy without it would flatter
the trade). Sina's main continuous series is never a price here: it jumps at each switch
of contract and carries no contract code (the note says so and shows its jumps).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Literal

from pydantic import Field, model_validator

from narrowgate.evaluate.common import (
    AwaitingEvaluator,
    Capability,
    InstrumentId,
    RecordedSource,
    bars_needs,
    date_figure,
    figure,
    recorded_data,
    text,
)
from narrowgate.evaluate.registry import DataNeed, EvalContext, Params, register
from narrowgate.evaluate.trade_backtest import TradePlan, trade_assessment
from narrowgate.evaluate.verdict import Assessment, DataUsed, Figure, MissingData
from narrowgate.thesis.schema import Claim, LocalizedText

if TYPE_CHECKING:
    import pandas as pd

    from narrowgate.backtest.api import InstrumentSpec
    from narrowgate.evaluate.futures_prices import RolledLegs


class FuturesLeg(Params):
    contract: InstrumentId = Field(
        description="CFFEX product, e.g. cnfut:IF; its single contracts (cnfut:IF2412 …) "
                    "are rolled when the store holds them")
    index_proxy: InstrumentId = Field(description="underlying index, e.g. cnidx:000300")
    side: Literal["long", "short"]
    notional_weight: float = Field(gt=0, le=1, description="share of that side's notional")
    multiplier_cny_per_point: float = Field(gt=0)
    min_margin_pct: float = Field(gt=0, le=100, description="contract-rule minimum margin")
    charged_margin_pct: float | None = Field(None, gt=0, le=100)
    charged_margin_unverified: bool = True
    basis_pct_per_year: float = Field(
        0.0, ge=-50, le=50,
        description="annualised futures basis on the index proxy, % of notional; negative = "
                    "discount (a short pays it, a long earns it)")
    source: RecordedSource

    @property
    def margin_pct(self) -> float:
        """The margin the back-test holds: the charged rate where given, else the minimum."""
        return self.charged_margin_pct if self.charged_margin_pct is not None \
            else self.min_margin_pct


class IfVsIcImParams(Params):
    legs: list[FuturesLeg] = Field(min_length=2)
    basis_source: RecordedSource = Field(description="where the basis assumption comes from")
    notional_per_side_x: float = Field(1.0, gt=0, le=3,
                                       description="each side's notional, × equity")
    capital_cny: float = Field(100_000_000, gt=0, description="initial cash; whole lots need size")
    rebalance: Literal["once", "weekly", "monthly"] = "monthly"
    roll: Literal["front-month-before-expiry", "index-proxy"] = "front-month-before-expiry"
    margin: Literal["larger-side", "sum"] = Field(
        "larger-side", description="CFFEX holds stock-index futures margin on the larger "
                                   "side only (IF/IH/IC/IM in one account); 'sum' holds both")
    roll_days_before_expiry: int = Field(
        2, ge=0, le=10, description="roll at the close this many sessions before expiry "
                                    "(third Friday of the contract month)")
    backtest_start: date
    cost_bps_per_trade: float = Field(2.0, ge=0, description="fees + slippage, bp of notional")
    trading_days_per_year: float = Field(244, gt=0, description="annualises Sharpe and vol")
    supported_min_return_pct: float = Field(0.0, description="return on capital above → supported")
    contradicted_max_return_pct: float = Field(0.0, description="below → contradicted")

    @model_validator(mode="after")
    def _balanced(self) -> IfVsIcImParams:
        for side in ("long", "short"):
            total = sum(leg.notional_weight for leg in self.legs if leg.side == side)
            if abs(total - 1) > 1e-9:
                raise ValueError(f"{side} notional weights must sum to 1, got {total:g}")
        if self.contradicted_max_return_pct > self.supported_min_return_pct:
            raise ValueError("contradicted_max_return_pct cannot exceed supported_min_return_pct")
        return self


def _basis_note(params: IfVsIcImParams) -> LocalizedText:
    parts = ", ".join(f"{leg.contract} {leg.basis_pct_per_year:+g}%" for leg in params.legs)
    return text(
        f"指数代替期货:每条腿按年化基差({parts},负值为贴水)计提持有成本——空头每年支付贴水占名义"
        f"金额的比例,多头则赚取。来源:{params.basis_source.label()}。IC/IM 通常贴水,忽略它会高估"
        "做空 IC/IM 的收益。",
        f"Index levels stand in for the futures: each leg accrues its annualised basis "
        f"({parts}; negative = futures below the index) on its notional — a short pays the "
        f"discount as the contract converges, a long earns it. Source: "
        f"{params.basis_source.label()}. IC/IM usually trade at a discount; ignoring it would "
        "overstate the short side.",
    )


def _leg_spec(leg: FuturesLeg, basis_per_year: float, margin: str) -> InstrumentSpec:
    """The engine's terms for one leg, built only here: ``basis_per_year`` is 0 for real
    futures prices (the basis is in them) and the leg's annual basis for the index proxy;
    ``margin`` "larger-side" puts the leg in CFFEX's stock-index margin group."""
    from narrowgate.backtest.api import InstrumentSpec
    from narrowgate.backtest.specs import CFFEX_EQUITY_INDEX

    return InstrumentSpec(kind="futures", multiplier=leg.multiplier_cny_per_point,
                          margin_rate=leg.margin_pct / 100, basis_per_year=basis_per_year,
                          margin_group=CFFEX_EQUITY_INDEX if margin == "larger-side" else None)


@register
class IfVsIcIm(AwaitingEvaluator[IfVsIcImParams]):
    test = "if-vs-ic-im"
    params_model = IfVsIcImParams
    title = "Long IF / short IC + IM futures spread"
    capability = Capability.DATA_HUB
    measures = text(
        "按合约乘数、保证金与整手回测多 IF、空 IC 与 IM 的等名义价差"
        "(缺期货数据时以指数加年化基差代替):"
        "发布以来收益及其在历史同长度窗口中的排名。",
        "Back-test long IF / short IC+IM at equal notional with multipliers, margins and "
        "whole lots (index levels plus an annual basis where futures data are missing): the "
        "return since publication and its rank among historical windows of the same length.",
    )

    def data_needs(self, params: IfVsIcImParams, ctx: EvalContext) -> list[DataNeed]:
        """The index levels only: the single contracts (a hundred or more a leg) are pulled
        on request — the evidence names them — and sina's main continuous series is no
        price, so a run never fetches either."""
        ids = [leg.index_proxy for leg in params.legs]
        return bars_needs(ids, params.backtest_start, ctx.as_of,
                          "index levels (the proxy until single contracts are stored)")

    def setup_figures(self, params: IfVsIcImParams, ctx: EvalContext) -> list[Figure]:
        out = [date_figure("published", "发布日", "published", ctx.published),
               date_figure("backtest_start", "回测起点(参数)", "back-test start (params)",
                           params.backtest_start),
               figure("capital", "初始资金", "initial capital", params.capital_cny, "CNY"),
               figure("notional_per_side", "每边名义金额", "notional per side",
                      params.notional_per_side_x, "× equity"),
               figure("cost", "交易成本", "trading cost", params.cost_bps_per_trade,
                      "bp of traded notional")]
        for leg in params.legs:
            c = leg.contract
            out.append(figure(f"multiplier_{c}", f"{c} 合约乘数", f"{c} multiplier",
                              leg.multiplier_cny_per_point, "CNY/pt"))
            out.append(figure(f"margin_{c}", f"{c} 最低保证金", f"{c} minimum margin",
                              leg.min_margin_pct, "%"))
            mark = " (unverified)" if leg.charged_margin_unverified else ""
            out.append(figure(f"charged_margin_{c}", f"{c} 回测所用保证金",
                              f"{c} margin used in the back-test", leg.margin_pct, f"%{mark}"))
            out.append(figure(f"basis_{c}", f"{c} 年化基差(指数代替时)",
                              f"{c} annual basis (index proxy)", leg.basis_pct_per_year,
                              "% of notional per year"))
        return out

    def recorded(self, params: IfVsIcImParams) -> list[DataUsed]:
        out = [recorded_data(leg.source, leg.contract, "contract specification")
               for leg in params.legs]
        out.append(recorded_data(params.basis_source, "cnfut:IF/IC/IM",
                                 "annual basis assumption for the index proxy"))
        return out

    def backtest_plan(self, params: IfVsIcImParams, ctx: EvalContext,
                      start: date | None = None, end: date | None = None) -> TradePlan:
        """The futures strategy and its closes (columns = the legs' ids): rolled single
        contracts when the store holds every one the window needs, else index levels with
        each leg's basis as a carry and MissingData naming the contracts to pull."""
        from narrowgate.backtest.api import Costs
        from narrowgate.backtest.strategies import LongShort
        from narrowgate.evaluate.futures_prices import (
            leg_schedules,
            proxy_roll_dates,
            read_rolled,
            roll_cost_note,
            rolled_note,
        )

        begin = start or params.backtest_start
        stop = min(end, ctx.as_of) if end else ctx.as_of
        rolled: RolledLegs | None = None
        missing: list[MissingData] = []
        if params.roll == "front-month-before-expiry":
            schedules = leg_schedules([leg.contract for leg in params.legs], begin, stop,
                                      params.roll_days_before_expiry)
            if schedules is not None:
                rolled, missing = read_rolled(ctx, schedules, params.roll_days_before_expiry)
        notes = [self._sizing_note(params)]
        rolls: dict[str, list[date]] | None = None
        if rolled is not None:
            # the roll trades are charged in the back-test (trade_assessment says how much)
            closes, data = rolled.closes, list(rolled.data)
            notes.append(rolled_note(rolled, ctx.published))
            rolls = {leg: list(r.rolls.index) for leg, r in rolled.rolled.items()}
        else:
            closes, data, proxy_notes = self._proxy_closes(params, ctx, begin, end, stop)
            notes.extend(proxy_notes)
            missing = [m.model_copy(update={"how": f"{m.how}; until then the index proxy "
                                                   "plus the annual basis stands in"})
                       for m in missing]
            # the proxy stands in for contracts, so it pays their roll fills on the dates
            # the front-month rule gives (trade_assessment says how many and how much)
            rolls = proxy_roll_dates([leg.contract for leg in params.legs], begin, stop,
                                     params.roll_days_before_expiry)
            if rolls is None:
                notes.append(roll_cost_note(params.cost_bps_per_trade,
                                            params.notional_per_side_x))
        specs = {leg.contract: _leg_spec(leg, 0.0 if rolled is not None
                                         else leg.basis_pct_per_year / 100, params.margin)
                 for leg in params.legs}
        strategy = LongShort(
            name="if-vs-ic-im",
            long={leg.contract: leg.notional_weight for leg in params.legs if leg.side == "long"},
            short={leg.contract: leg.notional_weight for leg in params.legs
                   if leg.side == "short"},
            gross=2 * params.notional_per_side_x, net=0.0, rebalance=params.rebalance,
            initial_cash=params.capital_cny, instruments=specs,
            costs=Costs(fee=params.cost_bps_per_trade / 1e4))
        return TradePlan(strategy=strategy, closes=closes, data=[*data, *self.recorded(params)],
                         periods_per_year=params.trading_days_per_year, currency="CNY",
                         notes=notes, missing=missing, rolls=rolls)

    @staticmethod
    def _proxy_closes(params: IfVsIcImParams, ctx: EvalContext, begin: date, end: date | None,
                      stop: date) -> tuple[pd.DataFrame, list[DataUsed], list[LocalizedText]]:
        """Index levels renamed to the legs' ids, with the basis note; a stored sina main
        continuous series only adds a note on why it is not used (and its jumps)."""
        from narrowgate.evaluate.futures_prices import main_continuous_check
        from narrowgate.evaluate.hubdata import read_closes

        proxies = [leg.index_proxy for leg in params.legs]
        closes, data = read_closes(ctx, proxies, begin, end)
        notes = [_basis_note(params)]
        main_note, main_data = main_continuous_check(
            ctx, {leg.contract: leg.index_proxy for leg in params.legs}, begin, stop, closes)
        if main_note is not None:
            notes.append(main_note)
            data.extend(main_data)
        closes = closes.rename(columns={leg.index_proxy: leg.contract for leg in params.legs})
        return closes, data, notes

    @staticmethod
    def _sizing_note(params: IfVsIcImParams) -> LocalizedText:
        margins = ", ".join(f"{leg.contract} {leg.margin_pct:g}%" for leg in params.legs)
        if params.margin == "larger-side":
            margin_zh = "按中金所股指期货单向大边规则只收多、空两边中较大的一边"
            margin_en = ("on the larger side only, as CFFEX margins stock-index futures held "
                         "in one account")
        else:
            margin_zh = "多空两边相加(比中金所单向大边规则保守)"
            margin_en = ("summed over both sides (more than CFFEX's larger-side rule "
                         "charges: conservative)")
        return text(
            f"初始资金 {params.capital_cny:,.0f} 元,每边名义金额为权益的 "
            f"{params.notional_per_side_x:g} 倍,整手(四舍五入),每期({params.rebalance})"
            f"首个收盘按等名义重新定手数;每日盯市,保证金({margins},实收保证金未经核实)"
            f"从现金中扣留,{margin_zh}。收益为占初始资金的百分比。",
            f"Capital CNY {params.capital_cny:,.0f}; each side's notional is "
            f"{params.notional_per_side_x:g}× equity in whole lots (nearest), re-sized to equal "
            f"notional at the first close of each {params.rebalance} period; marked to market "
            f"daily, margin ({margins}; the charged rates are unverified) held from cash, "
            f"{margin_en}. Returns are on the initial capital.")

    def decide(self, claim: Claim, params: IfVsIcImParams, ctx: EvalContext) -> Assessment | None:
        return trade_assessment(
            self.backtest_plan(params, ctx),
            name=text("多 IF / 空 IC+IM", "long IF / short IC+IM"),
            published=ctx.published, as_of=ctx.as_of,
            supported_min_pct=params.supported_min_return_pct,
            contradicted_max_pct=params.contradicted_max_return_pct,
            setup=self.setup_figures(params, ctx), measures=self.measures)
