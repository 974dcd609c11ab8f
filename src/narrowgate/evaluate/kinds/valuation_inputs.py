"""Valuing one stock on a price date, the same way for every stock (A-share or US).

Why one place: every ``valuation`` claim and ``narrowgate value pricedin`` must use the
same method, date and inputs, or a side-by-side comparison means nothing.
Inputs: a sourced valuation dataset (profits, forecast snapshots, share counts, recorded
prices, each with its status): the bundled ``data/bundled/ai_hardware_valuation.yaml`` by
default, or a YAML file of the same shape named by the settings' ``dataset``; and, where the
store holds the price date, the hub's raw close (dataset and forecast choice:
:mod:`narrowgate.evaluate.kinds.valuation_forecasts`). Share basis: a close can be rescaled to
another source's basis by their ratio on the last common date (a forward-adjusted
file against a pre-bonus-issue file), so price and share count always match.
Forecasts: tried in the order ``ctx.forecast_order`` (the CLI's ``--forecasts``), else
the settings' ``forecasts`` field, else ``bundled`` (reproducible offline): a provider
consensus (akshare/yfinance, never when offline), a user CSV, the dataset's snapshots. Every
path's ``ForecastSource`` says kind, name and as-of date, and a fallback leaves a note.
pandas is imported inside functions (kind modules import cheaply).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from narrowgate.errors import DataNotFound, NarrowgateError
from narrowgate.evaluate.common import text
from narrowgate.evaluate.kinds.valuation_forecasts import (
    actual_path,
    choose_path,
    dataset_record,
    recorded_item,
)
from narrowgate.evaluate.verdict import DataUsed
from narrowgate.models.valuation import (
    ImpliedGrowth,
    PricedIn,
    ProfitPath,
    ValuationInputError,
    forward_pe,
    implied_profit_growth,
    priced_in_year,
)
from narrowgate.thesis.schema import LocalizedText

if TYPE_CHECKING:
    from narrowgate.evaluate.kinds.valuation import ValuationSettings, ValuedStock
    from narrowgate.evaluate.registry import EvalContext

PRICE_LOOKBACK_DAYS = 10

@dataclass
class StockValuation:
    """Everything the valuation claims say about one stock on the price date."""

    instrument: str
    name: str
    basis: str
    unit: str
    price_unit: str
    price: float | None = None
    price_date: date | None = None
    value: float | None = None  # market cap on a total basis, else the price
    path: ProfitPath | None = None
    priced_in: PricedIn | None = None
    sensitivity: dict[float, int | None] = field(default_factory=dict)
    forward_pe: dict[int, float | None] = field(default_factory=dict)
    implied: ImpliedGrowth | None = None
    implied_error: str | None = None
    no_forecast: str = ""
    return_since: float | None = None
    return_to: date | None = None
    notes: list[LocalizedText] = field(default_factory=list)

    def sentence_en(self) -> str:
        if self.priced_in is None:
            need = (f"needs {self.implied.growth:.0%}/yr profit growth {self.implied.base_year}"
                    f"→{self.implied.target_year}" if self.implied else self.implied_error)
            return f"{self.instrument} has no sourced forecast ({need})"
        year = self.priced_in.year or f"beyond {self.priced_in.horizon_year}"
        pe = next(iter(self.forward_pe.values()), None)
        return (f"{self.instrument} priced in to {year} on the base path"
                + (f", {pe:.1f}x forward" if pe else ""))

    def sentence_zh(self) -> str:
        if self.priced_in is None:
            need = (f"需年增 {self.implied.growth:.0%}" if self.implied else "无法计算")
            return f"{self.name} 无可用预测({need})"
        year = self.priced_in.year or f"{self.priced_in.horizon_year} 年以后"
        return f"{self.name} 基准情形计入到 {year}"


def hub_close(ctx: EvalContext, instrument: str, on: date, source: str | None
              ) -> tuple[float, str, DataUsed] | None:
    """The raw close on ``on`` exactly (None if the store lacks that day), its source."""
    from narrowgate.evaluate.hubdata import provenance_to_data

    if ctx.hub is None:
        return None
    try:
        bars = ctx.hub.bars(instrument, on - timedelta(days=PRICE_LOOKBACK_DAYS), on,
                            adjust="raw", source=source)
    except DataNotFound:
        return None
    frame = bars.frame
    if frame.empty or frame.index[-1].date() != on:
        return None
    prov = bars.provenance[0]
    return float(frame["close"].iloc[-1]), prov.source, provenance_to_data(prov)


def rebase_ratio(ctx: EvalContext, instrument: str, source: str, to_source: str,
                 before: date) -> tuple[float, date]:
    """Close(to_source) / close(source) on their last common date on or before ``before``."""
    from narrowgate.evaluate.hubdata import require_hub

    view = require_hub(ctx, [instrument])
    frames = [view.bars(instrument, None, before, adjust="raw", source=s).frame["close"]
              for s in (source, to_source)]
    ratio = (frames[1] / frames[0]).dropna()
    if ratio.empty:
        raise DataNotFound(f"{instrument}: sources {source} and {to_source} share no date",
                           "drop rebase_to_source or pick overlapping sources")
    return float(ratio.iloc[-1]), ratio.index[-1].date()


def _price(stock: ValuedStock, record: dict[str, Any], settings: ValuationSettings,
           ctx: EvalContext, out: StockValuation, data: list[DataUsed]) -> None:
    """Set the price on the price date: hub close (rebased) or the recorded fallback."""
    found = hub_close(ctx, stock.instrument, settings.price_date, stock.price_source)
    if found is not None:
        close, source, used = found
        data.append(used)
        out.price, out.price_date = close, settings.price_date
        if stock.rebase_to_source:
            ratio, common = rebase_ratio(ctx, stock.instrument, source, stock.rebase_to_source,
                                         settings.price_date)
            out.price = close * ratio
            out.notes.append(text(
                f"{out.name}:{source} 收盘 {close:.2f} 按与 {stock.rebase_to_source} 在 {common} "
                f"的比值 {ratio:.4f} 换算到与股本一致的口径:{out.price:.2f}。",
                f"{stock.instrument}: the {source} close {close:.2f} is rescaled by its ratio "
                f"{ratio:.4f} to {stock.rebase_to_source} on {common} (their last common date) "
                f"to the basis of the share count: {out.price:.2f}."))
        return
    recorded = [p for p in record.get("prices", []) if p.get("close") is not None
                and p.get("status") != "unverified" and p.get("date") == stock.fallback_price_date
                and stock.fallback_share_basis in str(p.get("share_basis", ""))]
    if not recorded:
        return
    item = recorded[0]
    out.price, out.price_date = float(item["close"]), item["date"]
    data.append(recorded_item(item, stock.instrument, f"close on {item['date']}", settings.dataset))
    out.notes.append(text(
        f"{out.name}:数据库没有 {settings.price_date} 的收盘价,改用记录的 {item['date']} 收盘 "
        f"{out.price:g}。",
        f"{stock.instrument}: the store has no close on {settings.price_date}; the recorded "
        f"close of {item['date']} ({out.price:g}) is used instead."))


def _priced_in(value: float, path: ProfitPath, settings: ValuationSettings,
               multiple: float) -> PricedIn:
    return priced_in_year(value, path, current_year=settings.price_date.year,
                          fair_multiple=multiple, discount_rate=settings.discount_rate,
                          horizon_years=settings.horizon_years)


def value_stock(stock: ValuedStock, settings: ValuationSettings, ctx: EvalContext,
                data: list[DataUsed]) -> StockValuation:
    """Price, profit path, priced-in year (with sensitivity), forward P/E and implied growth."""
    record = dataset_record(stock.instrument, settings.dataset)
    total = record.get("basis") == "total"
    unit = str(record.get("profit_unit", ""))
    out = StockValuation(stock.instrument, str(record.get("name", stock.instrument)),
                         str(record.get("basis")), unit,
                         price_unit=f"{record.get('currency', '')} per share")
    _price(stock, record, settings, ctx, out, data)
    if out.price is None:
        out.no_forecast = f"no price on {settings.price_date}"
        return out
    out.value = out.price
    if total:
        shares = record.get("shares", [])[stock.shares]
        out.value = out.price * float(shares["value"])
        what = f"shares {shares['value']} {shares['unit']}" + (
            f", {shares['basis']}" if shares.get("basis") else "")
        data.append(recorded_item(shares, stock.instrument, what, settings.dataset))
    current = settings.price_date.year
    choose_path(stock, record, settings, ctx, out, data)
    if out.path is not None:
        out.priced_in = _priced_in(out.value, out.path, settings, settings.fair_pe_x)
        out.sensitivity = {m: _priced_in(out.value, out.path, settings, m).year
                           for m in settings.fair_pe_sensitivity_x}
        years = sorted({current, current + 1, settings.forward_pe_year or current})
        out.forward_pe = {y: forward_pe(out.value, out.path, y)
                          for y in years if out.path.first_year <= y <= out.path.last_year}
    path = out.path or actual_path(record, settings.growth_after)
    try:
        if path is None:
            raise ValuationInputError("no reported profit to grow from")
        out.implied = implied_profit_growth(
            out.value, path, target_year=settings.target_year or current + 1,
            current_year=current,
            fair_multiple=settings.fair_pe_x, discount_rate=settings.discount_rate)
    except ValuationInputError as exc:
        out.implied_error = exc.message
    return out


def return_since(ctx: EvalContext, stock: ValuedStock, start: date
                 ) -> tuple[float, date, DataUsed] | None:
    """Price return from the price date to the last close at as-of, on one source, and the
    window read (it counts in a 'limited upside' verdict, so it is named in the evidence)."""
    from narrowgate.evaluate.hubdata import provenance_to_data

    if ctx.hub is None:
        return None
    try:
        bars = ctx.hub.bars(stock.instrument, start, ctx.as_of, adjust="raw",
                            source=stock.price_source)
    except NarrowgateError:
        return None
    frame = bars.frame
    if len(frame) < 2 or frame.index[0].date() != start:
        return None
    used = provenance_to_data(bars.provenance[0])
    return (float(frame["close"].iloc[-1] / frame["close"].iloc[0] - 1),
            frame.index[-1].date(), used)


def value_stocks(stocks: list[ValuedStock], settings: ValuationSettings, ctx: EvalContext
                 ) -> tuple[list[StockValuation], list[DataUsed]]:
    """Value every stock with one method; the data list says where each input came from."""
    data: list[DataUsed] = []
    vals = []
    for stock in stocks:
        v = value_stock(stock, settings, ctx, data)
        since = return_since(ctx, stock, settings.price_date)
        if since is not None:
            v.return_since, v.return_to, used = since
            data.append(used)
        vals.append(v)
    return vals, data
