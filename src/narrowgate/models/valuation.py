"""Valuation arithmetic: the priced-in year and the profit growth a price implies.

The reverse DCF lives in :mod:`narrowgate.models.dcf`, equity duration in
:mod:`narrowgate.models.duration`.

Conventions (the same for every stock, so two markets can be compared side by side):

* ``price`` and profits share one basis: a market cap with total profits, or a price per
  share with earnings per share, in one currency. Mixing an adjusted price with an
  unadjusted share count is the caller's bug to avoid (see docs/valuation.md).
* Years are fiscal years, integers. ``current_year`` is the fiscal year the valuation date
  falls in; year ``y``'s earnings are capitalised at the fair multiple and discounted by
  ``y - current_year`` whole years (today's price read as a multiple of this year's profit).
* Rates are decimals per year (0.10 = 10 %/yr), compounded yearly.

Errors: invalid inputs raise :class:`ValuationInputError`, which is both a
``NarrowgateError`` (the CLI prints it on one line) and a ``ValueError``. A price that no
profit path or growth rate in range justifies is *not* an error: it is a result whose year
or growth is ``None`` and whose ``message`` says why. Nothing here returns NaN.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, Literal

from narrowgate.errors import NarrowgateError

ProfitKind = Literal["reported", "preliminary", "forecast"]
SourceKind = Literal["provider", "thesis", "csv", "facts"]
ACTUAL_KINDS: frozenset[str] = frozenset({"reported", "preliminary"})


class ValuationInputError(NarrowgateError, ValueError):
    """An input a valuation model cannot use (non-positive price, discount <= growth, ...)."""


def require_valid(condition: bool, message: str, hint: str | None = None) -> None:
    if not condition:
        raise ValuationInputError(message, hint)


def require_finite(value: float, name: str) -> float:
    require_valid(math.isfinite(value), f"{name} must be a finite number, got {value!r}")
    return float(value)


@dataclass(frozen=True)
class ForecastSource:
    """Where a profit path comes from, so evidence can say it: who, how, and as of when.

    ``kind``: ``provider`` (e.g. akshare consensus, yfinance estimates), ``thesis`` (params in
    the thesis file), ``csv`` (a user file) or ``facts`` (sourced figures bundled with
    narrowgate). ``name`` names the provider function, file or section; ``detail`` holds the
    parameters (e.g. "consensus of 30 institutions").
    """

    kind: SourceKind
    name: str
    as_of: date | None = None
    detail: str = ""
    unverified: bool = False

    def describe(self) -> str:
        when = f", as of {self.as_of.isoformat()}" if self.as_of else ", date unknown"
        detail = f" — {self.detail}" if self.detail else ""
        mark = " [unverified]" if self.unverified else ""
        return f"{self.kind}: {self.name}{detail}{when}{mark}"


@dataclass(frozen=True)
class ProfitPath:
    """Profits by fiscal year (history and forecasts), extended at ``growth_after`` per year.

    ``profits`` must cover consecutive years; ``kinds`` says for each year whether the
    figure is reported, preliminary or a forecast. Beyond the last year the path grows at
    ``growth_after`` (decimal per year), which needs a positive last profit.
    """

    profits: Mapping[int, float]
    kinds: Mapping[int, ProfitKind]
    growth_after: float
    source: ForecastSource
    unit: str = ""

    def __post_init__(self) -> None:
        years = sorted(self.profits)
        require_valid(bool(years), "a profit path needs at least one year")
        require_valid(
            years == list(range(years[0], years[-1] + 1)),
            f"profit path years must be consecutive, got {years}",
            "fill the gap or start the path after it",
        )
        require_valid(set(self.kinds) == set(years), f"kinds must name every year {years}")
        for year in years:
            require_finite(self.profits[year], f"profit of {year}")
        require_valid(
            self.growth_after > -1.0, f"growth_after must exceed -100%, got {self.growth_after}"
        )
        object.__setattr__(self, "profits", {y: float(self.profits[y]) for y in years})
        object.__setattr__(self, "kinds", {y: self.kinds[y] for y in years})

    @property
    def first_year(self) -> int:
        return min(self.profits)

    @property
    def last_year(self) -> int:
        return max(self.profits)

    @property
    def last_actual_year(self) -> int | None:
        actual = [y for y, k in self.kinds.items() if k in ACTUAL_KINDS]
        return max(actual) if actual else None

    def kind(self, year: int) -> str:
        return self.kinds.get(year, "extrapolated")

    def can_extrapolate(self) -> bool:
        return self.profits[self.last_year] > 0

    def profit(self, year: int) -> float:
        """Profit of ``year``; beyond the last given year, compounded at ``growth_after``."""
        require_valid(
            year >= self.first_year, f"profit path starts in {self.first_year}, not {year}"
        )
        if year in self.profits:
            return self.profits[year]
        last = self.profits[self.last_year]
        require_valid(
            last > 0,
            f"cannot extrapolate a non-positive profit ({last:g} in {self.last_year})",
            "give forecasts up to a year with a positive profit",
        )
        return last * (1.0 + self.growth_after) ** (year - self.last_year)


@dataclass(frozen=True)
class PricedIn:
    """First year whose earnings, at the fair multiple and discounted back, justify the price.

    ``year`` is None when no year up to ``horizon_year`` does. ``years_ahead`` interpolates
    the crossing between whole years (log-linear where both values are positive).
    ``justified`` maps each searched year to its discounted value ``E_y * m / (1+r)^(y-t0)``.
    """

    year: int | None
    years_ahead: float | None
    price: float
    current_year: int
    horizon_year: int
    fair_multiple: float
    discount_rate: float
    justified: dict[int, float]
    source: ForecastSource
    message: str

    @property
    def beyond_horizon(self) -> bool:
        return self.year is None


def priced_in_year(
    price: float,
    path: ProfitPath,
    *,
    current_year: int,
    fair_multiple: float,
    discount_rate: float,
    horizon_years: int = 30,
) -> PricedIn:
    """Search years ``current_year`` … ``current_year + horizon_years`` for the priced-in year.

    Year y justifies the price when ``E_y * fair_multiple / (1 + discount_rate)^(y -
    current_year) >= price``. The first such year is returned; the price is already covered
    by this year's profit when it is ``current_year`` itself.
    """
    price = require_finite(price, "price")
    require_valid(price > 0, f"price must be positive, got {price:g}")
    require_valid(fair_multiple > 0, f"fair multiple must be positive, got {fair_multiple:g}")
    require_valid(discount_rate > -1, f"discount rate must exceed -100%, got {discount_rate:g}")
    require_valid(horizon_years >= 0, f"horizon must be >= 0 years, got {horizon_years}")
    require_valid(
        path.first_year <= current_year,
        f"profit path starts in {path.first_year}, after the current year {current_year}",
        "include this year's profit (reported, preliminary or forecast)",
    )
    horizon_year = current_year + horizon_years
    last = horizon_year if path.can_extrapolate() else min(horizon_year, path.last_year)
    justified: dict[int, float] = {}
    found: int | None = None
    for year in range(current_year, last + 1):
        value = path.profit(year) * fair_multiple / (1.0 + discount_rate) ** (year - current_year)
        justified[year] = value
        if value >= price:
            found = year
            break
    setting = f"at {fair_multiple:g}× discounted at {discount_rate:.1%}/yr"
    result = PricedIn(
        year=None,
        years_ahead=None,
        price=price,
        current_year=current_year,
        horizon_year=horizon_year,
        fair_multiple=fair_multiple,
        discount_rate=discount_rate,
        justified=justified,
        source=path.source,
        message="",
    )
    if found is None:
        why = (
            f"no year up to {horizon_year} justifies {price:,.4g} {setting}"
            if last == horizon_year
            else f"no year up to {last} justifies {price:,.4g} {setting}, and the path cannot be "
            f"extended past a non-positive profit in {path.last_year}"
        )
        return replace(result, message=f"{why}; profits from {path.source.describe()}")
    years_ahead = float(found - current_year)
    if found > current_year:
        before, after = justified[found - 1], justified[found]
        if before > 0:
            low = math.log(before)  # logs one by one: no overflow for tiny profits
            step = (math.log(price) - low) / (math.log(after) - low)
        else:
            step = (price - before) / (after - before)
        years_ahead = found - 1 - current_year + step
    kind = path.kind(found)
    if kind == "extrapolated":
        kind = f"extrapolated at {path.growth_after:.1%}/yr after {path.last_year}"
    message = (
        f"{price:,.4g} is justified by {found} profit ({kind}: {path.profit(found):,.4g} "
        f"{path.unit}) {setting}, {years_ahead:.2f} years ahead; "
        f"profits from {path.source.describe()}"
    )
    return replace(result, year=found, years_ahead=years_ahead, message=message)


def forward_pe(price: float, path: ProfitPath, year: int) -> float | None:
    """Price over the profit of ``year``; None when that profit is not positive."""
    profit = path.profit(year)
    return price / profit if profit > 0 else None


def peg_ratio(forward_multiple: float | None, growth: float | None) -> float | None:
    """PEG: forward P/E (x) over profit growth in percent per year (0.25 → 25).

    None where it means nothing: no forward P/E (a non-positive profit) or growth ≤ 0.
    """
    if forward_multiple is None or growth is None or growth <= 0:
        return None
    return forward_multiple / (growth * 100.0)


def mid_cycle_profit(profits: Mapping[int, float], first_year: int, last_year: int) -> float:
    """Mean profit over fiscal years ``first_year`` … ``last_year`` (one cycle), the
    normalised earnings a cyclical business is valued on. Every year must be given."""
    require_valid(last_year >= first_year, f"mid-cycle years {first_year}–{last_year} are "
                  "reversed", "give the first year, then the last")
    missing = [y for y in range(first_year, last_year + 1) if y not in profits]
    require_valid(not missing, f"no sourced profit for {', '.join(map(str, missing))}",
                  "record the profits of every year of the cycle, or pick another yardstick")
    return sum(profits[y] for y in range(first_year, last_year + 1)) / (
        last_year - first_year + 1)


def flat_path(profit: float, year: int, growth_after: float, source: ForecastSource,
              unit: str = "") -> ProfitPath:
    """A one-year path (``profit`` in ``year``, e.g. mid-cycle earnings) that grows at
    ``growth_after`` per year afterwards."""
    return ProfitPath({year: profit}, {year: "forecast"}, growth_after, source, unit=unit)


@dataclass(frozen=True)
class ImpliedGrowth:
    """Yearly profit growth from ``base_year`` to ``target_year`` that the price implies.

    ``required_profit`` is the target-year profit that, at the fair multiple and discounted
    back, equals the price; ``path_growth`` is the growth the supplied path itself shows over
    the same span (None when its target profit is not positive).
    """

    growth: float
    required_profit: float
    base_year: int
    base_profit: float
    target_year: int
    path_growth: float | None
    message: str


def implied_profit_growth(
    price: float,
    path: ProfitPath,
    *,
    target_year: int,
    current_year: int,
    fair_multiple: float,
    discount_rate: float,
    base_year: int | None = None,
) -> ImpliedGrowth:
    """Growth g with ``E_base (1+g)^(T-base) * m / (1+r)^(T-t0) = price`` (closed form).

    ``base_year`` defaults to the last reported or preliminary year of the path.
    """
    require_valid(price > 0 and math.isfinite(price), f"price must be positive, got {price!r}")
    require_valid(fair_multiple > 0, f"fair multiple must be positive, got {fair_multiple:g}")
    require_valid(discount_rate > -1, f"discount rate must exceed -100%, got {discount_rate:g}")
    base = path.last_actual_year if base_year is None else base_year
    require_valid(base is not None, "the path has no reported year", "pass base_year explicitly")
    assert base is not None
    require_valid(target_year > base, f"target year {target_year} must come after base {base}")
    require_valid(target_year >= current_year, f"target {target_year} is before {current_year}")
    base_profit = path.profit(base)
    require_valid(
        base_profit > 0, f"base-year profit must be positive, got {base_profit:g} in {base}"
    )
    span = target_year - base
    required = price * (1.0 + discount_rate) ** (target_year - current_year) / fair_multiple
    growth = (required / base_profit) ** (1.0 / span) - 1.0
    target_profit = path.profit(target_year) if target_year <= path.last_year else None
    path_growth = (
        (target_profit / base_profit) ** (1.0 / span) - 1.0
        if target_profit is not None and target_profit > 0
        else None
    )
    versus = "" if path_growth is None else f" (the path shows {path_growth:.1%}/yr)"
    message = (
        f"{price:,.4g} at {fair_multiple:g}× discounted at {discount_rate:.1%}/yr needs "
        f"{required:,.4g} {path.unit} in {target_year}: {growth:.1%}/yr from {base_profit:,.4g} "
        f"in {base}{versus}"
    )
    return ImpliedGrowth(growth, required, base, base_profit, target_year, path_growth, message)


def profit_path_from_record(
    record: Mapping[str, Any],
    *,
    growth_after: float,
    forecast: int = 0,
    measure: str | None = None,
) -> ProfitPath:
    """Profit path from one stock of ``data/bundled/ai_hardware_valuation.yaml`` (parsed).

    Takes forecast snapshot number ``forecast`` and the non-null, not-unverified actual
    profits of the same ``measure`` (default: the snapshot's; e.g. ``non_gaap`` for US
    consensus EPS). An actual figure wins over a forecast of the same year. The path is the
    run of consecutive years that ends at the last one. Pure: the caller reads the file.
    """
    name = str(record.get("name", "stock"))
    snapshots = list(record.get("forecasts", []))
    require_valid(0 <= forecast < len(snapshots), f"{name}: no forecast snapshot #{forecast}")
    snap = snapshots[forecast]
    values = {int(y): float(v) for y, v in (snap.get("values") or {}).items() if v is not None}
    require_valid(
        snap.get("status") != "unverified" and bool(values),
        f"{name}: forecast '{snap.get('source')}' is unverified or empty",
        "supply forecasts from a provider, the thesis params or a CSV",
    )
    wanted = measure if measure is not None else snap.get("measure")
    profits: dict[int, float] = dict(values)
    kinds: dict[int, ProfitKind] = dict.fromkeys(values, "forecast")
    for item in record.get("profits", []):
        usable = item.get("value") is not None and item.get("status") != "unverified"
        if usable and item.get("measure") == wanted:
            profits[int(item["year"])] = float(item["value"])
            kinds[int(item["year"])] = item.get("kind", "reported")
    years = sorted(profits)
    start = years[-1]
    while start - 1 in profits:
        start -= 1
    as_of = snap.get("as_of")
    source = ForecastSource(
        kind="facts",
        name=f"{name}: {snap.get('source', 'forecast')}",
        as_of=as_of if isinstance(as_of, date) else None,
        detail=str(snap.get("detail", "")),
        unverified=snap.get("status") == "unverified",
    )
    return ProfitPath(
        profits={y: profits[y] for y in years if y >= start},
        kinds={y: kinds[y] for y in years if y >= start},
        growth_after=growth_after,
        source=source,
        unit=str(record.get("profit_unit", "")),
    )


__all__ = [
    "ForecastSource",
    "ImpliedGrowth",
    "PricedIn",
    "ProfitPath",
    "ValuationInputError",
    "flat_path",
    "forward_pe",
    "implied_profit_growth",
    "mid_cycle_profit",
    "peg_ratio",
    "priced_in_year",
    "profit_path_from_record",
]
