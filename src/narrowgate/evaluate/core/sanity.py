"""Sanity bounds: a figure outside a physically meaningful range is "not meaningful".

Why one place: a model can return a number that is arithmetic but not economics — an
equity duration of two centuries (a dividend yield that leaves out buybacks), an implied
price move beyond −100%, a P/E on negative earnings. Such a number must be shown with the
reason it means nothing and must never decide a verdict. A kind names the range (in the
figure's own unit) and why a value outside it means nothing; :func:`judge` says whether a
value is inside; :func:`not_meaningful_figure` turns a figure into the shown form (value
None, the reason in the label in both languages).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from narrowgate.evaluate.verdict import Figure
from narrowgate.thesis.schema import LocalizedText


@dataclass(frozen=True)
class SanityBound:
    """A meaningful range in one unit: ``low``/``high`` (None: open); ``open_low`` and
    ``open_high`` exclude the end itself (−100% is not a possible price move, it is a loss
    of everything). ``why`` says what a value outside the range would mean."""

    unit: str
    why: LocalizedText
    low: float | None = None
    high: float | None = None
    open_low: bool = False
    open_high: bool = False

    def holds(self, value: float) -> bool:
        """Whether ``value`` is finite and inside the range."""
        if not math.isfinite(value):
            return False
        if self.low is not None and (value <= self.low if self.open_low else value < self.low):
            return False
        return not (self.high is not None
                    and (value >= self.high if self.open_high else value > self.high))

    def range_text(self) -> str:
        """The range in words, e.g. '(-100, +inf) %' or '[0, 100] years'."""
        lo = "-inf" if self.low is None else f"{self.low:g}"
        hi = "+inf" if self.high is None else f"{self.high:g}"
        left = "(" if self.open_low or self.low is None else "["
        right = ")" if self.open_high or self.high is None else "]"
        return f"{left}{lo}, {hi}{right} {self.unit}"


@dataclass(frozen=True)
class Judged:
    """A value checked against a bound: ``value`` is None when it is not meaningful, and
    ``reason`` then says the computed number, the range and why (both languages)."""

    value: float | None
    reason: LocalizedText | None = None

    @property
    def meaningful(self) -> bool:
        return self.reason is None


def judge(value: float | None, bound: SanityBound, *, digits: int = 1) -> Judged:
    """The value if it lies inside ``bound``; else None with the reason (the computed
    number rounded to ``digits``, the range, and ``bound.why``). None stays None."""
    if value is None:
        return Judged(None)
    if bound.holds(value):
        return Judged(value)
    shown = f"{value:,.{digits}f}" if math.isfinite(value) else str(value)
    rng = bound.range_text()
    return Judged(None, LocalizedText(
        zh=f"无意义:算得 {shown} {bound.unit},超出合理范围 {rng};{bound.why.zh}",
        en=f"not meaningful: computed {shown} {bound.unit}, outside {rng}; {bound.why.en}"))


def because_of(what: LocalizedText) -> LocalizedText:
    """The reason of a figure derived from a not-meaningful one (named by ``what``)."""
    return LocalizedText(zh=f"无意义:由{what.zh}推出,而后者无意义",
                         en=f"not meaningful: derived from {what.en}, which is not meaningful")


def not_meaningful_figure(fig: Figure, reason: LocalizedText) -> Figure:
    """The figure shown as not meaningful: no value (so it can never decide), not decisive,
    the reason appended to its label and 'not meaningful' to its unit."""
    label = LocalizedText(zh=f"{fig.label.zh}({reason.zh})", en=f"{fig.label.en} ({reason.en})")
    return fig.model_copy(update={"value": None, "label": label, "decisive": False,
                                  "unit": f"{fig.unit} (not meaningful)"})


__all__ = ["Judged", "SanityBound", "because_of", "judge", "not_meaningful_figure"]
