"""The coverage gate: a final verdict needs data that reaches the point deciding it.

Why one module: "before the horizon → pending; past it with short data → pending with
the interim reading" is one rule. A kind computes its reading on the data it has and asks
the gate whether that reading may stand; the gate answers with the verdict to report and,
when it holds the reading back, a sentence giving the interim reading and the dates.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import pairwise

from narrowgate.data.need import FETCH_OR_IMPORT
from narrowgate.evaluate.verdict import (
    VERDICT_LABELS,
    Assessment,
    DataUsed,
    Evidence,
    MissingData,
    Verdict,
)
from narrowgate.thesis.schema import LocalizedText

#: readings that the gate may hold back (a reading already pending or without data is kept)
_FINAL = (Verdict.SUPPORTED, Verdict.CONTRADICTED, Verdict.MIXED)


def data_reach(observed: Sequence[date]) -> date | None:
    """The last day the observations cover: the last date plus one typical spacing, less a
    day (a monthly value dated the 1st covers its month; a weekly one its week)."""
    days = sorted(set(observed))
    if not days:
        return None
    if len(days) == 1:
        return days[0]
    gaps = sorted((b - a).days for a, b in pairwise(days))
    spacing = gaps[len(gaps) // 2]
    if 28 <= spacing <= 31 and all(d.day == 1 for d in days):  # monthly, dated the 1st
        last = days[-1]
        next_month = date(last.year + last.month // 12, last.month % 12 + 1, 1)
        return next_month - timedelta(days=1)
    return days[-1] + timedelta(days=max(spacing - 1, 0))


def data_gap(instrument: str, data_end: date, as_of: date, slack_days: int) -> MissingData | None:
    """The stretch between the last observation and as-of, when longer than ``slack_days``:
    missing data a fetch would fill (not a gate: the reading stands on what is stored)."""
    if (as_of - data_end).days <= slack_days:
        return None
    return MissingData(what=f"{instrument} observations after the last stored one ({data_end})",
                       dates=f"{data_end + timedelta(days=1)} to {as_of}",
                       fetch=[instrument], how=FETCH_OR_IMPORT)


def nothing_to_read_yet(baseline: date, reason: object, data: list[DataUsed]) -> Assessment:
    """``pending``: no observation follows the baseline yet (as-of on or just after
    publication), so there is no reading to judge; ``reason`` is the model's own words."""
    why = LocalizedText(zh=f"基准日 {baseline} 之后尚无可读的观测值({reason})。",
                        en=f"No observation to read after the baseline {baseline} yet "
                           f"({reason}).")
    return Assessment(verdict=Verdict.PENDING, summary=why,
                      evidence=Evidence(data=data, notes=[why]))


@dataclass(frozen=True)
class GateResult:
    """The verdict to report and, if the reading was held back, why (zh/en)."""

    verdict: Verdict
    interim: LocalizedText | None = None

    def said_first(self, summary: LocalizedText) -> LocalizedText:
        """``summary`` with the held-back reading said before it (unchanged if none)."""
        if self.interim is None:
            return summary
        return LocalizedText(zh=self.interim.zh + summary.zh,
                             en=f"{self.interim.en} {summary.en}")


def coverage_gate(reading: Verdict, *, decides_at: date | None, data_reaches: date | None,
                  as_of: date) -> GateResult:
    """``reading`` if the data reach ``decides_at`` (and as-of is past it), else pending.

    ``decides_at`` is the date that decides the claim (a horizon, an entry window, an
    event date); None means the claim has no such date and the reading stands.
    ``data_reaches`` is the last date the data used actually cover.
    """
    if decides_at is None or reading not in _FINAL:
        return GateResult(reading)
    reached = data_reaches is not None and data_reaches >= decides_at and as_of >= decides_at
    if reached:
        return GateResult(reading)
    label = VERDICT_LABELS[reading]
    reach = data_reaches.isoformat() if data_reaches else "—"
    if as_of < decides_at:
        zh = (f"期限 {decides_at} 未到(评估日 {as_of}),数据截至 {reach};"
              f"目前的读数:{label.zh}。")
        en = (f"The deciding date {decides_at} is not reached (as-of {as_of}); the data "
              f"reach {reach}. So far: {label.en}.")
    else:
        zh = f"期限 {decides_at} 已过,但数据只到 {reach};目前的读数:{label.zh}。"
        en = (f"The deciding date {decides_at} has passed but the data only reach {reach}. "
              f"So far: {label.en}.")
    return GateResult(Verdict.PENDING, LocalizedText(zh=zh, en=en))
