"""The measured window: the horizon ends it unless the params name their own end.

Why one function: "start at the params' start or the publication date; measure up to the
params' end or the claim's horizon, but never past as-of" was restated by each kind. The
date that decides the claim is kept apart from the last day measured, so the coverage gate
can tell a reading that is final from one the data have not reached yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from datetime import date

    from narrowgate.evaluate.registry import EvalContext
    from narrowgate.thesis.schema import Claim


@dataclass(frozen=True)
class MeasuredWindow:
    """First day measured, last day measured (≤ as-of) and the date that decides the claim
    (None: no end date and no horizon, so as-of decides)."""

    start: date
    stop: date
    decides: date | None


def measured_window(claim: Claim, ctx: EvalContext, *, start: date | None = None,
                    end: date | None = None) -> MeasuredWindow:
    """``start`` defaults to the publication date; ``end`` to the claim's horizon."""
    decides = end or claim.horizon
    stop = min(decides, ctx.as_of) if decides else ctx.as_of
    return MeasuredWindow(start=start or ctx.published, stop=stop, decides=decides)
