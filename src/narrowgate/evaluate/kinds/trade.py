"""trade: any long/short (or long-only) position the thesis takes, back-tested.

A trade is a list of legs. Spot legs (stocks, ETFs, indices, crypto) carry a weight within
their side; futures legs name a contract product, the index that stands in for it when
the store holds no single contracts, a multiplier, margins and an annual basis. The trade
enters at the last close before publication, follows the rebalance schedule, pays fees,
borrow and (futures) rolls, and ends at the horizon — the claim's, or ``end`` — or at the
latest close every leg has when there is none. Its return after costs against the params'
thresholds is the reading; the coverage gate holds it back (pending, with the interim
reading) until the data reach the horizon. The result is ranked among historical windows
of the same length (:mod:`narrowgate.evaluate.trade_backtest`), its P&L is split by leg and
term (price, basis, borrow, fees, rolls), a long/short trade shows a beta-neutral variant
beside it, and futures on an index proxy show the return at zero, the assumed and double
the assumed basis (:mod:`narrowgate.evaluate.kinds.trade_attribution`). Every label is
built from the legs; the futures price sources are read by
:mod:`narrowgate.evaluate.futures_prices`.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Literal

from pydantic import Field, model_validator

from narrowgate.evaluate.common import (
    InstrumentId,
    RecordedSource,
    bars_needs,
    date_figure,
    figure,
    recorded_data,
    text,
)
from narrowgate.evaluate.kinds.trade_attribution import Variants
from narrowgate.evaluate.registry import DataNeed, EvalContext, Evaluator, Params, register
from narrowgate.evaluate.trade_backtest import TradePlan, trade_assessment
from narrowgate.evaluate.verdict import Assessment, DataUsed, Figure, MissingData
from narrowgate.instruments import currency_of
from narrowgate.thesis.schema import Claim, LocalizedText

if TYPE_CHECKING:
    import pandas as pd

    from narrowgate.backtest.api import InstrumentSpec
    from narrowgate.evaluate.futures_prices import RolledLegs

Side = Literal["long", "short"]


class SpotLeg(Params):
    instrument: InstrumentId
    side: Side
    weight: float = Field(gt=0, le=1, description="share of that side's exposure")


class FuturesLeg(Params):
    contract: InstrumentId = Field(
        description="futures product, e.g. cnfut:IF; its single contracts (cnfut:IF2412 …) "
                    "are rolled when the store holds them")
    index_proxy: InstrumentId = Field(description="underlying index, e.g. cnidx:000300")
    side: Side
    weight: float = Field(gt=0, le=1, description="share of that side's notional")
    multiplier_per_point: float = Field(gt=0, description="trade currency per index point")
    min_margin_pct: float = Field(gt=0, le=100, description="contract-rule minimum margin, %")
    charged_margin_pct: float | None = Field(None, gt=0, le=100,
                                             description="margin the broker charges, %")
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

    @property
    def instrument(self) -> str:
        return self.contract


class TradeParams(Params):
    legs: list[SpotLeg | FuturesLeg] = Field(min_length=1)
    gross: float = Field(1.0, gt=0, le=6,
                         description="long + |short| exposure, × equity (0.5 a side at 1.0)")
    rebalance: Literal["once", "weekly", "monthly"] = Field(
        "monthly", description="back to target weights at the first close of each period")
    backtest_start: date = Field(description="history from here (or the first common close)")
    end: date | None = Field(None, description="last day measured; default: the claim's "
                                               "horizon, else the latest common close")
    capital: float = Field(1_000_000, gt=0, description="initial cash in the trade's "
                                                        "currency (whole futures lots need size)")
    cost_bps_per_trade: float = Field(5.0, ge=0, description="basis points of traded value")
    borrow_bps_per_year: float = Field(0.0, ge=0,
                                       description="basis points a year on short spot value")
    trading_days_per_year: float = Field(252, gt=0, description="annualises Sharpe and vol")
    supported_min_return_pct: float = Field(
        0.0, description="return since publication above this (after costs) → supported")
    contradicted_max_return_pct: float = Field(
        0.0, description="below this → contradicted; between the two → mixed")
    roll: Literal["front-month-before-expiry", "index-proxy"] = Field(
        "front-month-before-expiry", description="futures legs: roll stored single contracts, "
                                                 "or always price on the index proxy")
    roll_days_before_expiry: int = Field(
        2, ge=0, le=10, description="futures legs: roll at the close this many sessions "
                                    "before expiry")
    margin: Literal["larger-side", "sum"] = Field(
        "larger-side", description="futures legs: margin held on the larger side only (as "
                                   "exchanges net stock-index futures in one account) or both")
    basis_source: RecordedSource | None = Field(
        None, description="where the futures legs' basis assumption comes from")
    beta_window_days: int = Field(
        252, ge=0, le=2520,
        description="long/short trades: sessions before entry over which the long side's "
                    "beta on the short side sizes a beta-neutral variant shown beside the "
                    "dollar-neutral one; 0 = no variant")
    beta_neutral_decides: bool = Field(
        False, description="the beta-neutral variant's return decides the verdict instead "
                           "of the dollar-neutral one")

    @model_validator(mode="after")
    def _consistent(self) -> TradeParams:
        futures = [leg for leg in self.legs if isinstance(leg, FuturesLeg)]
        if futures and len(futures) != len(self.legs):
            raise ValueError("a trade's legs are all instruments or all futures contracts")
        for side in ("long", "short"):
            weights = [leg.weight for leg in self.legs if leg.side == side]
            if weights and abs(sum(weights) - 1) > 1e-9:
                raise ValueError(f"{side} leg weights must sum to 1, got {sum(weights):g}")
        if any(leg.basis_pct_per_year for leg in futures) and self.basis_source is None:
            raise ValueError("futures legs with a basis need basis_source (where it comes from)")
        if self.contradicted_max_return_pct > self.supported_min_return_pct:
            raise ValueError("contradicted_max_return_pct cannot exceed supported_min_return_pct")
        if self.beta_neutral_decides and not (self.beta_window_days and self.side("long")
                                              and self.side("short")):
            raise ValueError("beta_neutral_decides needs long and short legs and "
                             "beta_window_days > 0")
        if self.end is not None and self.end <= self.backtest_start:
            raise ValueError("end must come after backtest_start")
        currencies = {currency_of(leg.instrument) for leg in self.legs} - {None}
        if len(currencies) > 1:
            raise ValueError(f"legs trade in {' and '.join(sorted(c for c in currencies if c))}; "
                             "narrowgate does not convert currencies: use legs in one currency")
        return self

    @property
    def futures(self) -> list[FuturesLeg]:
        return [leg for leg in self.legs if isinstance(leg, FuturesLeg)]

    def side(self, which: Side) -> dict[str, float]:
        """Leg id → weight within one side."""
        return {leg.instrument: leg.weight for leg in self.legs if leg.side == which}

    @property
    def currency(self) -> str:
        found = sorted(c for c in (currency_of(leg.instrument) for leg in self.legs) if c)
        return found[0] if found else "points"


def trade_name(params: TradeParams) -> LocalizedText:
    """"long A+B / short C" from the legs' symbols (the market prefix dropped)."""
    def side(which: Side) -> str:
        return "+".join(leg.instrument.partition(":")[2] for leg in params.legs
                        if leg.side == which)

    longs, shorts = side("long"), side("short")
    zh = " / ".join(p for p in (f"多 {longs}" if longs else "", f"空 {shorts}" if shorts else "")
                    if p)
    en = " / ".join(p for p in (f"long {longs}" if longs else "",
                                f"short {shorts}" if shorts else "") if p)
    return text(zh, en)


def _leg_spec(leg: FuturesLeg, basis_per_year: float, margin: str) -> InstrumentSpec:
    """The engine's terms for one futures leg: ``basis_per_year`` is 0 for real futures
    prices (the basis is in them) and the leg's annual basis for the index proxy."""
    from narrowgate.backtest.api import InstrumentSpec

    return InstrumentSpec(kind="futures", multiplier=leg.multiplier_per_point,
                          margin_rate=leg.margin_pct / 100, basis_per_year=basis_per_year,
                          margin_group="larger-side" if margin == "larger-side" else None)


@register
class Trade(Evaluator[TradeParams]):
    test = "trade"
    params_model = TradeParams
    title = "A trade back-tested since publication"

    def measures(self, params: TradeParams) -> LocalizedText:
        name = trade_name(params)
        lots_zh = ",按合约乘数、保证金与整手" if params.futures else ""
        lots_en = " with multipliers, margins and whole lots" if params.futures else ""
        proxy = params.futures and params.roll == "front-month-before-expiry"
        proxy_zh = ";缺期货数据时以指数加年化基差代替" if proxy else ""
        proxy_en = " (index levels plus an annual basis where futures data are missing)" \
            if proxy else ""
        return text(
            f"回测{name.zh}(总敞口为权益的 {params.gross:g} 倍{lots_zh}{proxy_zh}):"
            "发布前最后收盘至期限(或各腿共同最新数据)的收益(扣除成本),及其在历史同长度窗口中的排名。",
            f"Back-test {name.en} at {params.gross:g}× equity gross{lots_en}{proxy_en}"
            ": the return after costs from the last close before publication to the horizon "
            "(or the latest close of every leg), and its rank among historical windows of "
            "the same length.")

    def data_needs(self, params: TradeParams, ctx: EvalContext) -> list[DataNeed]:
        """Spot legs' closes; for futures the index levels only — single contracts (a
        hundred or more a leg) are pulled on request, as the evidence names them."""
        if params.futures:
            return bars_needs([leg.index_proxy for leg in params.futures],
                              params.backtest_start, ctx.as_of,
                              "index levels (the proxy until single contracts are stored)")
        return bars_needs([leg.instrument for leg in params.legs], params.backtest_start,
                          ctx.as_of, "daily closes of every leg")

    def setup_figures(self, params: TradeParams, ctx: EvalContext) -> list[Figure]:
        out = [date_figure("published", "发布日", "published", ctx.published),
               date_figure("backtest_start", "回测起点(参数)", "back-test start (params)",
                           params.backtest_start),
               figure("gross", "总敞口", "gross exposure", params.gross,
                      "× equity (long + |short|)"),
               figure("capital", "初始资金", "initial capital", params.capital, params.currency),
               figure("cost", "交易成本", "trading cost", params.cost_bps_per_trade,
                      "bp of traded value"),
               figure("supported_threshold", "成立阈值", "supported above",
                      params.supported_min_return_pct, "%"),
               figure("contradicted_threshold", "否定阈值", "contradicted below",
                      params.contradicted_max_return_pct, "%")]
        if not params.futures:
            out.append(figure("borrow", "融券费率", "borrow fee", params.borrow_bps_per_year,
                              "bp per year of short value"))
            out += [figure(f"leg_{leg.instrument}", f"{leg.side} {leg.instrument}",
                           f"{leg.side} {leg.instrument}", leg.weight, "share of side")
                    for leg in params.legs]
        for leg in params.futures:
            c = leg.contract
            out.append(figure(f"multiplier_{c}", f"{c} 合约乘数", f"{c} multiplier",
                              leg.multiplier_per_point, f"{params.currency}/pt"))
            out.append(figure(f"margin_{c}", f"{c} 最低保证金", f"{c} minimum margin",
                              leg.min_margin_pct, "%"))
            mark = " (unverified)" if leg.charged_margin_unverified else ""
            out.append(figure(f"charged_margin_{c}", f"{c} 回测所用保证金",
                              f"{c} margin used in the back-test", leg.margin_pct, f"%{mark}"))
            out.append(figure(f"basis_{c}", f"{c} 年化基差(指数代替时)",
                              f"{c} annual basis (index proxy)", leg.basis_pct_per_year,
                              "% of notional per year"))
        return out

    def recorded(self, params: TradeParams) -> list[DataUsed]:
        out = [recorded_data(leg.source, leg.contract, "contract specification")
               for leg in params.futures]
        if params.basis_source is not None and params.futures:
            out.append(recorded_data(params.basis_source,
                                     "/".join(leg.contract for leg in params.futures),
                                     "annual basis assumption for the index proxy"))
        return out

    def backtest_plan(self, params: TradeParams, ctx: EvalContext,
                      start: date | None = None, end: date | None = None) -> TradePlan:
        """The engine strategy and the closes it runs on (columns = the legs' ids)."""
        if params.futures:
            return self._futures_plan(params, ctx, start or params.backtest_start, end)
        from narrowgate.evaluate.hubdata import read_closes

        ids = [leg.instrument for leg in params.legs]
        closes, data = read_closes(ctx, ids, start or params.backtest_start, end)
        notes = [_spot_note(params)]
        unadjusted = sorted({d.instrument for d in data if d.basis and d.basis != "total"})
        if unadjusted:
            notes.append(_dividend_note(unadjusted))
        return TradePlan(strategy=_strategy(params, {}), closes=closes, data=data,
                         periods_per_year=params.trading_days_per_year,
                         currency=params.currency, notes=notes)

    def _futures_plan(self, params: TradeParams, ctx: EvalContext, begin: date,
                      end: date | None) -> TradePlan:
        """Rolled single contracts when the store holds every one the window needs, else
        index levels with each leg's basis as a carry and MissingData naming the contracts
        to pull."""
        from narrowgate.evaluate.futures_prices import read_rolled, roll_cost_note, rolled_note
        from narrowgate.models.futures_schedule import leg_schedules, proxy_roll_dates

        stop = min(end, ctx.as_of) if end else ctx.as_of
        contracts = [leg.contract for leg in params.futures]
        rolled: RolledLegs | None = None
        missing: list[MissingData] = []
        if params.roll == "front-month-before-expiry":
            schedules = leg_schedules(contracts, begin, stop, params.roll_days_before_expiry)
            if schedules is not None:
                rolled, missing = read_rolled(ctx, schedules, params.roll_days_before_expiry)
        notes = [_sizing_note(params)]
        if rolled is not None:
            # the roll trades are charged in the back-test (trade_assessment says how much)
            closes, data = rolled.closes, list(rolled.data)
            notes.append(rolled_note(rolled, ctx.published))
            rolls: dict[str, list[date]] | None = {
                leg: list(r.rolls.index) for leg, r in rolled.rolled.items()}
        else:
            closes, data, proxy_notes = _proxy_closes(params, ctx, begin, end, stop)
            notes.extend(proxy_notes)
            missing = [m.model_copy(update={"how": f"{m.how}; until then the index proxy "
                                                   "plus the annual basis stands in"})
                       for m in missing]
            # the proxy stands in for contracts, so it pays their roll fills on the dates
            # the front-month rule gives (trade_assessment says how many and how much)
            rolls = proxy_roll_dates(contracts, begin, stop, params.roll_days_before_expiry)
            if rolls is None:
                notes.append(roll_cost_note(params.cost_bps_per_trade, params.gross / 2))
        specs = {leg.contract: _leg_spec(leg, 0.0 if rolled is not None
                                         else leg.basis_pct_per_year / 100, params.margin)
                 for leg in params.futures}
        return TradePlan(strategy=_strategy(params, specs), closes=closes,
                         data=[*data, *self.recorded(params)],
                         periods_per_year=params.trading_days_per_year,
                         currency=params.currency, notes=notes, missing=missing, rolls=rolls)

    def evaluate(self, claim: Claim, params: TradeParams, ctx: EvalContext) -> Assessment:
        return trade_assessment(
            self.backtest_plan(params, ctx), name=trade_name(params), published=ctx.published,
            as_of=ctx.as_of, horizon=params.end or claim.horizon,
            supported_min_pct=params.supported_min_return_pct,
            contradicted_max_pct=params.contradicted_max_return_pct,
            setup=self.setup_figures(params, ctx), measures=self.measures(params),
            variants=Variants(beta_window_days=params.beta_window_days,
                              beta_decides=params.beta_neutral_decides))


def _strategy(params: TradeParams, specs: dict[str, InstrumentSpec]) -> object:
    """LongShort at the params' gross (net 0) when both sides exist; a long- or short-only
    Basket at that exposure otherwise."""
    from narrowgate.backtest.api import Costs
    from narrowgate.backtest.strategies import Basket, LongShort

    costs = Costs(fee=params.cost_bps_per_trade / 1e4,
                  borrow_per_year=params.borrow_bps_per_year / 1e4)
    longs, shorts = params.side("long"), params.side("short")
    common = {"name": trade_name(params).en, "rebalance": params.rebalance,
              "initial_cash": params.capital, "instruments": specs, "costs": costs}
    if longs and shorts:
        return LongShort(long=longs, short=shorts, gross=params.gross, net=0.0, **common)
    sign = 1.0 if longs else -1.0
    return Basket(weights={a: sign * params.gross * w for a, w in (longs or shorts).items()},
                  **common)


def _spot_note(params: TradeParams) -> LocalizedText:
    both = params.side("long") and params.side("short")
    side = params.gross / 2 if both else params.gross
    return text(
        f"{'每边' if both else '持仓'} {side:g} 倍权益;每期({params.rebalance})首个收盘调回目标"
        f"权重;成交额的 {params.cost_bps_per_trade:g} 个基点为交易成本,空头每年 "
        f"{params.borrow_bps_per_year:g} 个基点融券费;现金不计利息(夏普的无风险利率取 0)。",
        f"{side:g}× equity {'a side' if both else 'held'}, back to target weights at the first "
        f"close of each {params.rebalance} period; fees {params.cost_bps_per_trade:g} bp of "
        f"traded value, borrow {params.borrow_bps_per_year:g} bp/yr on shorts; no interest "
        "on cash (Sharpe's risk-free rate is 0).")


def _dividend_note(instruments: list[str]) -> LocalizedText:
    names = ", ".join(instruments)
    return text(
        f"{names} 的收盘价未做分红复权:其股息不在收益中——多头少算了股息收入,空头少算了应付的股息。",
        f"Closes of {names} are not dividend-adjusted: their dividends are not in the return "
        "(a long leg misses its yield, a short leg does not pay it).")


def _proxy_closes(params: TradeParams, ctx: EvalContext, begin: date, end: date | None,
                  stop: date) -> tuple[pd.DataFrame, list[DataUsed], list[LocalizedText]]:
    """Index levels renamed to the legs' ids, with the basis note; a stored main
    continuous series only adds a note on why it is not used (and its jumps)."""
    from narrowgate.evaluate.futures_prices import main_continuous_check
    from narrowgate.evaluate.hubdata import read_closes

    legs = params.futures
    closes, data = read_closes(ctx, [leg.index_proxy for leg in legs], begin, end)
    notes = [_basis_note(params)]
    main_note, main_data = main_continuous_check(
        ctx, {leg.contract: leg.index_proxy for leg in legs}, begin, stop, closes)
    if main_note is not None:
        notes.append(main_note)
        data.extend(main_data)
    closes = closes.rename(columns={leg.index_proxy: leg.contract for leg in legs})
    return closes, data, notes


def _basis_note(params: TradeParams) -> LocalizedText:
    parts = ", ".join(f"{leg.contract} {leg.basis_pct_per_year:+g}%" for leg in params.futures)
    where = params.basis_source.label() if params.basis_source else "—"
    return text(
        f"指数代替期货:每条腿按年化基差({parts},负值为贴水)计提持有成本——空头每年支付贴水占名义"
        f"金额的比例,多头则赚取。来源:{where}。忽略贴水会高估做空贴水合约的收益。",
        f"Index levels stand in for the futures: each leg accrues its annualised basis "
        f"({parts}; negative = futures below the index) on its notional — a short pays the "
        f"discount as the contract converges, a long earns it. Source: {where}. Ignoring "
        "a discount would overstate a short in that contract.")


def _sizing_note(params: TradeParams) -> LocalizedText:
    margins = ", ".join(f"{leg.contract} {leg.margin_pct:g}%" for leg in params.futures)
    if params.margin == "larger-side":
        margin_zh = "按单向大边规则只收多、空两边中较大的一边"
        margin_en = ("on the larger side only, as exchanges margin stock-index futures in "
                     "one account")
    else:
        margin_zh = "多空两边相加(比单向大边规则保守)"
        margin_en = "summed over both sides (more than the larger-side rule charges: conservative)"
    cur, side = params.currency, params.gross / 2
    return text(
        f"初始资金 {params.capital:,.0f} {cur},每边名义金额为权益的 {side:g} 倍,整手(四舍五入),"
        f"每期({params.rebalance})首个收盘按目标名义重新定手数;每日盯市,保证金({margins})"
        f"从现金中扣留,{margin_zh}。收益为占初始资金的百分比。",
        f"Capital {cur} {params.capital:,.0f}; each side's notional is {side:g}× equity in "
        f"whole lots (nearest), re-sized to target notional at the first close of each "
        f"{params.rebalance} period; marked to market daily, margin ({margins}) held from "
        f"cash, {margin_en}. Returns are on the initial capital.")
