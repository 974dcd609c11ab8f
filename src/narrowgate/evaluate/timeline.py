"""Timeline: every claim's verdict replayed at month ends since publication.

Why: a verdict read once says where a claim stands today, not whether it has been there
all along or flipped last week. Replaying the evaluation at earlier as-of dates (each one
sees only what was knowable then: the DataView clips every read) shows the path, and the
flips on it. Generic: it runs whatever kinds the thesis uses, one store session for all
dates. The pending readings keep their interim verdict ("pending · so far contradicted").
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING

from narrowgate.evaluate.verdict import ClaimResult, Verdict

if TYPE_CHECKING:
    from narrowgate.data.hub import DataHub
    from narrowgate.thesis.schema import Thesis

#: the figure key under which kinds state the reading a pending verdict holds back
INTERIM_KEY = "interim_verdict"


def month_ends(start: date, end: date) -> list[date]:
    """The last day of every month after ``start`` up to ``end``, and ``end`` itself."""
    days: list[date] = []
    year, month = start.year, start.month
    while True:
        month_after = date(year + month // 12, month % 12 + 1, 1)
        last = month_after - timedelta(days=1)
        if last >= end:
            break
        if last > start:
            days.append(last)
        year, month = month_after.year, month_after.month
    return [*days, end]


def interim(result: ClaimResult) -> Verdict | None:
    """The reading a pending verdict holds back, where its kind states one."""
    for fig in result.evidence.figures:
        if fig.key == INTERIM_KEY and isinstance(fig.value, str):
            try:
                return Verdict(fig.value)
            except ValueError:
                return None
    return None


@dataclass(frozen=True)
class Reading:
    """One claim on one date: the verdict, and for pending the interim reading."""

    verdict: Verdict
    so_far: Verdict | None = None

    def label(self) -> str:
        return self.verdict.value + (f" (so far {self.so_far.value})" if self.so_far else "")


@dataclass
class Timeline:
    """Claims × dates of readings, in thesis order and date order."""

    dates: list[date]
    claims: list[str]
    readings: dict[str, list[Reading]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def flips(self) -> list[tuple[str, date, Reading, Reading]]:
        """(claim, date, before, after) wherever a claim's verdict changed."""
        out = []
        for claim in self.claims:
            row = self.readings[claim]
            for k in range(1, len(row)):
                if row[k].verdict is not row[k - 1].verdict:
                    out.append((claim, self.dates[k], row[k - 1], row[k]))
        return out


def replay(thesis: Thesis, dates: Sequence[date], hub: DataHub, *,
           on_date: Callable[[date], None] | None = None) -> Timeline:
    """Evaluate ``thesis`` at each of ``dates`` (offline, on the store as it is)."""
    from narrowgate.evaluate.runner import evaluate_thesis

    timeline = Timeline(dates=list(dates), claims=[c.id for c in thesis.claims])
    timeline.readings = {claim: [] for claim in timeline.claims}
    with hub.store.session():
        for day in dates:
            card = evaluate_thesis(thesis, day, offline=True, hub=hub, book=False)
            for result in card.results:
                so_far = interim(result) if result.verdict is Verdict.PENDING else None
                timeline.readings[result.claim_id].append(Reading(result.verdict, so_far))
                if result.error:
                    timeline.errors.append(f"{day} {result.claim_id}: {result.error}")
            if on_date is not None:
                on_date(day)
    return timeline
