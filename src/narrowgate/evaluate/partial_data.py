"""Reading a basket whose members may not all be in the store: keep what exists, name the rest.

Why: context baskets (an export basket, an AI-hardware proxy) should shrink to the members
with data rather than sink the whole assessment; the members left out are reported as
``MissingData`` with their dates and the command that fetches them. pandas is imported
inside functions (evaluator modules must import cheaply).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

from narrowgate.errors import DataNotFound
from narrowgate.evaluate.common import fetch_how
from narrowgate.evaluate.hubdata import read_closes
from narrowgate.evaluate.registry import EvalContext
from narrowgate.evaluate.verdict import DataUsed, MissingData

if TYPE_CHECKING:
    import pandas as pd


def read_available(
    ctx: EvalContext, instruments: Sequence[str], start: date | None, end: date | None, why: str
) -> tuple[pd.DataFrame | None, list[DataUsed], list[MissingData]]:
    """Closes of the members that have data in [start, min(end, as-of)], one read each.

    Returns the wide frame (``None`` if no member has data), the provenance of the members
    read, and one ``MissingData`` per member without closes in the window.
    """
    import pandas as pd

    frames: list[pd.DataFrame] = []
    data: list[DataUsed] = []
    missing: list[MissingData] = []
    stop = min(end, ctx.as_of) if end else ctx.as_of
    for instrument in instruments:
        try:
            frame, used = read_closes(ctx, [instrument], start, stop)
        except DataNotFound:
            missing.append(MissingData(
                what=f"{instrument} (bars): {why}",
                dates=f"{start.isoformat() if start else 'full history'} to {stop.isoformat()}",
                **fetch_how([instrument]),
            ))
            continue
        frames.append(frame[[instrument]])
        data.extend(used)
    if not frames:
        return None, data, missing
    return pd.concat(frames, axis=1, sort=True), data, missing
