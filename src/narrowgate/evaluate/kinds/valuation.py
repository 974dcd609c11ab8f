"""valuation: what a price already pays for — priced-in year or forward P/E, by group.

Why a priced-in year: "the price already reflects year N's profit" is testable once a
multiple and a discount rate are fixed. The priced-in year
(:func:`narrowgate.models.valuation.priced_in_year`) is the first year whose profit, at the
fair P/E and discounted back to the price date, justifies the market value (or the price,
for EPS); the forward P/E is price over one year's forecast profit. Both come from one
method for every stock (:mod:`narrowgate.evaluate.kinds.valuation_inputs`): the store's
close on the price date (or a recorded one), profits and forecasts from a sourced
valuation dataset (``dataset``; the bundled one by default) or a provider/CSV.

One group and a ``threshold``: each name with a forecast is checked against it (``at_least``
or ``at_most``, within ``tolerance``); all pass → supported (mixed while fewer than
``min_share_with_forecast`` of the names have a forecast), none → contradicted (mixed on
the same shortfall), some → mixed. Two groups: the first is "looser" when its median is
at least ``looser_by`` lower (an earlier year, a lower multiple) than the second's; looser
with half or more of its names above the other median → mixed. Names without a forecast
are shown and left out.
Before the price date there is nothing to value: pending. No watch lines: the reading
belongs to a past price date and does not move with new closes.
The readings that decide come from the panel (:mod:`.valuation_panel`): the ``decide_on``
profit path, forecasts dated after the price date left out, each stock's yardstick, the
realised return against ``max_upside_pct``; the sensitivity grid (:mod:`.valuation_grid`)
gives the claim's stability.
"""

from __future__ import annotations

from datetime import date
from statistics import median
from typing import TYPE_CHECKING, Literal

from pydantic import Field, model_validator

from narrowgate.evaluate.common import (
    AwaitingEvaluator,
    Capability,
    InstrumentId,
    bars_needs,
    figure,
    text,
)
from narrowgate.evaluate.kinds.valuation_panel import (
    CASE_ZH,
    VERDICT_ZH,
    PanelSettings,
    PathCase,
    Yardstick,
)
from narrowgate.evaluate.registry import DataNeed, EvalContext, Params, register
from narrowgate.evaluate.verdict import (
    Assessment,
    Chart,
    Evidence,
    Figure,
    MissingData,
    Verdict,
)
from narrowgate.thesis.schema import LocalizedText

if TYPE_CHECKING:
    from narrowgate.evaluate.kinds.valuation_inputs import StockValuation
    from narrowgate.evaluate.kinds.valuation_panel import StockPanel
    from narrowgate.thesis.schema import Claim

Measure = Literal["priced_in_year", "forward_pe"]


class ValuedStock(Params):
    """One stock of the valuation dataset and how to price it on the price date."""

    instrument: InstrumentId = Field(description="stock id, e.g. us:MU; a stock of the dataset")
    forecast: int = Field(0, ge=0, description="forecast snapshot number in the dataset")
    price_source: str | None = Field(None, description="hub source for the close (None: best)")
    rebase_to_source: str | None = Field(
        None, description="rescale the close to this source's share basis (last common date)"
    )
    shares: int = Field(0, ge=0, description="share-count entry in the dataset (total basis)")
    fallback_price_date: date | None = Field(
        None, description="recorded price used when the store has no close on the price date"
    )
    fallback_share_basis: str = Field(
        "", description="text the recorded price's share_basis must contain (e.g. pre-bonus)"
    )
    paths: dict[PathCase, int] = Field(
        default_factory=dict, description="forecast snapshot per profit path, e.g. {best: 2, "
        "worst: 3}; base is `forecast` (or the chosen source); a missing case uses base")
    yardstick: Yardstick = Field("pe", description="what values the stock: pe (priced-in "
                                 "year), mid-cycle-earnings (mean profit of mid_cycle_years), "
                                 "pb or ev-sales (shown, never decide)")
    mid_cycle_years: list[int] = Field(
        default_factory=list, description="[first, last] fiscal year of one cycle, for "
                                          "mid-cycle-earnings")
    mid_cycle_measure: str | None = Field(
        None, description="the profits' measure for the mid-cycle mean (e.g. gaap)")

    @model_validator(mode="after")
    def _yardstick_inputs(self) -> ValuedStock:
        if self.yardstick == "mid-cycle-earnings" and len(self.mid_cycle_years) != 2:
            raise ValueError(f"{self.instrument}: mid-cycle-earnings needs mid_cycle_years "
                             f"[first, last], got {self.mid_cycle_years}")
        if "base" in self.paths:
            raise ValueError(f"{self.instrument}: the base path is `forecast` (or the chosen "
                             "forecast source); paths names best and worst only")
        return self


class ValuationSettings(Params):
    """The same method for every stock: one date, one multiple, one discount rate."""

    price_date: date = Field(description="close used for the market value")
    fair_pe_x: float = Field(gt=0, description="P/E (x) at which a year's profit justifies a "
                                               "price")
    fair_pe_sensitivity_x: list[float] = Field(
        default_factory=list, description="further multiples (x) whose priced-in year is shown")
    fair_pe_basis: str = Field(description="why this multiple")
    discount_rate: float = Field(0.10, gt=-1, lt=1, description="decimal per year")
    growth_after: float = Field(0.15, gt=-1, lt=1, description="profit growth after the "
                                                               "forecasts, decimal per year")
    horizon_years: int = Field(30, ge=1, le=60, description="years searched for the "
                                                            "priced-in year")
    target_year: int | None = Field(None, ge=1990, le=2100, description="year for the implied "
                                    "growth (default: the year after the price date)")
    forward_pe_year: int | None = Field(None, ge=1990, le=2100, description="fiscal year of "
                                        "the forward P/E (default: the price date's year)")
    forecasts: str = Field(
        "bundled",
        description="forecast sources in order: provider, csv:FILE, bundled (comma-separated);"
        " bundled = the dataset's snapshots, reproducible offline",
    )
    dataset: str = Field("bundled", min_length=1, description="valuation figures: 'bundled' "
                         "(data/bundled/ai_hardware_valuation.yaml) or a YAML file of that "
                         "shape (path from the working directory)")

    def pe_year(self) -> int:
        return self.forward_pe_year or self.price_date.year


class StockGroup(Params):
    key: str = Field(pattern=r"^[a-z0-9_]+$", description="short name in figure keys, e.g. us")
    label: LocalizedText = Field(description="the group's name, zh/en")
    stocks: list[ValuedStock] = Field(min_length=1, description="the group's stocks, all "
                                      "valued by the same method")


class ValuationParams(ValuationSettings, PanelSettings):
    measure: Measure = Field("priced_in_year", description="priced_in_year (year) or "
                             "forward_pe (x, on forward_pe_year)")
    groups: list[StockGroup] = Field(min_length=1, max_length=2, description="one group "
                                     "against the threshold, or two side by side")
    threshold: float | None = Field(None, description="one group: each name's measure against "
                                    "this (a year, or x)")
    direction: Literal["at_least", "at_most"] = Field(
        "at_least", description="at_least: measure ≥ threshold − tolerance backs the claim; "
                                "at_most: ≤ threshold + tolerance")
    tolerance: float = Field(0, ge=0, description="years or x of slack on the threshold")
    min_share_with_forecast: float = Field(
        0.5, gt=0, le=1, description="share of names with a forecast needed for a full verdict"
    )
    looser_by: float = Field(1, ge=0, description="two groups: the first group's median at "
                             "least this much lower (years, or x)")

    @model_validator(mode="after")
    def _shape(self) -> ValuationParams:
        keys = [g.key for g in self.groups]
        if len(set(keys)) != len(keys):
            raise ValueError(f"group keys must differ, got {keys}")
        if len(self.groups) == 1 and self.threshold is None:
            raise ValueError("one group needs a threshold (a year for priced_in_year, x for "
                             "forward_pe); two groups are compared by looser_by")
        if len(self.groups) == 2 and self.threshold is not None:
            raise ValueError("threshold applies to one group; two groups are compared by "
                             "looser_by")
        t = self.threshold
        if self.measure == "priced_in_year" and t is not None and (
                t != int(t) or not 1990 <= t <= 2100):
            raise ValueError(f"a priced_in_year threshold is a calendar year, got {t:g}")
        if self.measure == "forward_pe" and t is not None and t <= 0:
            raise ValueError(f"a forward_pe threshold is a multiple above 0 (x), got {t:g}")
        return self

    def names(self) -> tuple[str, str, str]:
        """zh, en names and unit of the measure."""
        if self.measure == "forward_pe":
            return f"{self.pe_year()} 远期市盈率", f"forward P/E on {self.pe_year()}", "x"
        return f"计入年份({self.fair_pe_x:g}x)", f"priced-in year at {self.fair_pe_x:g}x", "year"


def _shown(value: float) -> float | int:
    """A year or median shown as an integer when it is one (2033, not 2033.0)."""
    return int(value) if float(value).is_integer() else round(float(value), 1)


@register
class Valuation(AwaitingEvaluator[ValuationParams]):
    test = "valuation"
    params_model = ValuationParams
    title = "Priced-in year or forward P/E of stocks, against a threshold or another group"
    capability = Capability.DATA_HUB
    measures = text(
        "按合理市盈率并折现,计算价格日的市值由哪一年的利润支撑(计入年份),或远期市盈率;"
        "与阈值或另一组公司比较。",
        "The priced-in year (the first year whose profit, at the fair P/E and discounted "
        "back, justifies the value on the price date) or the forward P/E, against a "
        "threshold or another group valued the same way.",
    )

    def data_needs(self, params: ValuationParams, ctx: EvalContext) -> list[DataNeed]:
        ids = [s.instrument for g in params.groups for s in g.stocks]
        return bars_needs(dict.fromkeys(ids), params.price_date, ctx.as_of,
                          "close on the price date and after")

    def setup_figures(self, params: ValuationParams, ctx: EvalContext) -> list[Figure]:
        from narrowgate.evaluate.kinds.valuation_figures import method_figures

        zh, en, unit = params.names()
        extra = [figure("threshold", f"所称{zh}", f"claimed {en}", _shown(params.threshold),
                        unit)] if params.threshold is not None else [
            figure("looser_by", "宽松所需差距", "gap for 'looser'", params.looser_by,
                   "years" if unit == "year" else unit)]
        return [*method_figures(params), *extra]

    def decide(
        self, claim: Claim, params: ValuationParams, ctx: EvalContext
    ) -> Assessment | None:
        from narrowgate.evaluate.core.stability import note_replayed
        from narrowgate.evaluate.kinds.valuation_figures import (
            basis_caveat,
            missing_forecasts,
        )
        from narrowgate.evaluate.kinds.valuation_grid import (
            grid_chart,
            grid_figures,
            grid_note,
            sensitivity_grid,
        )
        from narrowgate.evaluate.kinds.valuation_inputs import value_stocks
        from narrowgate.evaluate.kinds.valuation_panel import (
            CASES,
            build_panel,
            case_outcome,
            upside_breaches,
        )
        from narrowgate.evaluate.kinds.valuation_panel_figures import (
            case_figures,
            deciding_sentence,
            late_forecasts,
            stock_panel_figures,
            upside_lines,
        )

        if ctx.as_of < params.price_date:  # nothing is priced yet: no reading to hold back
            why = text(f"价格日 {params.price_date} 晚于评估日 {ctx.as_of},尚无可估值的价格。",
                       f"The price date {params.price_date} is after as-of {ctx.as_of}: no "
                       "price to value yet.")
            return Assessment(verdict=Verdict.PENDING, summary=why, evidence=Evidence(
                figures=self.setup_figures(params, ctx), notes=[why]))
        valued = [value_stocks(g.stocks, params, ctx) for g in params.groups]
        data = [d for _, used in valued for d in used]
        vals = [v for group, _ in valued for v in group]
        panels = [[build_panel(s, v, params) for s, v in zip(g.stocks, group, strict=True)]
                  for g, (group, _) in zip(params.groups, valued, strict=True)]
        outcomes = {c: case_outcome(params, panels, c, multiple=params.fair_pe_x,
                                    rate=params.discount_rate, growth=params.growth_after)
                    for c in CASES}
        deciding = outcomes[params.decide_on]
        flat = [sp for g in panels for sp in g]
        late_figs, late_notes = late_forecasts(flat, params)
        breaches = upside_breaches(params, vals)
        up_figs, up_notes = upside_lines(breaches, params)
        figures = [*case_figures(outcomes, params), *late_figs, *up_figs]
        charts: list[Chart] = []
        grid_lines: list[LocalizedText] = []
        verdict = deciding.verdict
        if verdict is not None and params.measure == "priced_in_year":
            grid = sensitivity_grid(params, panels, verdict)
            note_replayed(grid.kept, verdict)
            figures += grid_figures(grid, params)
            charts.append(grid_chart(grid, params))
            grid_lines.append(text(*grid_note(grid)))
        readings = {sp.v.instrument: self._reading(sp, params) for sp in flat}
        shape = (self._against_threshold(params, vals, readings) if len(valued) == 1
                 else self._side_by_side(params, valued[0][0], valued[1][0], readings))
        summary, shape_figures, shape_charts = shape
        per_case = "; ".join(f"{c}: {o.verdict.value if o.verdict else 'no reading'}"
                             for c, o in outcomes.items())
        per_case_zh = ";".join(
            f"{CASE_ZH[c]}:{VERDICT_ZH[o.verdict.value] if o.verdict else '无读数'}"
            for c, o in outcomes.items())
        sent_zh, sent_en = deciding_sentence(flat, params)
        if not deciding.full and deciding.verdict is Verdict.MIXED:
            need = f"{params.min_share_with_forecast:.0%}"
            sent_zh += f"有一组参与结论的公司不足 {need},结论最多为部分成立。"
            sent_en += (f" Fewer than {need} of a group's names decide, so the call is held "
                        "at mixed.")
        summary = text(f"{summary.zh} {sent_zh}各利润路径结论({per_case_zh}),由"
                       f"{CASE_ZH[params.decide_on]}路径决定。"
                       + "".join(n.zh for n in up_notes),
                       f"{summary.en} {sent_en} Verdict by profit path ({per_case}); the "
                       f"{params.decide_on} path decides." + "".join(
                           f" {n.en}" for n in up_notes))
        notes = [self.measures,
                 text(f"合理倍数依据:{params.fair_pe_basis}",
                      f"Fair multiple: {params.fair_pe_basis}"),
                 *grid_lines, *late_notes, *up_notes,
                 *basis_caveat(vals), *[n for v in vals for n in v.notes]]
        missing = missing_forecasts(vals, params.price_date)
        if verdict is None:
            verdict = Verdict.INSUFFICIENT_DATA
            missing = missing or [MissingData(
                what=f"a deciding reading on the {params.decide_on} path for every group",
                how="add sourced forecasts or yardstick inputs to the valuation dataset")]
        panel_figs = [f for sp in flat for f in stock_panel_figures(sp, params)]
        return Assessment(verdict=verdict, summary=summary, evidence=Evidence(
            figures=[*shape_figures, *figures, *panel_figs, *self.setup_figures(params, ctx)],
            data=data, charts=[*shape_charts, *charts], notes=notes, missing=missing))

    @staticmethod
    def _reading(sp: StockPanel, params: ValuationParams) -> float | None:
        """The deciding path's reading at the stated settings (None: does not decide)."""
        from narrowgate.evaluate.kinds.valuation_panel import beyond_for, reading

        return reading(sp, params.decide_on, params, multiple=params.fair_pe_x,
                       rate=params.discount_rate, growth=params.growth_after,
                       beyond=beyond_for(params))

    def _against_threshold(self, params: ValuationParams, vals: list[StockValuation],
                           readings: dict[str, float | None]
                           ) -> tuple[LocalizedText, list[Figure], list[Chart]]:
        """One group: every deciding name against the threshold."""
        from narrowgate.evaluate.kinds.valuation_figures import justified_chart, stock_figures

        assert params.threshold is not None
        up = params.direction == "at_least"
        bar = params.threshold - params.tolerance if up else params.threshold + params.tolerance
        with_path = [v for v in vals if readings[v.instrument] is not None]
        backing = [v for v in with_path if (r := readings[v.instrument]) is not None
                   and (r >= bar if up else r <= bar)]
        zh, en, unit = params.names()
        sign = "≥" if up else "≤"
        shown = f"{_shown(bar):g}{'' if unit == 'year' else unit}"
        case = params.decide_on
        figures = [f for v in vals for f in stock_figures(v, params.fair_pe_x)]
        figures += [figure("names_with_forecast", "参与结论的公司数", "names that decide (a "
                           f"usable reading on the {case} path)", len(with_path),
                           f"of {len(vals)}"),
                    figure("names_backing", f"{zh}{sign}{shown}", f"{en} {sign} {shown}",
                           len(backing), f"of {len(with_path)}", decisive=True)]
        summary = text(
            f"价格日 {params.price_date},合理市盈率 {params.fair_pe_x:g} 倍、折现率 "
            f"{params.discount_rate:.0%}:" + ";".join(v.sentence_zh() for v in vals)
            + f"。{CASE_ZH[case]}下 {len(backing)}/{len(with_path)} 家参与结论的公司"
              f"{zh}{sign}{shown}。",
            f"On {params.price_date} at {params.fair_pe_x:g}x, discounted at "
            f"{params.discount_rate:.0%}/yr: " + "; ".join(v.sentence_en() for v in vals)
            + f". On the {case} path {len(backing)} of {len(with_path)} deciding names have "
              f"a {en} {sign} {shown}.")
        charts = [c for v in vals if (c := justified_chart(v)) is not None]
        return summary, figures, charts

    def _side_by_side(self, params: ValuationParams, first: list[StockValuation],
                      second: list[StockValuation], readings: dict[str, float | None]
                      ) -> tuple[LocalizedText, list[Figure], list[Chart]]:
        """Two groups: the first group's median against the second's (deciding path)."""
        from narrowgate.evaluate.kinds.valuation_figures import comparison_chart, stock_figures

        a, b = params.groups
        a_vals = [r for v in first if (r := readings[v.instrument]) is not None]
        b_vals = [r for v in second if (r := readings[v.instrument]) is not None]
        zh, en, unit = params.names()
        suffix = "year" if params.measure == "priced_in_year" else "forward_pe"
        gap_unit = "years" if unit == "year" else unit
        no_fc = [v.instrument for v in [*first, *second] if readings[v.instrument] is None]
        figures: list[Figure] = []
        if a_vals and b_vals:
            a_raw, b_raw = median(a_vals), median(b_vals)
            a_med, b_med, gap = _shown(a_raw), _shown(b_raw), _shown(b_raw - a_raw)
            against = [v for v in first if (r := readings[v.instrument]) is not None
                       and r > b_raw]
            figures = [
                figure(f"{a.key}_median_{suffix}", f"{a.label.zh}{zh}中位数",
                       f"{a.label.en} median {en}", a_med, unit, decisive=True),
                figure(f"{b.key}_median_{suffix}", f"{b.label.zh}{zh}中位数",
                       f"{b.label.en} median {en}", b_med, unit, decisive=True),
                figure("median_gap", "中位数相差", f"{b.label.en} minus {a.label.en} median",
                       gap, gap_unit, decisive=True),
                figure(f"{a.key}_against", f"{a.label.zh}中高于{b.label.zh}中位数的公司",
                       f"{a.label.en} names above the {b.label.en} median",
                       ", ".join(v.instrument for v in against) or "none", "")]
            zh_head = (f"{a.label.zh}{zh}中位数 {a_med:g},{b.label.zh} {b_med:g},相差 {gap:g}。"
                       + (f"与结论相反的:{'、'.join(v.instrument for v in against)}。"
                          if against else ""))
            en_head = (f"{a.label.en} median {en}: {a_med:g}, {b.label.en}: {b_med:g}, "
                       f"{gap:g} {gap_unit} apart. "
                       + "; ".join(v.sentence_en() for v in [*first, *second]) + "."
                       + (f" Cutting against: {', '.join(v.instrument for v in against)}."
                          if against else ""))
        else:
            zh_head = "至少一组没有参与结论的公司。"
            en_head = "At least one group has no deciding name. " + "; ".join(
                v.sentence_en() for v in [*first, *second]) + "."
        figures += [f for v in [*first, *second] for f in stock_figures(v, params.fair_pe_x)]
        summary = text(
            f"同一方法({params.price_date},{params.fair_pe_x:g} 倍,折现率 "
            f"{params.discount_rate:.0%},{CASE_ZH[params.decide_on]}):{zh_head}"
            + (f"未参与中位数:{'、'.join(no_fc)}。" if no_fc else ""),
            f"Same method ({params.price_date}, {params.fair_pe_x:g}x, discount "
            f"{params.discount_rate:.0%}/yr, {params.decide_on} path): {en_head}"
            + (f" Left out of the medians (no deciding reading): {', '.join(no_fc)}."
               if no_fc else ""))
        chart = comparison_chart(first, second, params.pe_year(), (a.label.en, b.label.en))
        return summary, figures, [chart]
