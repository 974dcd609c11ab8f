"""Readers for JSON files: macro dashboards ({dates, values}) and SEC companyfacts.

Dashboard values come in the dashboard's units, which are not always FRED's: the Fed
balance sheet is in USD trillions (2 decimals) and is converted to FRED's USD millions so
``fred:WALCL`` means one thing whichever source supplied it (precision ±5,000 M noted).
Series with no FRED equivalent (YoY rates, cross-country panels) get ``macro:`` ids.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from narrowgate.data.importers.base import fail
from narrowgate.errors import shown

if TYPE_CHECKING:
    import pandas as pd

SeriesOut = list[tuple[str, "pd.DataFrame", list[str]]]


def _frame(path: Path, dates: list[Any], values: list[Any], scale: float = 1.0
           ) -> tuple[pd.DataFrame, list[str]]:
    import numpy as np
    import pandas as pd

    if len(dates) != len(values):
        raise fail(path, None, f"{len(dates)} dates but {len(values)} values",
                   "the dashboard file is truncated; re-download it")
    from narrowgate.data.importers.csv_layouts import FIRST_DAY, LAST_DAY

    text = pd.Series([f"{d}-01" if len(str(d)) == 7 else str(d) for d in dates])
    parsed = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
    if parsed.isna().any():
        bad = text[parsed.isna()].iloc[0]
        raise fail(path, None, f"unreadable date {shown(bad)}", "dates must be YYYY-MM[-DD]")
    outside = (parsed < pd.Timestamp(FIRST_DAY)) | (parsed > pd.Timestamp(LAST_DAY))
    if outside.any():
        raise fail(path, None, f"date {shown(text[outside].iloc[0])} is outside "
                   f"{FIRST_DAY.year}–{LAST_DAY.year}", "fix the date or re-download the file")
    raw_values = pd.Series(values, dtype="object")
    numbers = pd.to_numeric(raw_values, errors="coerce")
    # null is a gap (dropped with a note); text where a number belongs, or an infinity, is a
    # broken file and must never reach the store as a value or a silent gap
    wrong = (numbers.isna() & raw_values.notna()) | numbers.isin([np.inf, -np.inf])
    if wrong.any():
        raise fail(path, None, f"value {shown(raw_values[wrong].iloc[0])} for "
                   f"{shown(text[wrong].iloc[0])} is not a finite number",
                   "fix the value or re-download the file")
    frame = pd.DataFrame({"date": parsed.astype("datetime64[ns]"),
                          "value": numbers.astype("float64") * scale})
    notes: list[str] = []
    empty = frame["value"].isna()
    if empty.any():
        notes.append(f"dropped {int(empty.sum())} null values")
        frame = frame[~empty]
    frame = frame.sort_values("date").drop_duplicates("date", keep="last")
    return frame.reset_index(drop=True), notes


def _fed_balance_sheet(path: Path, d: dict[str, Any]) -> SeriesOut:
    frame, notes = _frame(path, d["dates"], d["values"], scale=1e6)
    notes.append("converted from USD trillions (2 decimals) to USD millions: ±5,000 M")
    return [("fred:WALCL", frame, notes)]


def _cpi(path: Path, d: dict[str, Any]) -> SeriesOut:
    ids = {"headline": "macro:US_CPI_YOY", "core": "macro:US_CORE_CPI_YOY"}
    return [(ids[k], *_frame(path, d["dates"], v)) for k, v in d["series"].items() if k in ids]


def _single(instrument: str) -> Callable[[Path, dict[str, Any]], SeriesOut]:
    def read(path: Path, d: dict[str, Any]) -> SeriesOut:
        return [(instrument, *_frame(path, d["dates"], d["values"]))]

    return read


def _m2(path: Path, d: dict[str, Any]) -> SeriesOut:
    total = d["total"]
    out: SeriesOut = [("macro:M2_TOTAL_USD_TN", *_frame(path, total["dates"], total["values"]))]
    for country, values in d["country_series"].items():
        out.append((f"macro:M2_YOY_{country.upper()}",
                    *_frame(path, d["country_dates"], values)))
    return out


def _panel(prefix: str, leading_zero_placeholders: bool = False
           ) -> Callable[[Path, dict[str, Any]], SeriesOut]:
    def read(path: Path, d: dict[str, Any]) -> SeriesOut:
        out: SeriesOut = []
        for country, values in d["series"].items():
            frame, notes = _frame(path, d["dates"], values)
            if leading_zero_placeholders:
                nonzero = (frame["value"] != 0).cumsum() > 0
                if (~nonzero).any():
                    notes.append(f"dropped {int((~nonzero).sum())} leading zero placeholders")
                    frame = frame[nonzero].reset_index(drop=True)
            out.append((f"{prefix}{country.upper()}", frame, notes))
        return out

    return read


DASHBOARDS: dict[str, Callable[[Path, dict[str, Any]], SeriesOut]] = {
    "fed_balance_sheet": _fed_balance_sheet,
    "cpi": _cpi,
    "inflation_expectations": _single("macro:US_INFLATION_EXPECTATIONS"),
    "nfci": _single("fred:NFCI"),
    "m2": _m2,
    "rates": _panel("macro:POLICY_RATE_", leading_zero_placeholders=True),
    "unemployment": _panel("macro:UNRATE_"),
}


def read_dashboard_json(path: Path) -> SeriesOut | None:
    """Series from one dashboard file, or None when its name is not a known dashboard."""
    reader = DASHBOARDS.get(path.stem)
    if reader is None:
        return None
    payload = _json_body(path, "re-download the dashboard file")
    if not isinstance(payload, dict):
        raise fail(path, None, f"holds a JSON {type(payload).__name__}, not an object",
                   "expected {dates, values} or {dates, series}")
    try:
        return reader(path, payload)
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        raise fail(path, None, f"unexpected dashboard structure ({type(exc).__name__}: "
                   f"{shown(exc, quote=False)})",
                   "expected {dates, values} or {dates, series}") from None


#: a dashboard is kilobytes and the largest companyfacts body a few tens of megabytes
MAX_JSON_BYTES = 200 * 1024 * 1024


def _json_body(path: Path, fix: str) -> Any:
    """The parsed JSON of a regular, bounded, UTF-8 file, or one located line."""
    from narrowgate.textfile import UnreadableFile, read_text_file

    if path.is_symlink():
        raise fail(path, None, f"is a symbolic link (to {path.resolve()})",
                   "import the file itself, not a link to it")
    try:
        text = read_text_file(path, limit=MAX_JSON_BYTES)
    except UnreadableFile as exc:
        raise fail(path, None, f"cannot be read as JSON ({exc})", fix) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise fail(path, exc.lineno, f"not valid JSON ({exc.msg})", fix) from None
    except RecursionError:
        raise fail(path, None, "not valid JSON (nested too deep)", fix) from None


def read_companyfacts_json(path: Path, tickers: dict[str, str]) -> tuple[str, pd.DataFrame]:
    """(instrument, facts frame) from an SEC companyfacts body via the SEC provider's
    normaliser, so imported and fetched facts are identical in shape."""
    from narrowgate.data.providers.sec import normalise_companyfacts
    from narrowgate.errors import NarrowgateError

    fix = "re-download the companyfacts file"
    payload = _json_body(path, fix)
    if not isinstance(payload, dict):
        raise fail(path, None, f"holds a JSON {type(payload).__name__}, not a companyfacts "
                   "object", fix)
    number = str(payload.get("cik") or path.stem.removeprefix("CIK"))
    if not number.isdigit() or len(number) > 10:
        raise fail(path, None, f"CIK {shown(number)} is not a number of up to 10 digits",
                   "name the file CIK##########.json or give the body its 'cik'")
    cik = f"{int(number):010d}"
    instrument = f"sec:{tickers.get(cik, 'CIK' + cik)}"
    try:
        return instrument, normalise_companyfacts(payload)
    except NarrowgateError as exc:  # the normaliser words it for a fetch: name the file
        raise fail(path, None, exc.message.removeprefix("sec: "), fix) from None
