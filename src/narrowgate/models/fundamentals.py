"""Arithmetic on company fundamentals: period values reduced to one figure, quarters paired
with the same quarters a year before, and market value from cover-page share counts.

Pure (no I/O). Values are in the caller's unit (the kind passes USD bn); rates are in %.
Market value: close × shares outstanding (the SEC cover-page count,
``dei:EntityCommonStockSharesOutstanding``, else the balance-sheet
``us-gaap:CommonStockSharesOutstanding``; latest before the date). Closes in the store are
split-adjusted as of each source file's last date, so the share count is put on that basis
with the splits detected in the cover counts themselves (a jump of more than ``SPLIT_JUMP``×
between consecutive filings, rounded to the integer ratio).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import pairwise
from statistics import median
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    import pandas as pd

COVER_SHARES = "EntityCommonStockSharesOutstanding"
#: share counts tried in order: the cover page's, then the balance sheet's. A company with
#: several share classes (Alphabet) tags the cover count per class, which companyfacts
#: leaves out; its balance-sheet count covers every class.
SHARE_COUNTS = (COVER_SHARES, "CommonStockSharesOutstanding")
SPLIT_JUMP = 1.5
#: A quarter "a year before" ends within this many days of 365 days earlier.
YEAR_BEFORE_SLACK_DAYS = 20

Reduce = Literal["latest", "total", "each"]


@dataclass(frozen=True)
class Period:
    """One fiscal period of one company (or of companies summed): its end and values."""

    end: date
    label: str
    numerator: float
    denominator: float | None = None


def ratio_pct(numerator: float, denominator: float) -> float:
    """numerator / denominator in %; a zero or negative denominator has no meaningful ratio."""
    if denominator <= 0:
        raise ValueError(f"denominator {denominator:g} is not positive: no ratio")
    return numerator / denominator * 100


def growth_pct(first: float, last: float, years: float) -> float:
    """Compound growth a year in % from ``first`` to ``last`` over ``years``."""
    if first <= 0 or last <= 0 or years <= 0:
        raise ValueError(f"compound growth needs positive values (got {first:g} → {last:g})")
    return ((last / first) ** (1 / years) - 1) * 100


def period_readings(measure: str, periods: Sequence[Period], over: Reduce
                    ) -> list[tuple[str, float]]:
    """(label, value) per reading: one for ``latest``/``total``, one per period for ``each``.

    value: the numerator; ratio: numerator / denominator in %; growth: year-on-year %
    between consecutive periods (``total``: the compound rate first → last).
    """
    if not periods:
        raise ValueError("no fiscal period in the window")
    ps = sorted(periods, key=lambda p: p.end)
    if measure == "growth":
        if len(ps) < 2:
            raise ValueError("growth needs two periods in the window")
        if over == "total":
            years = (ps[-1].end - ps[0].end).days / 365.25
            return [(f"{ps[0].label}→{ps[-1].label}",
                     growth_pct(ps[0].numerator, ps[-1].numerator, round(years)))]
        steps = [(b.label, growth_pct(a.numerator, b.numerator, 1.0))
                 for a, b in pairwise(ps)]
        return steps[-1:] if over == "latest" else steps

    def one(p: Period) -> float:
        if measure == "ratio":
            return ratio_pct(p.numerator, p.denominator or 0.0)
        return p.numerator

    if over == "latest":
        return [(ps[-1].label, one(ps[-1]))]
    if over == "each":
        return [(p.label, one(p)) for p in ps]
    total = Period(ps[-1].end, f"{ps[0].label}–{ps[-1].label}", sum(p.numerator for p in ps),
                   None if measure != "ratio" else sum(p.denominator or 0.0 for p in ps))
    return [(total.label, one(total))]


def summed(by_company: Mapping[str, Sequence[Period]]) -> list[Period]:
    """Periods summed across companies by label (fiscal year or quarter); only labels every
    company has are kept, so a missing year never reads as a fall."""
    common = set.intersection(*(set(p.label for p in ps) for ps in by_company.values()))
    out = []
    for label in sorted(common):
        rows = [p for ps in by_company.values() for p in ps if p.label == label]
        dens = [p.denominator for p in rows]
        out.append(Period(max(p.end for p in rows), label, sum(p.numerator for p in rows),
                          None if any(d is None for d in dens)
                          else sum(d for d in dens if d is not None)))
    return out


def median_of(values: Sequence[float]) -> float:
    return float(median(values))


def year_before_pairs(by_end: Mapping[date, float], baseline: date, count: int
                      ) -> list[tuple[date, float, date, float]]:
    """(end, value, end a year before, value) for the latest ``count`` quarters ending after
    ``baseline`` that have a matching quarter a year earlier."""
    post = sorted(e for e in by_end if e > baseline)[-count:]
    out = []
    for end in post:
        earlier = [e for e in by_end if abs((end - e).days - 365) <= YEAR_BEFORE_SLACK_DAYS]
        if earlier:
            out.append((end, by_end[end], earlier[0], by_end[earlier[0]]))
    return out


def change_pct(after: float, before: float) -> float | None:
    """after against before in % (None when before is not positive)."""
    return (after / before - 1) * 100 if before > 0 else None


def cover_shares(facts: pd.DataFrame) -> pd.Series:
    """Shares outstanding by date as first filed (each count on its own filing's share
    basis, so a split shows as one jump; a later filing's restated comparative would show
    it twice): the first of :data:`SHARE_COUNTS` the facts hold (the Series is named after
    it)."""
    import pandas as pd

    for concept in SHARE_COUNTS:
        rows = facts[(facts["concept"] == concept) & (facts["unit"] == "shares")]
        if not rows.empty:
            break
    rows = rows.sort_values("filed", kind="stable").groupby("end").head(1).sort_values("end")
    return pd.Series(rows["value"].astype(float).to_numpy(),
                     index=pd.DatetimeIndex(rows["end"]), name=concept)


def split_factors(shares: pd.Series) -> list[tuple[pd.Timestamp, int]]:
    """(first cover date after the split, ratio) for each jump above ``SPLIT_JUMP``."""
    import pandas as pd

    ratios = shares / shares.shift(1)
    return [(pd.Timestamp(str(when)), round(float(r))) for when, r in ratios.items()
            if r > SPLIT_JUMP]


def shares_on_basis(shares: pd.Series, day: date, basis: date) -> tuple[float, int]:
    """The count at ``day`` (latest cover count on or before it) restated to the share basis
    of ``basis`` (splits detected after ``day`` up to ``basis`` multiply it)."""
    import pandas as pd

    before = shares[shares.index <= pd.Timestamp(day)]
    if before.empty:
        raise ValueError(f"no shares-outstanding count on or before {day}")
    factor = 1
    for when, ratio in split_factors(shares):
        if before.index[-1] < when <= pd.Timestamp(basis):
            factor *= ratio
    return float(before.iloc[-1]) * factor, factor


#: USD per billion: the unit periods are read in
BN = 1e9


def share_count_effect_pct(value_start: float, value_end: float, shares_start: float,
                           shares_end: float) -> float | None:
    """The part of a stock's (log) price rise that fewer shares explain, in %:
    ln(shares_start / shares_end) / ln(price_end / price_start), the price being market
    value per share and both counts on one split basis. With market value unchanged,
    buying back 10% of the shares lifts the price by 1/0.9; this is that lift against the
    whole rise. None when the price did not rise (no rise to explain)."""
    import math

    if min(value_start, value_end, shares_start, shares_end) <= 0:
        return None
    price_rise = math.log((value_end / shares_end) / (value_start / shares_start))
    if price_rise <= 0:
        return None
    return math.log(shares_start / shares_end) / price_rise * 100


def period_label(fiscal_year: int, fiscal_period: str, period: str) -> str:
    """'FY2025' for an annual period, 'FY2025 Q3' for a quarter."""
    return f"FY{fiscal_year}" if period == "annual" else f"FY{fiscal_year} {fiscal_period}"


def window_periods(frame: pd.DataFrame, start: date | None, end: date, period: str,
                   denominator: pd.DataFrame | None = None) -> list[Period]:
    """Periods ending in (start, end], USD bn, with the denominator of the same period end.

    ``frame``/``denominator``: one row per fiscal period (columns fiscal_year,
    fiscal_period, end, value in USD). An annual period is labelled by the fiscal year its
    end falls in; a quarter by the filing's fiscal year and period."""
    import pandas as pd

    from narrowgate.models.capex import fiscal_year_of

    dens: dict[date, float] = {}
    if denominator is not None:
        dens = {pd.Timestamp(e).date(): float(v) / BN
                for e, v in zip(denominator["end"], denominator["value"], strict=True)}
    out = []
    for _, row in frame.iterrows():
        day = pd.Timestamp(row["end"]).date()
        if (start is not None and day <= start) or day > end:
            continue
        if denominator is not None and day not in dens:
            continue
        fy = fiscal_year_of(pd.Timestamp(row["end"])) if period == "annual" \
            else int(row["fiscal_year"])
        out.append(Period(day, period_label(fy, str(row["fiscal_period"]), period),
                          float(row["value"]) / BN, dens.get(day)))
    return sorted(out, key=lambda p: p.end)


def expected_years(start: date | None, end: date) -> int | None:
    """Fiscal years a window of whole years holds (None without a start)."""
    return None if start is None else round((end - start).days / 365.25)
