"""Data quality checks for `narrowgate data check`: flag, never fix.

A price series can be wrong in ways an importer must not guess about (a real 50 % crash
looks like a 2:1 split), so these checks only report: non-positive prices, duplicate
dates, high/low inconsistencies, sessions of the market's trading calendar missing from
the data, and day-over-day jumps close to a split ratio.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    import pandas as pd

SPLIT_RATIOS = (2, 3, 4, 5, 8, 10, 20)
_PRICES = ("open", "high", "low", "close", "adj_close")
_MAX_LISTED = 5


@dataclass(frozen=True)
class Finding:
    target: str
    check: str
    day: str
    detail: str
    severity: Literal["error", "warning"] = "warning"


def check_bars(target: str, frame: pd.DataFrame, calendar: str | None) -> list[Finding]:
    """Findings for one bars frame (columns date, open…close, adj_close, volume)."""
    import numpy as np
    import pandas as pd

    out: list[Finding] = []
    dates = frame["date"]
    for col in _PRICES:
        if col in frame.columns:
            bad = frame[frame[col] <= 0]
            for _, row in bad.head(_MAX_LISTED).iterrows():
                out.append(Finding(target, "non-positive price", str(row["date"])[:10],
                                   f"{col} = {row[col]}", "error"))
            if len(bad) > _MAX_LISTED:
                out.append(Finding(target, "non-positive price", "", f"… {len(bad)} rows",
                                   "error"))
    dup = dates[dates.duplicated()]
    for day in dup.head(_MAX_LISTED):
        out.append(Finding(target, "duplicate date", str(day)[:10], "", "error"))
    inverted = frame[frame["high"] < frame["low"]]
    for _, row in inverted.head(_MAX_LISTED).iterrows():
        out.append(Finding(target, "high below low", str(row["date"])[:10],
                           f"high {row['high']} < low {row['low']}"))
    close = frame.drop_duplicates("date").set_index("date")["close"].sort_index()
    # split-like jumps are read between positive closes only (non-positive ones are
    # listed above): a ratio through zero or a sign change means nothing
    positive = close.where(close > 0)
    ratio = (positive / positive.shift(1)).to_numpy()
    for i in np.flatnonzero(np.isfinite(ratio) & ((ratio < 0.55) | (ratio > 1.8))):
        r = float(ratio[i])
        n = 1 / r if r < 1 else r
        near = [k for k in SPLIT_RATIOS if abs(n / k - 1) < 0.04]
        if near:
            kind = f"{near[0]}:1 split" if r < 1 else f"1:{near[0]} reverse split"
            out.append(Finding(target, "split-like jump", str(close.index[int(i)])[:10],
                               f"close ×{r:.3f}: looks like an unadjusted {kind}"))
    if calendar and len(close) > 1:
        out.extend(_calendar_gaps(target, pd.DatetimeIndex(close.index), calendar))
    return out


def _calendar_gaps(target: str, days: pd.DatetimeIndex, calendar: str) -> list[Finding]:
    import warnings

    import exchange_calendars as xc
    import pandas as pd

    try:
        with warnings.catch_warnings():  # the library's own pandas deprecations
            warnings.simplefilter("ignore")
            cal = xc.get_calendar(calendar, start=days[0].strftime("%Y-%m-%d"),
                                  end=days[-1].strftime("%Y-%m-%d"))
            sessions = cal.sessions_in_range(days[0], days[-1])
    except Exception:  # calendar does not reach back that far: no gap check possible
        return []
    sessions = pd.DatetimeIndex(sessions).tz_localize(None)
    missing = sessions.difference(pd.DatetimeIndex(days).normalize())
    if missing.empty:
        return []
    shown = ", ".join(d.strftime("%Y-%m-%d") for d in missing[:_MAX_LISTED])
    more = f" … ({len(missing)} in all)" if len(missing) > _MAX_LISTED else ""
    return [Finding(target, f"gap vs {calendar}", shown[:10],
                    f"{len(missing)} trading sessions missing: {shown}{more}")]


def check_targets(targets: list[str]) -> list[Finding]:
    """Check instrument ids (every stored source) and/or CSV files; no targets = all
    bars in the store."""
    from narrowgate.data.importers.base import fail
    from narrowgate.data.store import Store
    from narrowgate.instruments import MARKETS, canonical

    store = Store()
    findings: list[Finding] = []
    files = [t for t in targets if Path(t).is_file() or Path(t).is_symlink()]
    for target in targets:  # a FIFO or a folder named as a file: say so, never read it
        if target not in files and Path(target).exists():
            raise fail(Path(target), None, "is not a regular file (a pipe, device or folder)",
                       "give CSV files or instrument ids")
    ids = [canonical(t) for t in targets if t not in files]
    for file in files:
        findings.extend(check_file(Path(file)))
    if ids or not targets:
        with store.session():
            covs = store.coverage(ids or None, "bars")
            for c in covs:
                frame = store.read_rows("bars", [(c.instrument, c.source)])
                market = MARKETS[c.instrument.split(":", 1)[0]]
                findings.extend(check_bars(f"{c.instrument} [{c.source}]", frame,
                                           market.calendar if market.calendar else None))
    return findings


def check_file(path: Path) -> list[Finding]:
    """Check a CSV file as read (before any de-duplication the importer would do)."""
    import pandas as pd

    from narrowgate.data.importers.csv_layouts import (
        BAR_COLUMNS,
        _read_table,
        parse_dates,
        to_numbers,
    )

    # the importer's reading: a symlink, a device, a huge, empty, binary, non-UTF-8/GBK or
    # ragged file is one located line here too, never a parser traceback
    raw = _read_table(path, None)
    cols = {str(c).strip().lower().replace(" ", "_"): c for c in raw.columns}
    date_col = cols.get("date") or raw.columns[0]
    frame = pd.DataFrame({"date": parse_dates(raw[date_col], path)})
    if "close" not in cols:
        return [Finding(str(path), "layout", "", "no close column: only bars are checked")]
    for col in BAR_COLUMNS[1:]:
        frame[col] = (to_numbers(raw[cols[col]], path, col, strict=False) if col in cols
                      else float("nan"))
    return check_bars(str(path), frame, None)
