"""Sanity bounds of the equity-duration block (issue 13, item 6).

Why apart: a dividend-yield duration is arithmetic on a yield; for a fund that returns cash
mostly through buybacks it comes out at centuries (QQQ ~204 years on a 0.46% yield), and
the price moves computed from it (−80% for a 39 bp yield rise) mean nothing. Such figures
are shown as "not meaningful" with the reason (:mod:`narrowgate.evaluate.core.sanity`) and
never feed a verdict or a chart. Durations in years; price moves in %.
"""

from __future__ import annotations

from narrowgate.evaluate.common import text
from narrowgate.evaluate.core.sanity import SanityBound, because_of, judge, not_meaningful_figure
from narrowgate.evaluate.verdict import Figure
from narrowgate.thesis.schema import LocalizedText

#: an implied price move is a fraction of the price: −100% (lose everything) is the floor
IMPLIED_MOVE = SanityBound(
    unit="%", low=-100.0, open_low=True,
    why=text("价格跌幅不可能超过 100%。", "a price cannot fall by more than 100%."))
#: figures of a fund computed from its duration (key prefixes)
FROM_DURATION = ("duration_", "rate_up_", "rate_down_", "rate_linear_", "rate_implied_")


def duration_bound(max_years: float) -> SanityBound:
    """(0, ``max_years``] years, and why a longer dividend-yield duration means nothing."""
    return SanityBound(unit="years", low=0.0, high=max_years, open_low=True,
                       why=text("股息率久期长达数百年说明股息率漏掉了股东的大部分现金回报"
                                "(回购),不能当作利率敏感度。",
                                "a dividend-yield duration of centuries means the dividend "
                                "yield leaves out most of the cash returned to holders "
                                "(buybacks); it is no measure of rate sensitivity."))


def broken_bounds(max_years: float, duration: float, implied: float
                  ) -> dict[str, LocalizedText]:
    """The bounds a fund's reading breaks → the reason: ``duration`` (years) beyond
    ``max_years``, ``implied`` (the yield-implied price move, decimal) at or below −100%."""
    out: dict[str, LocalizedText] = {}
    judged = judge(duration, duration_bound(max_years))
    if judged.reason is not None:
        out["duration"] = judged.reason
    moved = judge(implied * 100, IMPLIED_MOVE)
    if moved.reason is not None:
        out["implied"] = moved.reason
    return out


def screened(broken: dict[str, LocalizedText], figures: list[Figure]) -> list[Figure]:
    """A fund's figures with those a broken bound touches shown as not meaningful."""
    out = []
    for f in figures:
        reason = None
        if "duration" in broken and f.key.startswith(FROM_DURATION):
            reason = broken["duration"] if f.key.startswith("duration_") else because_of(
                text("该基金的久期", "the fund's duration"))
        elif f.key.startswith("rate_implied_"):
            reason = broken.get("implied")
        out.append(f if reason is None else not_meaningful_figure(f, reason))
    return out
