"""qualitative: a claim recorded with the reason no market data can decide it.

Any thesis can carry beliefs, motives or business-model views; they belong in the scorecard
(so the argument stays whole) with an explicit reason instead of a fake verdict. An
optional ``context`` shows how the assets the claim names moved together (a rolling
correlation); it informs the reader and never decides the verdict.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import Field

from narrowgate.evaluate.common import text
from narrowgate.evaluate.kinds.correlation_context import (
    CorrelationContextParams,
    context_needs,
    correlation_context,
)
from narrowgate.evaluate.registry import DataNeed, EvalContext, Evaluator, Params, register
from narrowgate.evaluate.verdict import Assessment, Evidence, Verdict
from narrowgate.thesis.schema import LocalizedText

if TYPE_CHECKING:
    from narrowgate.thesis.schema import Claim


class QualitativeParams(Params):
    reason: LocalizedText = Field(description="why no market or filing data can decide it")
    context: CorrelationContextParams | None = Field(
        None, description="optional rolling correlation shown as context, never deciding")


@register
class Qualitative(Evaluator[QualitativeParams]):
    test = "qualitative"
    params_model = QualitativeParams
    title = "Recorded as qualitative, with the reason"

    def data_needs(self, params: QualitativeParams, ctx: EvalContext) -> list[DataNeed]:
        return context_needs(params.context, ctx.as_of) if params.context else []

    def evaluate(self, claim: Claim, params: QualitativeParams, ctx: EvalContext) -> Assessment:
        summary = text("定性记录:" + params.reason.zh,
                       "Recorded as qualitative: " + params.reason.en)
        if params.context is None:
            return Assessment(verdict=Verdict.QUALITATIVE, summary=summary,
                              evidence=Evidence(notes=[params.reason]))
        found = None if ctx.hub is None else correlation_context(params.context, ctx)
        notes = [params.reason]
        if found is None or not found.sentences:
            notes.append(text("背景相关数据缺失。", "The correlation context has no data."))
            evidence = Evidence(notes=notes, missing=found.missing if found else [],
                                data=found.data if found else [])
            return Assessment(verdict=Verdict.QUALITATIVE, summary=summary, evidence=evidence)
        notes.extend(found.sentences)
        summary = text(summary.zh + "背景:" + "".join(s.zh for s in found.sentences),
                       summary.en + " Context: " + " ".join(s.en for s in found.sentences))
        return Assessment(verdict=Verdict.QUALITATIVE, summary=summary,
                          evidence=Evidence(figures=found.figures, data=found.data,
                                            charts=found.charts, notes=notes,
                                            missing=found.missing))
