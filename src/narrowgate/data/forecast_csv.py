"""Profit forecasts from a user CSV, in the tidy frame the providers return.

Why a file: a consensus that no provider serves (a broker note, a paid terminal, a snapshot
taken before the price date) must still be usable, dated and cited, and a provider fetch
saved as a file makes a later run reproducible offline (``narrowgate value pricedin
--forecasts provider --save-forecasts FILE``, then ``--forecasts csv:FILE``).

Layout (UTF-8, a header row, one row per instrument, fiscal year and measure)::

    instrument,year,measure,value,unit,as_of,source
    cn:600519,2026,net_profit,950.0,CNY 1e8,2025-12-08,consensus of 30 institutions
    us:MU,2026,eps,33.78,USD per share,2026-02-17,Zacks via finviz

Optional columns: ``low``, ``high``, ``n_analysts``. Blank lines and lines starting with
``#`` are skipped. ``measure`` is ``net_profit`` or ``eps``; ``unit`` names currency,
scale and basis (``CNY 1e8``, ``CNY``, ``USD 1e6``, ``USD per share``); ``as_of`` is the day
the forecast describes (YYYY-MM-DD) and is required, because the evidence must say when.

Every bad row is reported as one line ``file:line: what — fix``; the error carries them all.
"""

from __future__ import annotations

import csv
import math
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from narrowgate.data.providers.forecasts import FORECAST_COLUMNS, MEASURES, tidy_forecasts
from narrowgate.errors import NarrowgateError

if TYPE_CHECKING:
    import pandas as pd

REQUIRED = ("instrument", "year", "measure", "value", "unit", "as_of", "source")
OPTIONAL = ("low", "high", "n_analysts")
YEAR_RANGE = (1990, 2100)


class ForecastCsvError(NarrowgateError):
    """A forecast CSV with bad rows; ``problems`` holds one ``file:line: what — fix`` each."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        first, _, fix = problems[0].partition(" — ")
        more = f" (and {len(problems) - 1} more problem(s))" if len(problems) > 1 else ""
        super().__init__(first + more, fix or None)


def _number(text: str) -> float | None:
    try:
        value = float(text.replace(",", "").replace("_", ""))
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _row(cells: dict[str, str], where: str, problems: list[str]) -> dict[str, Any] | None:
    """One CSV row → a tidy row, or None after appending its problems."""
    found: list[str] = []
    instrument = cells["instrument"]
    market, sep, symbol = instrument.partition(":")
    if not (sep and market and symbol):
        found.append(f"{where}: instrument {instrument!r} is not market:symbol — "
                     "write it like cn:600519 or us:MU")
    year = int(cells["year"]) if cells["year"].isdigit() else None
    if year is None or not YEAR_RANGE[0] <= year <= YEAR_RANGE[1]:
        found.append(f"{where}: year {cells['year']!r} is not a fiscal year — "
                     f"write a whole year between {YEAR_RANGE[0]} and {YEAR_RANGE[1]}")
    if cells["measure"] not in MEASURES:
        found.append(f"{where}: measure {cells['measure']!r} is unknown — "
                     f"use one of {', '.join(MEASURES)}")
    value = _number(cells["value"])
    if value is None:
        found.append(f"{where}: value {cells['value']!r} is not a number — "
                     "write a plain decimal, e.g. 187.62")
    if not cells["unit"]:
        found.append(f"{where}: unit is empty — name currency and scale, e.g. 'CNY 1e8' "
                     "or 'USD per share'")
    try:
        as_of: date | None = date.fromisoformat(cells["as_of"])
    except ValueError:
        as_of = None
        found.append(f"{where}: as_of {cells['as_of']!r} is not a date — give the day the "
                     "forecast describes as YYYY-MM-DD")
    if not cells["source"]:
        found.append(f"{where}: source is empty — say who made the forecast")
    extras: dict[str, float] = {}
    for name in OPTIONAL:
        text = cells.get(name, "")
        number = _number(text) if text else float("nan")
        if number is None:
            found.append(f"{where}: {name} {text!r} is not a number — leave it empty or write "
                         "a decimal")
        else:
            extras[name] = number
    problems.extend(found)
    if found:
        return None
    return {"instrument": instrument, "year": year, "measure": cells["measure"], "value": value,
            "unit": cells["unit"], "as_of": as_of, "fetched_at": None,
            "source": cells["source"], **extras}


def load_forecast_csv(path: str | Path) -> pd.DataFrame:
    """Read a forecast CSV (see the module docstring) into the tidy forecast frame.

    Raises :class:`ForecastCsvError` listing every bad row, a missing or unknown column, or
    a repeated (instrument, year, measure); ``NarrowgateError`` when the file is unreadable.
    """
    from narrowgate.textfile import UnreadableFile, read_text_file

    file = Path(path)
    try:
        text = read_text_file(file, encoding="utf-8-sig")
    except UnreadableFile as exc:
        raise NarrowgateError(f"{file}: cannot read the forecast CSV ({exc})",
                              "give a UTF-8 CSV file path") from None
    lines = [(n, line) for n, line in enumerate(text.splitlines(), start=1)
             if line.strip() and not line.lstrip().startswith("#")]
    if not lines:
        raise ForecastCsvError([f"{file}:1: the file has no header — start with "
                                f"{','.join(REQUIRED)}"])
    header = [h.strip() for h in next(csv.reader([lines[0][1]]))]
    head = f"{file}:{lines[0][0]}"
    missing = [c for c in REQUIRED if c not in header]
    unknown = [c for c in header if c not in REQUIRED + OPTIONAL]
    if missing or unknown:
        what = (f"missing column(s) {', '.join(missing)}" if missing
                else f"unknown column(s) {', '.join(unknown)}")
        raise ForecastCsvError([f"{head}: {what} — the header is "
                                f"{','.join(REQUIRED)}[,{','.join(OPTIONAL)}]"])
    problems: list[str] = []
    rows: list[dict[str, Any]] = []
    seen: dict[tuple[str, int, str], int] = {}
    for number, line in lines[1:]:  # one line at a time, so every problem has its line
        cells = next(csv.reader([line]), [])
        where = f"{file}:{number}"
        if len(cells) != len(header):
            problems.append(f"{where}: {len(cells)} fields, the header has {len(header)} — "
                            "quote fields that contain commas")
            continue
        row = _row({h: c.strip() for h, c in zip(header, cells, strict=True)}, where, problems)
        if row is None:
            continue
        key = (row["instrument"], row["year"], row["measure"])
        if key in seen:
            problems.append(f"{where}: {key[0]} {key[2]} {key[1]} repeats line {seen[key]} — "
                            "keep one row per instrument, year and measure")
            continue
        seen[key] = number
        rows.append(row)
    if problems:
        raise ForecastCsvError(problems)
    return tidy_forecasts(rows)


def write_forecast_csv(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write a tidy forecast frame in the CSV layout, so a provider fetch can be replayed.

    The fetch time, when known, is kept in ``source`` (the layout has no column for it).
    """
    import pandas as pd

    file = Path(path)
    columns = list(REQUIRED + OPTIONAL)
    with file.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(columns)
        for _, row in frame.loc[:, list(FORECAST_COLUMNS)].iterrows():
            source = str(row["source"])
            if pd.notna(row["fetched_at"]) and "fetched " not in source:
                source += f"; fetched {row['fetched_at'].isoformat(timespec='seconds')}"
            cells = {**row.to_dict(), "source": source,
                     "as_of": row["as_of"].date().isoformat() if pd.notna(row["as_of"]) else ""}
            writer.writerow(["" if pd.isna(cells[c]) else
                             (f"{cells[c]:g}" if c == "n_analysts" else cells[c])
                             for c in columns])
    return file


__all__ = ["OPTIONAL", "REQUIRED", "ForecastCsvError", "load_forecast_csv",
           "write_forecast_csv"]
