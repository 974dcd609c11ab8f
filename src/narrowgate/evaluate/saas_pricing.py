"""saas-pricing: "per-seat SaaS pricing is breaking", recorded as a qualitative claim.

Why qualitative: a pricing scheme is a business-model choice that firms disclose unevenly
and not as a market series, so no price or filing series says whether seats are giving way
to usage or outcome pricing. The software selloff is tested separately (claim
``software-selloff``); a revenue model of the pricing schemes may come later.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import Field

from narrowgate.evaluate.common import InstrumentId, figure, text
from narrowgate.evaluate.registry import EvalContext, Evaluator, Params, register
from narrowgate.evaluate.verdict import Assessment, Evidence, Verdict

if TYPE_CHECKING:
    from narrowgate.thesis.schema import Claim

PricingModel = Literal["per-seat", "seat-plus-usage", "usage-based", "outcome-based"]


class SaasPricingParams(Params):
    incumbent_model: PricingModel = Field(description="the scheme the claim says is breaking")
    candidate_models: list[PricingModel] = Field(min_length=1)
    related_claim: str = Field(description="claim id whose market test gives context")
    context_instrument: InstrumentId


@register
class SaasPricing(Evaluator[SaasPricingParams]):
    test = "saas-pricing"
    params_model = SaasPricingParams
    title = "The end of per-seat SaaS pricing (qualitative)"

    def evaluate(self, claim: Claim, params: SaasPricingParams, ctx: EvalContext) -> Assessment:
        candidates = ", ".join(params.candidate_models)
        reason = text(
            "定价模式是企业的商业选择,披露零散,没有可检验的行情或财报序列;"
            f"软件股抛售由 {params.related_claim} 单独检验({params.context_instrument})。",
            "A pricing scheme is a business choice that firms disclose unevenly; no price or "
            "filing series records it. The software selloff is tested separately by "
            f"'{params.related_claim}' ({params.context_instrument}).",
        )
        figures = [
            figure("incumbent_model", "被认为失效的定价模式", "scheme said to be breaking",
                   params.incumbent_model, ""),
            figure("candidate_models", "可能的替代模式", "candidate replacements", candidates, ""),
        ]
        return Assessment(
            verdict=Verdict.QUALITATIVE,
            summary=text("定性记录:" + reason.zh, "Recorded as qualitative: " + reason.en),
            evidence=Evidence(figures=figures, notes=[reason]),
        )
