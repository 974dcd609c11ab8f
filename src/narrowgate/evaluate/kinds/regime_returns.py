"""The history block of policy-mix: returns of long- vs short-duration instruments while a
regime series shrank vs grew.

Why history and not the verdict: a claim that a policy mix "weighs on long-duration
assets" names an effect that the few months after publication cannot show; how the same
instruments did in past shrinking and growing regimes is the evidence a reader can weigh.
The regime on each day is the sign of the series' trailing change over ``window``
observations, known at the previous close (no look-ahead); returns are annualised mean
log returns, in % per year (252 trading days for exchange-traded instruments, 365 for
crypto, which trades every day). Arithmetic: :mod:`narrowgate.models.macro`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Literal

from pydantic import Field, model_validator

from narrowgate.evaluate.common import EvidenceParts, InstrumentId, figure, pct, text
from narrowgate.evaluate.registry import EvalContext, Params
from narrowgate.evaluate.verdict import Chart, ChartSeries
from narrowgate.thesis.schema import LocalizedText

if TYPE_CHECKING:
    import pandas as pd

REGIME_ZH = {"shrinking": "收缩期", "growing": "扩张期"}


class RegimeHistory(Params):
    """Long- vs short-duration instruments while ``series`` shrank vs grew."""

    series: InstrumentId = Field(description="the series whose trailing change names the "
                                             "regime, e.g. a central bank's total assets")
    label: LocalizedText = Field(description="what the series is, for labels")
    prefer_source: str | None = Field(None, description="stored source read first")
    window: int = Field(13, ge=2, le=520, description="trailing change over this many "
                        "observations whose sign names the regime (13 weekly ≈ a quarter)")
    start: date = Field(description="first date of the history")
    long: list[InstrumentId] = Field(min_length=1, description="long-duration instruments; "
                                     "the first is compared with `short`")
    short: InstrumentId = Field(description="the short-duration instrument")
    long_lags_when: Literal["shrinking", "growing"] = Field(
        "shrinking", description="the regime in which the claim expects the first long "
        "instrument's edge over `short` to be smaller")

    @model_validator(mode="after")
    def _distinct(self) -> RegimeHistory:
        if self.short in self.long:
            raise ValueError(f"regime: {self.short} is both a long and the short instrument")
        if len(set(self.long)) != len(self.long):
            raise ValueError("regime: long lists an instrument twice")
        return self


@dataclass
class RegimePart(EvidenceParts):
    """Evidence pieces the kind merges into its own."""

    summary: LocalizedText | None = None


def regime_part(ctx: EvalContext, params: RegimeHistory, series: pd.Series,
                end: date) -> RegimePart:
    """Figures, bar chart and a sentence on returns by regime up to ``end``."""
    import pandas as pd

    from narrowgate.evaluate.hubdata import read_closes
    from narrowgate.models.macro import balance_sheet_regimes, returns_by_regime

    part = RegimePart()
    crypto = [i for i in params.long if i.startswith("crypto:")]
    listed = [i for i in [*params.long, params.short] if i not in crypto]
    regimes = balance_sheet_regimes(series.loc[:pd.Timestamp(end)], params.window)
    closes, part.data = read_closes(ctx, listed + crypto, params.start, end)
    # Separate calendars: weekdays for listed instruments (252/yr), every day for crypto.
    tables = [returns_by_regime(closes[listed].dropna(), regimes, 252.0)] if listed else []
    tables += [returns_by_regime(closes[[c]].dropna(), regimes, 365.0) for c in crypto]
    by_regime = pd.concat([t.drop(columns="days") for t in tables], axis=1) * 100
    first, short = params.long[0], params.short
    spread = by_regime[first] - by_regime[short]
    name = params.label
    for regime in by_regime.index:
        zh = f"{name.zh}{REGIME_ZH.get(str(regime), str(regime))}"
        for inst in by_regime.columns:
            part.figures.append(figure(
                f"{inst}_{regime}", f"{inst} {zh}年化收益",
                f"{inst} annualised return, {name.en} {regime}",
                pct(float(by_regime.loc[regime, inst])), "% per year"))
        part.figures.append(figure(
            f"long_minus_short_{regime}", f"{first} 减 {short}({zh})",
            f"{first} minus {short} ({name.en} {regime})", pct(float(spread.loc[regime])),
            "percentage points per year"))
    for regime, count in tables[0]["days"].to_dict().items():
        part.figures.append(figure(
            f"regime_days_{regime}", f"{name.zh}{REGIME_ZH.get(str(regime), str(regime))}"
            "交易日数", f"trading days, {name.en} {regime}", int(count), "days"))
    labels: list[str | float | int] = [str(c) for c in by_regime.columns]
    part.charts.append(Chart(
        title=text(f"{name.zh}收缩期与扩张期的年化收益",
                   f"Annualised returns, {name.en} shrinking vs growing"),
        series=[ChartSeries(name=f"{name.en} {r}", x=labels, kind="bar",
                            y=[round(float(v), 2) for v in by_regime.loc[r]])
                for r in by_regime.index],
        x_label="instrument", y_label="% per year", x_is_date=False,
    ))
    part.summary = _summary(params, spread)
    return part


def _summary(params: RegimeHistory, spread: pd.Series) -> LocalizedText:
    lag = params.long_lags_when
    other = "growing" if lag == "shrinking" else "shrinking"
    first, short, name = params.long[0], params.short, params.label
    shown = [r for r in ("shrinking", "growing") if r in spread]
    zh = ",".join(f"{REGIME_ZH[r]} {spread.loc[r]:+.1f} 个百分点" for r in shown)
    en = ", ".join(f"{r} {spread.loc[r]:+.1f}" for r in shown)
    verdict_zh = verdict_en = ""
    if lag in spread and other in spread:
        smaller = spread.loc[lag] < spread.loc[other]
        verdict_zh = (f"{REGIME_ZH[lag]}{first} 的优势较小,与主张的方向一致。" if smaller else
                      f"{REGIME_ZH[lag]}{first} 的优势并未缩小,历史不支持主张所说的压力。")
        verdict_en = (f"{first}'s edge was smaller while {name.en} was {lag}: the direction "
                      "the claim expects." if smaller else
                      f"{first}'s edge was not smaller while {name.en} was {lag}: history "
                      "does not show the pressure the claim expects.")
    return text(f"历史上按{name.zh}分期,{first} 相对 {short} 的年化超额:{zh}。{verdict_zh}",
                f"Historically, by {name.en} regime, {first} minus {short}, annualised "
                f"points: {en}. {verdict_en}")
