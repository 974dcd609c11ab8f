"""fact: the figures a claim states, against recorded, sourced figures.

Why recorded figures: an announcement (a financing plan, a bond sale, a guidance range) is
no market series; the thesis records what the source said, with its date, and the claim's
own number beside it. Each checked figure matches when it is within ``match_within_pct``
of the recorded one (a range matches when both ends do). All match → supported; some →
mixed; none → contradicted. ``context`` figures are shown, never checked; ``later_checks``
name data that would test the claim further (listed as missing, never deciding).
"""

from __future__ import annotations

import datetime as _dt
import math
from datetime import date
from typing import TYPE_CHECKING, Literal

from pydantic import Field, field_validator

from narrowgate.evaluate.common import (
    InstrumentId,
    RecordedSource,
    figure,
    missing_for_needs,
    recorded_data,
    text,
)
from narrowgate.evaluate.registry import DataNeed, EvalContext, Evaluator, Params, register
from narrowgate.evaluate.verdict import Assessment, Evidence, Figure, Verdict
from narrowgate.thesis.schema import LocalizedText

if TYPE_CHECKING:
    from narrowgate.thesis.schema import Claim

Amount = float | tuple[float, float]


def _finite(value: Amount) -> Amount:
    ends = value if isinstance(value, tuple) else (value,)
    if not all(math.isfinite(v) for v in ends):
        raise ValueError("figures must be finite numbers")
    if isinstance(value, tuple) and value[1] < value[0]:
        raise ValueError(f"a range runs low to high, got {value[0]:g}–{value[1]:g}")
    return value


class CheckedFigure(Params):
    key: str = Field(pattern=r"^[a-z0-9_]+$", description="figure key in the scorecard")
    label: LocalizedText
    claimed: Amount = Field(description="the claim's figure: a number or [low, high]")
    recorded: Amount = Field(description="the source's figure, same unit")
    unit: str = Field(min_length=1)
    date: _dt.date | None = Field(None, description="when the source announced it")
    source: RecordedSource

    _check = field_validator("claimed", "recorded")(_finite)


class ContextFigure(Params):
    key: str = Field(pattern=r"^[a-z0-9_]+$")
    label: LocalizedText
    value: float
    unit: str = Field(min_length=1)


class LaterCheck(Params):
    instrument: InstrumentId
    kind: Literal["bars", "series", "facts"] = "facts"
    start: date
    why: str = Field(min_length=1)


class FactParams(Params):
    about: str = Field(min_length=1, description="what the figures are about, e.g. sec:ORCL")
    figures: list[CheckedFigure] = Field(min_length=1)
    match_within_pct: float = Field(2.0, ge=0, le=100, description="claimed within this % "
                                                                   "of recorded → match")
    context: list[ContextFigure] = Field(default_factory=list)
    later_checks: list[LaterCheck] = Field(default_factory=list)


def _ends(value: Amount) -> tuple[float, ...]:
    return value if isinstance(value, tuple) else (value,)


def _shown(value: Amount) -> str | float:
    return f"{value[0]:g}–{value[1]:g}" if isinstance(value, tuple) else value


def matches(claimed: Amount, recorded: Amount, within_pct: float) -> bool:
    """Same shape and every end within ``within_pct`` % of the recorded one."""
    a, b = _ends(claimed), _ends(recorded)
    if len(a) != len(b):
        return False
    return all((x == y) if y == 0 else abs(x - y) / abs(y) * 100 <= within_pct
               for x, y in zip(a, b, strict=True))


def _fact_verdict(params: FactParams, within_pct: float) -> Verdict:
    """Every figure matches its record → supported; some → mixed; none → contradicted."""
    hits = sum(matches(f.claimed, f.recorded, within_pct) for f in params.figures)
    if hits == len(params.figures):
        return Verdict.SUPPORTED
    return Verdict.MIXED if hits else Verdict.CONTRADICTED


@register
class Fact(Evaluator[FactParams]):
    test = "fact"
    params_model = FactParams
    title = "A claim's figures against recorded, sourced figures"

    def data_needs(self, params: FactParams, ctx: EvalContext) -> list[DataNeed]:
        return [DataNeed(instrument=c.instrument, kind=c.kind, start=c.start, end=ctx.as_of,
                         why=c.why) for c in params.later_checks]

    def evaluate(self, claim: Claim, params: FactParams, ctx: EvalContext) -> Assessment:
        from narrowgate.evaluate.core.stability import note_scaled_line

        tol = params.match_within_pct
        ok = {f.key: matches(f.claimed, f.recorded, tol) for f in params.figures}
        hits = sum(ok.values())
        verdict = _fact_verdict(params, tol)
        # stability: the same match with the tolerance moved across ±BAND of itself
        note_scaled_line(tol, lambda within: _fact_verdict(params, within), verdict)
        figures: list[Figure] = []
        for f in params.figures:
            figures.append(figure(f.key, f.label.zh, f.label.en, _shown(f.recorded), f.unit,
                                  decisive=True))
            figures.append(figure(f"{f.key}_claimed", f"{f.label.zh}(论点所称)",
                                  f"{f.label.en} (as claimed)", _shown(f.claimed), f.unit))
            if f.date is not None:
                figures.append(figure(f"{f.key}_date", f"{f.label.zh}日期", f"{f.label.en} date",
                                      f.date.isoformat(), "date"))
        figures.append(figure("figures_match", "论点数字与来源一致", "claimed figures match "
                              "sources", f"{hits}/{len(ok)}", f"figures (within {tol:g}%)",
                              decisive=True))
        figures += [figure(c.key, c.label.zh, c.label.en, c.value, c.unit)
                    for c in params.context]
        data = [recorded_data(f.source, params.about, f.label.en) for f in params.figures]
        missing = missing_for_needs(self.data_needs(params, ctx), ctx.as_of)
        lines_zh = ";".join(
            f"{f.label.zh} {_shown(f.recorded)} {f.unit}(论点 {_shown(f.claimed)},"
            f"{'一致' if ok[f.key] else '不一致'})" for f in params.figures)
        lines_en = "; ".join(
            f"{f.label.en} {_shown(f.recorded)} {f.unit} (claimed {_shown(f.claimed)}: "
            f"{'match' if ok[f.key] else 'no match'})" for f in params.figures)
        later_zh = "".join(f"尚待 {c.instrument} 数据核对:{c.why}。" for c in params.later_checks)
        later_en = "".join(f" Awaits {c.instrument} data: {c.why}." for c in params.later_checks)
        summary = text(
            f"{hits}/{len(ok)} 个论点数字与记录的来源一致(容差 {tol:g}%):{lines_zh}。{later_zh}",
            f"{hits} of {len(ok)} claimed figures match the recorded sources (within "
            f"{tol:g}%): {lines_en}.{later_en}")
        return Assessment(verdict=verdict, summary=summary,
                          evidence=Evidence(figures=figures, data=data, missing=missing))
