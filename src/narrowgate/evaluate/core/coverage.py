"""The coverage gate: a final verdict needs data that reaches the point deciding it.

Why one module: "before the horizon → pending; past it with short data → pending with
the interim reading" is one rule. A kind computes its reading on the data it has and asks
the gate whether that reading may stand; the gate answers with the verdict to report and,
when it holds the reading back, a sentence giving the interim reading and the dates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from narrowgate.evaluate.verdict import VERDICT_LABELS, Verdict
from narrowgate.thesis.schema import LocalizedText

#: readings that the gate may hold back (a reading already pending or without data is kept)
_FINAL = (Verdict.SUPPORTED, Verdict.CONTRADICTED, Verdict.MIXED)


@dataclass(frozen=True)
class GateResult:
    """The verdict to report and, if the reading was held back, why (zh/en)."""

    verdict: Verdict
    interim: LocalizedText | None = None


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
