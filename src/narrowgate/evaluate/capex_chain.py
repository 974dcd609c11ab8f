"""capex-chain: capex drains cash now, depreciation arrives later, so FCF is squeezed first.

The deciding model (issue #4) fits a depreciation lag to each hyperscaler's history of
capex and D&A (useful lives from the filings), predicts the later years out of sample, and
projects earnings, FCF and buybacks under the capex-total guidance scenarios. This module
fixes its inputs and thresholds now so the thesis validates and a run fetches the facts.
"""

from __future__ import annotations

from datetime import date

from pydantic import Field, model_validator

from narrowgate.evaluate.common import (
    AwaitingEvaluator,
    Capability,
    InstrumentId,
    RecordedSource,
    figure,
    recorded_data,
    text,
)
from narrowgate.evaluate.registry import DataNeed, EvalContext, Params, register
from narrowgate.evaluate.verdict import DataUsed, Figure


class UsefulLife(Params):
    """A firm's server/network useful life, as disclosed (the depreciation lag's anchor)."""

    instrument: InstrumentId
    server_useful_life_years: float = Field(gt=0, le=15)
    source: RecordedSource


class CapexChainParams(Params):
    companies: list[UsefulLife] = Field(min_length=1)
    history_start_year: int = Field(ge=2000, description="first fiscal year of the fit")
    fit_end_year: int = Field(description="last fiscal year used to fit the lag model")
    test_end_year: int = Field(description="last fiscal year predicted out of sample")
    scenario_claim: str = Field(description="claim whose guidance gives the capex scenarios")
    max_oos_error_pct: float = Field(
        15.0, gt=0, description="mean absolute % error of predicted D&A the model may have"
    )
    fcf_to_net_income_floor: float = Field(
        0.6, gt=0, description="projected FCF / net income below this while NI grows → squeeze"
    )

    @model_validator(mode="after")
    def _years(self) -> CapexChainParams:
        if not self.history_start_year < self.fit_end_year < self.test_end_year:
            raise ValueError("need history_start_year < fit_end_year < test_end_year")
        return self


@register
class CapexChain(AwaitingEvaluator[CapexChainParams]):
    test = "capex-chain"
    params_model = CapexChainParams
    title = "Capex → depreciation → earnings → FCF → buybacks"
    capability = Capability.CAPEX_CHAIN
    measures = text(
        "按公司拟合资本开支到折旧的滞后模型并做样本外检验,再按指引情景推算利润、自由现金流与回购。",
        "Fit a capex→depreciation lag per firm, test it out of sample, then project earnings, "
        "FCF and buybacks under the guidance scenarios.",
    )

    def data_needs(self, params: CapexChainParams, ctx: EvalContext) -> list[DataNeed]:
        return [DataNeed(instrument=c.instrument, kind="facts",
                         start=date(params.history_start_year, 1, 1), end=ctx.as_of,
                         why="capex, D&A, OCF, net income, buybacks, dividends")
                for c in params.companies]

    def setup_figures(self, params: CapexChainParams, ctx: EvalContext) -> list[Figure]:
        out = [
            figure("fit_window", "拟合区间", "fit window",
                   f"{params.history_start_year}–{params.fit_end_year}", "fiscal years"),
            figure("test_window", "样本外区间", "out-of-sample window",
                   f"{params.fit_end_year + 1}–{params.test_end_year}", "fiscal years"),
            figure("max_oos_error", "允许的样本外误差", "allowed out-of-sample error",
                   params.max_oos_error_pct, "%"),
            figure("fcf_floor", "FCF/净利润阈值", "FCF / net income threshold",
                   params.fcf_to_net_income_floor, "ratio"),
        ]
        out += [figure(f"life_{c.instrument}", f"{c.instrument} 服务器折旧年限",
                       f"{c.instrument} server useful life", c.server_useful_life_years, "years")
                for c in params.companies]
        return out

    def recorded(self, params: CapexChainParams) -> list[DataUsed]:
        return [recorded_data(c.source, c.instrument, "server/network useful life")
                for c in params.companies]
