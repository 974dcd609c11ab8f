"""guidance: a claimed total (and per-company figures) against the sum of recorded guidance.

Why it is arithmetic, not a fetch: guidance (capex, revenue, expenses…) is said on earnings
calls, not filed as XBRL, so the figures live in the thesis with their sources. The claimed
per-company figures are checked against each company's guidance, the claimed total against
the sum of the guidance (low / mid / high), and a later revision is shown as a second
scenario. Growth compares each mid guide with the company's reported prior-year figure,
where the thesis records one. Every figure is in the one ``unit`` the params name.

Verdict: the total within ``supported_within_pct`` of the claim and every claimed company
figure matching → supported (an estimated guidance caps it at mixed: an estimate cannot
confirm a total); the total outside ``mixed_within_pct`` and some company figure not
matching → contradicted; anything between → mixed.
"""

from __future__ import annotations

import re
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
from narrowgate.evaluate.core.thresholds import within
from narrowgate.evaluate.registry import DataNeed, EvalContext, Evaluator, Params, register
from narrowgate.evaluate.summary import capitalized
from narrowgate.evaluate.verdict import (
    Assessment,
    Chart,
    ChartSeries,
    DataUsed,
    Evidence,
    Figure,
    Verdict,
)
from narrowgate.thesis.schema import LocalizedText

if TYPE_CHECKING:
    from narrowgate.thesis.schema import Claim


class GuidanceRange(Params):
    """A guidance range in the params' ``unit``; a point guide ("about 200") has low == high."""

    low: float = Field(gt=0, description="low end of the guide, in the params' unit")
    high: float = Field(gt=0, description="high end of the guide, in the params' unit")
    said_on: date = Field(description="the day the company gave it")
    estimate: bool = Field(False, description="true when a third party estimated the figure")
    source: RecordedSource

    @model_validator(mode="after")
    def _ordered(self) -> GuidanceRange:
        if self.high < self.low:
            raise ValueError(f"a guidance range runs low to high, got {self.low:g}–{self.high:g}")
        return self

    @property
    def mid(self) -> float:
        return (self.low + self.high) / 2


class CompanyGuidance(Params):
    """One company's guidance, the claim's figure for it (if any) and its prior year."""

    name: str = Field(min_length=1, description="company name used in labels")
    instrument: InstrumentId
    guidance: GuidanceRange
    revision: GuidanceRange | None = Field(None, description="a later update of the guide")
    claimed_low: float | None = Field(None, gt=0, description="the claim's figure for this "
                                                              "company (unit), if it gives one")
    claimed_high: float | None = Field(None, gt=0, description="high end of the claim's range "
                                                               "(unit); absent: a point figure")
    prior_value: float | None = Field(None, gt=0, description="reported figure of the last "
                                                              "fiscal year (unit)")
    prior_basis: str | None = Field(None, description="definition and fiscal year of "
                                                      "prior_value")
    prior_source: RecordedSource | None = None

    @model_validator(mode="after")
    def _consistent(self) -> CompanyGuidance:
        if self.claimed_high is not None and self.claimed_low is None:
            raise ValueError(f"{self.name}: claimed_high needs claimed_low")
        if (self.claimed_low is not None and self.claimed_high is not None
                and self.claimed_high < self.claimed_low):
            raise ValueError(f"{self.name}: claimed_high must be at least claimed_low")
        if self.prior_value is not None and (self.prior_basis is None
                                             or self.prior_source is None):
            raise ValueError(f"{self.name}: prior_value needs prior_basis and prior_source")
        return self

    @property
    def slug(self) -> str:
        return re.sub(r"[^a-z0-9]+", "_", self.name.lower()).strip("_")


class GuidanceParams(Params):
    metric: LocalizedText = Field(description="what is guided, e.g. 2026 capex (labels)")
    unit: str = Field("USD bn", min_length=1, description="unit of every figure")
    claimed_total: float = Field(gt=0, description="the claim's total over the companies (unit)")
    guidance_label: LocalizedText = Field(
        default_factory=lambda: LocalizedText(zh="指引", en="guidance"),
        description="name of the first guidance scenario, e.g. Feb-2026 guide")
    revision_label: LocalizedText = Field(
        default_factory=lambda: LocalizedText(zh="修订后", en="revision"),
        description="name of the later revision scenario, e.g. April-2026 update")
    supported_within_pct: float = Field(
        5.0, gt=0, description="|sum mid − claimed| / claimed at or below this (%) → supported")
    mixed_within_pct: float = Field(
        25.0, gt=0, description="…at or below this (%) → mixed (order of magnitude right)")
    company_match_within_pct: float = Field(
        2.0, ge=0, description="a claimed company figure matches guidance within this %")
    companies: list[CompanyGuidance] = Field(min_length=1, description="the companies summed, "
                                                                     "each with its guidance")
    scope_note: LocalizedText = Field(description="which companies the sum covers and why "
                                                  "(said in the notes)")

    @model_validator(mode="after")
    def _thresholds(self) -> GuidanceParams:
        if self.mixed_within_pct < self.supported_within_pct:
            raise ValueError("mixed_within_pct must be at least supported_within_pct")
        slugs = [c.slug for c in self.companies]
        if len(set(slugs)) != len(slugs):
            raise ValueError("company names must differ (they name the growth figures)")
        return self


def scenario_sum(params: GuidanceParams, revised: bool) -> tuple[float, float, float]:
    """(low, mid, high) over all companies, in ``unit``; revised=True uses the revisions."""
    ranges = [(c.revision if revised and c.revision is not None else c.guidance)
              for c in params.companies]
    low = sum(r.low for r in ranges)
    high = sum(r.high for r in ranges)
    return low, (low + high) / 2, high


def deviation_pct(value: float, reference: float) -> float:
    return (value - reference) / reference * 100


def _band(dev: float, params: GuidanceParams) -> Verdict:
    return within(abs(dev), supported_within=params.supported_within_pct,
                  mixed_within=params.mixed_within_pct)


def _company_matches(company: CompanyGuidance, tolerance_pct: float) -> bool | None:
    """Whether the claimed figure equals the guidance; None when the claim gave none."""
    if company.claimed_low is None:
        return None
    high = company.claimed_high or company.claimed_low
    g = company.guidance
    return (abs(deviation_pct(company.claimed_low, g.low)) <= tolerance_pct
            and abs(deviation_pct(high, g.high)) <= tolerance_pct)


def _growth_figures(params: GuidanceParams, mid: float) -> list[Figure]:
    """Sum mid against the summed prior year and each company's mid against its own (%)."""
    with_prior = [c for c in params.companies if c.prior_value is not None]
    if not with_prior:
        return []
    zh, en = params.metric.zh, params.metric.en
    out: list[Figure] = []
    if len(with_prior) == len(params.companies):
        base = sum(c.prior_value or 0.0 for c in with_prior)
        out.append(figure("growth_all_pct", f"{zh}合计中值较上年增长",
                          f"sum mid vs last reported year ({en})",
                          pct(deviation_pct(mid, base)), "%"))
    for c in with_prior:
        growth = deviation_pct(c.guidance.mid, c.prior_value or 0.0)
        out.append(figure(f"growth_{c.slug}", f"{c.name} 指引中值较上年增长",
                          f"{c.name} mid guide vs last year", pct(growth), "%"))
    return out


def _data(params: GuidanceParams) -> list[DataUsed]:
    u, g_en, r_en = params.unit, params.guidance_label.en, params.revision_label.en
    data = []
    for c in params.companies:
        g = c.guidance
        data.append(recorded_data(g.source, c.instrument,
                                  f"{c.name} {g_en} {g.low:g}–{g.high:g} {u}"
                                  + (" (third-party estimate)" if g.estimate else "")))
        if c.revision is not None:
            data.append(recorded_data(c.revision.source, c.instrument,
                                      f"{c.name} {r_en} {c.revision.low:g}–"
                                      f"{c.revision.high:g} {u}"))
        if c.prior_source is not None:
            data.append(recorded_data(c.prior_source, c.instrument,
                                      f"{c.name} last reported year {c.prior_value:g} {u} "
                                      f"({c.prior_basis})"))
    return data


def _chart(params: GuidanceParams) -> Chart:
    names = [c.name for c in params.companies]
    g, r, m = params.guidance_label, params.revision_label, params.metric
    series = []
    if any(c.prior_value is not None for c in params.companies):
        series.append(ChartSeries(name="last reported year", x=list(names), kind="bar",
                                  y=[c.prior_value for c in params.companies]))
    series += [
        ChartSeries(name=f"{g.en} (mid)", x=list(names), kind="bar",
                    y=[c.guidance.mid for c in params.companies]),
        ChartSeries(name=f"{r.en} (mid)", x=list(names), kind="bar",
                    y=[(c.revision or c.guidance).mid for c in params.companies]),
    ]
    return Chart(title=text(f"各公司{m.zh}:上年实际、{g.zh}、{r.zh}",
                            f"{m.en} by company: last year, {g.en}, {r.en}"),
                 series=series, x_label="company", y_label=params.unit, x_is_date=False)


@register
class Guidance(Evaluator[GuidanceParams]):
    test = "guidance"
    params_model = GuidanceParams
    title = "Claimed total and company figures against the sum of recorded guidance"

    def data_needs(self, params: GuidanceParams, ctx: EvalContext) -> list[DataNeed]:
        # Optional cross-check of the prior-year figures against SEC filings.
        start = min(c.guidance.said_on for c in params.companies)
        return [DataNeed(instrument=c.instrument, kind="facts",
                         start=date(start.year - 2, 1, 1), end=ctx.as_of,
                         why=f"reported {params.metric.en} of the prior years")
                for c in params.companies if c.instrument.startswith("sec:")]

    def evaluate(self, claim: Claim, params: GuidanceParams, ctx: EvalContext) -> Assessment:
        low, mid, high = scenario_sum(params, revised=False)
        r_low, r_mid, r_high = scenario_sum(params, revised=True)
        total, u = params.claimed_total, params.unit
        dev, r_dev = deviation_pct(mid, total), deviation_pct(r_mid, total)
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
        m, g, r = params.metric, params.guidance_label, params.revision_label
        revised = any(c.revision is not None for c in params.companies)
        figures = [
            figure("claimed_total", f"论点所称{m.zh}总额", f"claimed total {m.en}", total, u),
            figure("sum_low", f"{g.zh}合计(低)", f"{g.en} sum, low", pct(low), u),
            figure("sum_mid", f"{g.zh}合计(中值)", f"{g.en} sum, mid", pct(mid), u,
                   decisive=True),
            figure("sum_high", f"{g.zh}合计(高)", f"{g.en} sum, high", pct(high), u),
            figure("deviation_pct", "中值相对论点的偏差", "mid vs claimed total", pct(dev), "%",
                   decisive=True),
        ]
        if revised:
            figures += [
                figure("revised_sum_mid", f"{r.zh}合计(中值)", f"{r.en} sum, mid", pct(r_mid), u),
                figure("revised_sum_range", f"{r.zh}合计区间", f"{r.en} range",
                       f"{pct(r_low)}–{pct(r_high)}", u),
                figure("revised_deviation_pct", f"{r.zh}中值相对论点的偏差",
                       f"{r.en} mid vs claimed total", pct(r_dev), "%"),
            ]
        figures.append(figure("companies_in_sum", "合计覆盖公司数", "companies in the sum", n,
                              "companies"))
        if checked:
            figures.append(figure("claimed_company_matches", "论点分公司数字与指引一致",
                                  "claimed company figures matching guidance",
                                  f"{len(matched)}/{len(checked)}", "companies", decisive=True))
        figures += _growth_figures(params, mid)
        est = ", ".join(estimated) or "none"
        notes = [
            text(f"口径说明:{params.scope_note.zh}", f"Scope: {params.scope_note.en}"),
            text(f"含第三方估计的公司:{est}。", f"Companies with a third-party estimate: {est}."),
        ]
        who_zh, who_en = ((params.companies[0].name, f"{params.companies[0].name}'s")
                          if n == 1 else (f"{n}家公司", f"The {n} companies'"))
        parts_zh = [f"{who_zh}{m.zh}{g.zh}{'' if n == 1 else '合计'}约 {low:.0f}–{high:.0f} {u}"
                    f"(中值 {mid:.0f}),较论点的 {total:.0f} 偏差 {dev:+.1f}%。"]
        parts_en = [f"{who_en} {m.en} ({g.en}) {'is' if n == 1 else 'sums to'} about "
                    f"{low:.0f}–{high:.0f} {u} (mid {mid:.0f}), {dev:+.1f}% from the claimed "
                    f"{total:.0f}."]
        if checked:
            parts_zh.append(f"论点的分公司数字 {len(matched)}/{len(checked)} 与指引一致。")
            parts_en.append(f"{len(matched)}/{len(checked)} of the claimed company figures "
                            "match guidance.")
        if revised:
            parts_zh.append(f"{r.zh}中值 {r_mid:.0f}({r_dev:+.1f}%)。")
            parts_en.append(f"{capitalized(r.en)}: mid {r_mid:.0f} ({r_dev:+.1f}%).")
        if n > 1:
            parts_zh.append(f"总额为 {n} 家之和{'且含估计值' if estimated else ''};口径见说明。")
            parts_en.append(f"The total is a {n}-company sum"
                            f"{' with an estimated component' if estimated else ''}; its scope "
                            "is in the notes.")
        else:
            parts_zh.append(f"{'含估计值;' if estimated else ''}口径见说明。")
            parts_en.append(f"{'It is an estimate; ' if estimated else ''}Scope in the notes.")
        summary = text("".join(parts_zh), " ".join(parts_en))
        return Assessment(verdict=verdict, summary=summary, evidence=Evidence(
            figures=figures, data=_data(params), charts=[_chart(params)], notes=notes))
