"""Verdicts and the evidence behind them: the currency every evaluator pays in.

A verdict without evidence is a bug, so ``Assessment`` requires an ``Evidence`` object and
"insufficient data" requires at least one ``MissingData`` entry naming what would decide it.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from narrowgate.thesis.schema import LocalizedText


class Verdict(StrEnum):
    SUPPORTED = "supported"
    CONTRADICTED = "contradicted"
    MIXED = "mixed"
    PENDING = "pending"
    INSUFFICIENT_DATA = "insufficient data"
    QUALITATIVE = "qualitative"


VERDICT_LABELS: dict[Verdict, LocalizedText] = {
    Verdict.SUPPORTED: LocalizedText(zh="成立", en="supported"),
    Verdict.CONTRADICTED: LocalizedText(zh="被否定", en="contradicted"),
    Verdict.MIXED: LocalizedText(zh="部分成立", en="mixed"),
    Verdict.PENDING: LocalizedText(zh="待观察", en="pending"),
    Verdict.INSUFFICIENT_DATA: LocalizedText(zh="数据不足", en="insufficient data"),
    Verdict.QUALITATIVE: LocalizedText(zh="定性", en="qualitative"),
}


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Figure(_Model):
    """One number that decides (or informs) a verdict, with its unit spelled out."""

    key: str
    label: LocalizedText
    value: float | int | str | None
    unit: str = Field(description="e.g. 'USD bn', '%', 'x', 'days', 'CNY/pt'")
    decisive: bool = False


class DataUsed(_Model):
    """Provenance of one input: which instrument, which dates, from where, fetched when."""

    instrument: str
    source: str
    start: date | None = None
    end: date | None = None
    fetched_at: datetime | None = None
    rows: int | None = None
    note: str | None = None
    stale: bool = False
    fallback: bool = False
    #: price basis of spliced closes: "raw", "split" or "total" (dividends reinvested)
    basis: str | None = None


class ChartSeries(_Model):
    name: str
    x: list[str | float | int]
    y: list[float | None]
    kind: Literal["line", "bar", "scatter"] = "line"
    axis: Literal["y", "y2"] = "y"


class Chart(_Model):
    """A library-neutral chart spec; the HTML report draws it with the bundled plotly.js."""

    title: LocalizedText
    series: list[ChartSeries]
    x_label: str = ""
    y_label: str = ""
    y2_label: str | None = None
    x_is_date: bool = True

    def to_plotly(self, lang: Literal["zh", "en"] = "en") -> object:
        """This chart as a ``plotly.graph_objects.Figure`` (for notebooks; needs plotly)."""
        from narrowgate.evaluate.chart_spec import plotly_figure

        return plotly_figure(self, lang)


class MissingData(_Model):
    """What is missing for a verdict, and how a user can get it.

    ``fetch`` lists the instruments whose data would close the gap (front ends turn it
    into the command that fetches them); ``how`` is any other advice. One of them is set.
    """

    what: str
    dates: str | None = None
    how: str = ""
    fetch: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _actionable(self) -> MissingData:
        if not self.how and not self.fetch:
            raise ValueError("missing data must say how to get it (how) or what to fetch")
        return self


class WatchItem(_Model):
    """An indicator whose next move would flip the verdict: where it is, where the line is.

    ``distance`` is threshold − current in the indicator's unit, so a reader sees how far
    the claim is from flipping and in which direction.
    """

    label: LocalizedText
    current: float
    threshold: float
    unit: str
    flips_to: Verdict
    instrument: str | None = None
    observed: date | None = None

    @property
    def distance(self) -> float:
        return self.threshold - self.current


class Evidence(_Model):
    figures: list[Figure] = Field(default_factory=list)
    data: list[DataUsed] = Field(default_factory=list)
    charts: list[Chart] = Field(default_factory=list)
    notes: list[LocalizedText] = Field(default_factory=list)
    missing: list[MissingData] = Field(default_factory=list)
    watch: list[WatchItem] = Field(default_factory=list)

    def newest_data(self) -> date | None:
        """The newest date of market or filing data read (figures recorded in the thesis,
        ``fallback``, carry the date they were read, not a data date)."""
        ends = [item.end for item in self.data if item.end is not None and not item.fallback]
        return max(ends) if ends else None


class Assessment(_Model):
    """What an evaluator returns: the verdict, a one-paragraph summary, the evidence."""

    verdict: Verdict
    summary: LocalizedText
    evidence: Evidence

    @model_validator(mode="after")
    def _evidence_fits_verdict(self) -> Assessment:
        if self.verdict is Verdict.INSUFFICIENT_DATA and not self.evidence.missing:
            raise ValueError("'insufficient data' must name the missing data and how to get it")
        if self.verdict not in (Verdict.INSUFFICIENT_DATA, Verdict.QUALITATIVE) and not (
            self.evidence.figures or self.evidence.data
        ):
            raise ValueError(f"a '{self.verdict}' verdict needs figures or data as evidence")
        return self


class TimelineEntry(_Model):
    """The claim as one earlier as-of date saw the data (schema 1.6): its verdict (and for
    ``pending`` the interim reading it holds back), its deciding figure in the figure's own
    unit, and the newest market or filing date it read."""

    as_of: date
    verdict: Verdict
    so_far: Verdict | None = None
    figure_key: str | None = None
    value: float | int | str | None = None
    unit: str | None = None
    data_end: date | None = None


class ClaimResult(_Model):
    claim_id: str
    kind: str
    test: str
    statement: LocalizedText
    section: str | None = None
    horizon: date | None = None
    verdict: Verdict
    summary: LocalizedText
    evidence: Evidence
    error: str | None = None
    #: % of a ±20% band around the thresholds that keeps the verdict (the weakest of the
    #: claim's line-based decisions); None where the kind decides by a rule of its own
    stability: float | None = None
    #: the verdict replayed at each month end since publication and at as-of (schema 1.6;
    #: empty where not replayed: qualitative claims, ``--no-timeline``)
    timeline: list[TimelineEntry] = Field(default_factory=list)

    def _repr_html_(self) -> str:
        """A one-line card in Jupyter: verdict, id, summary, headline figure."""
        from narrowgate.evaluate.card import claim_html

        return claim_html(self, "en")
