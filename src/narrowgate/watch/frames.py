"""Run history as pandas frames, for ``narrowgate.history()`` and ``narrowgate.flips()``.

A thin layer over :mod:`narrowgate.watch.history` (which works on plain rows), so the
notebook view and the command line read the same runs and flips.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from narrowgate.data.store import Store
from narrowgate.evaluate.verdict import Verdict
from narrowgate.watch.history import find_flips, list_runs

if TYPE_CHECKING:
    import pandas as pd

RUN_COLUMNS = ["run", "thesis", "thesis_hash", "as_of", "generated_at",
               *(v.value for v in Verdict), "data_end"]
FLIP_COLUMNS = ["thesis", "claim", "from_run", "to_run", "from_as_of", "to_as_of", "old",
                "new", "figure", "value_before", "value_after", "unit"]


def runs_frame(store: Store, thesis: str | None = None) -> pd.DataFrame:
    """One row per recorded run (index: run id); verdict columns hold claim counts,
    ``data_end`` the newest date any claim read, ``generated_at`` is UTC."""
    import pandas as pd

    rows = []
    for row in list_runs(store, thesis):
        ends = [d for d in row.data.values() if d is not None]
        rows.append({"run": row.run_id, "thesis": row.thesis_id,
                     "thesis_hash": row.thesis_hash, "as_of": row.as_of,
                     "generated_at": row.generated_at,
                     **{v.value: row.counts.get(v.value, 0) for v in Verdict},
                     "data_end": max(ends) if ends else None})
    return pd.DataFrame(rows, columns=RUN_COLUMNS).set_index("run")


def flips_frame(store: Store, thesis: str | None = None) -> pd.DataFrame:
    """One row per verdict flip between consecutive runs of a thesis; the figure is the
    claim's headline (key and unit from the later run where it has one)."""
    import pandas as pd

    rows = []
    for flip in find_flips(store, list_runs(store, thesis)):
        before, after = flip.change.figure_before, flip.change.figure_after
        named = after or before
        rows.append({"thesis": flip.thesis_id, "claim": flip.change.claim_id,
                     "from_run": flip.before.run_id, "to_run": flip.after.run_id,
                     "from_as_of": flip.before.as_of, "to_as_of": flip.after.as_of,
                     "old": flip.change.old, "new": flip.change.new,
                     "figure": named.key if named else None,
                     "value_before": before.value if before else None,
                     "value_after": after.value if after else None,
                     "unit": named.unit if named else None})
    return pd.DataFrame(rows, columns=FLIP_COLUMNS)
