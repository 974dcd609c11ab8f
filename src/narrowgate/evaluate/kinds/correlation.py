"""correlation: "X moves with Y" — a target's monthly changes against one or more drivers.

For each driver: the full-sample Pearson correlation of month-end changes (from
``history_start``), the beta (target change per unit of driver change), and the share of
rolling ``window_months`` windows whose |r| reaches the threshold. A driver is "linked"
when the full-sample |r| reaches ``min_abs_correlation`` over at least ``min_months``
common months; the count of linked drivers against ``supported_min``/``contradicted_max``
is the reading. Parts of the claim no data here can test (``untested``: an earnings
story, say) keep the verdict at most ``mixed`` and are listed as missing. When the
target's data end before publication, a labelled ``stand_in`` carries the reading after
it. Arithmetic: :mod:`narrowgate.models.liquidity`.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Literal

from pydantic import Field, model_validator

from narrowgate.evaluate.common import InstrumentId, date_figure, fetch_how, figure, pct, text
from narrowgate.evaluate.core.coverage import data_gap
from narrowgate.evaluate.core.thresholds import banded
from narrowgate.evaluate.registry import DataNeed, EvalContext, Evaluator, Params, register
from narrowgate.evaluate.verdict import (
    Assessment,
    DataUsed,
    Evidence,
    Figure,
    MissingData,
    Verdict,
)
from narrowgate.thesis.schema import Claim, LocalizedText

if TYPE_CHECKING:
    import pandas as pd


class UntestedPart(Params):
    what: LocalizedText = Field(description="the part of the claim this kind cannot test")
    needs: str = Field(min_length=1, description="the data or model that would test it")
    how: str = Field(min_length=1, description="how to get it, or why it is not available")


class CorrelationParams(Params):
    target: InstrumentId
    stand_in: InstrumentId | None = Field(
        None, description="labelled stand-in read after publication when the target's data "
                          "end before it")
    drivers: list[InstrumentId] = Field(min_length=1, description="series the target is "
                                                                  "said to move with")
    changes_in_points: list[InstrumentId] = Field(
        default_factory=list, description="drivers whose monthly change is taken in their "
                                          "own unit (rates, spreads), not in percent")
    prefer_sources: dict[InstrumentId, str] = Field(
        default_factory=dict, description="instrument → stored source to read first (e.g. "
                                          "exact values over a rounded copy)")
    history_start: date
    window_months: int = Field(12, ge=3, le=60, description="rolling window, months")
    min_months: int = Field(24, ge=6, description="common months needed before a driver "
                                                  "can count as linked")
    min_abs_correlation: float = Field(
        0.3, gt=0, le=1, description="|correlation| with a driver at or above → linked")
    sign: Literal["positive", "negative", "either"] = Field(
        "either", description="the sign a linked driver's correlation must have")
    supported_min: int = Field(ge=1, description="linked drivers → supported")
    contradicted_max: int = Field(0, ge=0, description="at most this many → contradicted")
    untested: list[UntestedPart] = Field(
        default_factory=list, description="parts of the claim no data here tests: the "
                                          "verdict is then at most mixed")
    gap_slack_days: int = Field(10, ge=0, description="data this much older than as-of is fine")

    @model_validator(mode="after")
    def _counts(self) -> CorrelationParams:
        if self.supported_min > len(self.drivers):
            raise ValueError(f"supported_min ({self.supported_min}) exceeds the number of "
                             f"drivers ({len(self.drivers)})")
        stray = set(self.changes_in_points) - set(self.drivers)
        if stray:
            raise ValueError(f"changes_in_points names {', '.join(sorted(stray))}, which "
                             "is not among the drivers")
        if self.contradicted_max >= self.supported_min:
            raise ValueError("contradicted_max must be below supported_min")
        return self


def _levels(ctx: EvalContext, instrument: str, start: date,
            prefer: str | None) -> tuple[pd.Series, list[DataUsed]]:
    """Levels of a driver whichever table it lives in (series such as fred:DTWEXBGS, or
    bars such as fx:DXY)."""
    from narrowgate.evaluate.hubdata import read_closes

    closes, data = read_closes(ctx, [instrument], start, prefer_source=prefer)
    return closes[instrument].dropna(), data


@register
class CorrelationKind(Evaluator[CorrelationParams]):
    test = "correlation"
    params_model = CorrelationParams
    title = "A target's monthly changes against drivers: correlation, beta, rolling share"

    def data_needs(self, params: CorrelationParams, ctx: EvalContext) -> list[DataNeed]:
        from narrowgate.evaluate.hubdata import price_need

        ids = [params.target, *([params.stand_in] if params.stand_in else []), *params.drivers]
        return [price_need(i, params.history_start, ctx.as_of,
                           "monthly changes for the correlation") for i in ids]

    def setup_figures(self, params: CorrelationParams) -> list[Figure]:
        return [date_figure("history_start", "历史起点", "history from", params.history_start),
                figure("window", "滚动窗口", "rolling window", params.window_months, "months"),
                figure("corr_threshold", "相关性门槛", "correlation threshold",
                       params.min_abs_correlation, "abs correlation"),
                figure("min_months", "最少共同月份", "common months needed",
                       params.min_months, "months")]

    def evaluate(self, claim: Claim, params: CorrelationParams,
                 ctx: EvalContext) -> Assessment:
        import pandas as pd

        from narrowgate.evaluate.hubdata import line_chart
        from narrowgate.models.liquidity import (
            aligned_changes,
            beta,
            full_correlation,
            rolling_correlation,
            share_at_least,
        )

        target, data = _levels(ctx, params.target, params.history_start,
                               params.prefer_sources.get(params.target))
        target_end = target.index[-1].date()
        figures: list[Figure] = [date_figure("target_data_end", f"{params.target} 数据截至",
                                             f"{params.target} data end", target_end)]
        rolling: dict[str, pd.Series] = {}
        full: dict[str, float] = {}
        levels: dict[str, pd.Series] = {}
        linked: list[str] = []
        short: list[str] = []
        unusable: list[str] = []
        best: tuple[float, str] = (0.0, "")
        for driver in params.drivers:
            values, used = _levels(ctx, driver, params.history_start,
                                   params.prefer_sources.get(driver))
            data.extend(used)
            points = driver in params.changes_in_points
            if not points and float(values.min()) <= 0:
                # a percent change of a level at or below zero means nothing: never decide on it
                unusable.append(driver)
                continue
            levels[driver] = values
            changes = aligned_changes(target, values, proxy_points=points)
            corr = full_correlation(changes)
            roll = rolling_correlation(changes, params.window_months)
            rolling[f"vs {driver}"] = roll
            full[driver] = corr.value
            if corr.months < params.min_months:
                short.append(driver)
            elif abs(corr.value) >= params.min_abs_correlation and _signed(corr.value, params):
                linked.append(driver)
            best = max(best, (abs(corr.value), driver))
            unit = f"{driver} change in its unit" if points else f"{driver} change of 1 = 100%"
            figures += [
                figure(f"corr_{driver}", f"月度收益与 {driver} 月变化的相关系数",
                       f"monthly return vs {driver} monthly change, correlation",
                       round(corr.value, 3), f"correlation, {corr.months} months "
                       f"{corr.start}–{corr.end}", decisive=True),
                figure(f"beta_{driver}", f"对 {driver} 的贝塔", f"beta to {driver}",
                       round(beta(changes), 3),
                       f"target change (1 = 100%) per {unit}, monthly"),
                figure(f"rolling_share_{driver}",
                       f"{params.window_months} 个月滚动相关 |r| ≥ 门槛的比例",
                       f"share of {params.window_months}-month windows with |r| ≥ threshold",
                       pct(share_at_least(roll, params.min_abs_correlation) * 100),
                       "% of windows"),
            ]
        if best[1]:
            figures.append(figure("best_r_squared", "最强驱动可解释的月度波动",
                                  "monthly variance explained by the best driver",
                                  pct(best[0] ** 2 * 100), f"% ({best[1]})", decisive=True))
        figures.append(figure("linked_drivers", "达到门槛的驱动", "drivers past the threshold",
                              f"{len(linked)} of {len(params.drivers)}", "drivers",
                              decisive=True))
        measured = len(params.drivers) - len(short) - len(unusable)
        verdict = self._verdict(len(linked), params) if measured else Verdict.INSUFFICIENT_DATA
        missing = [MissingData(what=part.needs, how=part.how) for part in params.untested]
        missing += [MissingData(what=f"{d}: fewer than {params.min_months} common months "
                                     f"with {params.target}", **fetch_how([d]))
                    for d in short]
        missing += [MissingData(what=f"{d}: a level at or below zero makes percent changes "
                                     "meaningless", how="list it under changes_in_points")
                    for d in unusable]
        gap = data_gap(params.target, target_end, ctx.as_of, params.gap_slack_days)
        if gap is not None:
            missing.append(gap)
        stand_in = self._stand_in(params, ctx, target_end, levels, data) \
            if params.stand_in and target_end < ctx.published else None
        if stand_in is not None:
            figures += stand_in[0]
        figures += self.setup_figures(params)
        chart = line_chart(
            text(f"{params.target} 与各驱动的 {params.window_months} 个月滚动相关",
                 f"{params.target}: {params.window_months}-month rolling correlation with "
                 "its drivers"), pd.DataFrame(rolling), "correlation", digits=3)
        return Assessment(verdict=verdict,
                          summary=_summary(params, full, linked, best, stand_in),
                          evidence=Evidence(figures=figures, data=data, charts=[chart],
                                            notes=[_method(params)], missing=missing))

    @staticmethod
    def _verdict(linked: int, params: CorrelationParams) -> Verdict:
        verdict = banded(linked, supported=params.supported_min,
                         contradicted=params.contradicted_max)
        return Verdict.MIXED if verdict is Verdict.SUPPORTED and params.untested else verdict

    @staticmethod
    def _stand_in(params: CorrelationParams, ctx: EvalContext, target_end: date,
                  levels: dict[str, pd.Series], data: list[DataUsed]
                  ) -> tuple[list[Figure], LocalizedText]:
        """The stand-in's move since publication and its own correlations, labelled."""
        import pandas as pd

        from narrowgate.evaluate.hubdata import read_closes
        from narrowgate.models.liquidity import aligned_changes, full_correlation
        from narrowgate.models.performance import last_close_before

        assert params.stand_in is not None
        closes, used = read_closes(ctx, [params.stand_in], params.history_start)
        data.extend(used)
        series = closes[params.stand_in].dropna()
        anchor = last_close_before(series, ctx.published)
        since = (float(series.iloc[-1]) / float(series.loc[pd.Timestamp(anchor)]) - 1.0) * 100
        last = series.index[-1].date()
        out = [figure("stand_in_return_since_publication",
                      f"代理 {params.stand_in} 发布后涨跌({anchor}→{last})",
                      f"stand-in {params.stand_in} since publication ({anchor}→{last})",
                      pct(since), "%")]
        for driver, values in levels.items():
            corr = full_correlation(aligned_changes(
                series, values, proxy_points=driver in params.changes_in_points))
            out.append(figure(f"stand_in_corr_{driver}", f"代理与 {driver} 的相关系数",
                              f"stand-in vs {driver}, correlation", round(corr.value, 3),
                              f"correlation, {corr.months} months {corr.start}–{corr.end}"))
        said = text(f"{params.target} 数据止于 {target_end};以 {params.stand_in} 作为代理,"
                    f"发布后涨跌 {since:+.1f}%。",
                    f"{params.target} data stop on {target_end}; as a labelled stand-in, "
                    f"{params.stand_in} moved {since:+.1f}% since publication.")
        return out, said


def _signed(value: float, params: CorrelationParams) -> bool:
    return params.sign == "either" or (value > 0) == (params.sign == "positive")


def _method(params: CorrelationParams) -> LocalizedText:
    drivers = ", ".join(params.drivers)
    return text(
        f"{params.target} 的月末变化与 {drivers} 的月末变化:自 {params.history_start} 起的全样本"
        f"相关系数与贝塔(至少 {params.min_months} 个共同月份),以及 {params.window_months} 个月"
        f"滚动相关;|r| ≥ {params.min_abs_correlation}{_SIGN_ZH[params.sign]}的驱动计为相关。",
        f"Month-end changes of {params.target} against those of {drivers}: full-sample "
        f"correlation and beta from {params.history_start} (at least {params.min_months} "
        f"common months), and the {params.window_months}-month rolling correlation; a "
        f"driver with |r| ≥ {params.min_abs_correlation}{_SIGN_EN[params.sign]} counts as "
        "linked.")


_SIGN_ZH = {"positive": "且为正", "negative": "且为负", "either": ""}
_SIGN_EN = {"positive": " and positive", "negative": " and negative", "either": ""}


def _summary(params: CorrelationParams, full: dict[str, float], linked: list[str],
             best: tuple[float, str],
             stand_in: tuple[list[Figure], LocalizedText] | None) -> LocalizedText:
    if not full:
        return text(f"没有可计量的驱动:{', '.join(params.drivers)} 的数据不足或不能取百分比变化"
                    "(见缺失数据)。",
                    f"No driver could be measured: {', '.join(params.drivers)} lack common "
                    "months or cannot take percent changes (see missing data).")
    corr = ", ".join(f"{d} {v:+.2f}" for d, v in full.items())
    untested_zh = "".join(f"{p.what.zh}尚未检验。" for p in params.untested)
    untested_en = "".join(f" {p.what.en} is untested." for p in params.untested)
    extra_zh, extra_en = (stand_in[1].zh, " " + stand_in[1].en) if stand_in else ("", "")
    return text(
        f"{params.target} 月度收益与各驱动的相关系数:{corr}(门槛 |r| ≥ "
        f"{params.min_abs_correlation}),{len(linked)}/{len(params.drivers)} 个达标;最强的 "
        f"{best[1]} 只解释约 {best[0] ** 2:.0%} 的月度波动。{untested_zh}{extra_zh}",
        f"{params.target} monthly returns vs its drivers, correlation: {corr} (threshold "
        f"|r| ≥ {params.min_abs_correlation}); {len(linked)} of {len(params.drivers)} pass. "
        f"The best, {best[1]}, explains about {best[0] ** 2:.0%} of monthly variance."
        f"{untested_en}{extra_en}")
