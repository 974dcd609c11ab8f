"""The valuation panel: profit paths, dated forecasts, sector yardsticks and one verdict rule.

Why a panel: a priced-in year read off one consensus path, one multiple and one discount
rate says nothing about how far a different, equally defensible input would move it. Each
stock therefore carries up to three profit paths (``best`` / ``base`` / ``worst``: forecast
snapshots of the valuation dataset named by the stock's ``paths`` param; a case without its
own snapshot is stood in for by the base path, and says so); the verdict is stated per path
and the params' ``decide_on`` path decides. A forecast dated after the price date is not
what the market knew then: it is flagged and, by default, kept out of the decision (shown,
not used). Where P/E misleads, a stock's ``yardstick`` changes what is read: mid-cycle
earnings (the mean profit over a sourced cycle, grown at ``growth_after``) still gives a
priced-in year; P/B and EV/sales are shown from sourced inputs but cannot give one, so such
a stock does not decide. A P/E on a path without a positive profit is "not meaningful" and
never decides. The one verdict rule (:func:`group_outcome`) serves the stated settings, each
path and every cell of the sensitivity grid (:mod:`.valuation_grid`).
Units: years are fiscal years; rates are decimals per year; returns are decimals.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from statistics import median
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field, field_validator

from narrowgate.evaluate.core.thresholds import conditions_held
from narrowgate.evaluate.registry import Params
from narrowgate.evaluate.verdict import Verdict
from narrowgate.models.valuation import (
    ForecastSource,
    ProfitPath,
    ValuationInputError,
    flat_path,
    forward_pe,
    mid_cycle_profit,
    priced_in_year,
    profit_path_from_record,
)

if TYPE_CHECKING:
    from narrowgate.evaluate.kinds.valuation import ValuationParams, ValuedStock
    from narrowgate.evaluate.kinds.valuation_inputs import StockValuation

PathCase = Literal["best", "base", "worst"]
CASES: tuple[PathCase, ...] = ("best", "base", "worst")
CASE_ZH: dict[str, str] = {"best": "最佳情形", "base": "基准情形", "worst": "最差情形"}
VERDICT_ZH: dict[str, str] = {"supported": "成立", "contradicted": "不成立", "mixed": "部分成立",
                              "insufficient data": "数据不足", "pending": "待定"}
Yardstick = Literal["pe", "pb", "mid-cycle-earnings", "ev-sales"]


class PanelSettings(Params):
    """Which path decides, what to do with late forecasts, the grid, the upside rule."""

    decide_on: PathCase = Field("base", description="profit path whose verdict is the claim's "
                                "(best, base or worst); all three are shown")
    forecasts_after_price_date: Literal["exclude", "use"] = Field(
        "exclude", description="forecasts dated after the price date: exclude (shown, not "
                               "used in the decision) or use")
    grid_multiples_x: list[float] = Field(
        default_factory=lambda: [20.0, 22.5, 25.0, 27.5, 30.0], min_length=1,
        description="sensitivity grid: fair P/E multiples (x)")
    grid_discount_rates: list[float] = Field(
        default_factory=lambda: [0.08, 0.09, 0.10, 0.11, 0.12], min_length=1,
        description="sensitivity grid: discount rates (decimal per year)")
    grid_growth_after: list[float] = Field(
        default_factory=lambda: [0.10, 0.15, 0.20], min_length=1,
        description="sensitivity grid: profit growth after the forecasts (decimal per year)")
    max_upside_pct: float | None = Field(
        None, gt=0, description="a 'limited upside' claim: the most a name may have risen "
        "since the price date (%) before the verdict cannot stay supported (None: no rule)")
    upside_breach: Literal["mixed", "contradicted"] = Field(
        "mixed", description="the verdict a supported reading becomes when a name rose more "
                             "than max_upside_pct since the price date")

    @field_validator("grid_multiples_x")
    @classmethod
    def _positive(cls, value: list[float]) -> list[float]:
        if any(m <= 0 for m in value):
            raise ValueError(f"grid multiples are above 0 (x), got {value}")
        return value

    @field_validator("grid_discount_rates", "grid_growth_after")
    @classmethod
    def _rates(cls, value: list[float]) -> list[float]:
        if any(not -1 < r < 1 for r in value):
            raise ValueError(f"grid rates are decimals per year between -1 and 1, got {value}")
        return value


@dataclass
class CasePath:
    """One stock's profit path for one case, or why it has none."""

    path: ProfitPath | None
    why: str = ""
    stand_in: bool = False  # the base path standing in for a case without its own snapshot
    after_price_date: bool = False


@dataclass
class StockPanel:
    """What the panel reads for one stock: its paths by case and its yardstick."""

    v: StockValuation
    stock: ValuedStock
    cases: dict[PathCase, CasePath]
    yard_path: ProfitPath | None = None  # mid-cycle earnings as a path
    yard_value: float | None = None  # mid-cycle P/E, P/B or EV/sales (x)
    yard_why: str = ""  # the gap when the yardstick has no sourced input
    yard_detail: str = ""
    last_loss: tuple[int, float, str] | None = None  # last reported year, loss, measure

    def decision_path(self, case: PathCase, params: ValuationParams
                      ) -> tuple[ProfitPath | None, str]:
        """The path that decides for ``case``, or why this stock does not decide."""
        kind = self.stock.yardstick
        if kind == "mid-cycle-earnings":
            return self.yard_path, self.yard_why
        if kind != "pe":
            shown = f" ({self.yard_value:.2f}x)" if self.yard_value is not None else ""
            return None, f"valued on {kind}{shown}, which gives no priced-in year"
        cp = self.cases[case]
        if cp.path is None:
            return None, cp.why
        if cp.after_price_date and params.forecasts_after_price_date == "exclude":
            return None, (f"forecasts as of {cp.path.source.as_of}, after the price date "
                          f"{params.price_date}: shown, not used")
        if not any(p > 0 for p in cp.path.profits.values()):
            return None, "P/E not meaningful: no positive profit on the path"
        return cp.path, ""


def _case_path(stock: ValuedStock, v: StockValuation, record: dict[str, Any],
               case: PathCase, params: ValuationParams) -> CasePath:
    base = v.path
    if case != "base" and case in stock.paths:
        try:
            path = profit_path_from_record(record, growth_after=params.growth_after,
                                           forecast=stock.paths[case])
            if path.first_year > params.price_date.year:
                raise ValuationInputError(f"its {case} path starts in {path.first_year}")
        except ValuationInputError as exc:
            return CasePath(None, exc.message)
    elif base is None:
        return CasePath(None, v.no_forecast or "no sourced forecast")
    else:
        path = base
    day = path.source.as_of
    return CasePath(path, stand_in=case != "base" and case not in stock.paths,
                    after_price_date=day is not None and day > params.price_date)


def _sourced(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [i for i in items if i.get("value") is not None and i.get("status") != "unverified"]


def _yardstick(sp: StockPanel, record: dict[str, Any], params: ValuationParams) -> None:
    """Fill the stock's yardstick reading from the dataset, or name the gap."""
    stock, v, kind = sp.stock, sp.v, sp.stock.yardstick
    if kind == "mid-cycle-earnings":
        first, last = stock.mid_cycle_years
        profits = {int(i["year"]): float(i["value"]) for i in _sourced(record.get("profits", []))
                   if stock.mid_cycle_measure is None
                   or i.get("measure") == stock.mid_cycle_measure}
        try:
            mid = mid_cycle_profit(profits, first, last)
            if mid <= 0:
                raise ValuationInputError(f"mid-cycle profit {mid:.4g} is not positive")
        except ValuationInputError as exc:
            sp.yard_why = f"no sourced mid-cycle input ({exc.message})"
            return
        source = ForecastSource(kind="facts", name=f"{v.name}: mean profit {first}–{last}")
        sp.yard_path = flat_path(mid, params.price_date.year, params.growth_after, source,
                                 unit=v.unit)
        sp.yard_value = v.value / mid if v.value is not None else None
        sp.yard_detail = f"mean {first}–{last} profit {mid:.4g} {v.unit}"
    elif kind == "pb":
        books = _sourced(record.get("book_values", []))
        if not books or v.value is None:
            sp.yard_why = "no sourced book value in the valuation dataset"
            return
        sp.yard_value = v.value / float(books[-1]["value"])
        sp.yard_detail = f"book {books[-1]['value']} ({books[-1].get('date')})"
    elif kind == "ev-sales":
        evs, sales = _sourced(record.get("enterprise_values", [])), _sourced(
            record.get("revenues", []))
        if not evs or not sales:
            sp.yard_why = "no sourced enterprise value or revenue in the valuation dataset"
            return
        ev, rev = evs[-1], max(sales, key=lambda i: int(i["year"]))
        sp.yard_value = float(ev["value"]) / float(rev["value"])
        sp.yard_detail = (f"EV {ev['value']} {ev.get('unit', '')} on {ev.get('date')} / revenue "
                          f"{rev['value']} in {rev['year']}")


def build_panel(stock: ValuedStock, v: StockValuation, params: ValuationParams) -> StockPanel:
    """The panel of one valued stock (paths by case, yardstick, last reported loss)."""
    from narrowgate.evaluate.kinds.valuation_forecasts import dataset_record

    record = dataset_record(stock.instrument, params.dataset)
    sp = StockPanel(v, stock, {c: _case_path(stock, v, record, c, params) for c in CASES})
    actual = [i for i in _sourced(record.get("profits", []))
              if i.get("kind", "reported") in ("reported", "preliminary")]
    if actual:
        year = max(int(i["year"]) for i in actual)
        losses = [i for i in actual if int(i["year"]) == year and float(i["value"]) <= 0]
        if losses:
            sp.last_loss = year, float(losses[0]["value"]), str(losses[0].get("measure",
                                                                              "reported"))
    if stock.yardstick != "pe":
        _yardstick(sp, record, params)
    return sp


def reading(sp: StockPanel, case: PathCase, params: ValuationParams, *, multiple: float,
            rate: float, growth: float, beyond: float) -> float | None:
    """The stock's decisive reading under these assumptions; None: it does not decide.

    A priced-in year beyond the horizon reads as ``beyond``; the forward P/E does not
    depend on the multiple, the rate or the growth.
    """
    path, _ = sp.decision_path(case, params)
    if path is None or sp.v.value is None:
        return None
    try:
        if params.measure == "forward_pe":
            return forward_pe(sp.v.value, path, params.pe_year())
        found = priced_in_year(sp.v.value, replace(path, growth_after=growth),
                               current_year=params.price_date.year, fair_multiple=multiple,
                               discount_rate=rate, horizon_years=params.horizon_years)
    except ValuationInputError:
        return None
    return float(found.year) if found.year is not None else beyond


def beyond_for(params: ValuationParams) -> float:
    """How a priced-in year past the horizon counts: any year for one group (inf), the
    year after the horizon in a median of two groups."""
    return math.inf if len(params.groups) == 1 else float(
        params.price_date.year + params.horizon_years + 1)


@dataclass(frozen=True)
class Outcome:
    """One verdict of the rule and its decisive reading (names backing, or median gap)."""

    verdict: Verdict | None
    reading: float | None
    full: bool


def group_outcome(params: ValuationParams, readings: list[list[float | None]]) -> Outcome:
    """The verdict rule, one place for the stated settings, each path and the grid.

    One group: every deciding name at or past the threshold (± tolerance) → supported,
    none → contradicted, some → mixed. Two groups: the first group's median at least
    ``looser_by`` below the second's → supported (mixed when half or more of the first
    group sit above the second's median), else contradicted. Either one-sided verdict with
    fewer than ``min_share_with_forecast`` of a group's names deciding → mixed: one name out
    of four cannot carry a group's call in either direction. None: nothing decides.
    """
    full = all(sum(r is not None for r in g) / len(g) >= params.min_share_with_forecast
               for g in readings)
    if len(readings) == 1:
        assert params.threshold is not None
        up = params.direction == "at_least"
        bar = params.threshold - params.tolerance if up else params.threshold + params.tolerance
        got = [r for r in readings[0] if r is not None]
        if not got:
            return Outcome(None, None, full)
        backing = [r >= bar if up else r <= bar for r in got]
        verdict = conditions_held(backing)
        reading: float = sum(backing)
    else:
        a = [r for r in readings[0] if r is not None]
        b = [r for r in readings[1] if r is not None]
        if not a or not b:
            return Outcome(None, None, full)
        a_med, b_med = median(a), median(b)
        reading = b_med - a_med
        against = sum(r > b_med for r in a)
        verdict = ((Verdict.MIXED if against * 2 >= len(a) else Verdict.SUPPORTED)
                   if reading >= params.looser_by else Verdict.CONTRADICTED)
    if verdict in (Verdict.SUPPORTED, Verdict.CONTRADICTED) and not full:
        verdict = Verdict.MIXED
    return Outcome(verdict, reading, full)


def upside_breaches(params: ValuationParams, vals: list[StockValuation]
                    ) -> list[StockValuation]:
    """Names that rose more than ``max_upside_pct`` since the price date (none: no rule)."""
    if params.max_upside_pct is None:
        return []
    return [v for v in vals if v.return_since is not None
            and v.return_since * 100 > params.max_upside_pct]


def capped(verdict: Verdict | None, params: ValuationParams, breaches: list[StockValuation]
           ) -> Verdict | None:
    """A supported 'limited upside' reading with a name up more than the claim allows
    becomes ``upside_breach``."""
    if verdict is Verdict.SUPPORTED and breaches:
        return Verdict(params.upside_breach)
    return verdict


def case_outcome(params: ValuationParams, panels: list[list[StockPanel]], case: PathCase, *,
                 multiple: float, rate: float, growth: float) -> Outcome:
    """The rule on one path under one set of assumptions, the upside cap applied."""
    beyond = beyond_for(params)
    readings = [[reading(sp, case, params, multiple=multiple, rate=rate, growth=growth,
                         beyond=beyond) for sp in group] for group in panels]
    out = group_outcome(params, readings)
    breaches = upside_breaches(params, [sp.v for g in panels for sp in g])
    return replace(out, verdict=capped(out.verdict, params, breaches))
