"""What a claim's card shows at a glance, decided before the template sees it.

Why a module: the card must decide in one look — verdict with its data date (and, for a
pending claim, the reading held back: "pending · so far contradicted"), the statement, the
few deciding figures, at most ``OPEN_CHARTS`` charts open and the rest folded, the stability
of the verdict, and the inputs one row per instrument. Those choices are rules, kept here
and tested, rather than template logic.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from narrowgate.evaluate.chart_spec import can_stack, stacked_chart
from narrowgate.evaluate.timeline import interim
from narrowgate.evaluate.verdict import VERDICT_LABELS, Chart, ClaimResult, DataUsed, Verdict

#: charts drawn open on a card; the others sit in a fold (and stay folded in print)
OPEN_CHARTS = 2

#: series names of a trade's equity chart and of the drawdown chart that follows it
EQUITY_SERIES = "equity"
DRAWDOWN_SERIES = "drawdown"

#: the coverage gate's sentence ends its English half with "So far: <verdict>."
_SO_FAR = re.compile(r"So far: (" + "|".join(
    re.escape(VERDICT_LABELS[v].en) for v in (Verdict.SUPPORTED, Verdict.CONTRADICTED,
                                               Verdict.MIXED)) + r")\.")


def so_far(result: ClaimResult) -> Verdict | None:
    """The reading a pending verdict holds back: the kind's ``interim_verdict`` figure, or
    else the coverage gate's "So far: …" in the summary; None for any other verdict."""
    if result.verdict is not Verdict.PENDING:
        return None
    stated = interim(result)
    if stated is not None:
        return stated
    match = _SO_FAR.search(result.summary.en)
    if match is None:
        return None
    return next(v for v in Verdict if VERDICT_LABELS[v].en == match.group(1))


@dataclass(frozen=True)
class InstrumentRow:
    """One instrument's inputs merged: every source and note, the widest date span, rows
    summed, the latest fetch, and the flags of any of its parts."""

    instrument: str
    sources: list[str]
    notes: list[str]
    start: date | None
    end: date | None
    rows: int | None
    fetched_at: datetime | None
    stale: bool
    fallback: bool


def provenance_rows(data: Sequence[DataUsed]) -> list[InstrumentRow]:
    """One row per instrument, in the order the evaluator first read each."""
    grouped: dict[str, list[DataUsed]] = {}
    for item in data:
        grouped.setdefault(item.instrument, []).append(item)
    return [_merge(instrument, items) for instrument, items in grouped.items()]


def _merge(instrument: str, items: list[DataUsed]) -> InstrumentRow:
    starts = [i.start for i in items if i.start is not None]
    ends = [i.end for i in items if i.end is not None]
    rows = [i.rows for i in items if i.rows is not None]
    fetched = [i.fetched_at for i in items if i.fetched_at is not None]
    return InstrumentRow(
        instrument=instrument,
        sources=list(dict.fromkeys(i.source for i in items)),
        notes=list(dict.fromkeys(i.note for i in items if i.note)),
        start=min(starts) if starts else None,
        end=max(ends) if ends else None,
        rows=sum(rows) if rows else None,
        fetched_at=max(fetched) if fetched else None,
        stale=any(i.stale for i in items),
        fallback=any(i.fallback for i in items),
    )


def shows_test(result: ClaimResult) -> bool:
    """The test name is shown only when it says something the id and kind do not."""
    return result.test not in (result.kind, result.claim_id)


def chart_groups(charts: Sequence[Chart]) -> list[tuple[Chart, bool]]:
    """The charts as a card draws them, each with whether it is two panels: an equity chart
    followed by its drawdown chart becomes one chart (drawdown below, one shared date axis),
    so a reader sees how deep the trade fell at the moment it did."""
    groups: list[tuple[Chart, bool]] = []
    n = 0
    while n < len(charts):
        chart = charts[n]
        after = charts[n + 1] if n + 1 < len(charts) else None
        if after is not None and _is_equity_then_drawdown(chart, after):
            groups.append((stacked_chart(chart, after), True))
            n += 2
        else:
            groups.append((chart, False))
            n += 1
    return groups


def _is_equity_then_drawdown(top: Chart, bottom: Chart) -> bool:
    return (any(s.name == EQUITY_SERIES for s in top.series) and bool(bottom.series)
            and all(s.name == DRAWDOWN_SERIES for s in bottom.series)
            and can_stack(top, bottom))
