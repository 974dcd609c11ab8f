"""qualitative: a claim recorded with the reason no market data can decide it.

Any thesis can carry beliefs, motives or business-model views; they belong in the scorecard
(so the argument stays whole) with an explicit reason instead of a fake verdict.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import Field

from narrowgate.evaluate.common import text
from narrowgate.evaluate.registry import EvalContext, Evaluator, Params, register
from narrowgate.evaluate.verdict import Assessment, Evidence, Verdict
from narrowgate.thesis.schema import LocalizedText

if TYPE_CHECKING:
    from narrowgate.thesis.schema import Claim


class QualitativeParams(Params):
    reason: LocalizedText = Field(description="why no market or filing data can decide it")


@register
class Qualitative(Evaluator[QualitativeParams]):
    test = "qualitative"
    params_model = QualitativeParams
    title = "Recorded as qualitative, with the reason"

    def evaluate(self, claim: Claim, params: QualitativeParams, ctx: EvalContext) -> Assessment:
        return Assessment(
            verdict=Verdict.QUALITATIVE,
            summary=text(
                "定性记录:" + params.reason.zh, "Recorded as qualitative: " + params.reason.en
            ),
            evidence=Evidence(notes=[params.reason]),
        )
