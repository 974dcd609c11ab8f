"""Building blocks shared by the bundled evaluators: typed params pieces and evidence helpers.

Why one module: every evaluator needs instrument ids, sourced figures and, until its model
exists, the same honest "not decided yet" assessment. Keeping those here keeps each
evaluator module about its own claim. Nothing here imports pandas or numpy.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, ClassVar, TypedDict, TypeVar

from pydantic import AfterValidator, Field, StringConstraints

from narrowgate.data.need import FETCH_OR_IMPORT
from narrowgate.evaluate.registry import DataNeed, EvalContext, Evaluator, Params
from narrowgate.evaluate.verdict import (
    Assessment,
    Chart,
    DataUsed,
    Evidence,
    Figure,
    MissingData,
    Verdict,
)
from narrowgate.thesis.schema import LocalizedText

if TYPE_CHECKING:
    from narrowgate.thesis.schema import Claim

INSTRUMENT_PATTERN = r"^[a-z]+:[A-Za-z0-9][A-Za-z0-9.^=_-]*$"


def _known_market(value: str) -> str:
    """Reject a market prefix the instrument table does not know (e.g. 'us:' typed 'su:')."""
    from narrowgate.instruments import MARKETS  # light module; imported when validating

    market = value.partition(":")[0]
    if market not in MARKETS:
        raise ValueError(f"unknown market '{market}': use one of {', '.join(sorted(MARKETS))}")
    return value


InstrumentId = Annotated[
    str,
    StringConstraints(pattern=INSTRUMENT_PATTERN),
    AfterValidator(_known_market),
    Field(description="narrowgate instrument id 'market:symbol', e.g. us:QQQ, cnidx:000300"),
]

P = TypeVar("P", bound=Params)


class RecordedSource(Params):
    """Where a figure recorded in the thesis comes from; ``unverified`` keeps doubt visible."""

    title: str = Field(min_length=1)
    url: str | None = None
    date: _dt.date | None = None
    note: str | None = None
    unverified: bool = False

    def label(self) -> str:
        mark = " [unverified]" if self.unverified else ""
        where = f" ({self.url})" if self.url else ""
        extra = f"; {self.note}" if self.note else ""
        return f"{self.title}{where}{extra}{mark}"


class Capability(StrEnum):
    """What has to exist before a claim can be decided, named as the user sees it."""

    DATA_HUB = "data hub reading daily bars, SEC facts and FRED series from the local store"
    CAPEX_CHAIN = "capex-chain model"
    VALUATION = "index earnings data for the valuation toolkit"
    BACKTEST = "back-test engine"


def text(zh: str, en: str) -> LocalizedText:
    """Shorthand for a bilingual text."""
    return LocalizedText(zh=zh, en=en)


def figure(
    key: str,
    zh: str,
    en: str,
    value: float | int | str | None,
    unit: str,
    *,
    decisive: bool = False,
) -> Figure:
    """A figure with its unit; floats are rounded for display only where the caller says so."""
    return Figure(key=key, label=text(zh, en), value=value, unit=unit, decisive=decisive)




class FetchFields(TypedDict):
    fetch: list[str]
    how: str


def fetch_how(instruments: Iterable[str]) -> FetchFields:
    """``MissingData`` fields for data that fetching ``instruments`` would supply: use as
    ``MissingData(what=..., **fetch_how(ids))``. The command is named by front ends."""
    return FetchFields(fetch=sorted(set(instruments)), how=FETCH_OR_IMPORT)


def recorded_data(
    source: RecordedSource, instrument: str, note: str | None = None
) -> DataUsed:
    """Provenance of a figure that comes from the thesis params (a recorded, sourced fact)."""
    parts = [note] if note else []
    parts.append("figure recorded in the thesis params, not fetched live")
    if source.unverified:
        parts.append("UNVERIFIED in the project's fact sheet")
    return DataUsed(
        instrument=instrument,
        source=source.label(),
        start=source.date,
        end=source.date,
        note="; ".join(parts),
        fallback=True,
    )


def missing_for_needs(needs: Sequence[DataNeed], as_of: date) -> list[MissingData]:
    """One MissingData per declared need, with its dates and the fetch command."""
    out: list[MissingData] = []
    for need in needs:
        start = need.start.isoformat() if need.start else "full history"
        end = (need.end or as_of).isoformat()
        why = f": {need.why}" if need.why else ""
        out.append(
            MissingData(
                what=f"{need.instrument} ({need.kind}){why}",
                dates=f"{start} to {end}",
                **fetch_how([need.instrument]),
            )
        )
    return out


def missing_capability(capability: Capability) -> MissingData:
    """The model or engine that will decide a claim; no command fetches it."""
    return MissingData(
        what=capability.value,
        how="not built yet in this version of narrowgate; the claim is decided once it lands",
    )


def awaiting_assessment(
    *,
    measures: LocalizedText,
    capability: Capability,
    needs: Sequence[DataNeed],
    ctx: EvalContext,
    figures: Sequence[Figure] = (),
    data: Sequence[DataUsed] = (),
    notes: Sequence[LocalizedText] = (),
) -> Assessment:
    """'Insufficient data' that names every missing instrument, date range and capability."""
    missing = missing_for_needs(needs, ctx.as_of)
    if capability is not Capability.DATA_HUB:
        missing.append(missing_capability(capability))
    instruments = ", ".join(sorted({need.instrument for need in needs})) or "none"
    if ctx.hub is None:
        hub_note = text(
            "本次运行没有数据中心(data hub),未读取任何行情或财报数据。",
            "No data hub in this run: no bars, filings or macro series were read.",
        )
    else:
        hub_note = text(
            f"数据中心可用,但判定步骤尚未实现:{capability.value}。",
            f"A data hub is available, but the deciding step is not built yet: {capability.value}.",
        )
    summary = text(
        f"尚未判定。检验方法:{measures.zh} 需要:{capability.value};数据:{instruments}。",
        f"Not decided yet. Test: {measures.en} Needs the {capability.value}; "
        f"data: {instruments}.",
    )
    return Assessment(
        verdict=Verdict.INSUFFICIENT_DATA,
        summary=summary,
        evidence=Evidence(
            figures=list(figures),
            data=list(data),
            notes=[measures, hub_note, *notes],
            missing=missing,
        ),
    )


class AwaitingEvaluator(Evaluator[P]):
    """An evaluator whose params and data needs are final but whose deciding step waits.

    ``evaluate`` asks ``decide`` first whenever a data hub is present; ``decide`` returns
    ``None`` until the capability exists, and the assessment then says exactly what is
    missing. Subclasses fill in ``decide`` (reading ``ctx.hub``) when their model lands,
    without touching the rest.
    """

    capability: ClassVar[Capability]
    measures: ClassVar[LocalizedText]

    def setup_figures(self, params: P, ctx: EvalContext) -> list[Figure]:
        """Figures of the test set-up taken from the params (dates, thresholds, inputs)."""
        return []

    def recorded(self, params: P) -> list[DataUsed]:
        """Recorded, sourced figures from the params that the decision will use."""
        return []

    def decide(self, claim: Claim, params: P, ctx: EvalContext) -> Assessment | None:
        """The decision from hub data; ``None`` while the deciding step is not built."""
        return None

    def evaluate(self, claim: Claim, params: P, ctx: EvalContext) -> Assessment:
        if ctx.hub is not None:
            decided = self.decide(claim, params, ctx)
            if decided is not None:
                return decided
        horizon_notes: list[LocalizedText] = []
        if claim.horizon is not None:
            state = "已过" if ctx.as_of >= claim.horizon else "未到"
            state_en = "has passed" if ctx.as_of >= claim.horizon else "is not reached yet"
            horizon_notes.append(
                text(
                    f"期限 {claim.horizon} 在评估日 {ctx.as_of} {state}。",
                    f"The horizon {claim.horizon} {state_en} at as-of {ctx.as_of}.",
                )
            )
        return awaiting_assessment(
            measures=self.measures,
            capability=self.capability,
            needs=self.data_needs(params, ctx),
            ctx=ctx,
            figures=self.setup_figures(params, ctx),
            data=self.recorded(params),
            notes=horizon_notes,
        )


@dataclass
class EvidenceParts:
    """Evidence a helper gathers for a kind to merge into its own (figures, provenance,
    charts, gaps, notes); helpers add their own fields (a summary, readings) beside these."""

    figures: list[Figure] = field(default_factory=list)
    data: list[DataUsed] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    missing: list[MissingData] = field(default_factory=list)
    notes: list[LocalizedText] = field(default_factory=list)


def date_figure(key: str, zh: str, en: str, value: date) -> Figure:
    """A date shown as a figure (ISO text, unit 'date')."""
    return figure(key, zh, en, value.isoformat(), "date")


def bars_needs(
    instruments: Iterable[str], start: date | None, end: date, why: str
) -> list[DataNeed]:
    """Daily-bar needs for several instruments over one window."""
    return [
        DataNeed(instrument=i, kind="bars", start=start, end=end, why=why) for i in instruments
    ]


def pct(value: float, digits: int = 1) -> float:
    """A ratio or percentage rounded for display; the unrounded value stays in the model."""
    return round(value, digits)
