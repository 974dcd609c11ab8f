"""capex-total: add up the recorded 2026 capex guidance and set it against the article's total.

Why it is arithmetic, not a fetch: guidance is said on earnings calls, not filed as XBRL, so
the figures live in the thesis with their sources. The article's per-company figures are
checked against guidance, the total against the sum (low / mid / high), and the April-2026
revisions are shown as a second scenario. Growth compares the mid guide with each firm's
reported 2025 capex (recorded from SEC filings; fiscal years as reported).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from pydantic import Field, model_validator

from narrowgate.evaluate.common import (
    InstrumentId,
    RecordedSource,
    figure,
    pct,
    recorded_data,
    text,
)
from narrowgate.evaluate.registry import DataNeed, EvalContext, Evaluator, Params, register
from narrowgate.evaluate.verdict import Assessment, Chart, ChartSeries, Evidence, Verdict

if TYPE_CHECKING:
    from narrowgate.thesis.schema import Claim


class CapexRange(Params):
    """A guidance range in USD bn; a point guide ("about 200") has low == high."""

    low_usd_bn: float = Field(gt=0)
    high_usd_bn: float = Field(gt=0)
    said_on: date
    estimate: bool = Field(False, description="true when a third party estimated the figure")
    source: RecordedSource

    @model_validator(mode="after")
    def _ordered(self) -> CapexRange:
        if self.high_usd_bn < self.low_usd_bn:
            raise ValueError("high_usd_bn must be at least low_usd_bn")
        return self

    @property
    def mid_usd_bn(self) -> float:
        return (self.low_usd_bn + self.high_usd_bn) / 2


class CompanyCapex(Params):
    name: str
    instrument: InstrumentId
    guidance: CapexRange
    revision: CapexRange | None = Field(None, description="the April-2026 update")
    article_low_usd_bn: float | None = Field(None, description="the article's figure, if any")
    article_high_usd_bn: float | None = None
    capex_2025_usd_bn: float = Field(gt=0, description="reported capex of the last fiscal year")
    capex_2025_basis: str = Field(description="definition and fiscal year of capex_2025_usd_bn")
    capex_2025_source: RecordedSource


class CapexTotalParams(Params):
    article_total_usd_bn: float = Field(gt=0)
    supported_within_pct: float = Field(
        5.0, gt=0, description="|sum mid − article| / article at or below this → supported"
    )
    mixed_within_pct: float = Field(
        25.0, gt=0, description="…at or below this → mixed (order of magnitude right)"
    )
    company_match_within_pct: float = Field(
        2.0, ge=0, description="an article company figure matches guidance within this %"
    )
    companies: list[CompanyCapex] = Field(min_length=1)
    scope_note: str = Field(description="which firms the sum covers and why (said in the "
                                        "summary and the notes)")

    @model_validator(mode="after")
    def _thresholds(self) -> CapexTotalParams:
        if self.mixed_within_pct < self.supported_within_pct:
            raise ValueError("mixed_within_pct must be at least supported_within_pct")
        return self


def scenario_sum(params: CapexTotalParams, revised: bool) -> tuple[float, float, float]:
    """(low, mid, high) USD bn over all companies; revised=True uses April-2026 updates."""
    ranges = [
        (c.revision if revised and c.revision is not None else c.guidance)
        for c in params.companies
    ]
    low = sum(r.low_usd_bn for r in ranges)
    high = sum(r.high_usd_bn for r in ranges)
    return low, (low + high) / 2, high


def deviation_pct(value: float, reference: float) -> float:
    return (value - reference) / reference * 100


def _band(dev: float, params: CapexTotalParams) -> Verdict:
    if abs(dev) <= params.supported_within_pct:
        return Verdict.SUPPORTED
    if abs(dev) <= params.mixed_within_pct:
        return Verdict.MIXED
    return Verdict.CONTRADICTED


def _company_matches(company: CompanyCapex, tolerance_pct: float) -> bool | None:
    """Whether the article's figure equals the guidance; None when the article gave none."""
    if company.article_low_usd_bn is None:
        return None
    high = company.article_high_usd_bn or company.article_low_usd_bn
    g = company.guidance
    return (
        abs(deviation_pct(company.article_low_usd_bn, g.low_usd_bn)) <= tolerance_pct
        and abs(deviation_pct(high, g.high_usd_bn)) <= tolerance_pct
    )


@register
class CapexTotal(Evaluator[CapexTotalParams]):
    test = "capex-total"
    params_model = CapexTotalParams
    title = "2026 capex guidance sum vs the article's total"

    def data_needs(self, params: CapexTotalParams, ctx: EvalContext) -> list[DataNeed]:
        # Optional cross-check of reported 2025 capex against SEC filings.
        return [
            DataNeed(
                instrument=c.instrument,
                kind="facts",
                start=date(2024, 1, 1),
                end=ctx.as_of,
                why="reported capex (PaymentsToAcquirePropertyPlantAndEquipment)",
            )
            for c in params.companies
            if c.instrument.startswith("sec:")
        ]

    def evaluate(self, claim: Claim, params: CapexTotalParams, ctx: EvalContext) -> Assessment:
        low, mid, high = scenario_sum(params, revised=False)
        r_low, r_mid, r_high = scenario_sum(params, revised=True)
        dev = deviation_pct(mid, params.article_total_usd_bn)
        r_dev = deviation_pct(r_mid, params.article_total_usd_bn)
        estimated = [c.name for c in params.companies if c.guidance.estimate]
        matches = {c.name: _company_matches(c, params.company_match_within_pct)
                   for c in params.companies}
        checked = [name for name, ok in matches.items() if ok is not None]
        matched = [name for name in checked if matches[name]]

        total_verdict = _band(dev, params)
        if total_verdict is Verdict.SUPPORTED and estimated:
            total_verdict = Verdict.MIXED  # an estimated component cannot confirm a total
        companies_ok = len(matched) == len(checked)
        if total_verdict is Verdict.SUPPORTED and companies_ok:
            verdict = Verdict.SUPPORTED
        elif total_verdict is Verdict.CONTRADICTED and not companies_ok:
            verdict = Verdict.CONTRADICTED
        else:
            verdict = Verdict.MIXED

        n = len(params.companies)
        figures = [
            figure("article_total", "文章所称总额", "article's total", params.article_total_usd_bn,
                   "USD bn"),
            figure("sum_low", "指引合计(低)", "guidance sum, low", pct(low), "USD bn"),
            figure("sum_mid", "指引合计(中值)", "guidance sum, mid", pct(mid), "USD bn",
                   decisive=True),
            figure("sum_high", "指引合计(高)", "guidance sum, high", pct(high), "USD bn"),
            figure("deviation_pct", "中值相对文章的偏差", "mid vs article", pct(dev), "%",
                   decisive=True),
            figure("revised_sum_mid", "2026年4月上调后合计(中值)", "April-2026 revised sum, mid",
                   pct(r_mid), "USD bn"),
            figure("revised_sum_range", "2026年4月上调后合计区间", "April-2026 revised range",
                   f"{pct(r_low)}–{pct(r_high)}", "USD bn"),
            figure("revised_deviation_pct", "上调后中值相对文章的偏差", "revised mid vs article",
                   pct(r_dev), "%"),
            figure("companies_in_sum", "合计覆盖公司数", "companies in the sum", n, "companies"),
            figure("article_company_matches", "文章分公司数字与指引一致",
                   "article company figures matching guidance",
                   f"{len(matched)}/{len(checked)}", "companies", decisive=True),
        ]
        base_2025 = sum(c.capex_2025_usd_bn for c in params.companies)
        figures.append(figure("growth_all_pct", "合计中值较上年资本开支增长",
                              "sum mid vs last reported year", pct(deviation_pct(mid, base_2025)),
                              "%"))
        for c in params.companies:
            growth = deviation_pct(c.guidance.mid_usd_bn, c.capex_2025_usd_bn)
            figures.append(figure(f"growth_{c.name.lower()}", f"{c.name} 指引中值较上年增长",
                                  f"{c.name} mid guide vs last year", pct(growth), "%"))

        data = []
        for c in params.companies:
            data.append(recorded_data(c.guidance.source, c.instrument,
                                      f"{c.name} 2026 guide {c.guidance.low_usd_bn}–"
                                      f"{c.guidance.high_usd_bn} USD bn"
                                      + (" (third-party estimate)" if c.guidance.estimate else "")))
            if c.revision is not None:
                data.append(recorded_data(c.revision.source, c.instrument,
                                          f"{c.name} April-2026 update {c.revision.low_usd_bn}–"
                                          f"{c.revision.high_usd_bn} USD bn"))
            data.append(recorded_data(c.capex_2025_source, c.instrument,
                                      f"{c.name} last-year capex {c.capex_2025_usd_bn} USD bn "
                                      f"({c.capex_2025_basis})"))

        names = [c.name for c in params.companies]
        chart = Chart(
            title=text("各公司资本开支:上年实际、2026年2月指引、4月上调",
                       "Capex by company: last year, Feb-2026 guide, April-2026 update"),
            series=[
                ChartSeries(name="last reported year", x=list(names), kind="bar",
                            y=[c.capex_2025_usd_bn for c in params.companies]),
                ChartSeries(name="2026 guide (mid)", x=list(names), kind="bar",
                            y=[c.guidance.mid_usd_bn for c in params.companies]),
                ChartSeries(name="April-2026 update (mid)", x=list(names), kind="bar",
                            y=[(c.revision or c.guidance).mid_usd_bn for c in params.companies]),
            ],
            x_label="company", y_label="USD bn", x_is_date=False,
        )
        est = ", ".join(estimated) or "none"
        notes = [
            text(f"口径说明:{params.scope_note}", f"Scope: {params.scope_note}"),
            text(f"含第三方估计的公司:{est}。", f"Companies with a third-party estimate: {est}."),
        ]
        summary = text(
            f"{n}家公司2026年资本开支指引合计约 {low:.0f}–{high:.0f} 十亿美元(中值 {mid:.0f}),"
            f"较文章的 {params.article_total_usd_bn:.0f} 偏差 {dev:+.1f}%;文章的分公司数字"
            f"{len(matched)}/{len(checked)} 与指引一致。2026年4月上调后中值 {r_mid:.0f}"
            f"({r_dev:+.1f}%)。总额为 {n} 家之和"
            f"{'且含估计值' if estimated else ''};口径见说明。",
            f"The {n} companies' 2026 capex guidance sums to about {low:.0f}–{high:.0f} USD bn "
            f"(mid {mid:.0f}), {dev:+.1f}% from the article's {params.article_total_usd_bn:.0f}; "
            f"{len(matched)}/{len(checked)} of the article's company figures match guidance. "
            f"After the April-2026 raises the mid is {r_mid:.0f} ({r_dev:+.1f}%). The total is "
            f"a {n}-company sum{' with an estimated component' if estimated else ''}; its "
            "scope is in the notes.",
        )
        return Assessment(
            verdict=verdict,
            summary=summary,
            evidence=Evidence(figures=figures, data=data, charts=[chart], notes=notes),
        )
