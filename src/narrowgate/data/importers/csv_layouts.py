"""Readers for the CSV layouts of ../shared/data and of users' own files.

Columns are found by header name, never by position, because the same data comes with
``Close,High,Low,Open`` in one repository and ``open,close,high,low`` in another. Every
quirk that changes data (dropped placeholder rows, sorted newest-first files) leaves a note
that the fetch log keeps. Values that look wrong but may be real are kept: ``data check``
flags them, the importer never "fixes" prices.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from narrowgate.data.importers.base import fail
from narrowgate.errors import shown

if TYPE_CHECKING:
    import pandas as pd

BAR_COLUMNS = ("date", "open", "high", "low", "close", "adj_close", "volume", "pe")
_ALIASES = {
    "date": "date", "time": "date", "as_of": "date", "datetime": "date", "timestamp": "date",
    "open": "open", "high": "high", "low": "low", "close": "close", "price": "close",
    "adj_close": "adj_close", "adjclose": "adj_close", "adjusted_close": "adj_close",
    "volume": "volume", "vol": "volume", "pe": "pe", "pe_ttm": "pe",
}
_TWO_DIGIT_YEAR = re.compile(r"^\d{1,2}/\d{1,2}/\d{2}$")
_US_DATE = re.compile(r"^\d{1,2}/\d{1,2}/\d{4}$")
_DOTTED_DATE = re.compile(r"^\d{1,2}\.\d{1,2}\.\d{4}$")  # 31.12.2024, European exports
#: a European number with thousands dots: 1.234,56
_DOTTED_THOUSANDS = re.compile(r"\d\.\d{3}(?:\.\d{3})*,\d")
BTC_FIRST_REAL_DAY = date(2014, 9, 17)
#: market data outside these years is a typo, and past 2262 no timestamp can hold it
FIRST_DAY, LAST_DAY = date(1800, 1, 1), date(2200, 12, 31)
HSTECH_REAL_OHLC_FROM = date(2020, 7, 27)


def _normalise_header(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_")


def parse_dates(raw: pd.Series, path: Path) -> pd.Series:
    """Calendar days from ISO dates (optionally with a time and zone: the date part is
    the exchange-local day), unpadded ``Y-M-D``, ``M/D/YYYY``, ``M/D/YY`` or the
    European ``D.M.YYYY``.

    Two-digit years follow the POSIX pivot (69-99 → 19xx, 00-68 → 20xx); a date that
    would lie in the future moves back a century.
    """
    import pandas as pd

    text = raw.astype("string").str.strip()
    sample = text.dropna()
    first = str(sample.iloc[0]) if len(sample) else ""
    if _TWO_DIGIT_YEAR.match(first):
        dates = pd.to_datetime(text, format="%m/%d/%y", errors="coerce")
        future = dates > pd.Timestamp.now() + pd.Timedelta(days=366)
        dates = dates.where(~future, dates - pd.DateOffset(years=100))
    elif _US_DATE.match(first):
        dates = pd.to_datetime(text, format="%m/%d/%Y", errors="coerce")
    elif _DOTTED_DATE.match(first):
        dates = pd.to_datetime(text, format="%d.%m.%Y", errors="coerce")
    else:
        day = text.str.split(r"[ T]", n=1, regex=True).str[0]
        dates = pd.to_datetime(day, format="%Y-%m-%d", errors="coerce")
    bad = dates.isna()
    if bad.any():
        pos = int(bad.to_numpy().nonzero()[0][0])
        raise fail(path, _line(raw, pos), f"unreadable date {shown(raw.iloc[pos])}",
                   "dates must be YYYY-MM-DD (a time part is ignored), M/D/YYYY, M/D/YY "
                   "or D.M.YYYY")
    outside = (dates < pd.Timestamp(FIRST_DAY)) | (dates > pd.Timestamp(LAST_DAY))
    if outside.any():
        pos = int(outside.to_numpy().nonzero()[0][0])
        raise fail(path, _line(raw, pos), f"date {shown(raw.iloc[pos])} is outside "
                   f"{FIRST_DAY.year}–{LAST_DAY.year}", "fix the date or delete that row")
    return dates.astype("datetime64[ns]")


def _line(raw: pd.Series, pos: int) -> int:
    """The file line of row ``pos``: data starts on line 2, or 1 in a header-less file."""
    first = raw.attrs.get("first_data_line", 2)
    return pos + (first if isinstance(first, int) else 2)


#: columns that hold prices: a price is a positive, finite number (zero or less is no trade)
PRICE_COLUMNS = frozenset({"open", "high", "low", "close", "adj_close"})


def to_numbers(raw: pd.Series, path: Path, column: str, *, strict: bool = True) -> pd.Series:
    """float64; empty cells become NaN, any other non-number fails with its line, and so
    does infinity (a number outside any meaningful range must never be stored), and in a
    price column a value at or below zero. ``strict=False`` (``data check``, which lists
    such values instead of refusing the file) skips the range checks."""
    import numpy as np
    import pandas as pd

    if pd.api.types.is_numeric_dtype(raw):
        values = raw.astype("float64")
    else:
        values = pd.to_numeric(raw, errors="coerce")
        text = raw.astype("string").str.strip()
        bad = values.isna() & text.notna() & (text != "") & (text.str.lower() != "nan")
        if bad.any():
            pos = int(bad.to_numpy().nonzero()[0][0])
            raise fail(path, _line(raw, pos),
                       f"column {shown(column)} holds {shown(raw.iloc[pos])}, not a number",
                       "fix or delete that row, then re-import")
        values = values.astype("float64")
    if not strict:
        return values
    arr = values.to_numpy()
    wrong = np.isinf(arr)
    what = "infinite"
    if column in PRICE_COLUMNS and not wrong.any():
        wrong = arr <= 0  # NaN compares False: empty cells stay allowed
        what = "zero or negative, which no price is"
    if wrong.any():
        pos = int(wrong.nonzero()[0][0])
        raise fail(path, _line(raw, pos),
                   f"column {shown(column)} holds {shown(raw.iloc[pos])}: {what}",
                   "fix or delete that row, then re-import")
    return values


def _finish(frame: pd.DataFrame, notes: list[str], key: str = "close") -> pd.DataFrame:
    """Sort ascending, drop rows without a value and duplicate dates (keep last seen)."""
    if len(frame) > 1 and frame["date"].iloc[0] > frame["date"].iloc[-1]:
        notes.append("rows were newest first; sorted by date")
    frame = frame.sort_values("date", kind="stable")
    empty = frame[key].isna()
    if empty.any():
        notes.append(f"dropped {int(empty.sum())} rows without a {key}")
        frame = frame[~empty]
    dup = frame["date"].duplicated(keep="last")
    if dup.any():
        notes.append(f"dropped {int(dup.sum())} duplicate-date rows (kept the last)")
        frame = frame[~dup]
    return frame.reset_index(drop=True)


def _read_table(path: Path, columns: tuple[str, ...] | None,
                na_values: list[str] | None = None) -> pd.DataFrame:
    """The raw table; ``columns`` names a file without a header row (its first line is
    data), which error messages count from line 1 instead of 2.

    Only a regular file of bounded size is read (not a symlink: an import must not read
    outside what was given, e.g. a link to /etc/passwd); UTF-8, or GB18030 (the superset
    of GBK that Chinese exports use) when the bytes are not UTF-8; an empty, binary or
    ragged file is one located line, never a parser traceback.
    """
    import io

    import pandas as pd

    text = _checked_text(path)
    text, skipped = _yfinance_header(text, path) if columns is None else (text, 0)
    sep, decimal, thousands = _dialect(text)
    try:
        if columns is None:
            raw = pd.read_csv(io.StringIO(text), skipinitialspace=True, na_values=na_values,
                              sep=sep, decimal=decimal, thousands=thousands)
        else:
            raw = pd.read_csv(io.StringIO(text), skipinitialspace=True, na_values=na_values,
                              header=None, names=list(columns), sep=sep, decimal=decimal,
                              thousands=thousands)
    except ValueError as exc:  # pandas' ParserError and EmptyDataError are ValueErrors
        raise _table_error(path, exc) from None
    if columns is not None:
        raw.attrs["first_data_line"] = 1
    elif skipped:
        raw.attrs["first_data_line"] = 2 + skipped
    return raw


#: a data row is a date and a few numbers; a line longer than this is no CSV row
MAX_LINE_CHARS = 100_000


def _checked_text(path: Path) -> str:
    """The text of a data file, or one located line saying why it is none: a symbolic
    link, no regular file, too big, empty, binary, neither UTF-8 nor GBK, or a line longer
    than :data:`MAX_LINE_CHARS` characters (a run-away export, not a row of data)."""
    from narrowgate.textfile import UnreadableFile, read_file_bytes

    if path.is_symlink():
        raise fail(path, None, f"is a symbolic link (to {path.resolve()})",
                   "import the file itself, not a link to it")
    try:
        raw_bytes = read_file_bytes(path)
    except UnreadableFile as exc:
        raise fail(path, None, f"cannot be read ({exc})", "give a CSV file") from None
    if path.suffix.lower() in EXCEL_SUFFIXES:
        raw_bytes = excel_as_csv(path, raw_bytes).encode("utf-8")
    if not raw_bytes.strip():
        raise fail(path, 1, "the file is empty", "give a CSV with a header and data rows")
    if b"\x00" in raw_bytes[:4096]:
        raise fail(path, None, "is binary, not a CSV text file", "export it as CSV first")
    try:
        text = raw_bytes.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = raw_bytes.decode("gb18030")
        except UnicodeDecodeError as exc:
            line = raw_bytes[: exc.start].count(b"\n") + 1
            raise fail(path, line, "is neither UTF-8 nor GBK text",
                       "save it as UTF-8 CSV") from None
    if len(text) > MAX_LINE_CHARS:
        for number, line_text in enumerate(text.split("\n"), start=1):
            if len(line_text) > MAX_LINE_CHARS:
                raise fail(path, number, f"line {number} is {len(line_text):,} characters "
                           f"long, more than the {MAX_LINE_CHARS:,} a data row may have",
                           "check the export: one row per line, a date and a few numbers")
    return text


def _table_error(path: Path, exc: ValueError) -> Exception:
    """pandas' parser error as one located line (its own text may span lines)."""
    import pandas as pd

    if isinstance(exc, pd.errors.EmptyDataError):
        return fail(path, 1, "holds no table", "give a CSV with a header and data rows")
    found = re.search(r"line (\d+)", str(exc))
    detail = shown(" ".join(str(exc).split()), limit=120, quote=False)
    return fail(path, int(found.group(1)) if found else None,
                f"rows have different numbers of fields ({detail})",
                "give every row the header's columns")


#: spreadsheet files read through the same generic layout (first sheet, header row first)
EXCEL_SUFFIXES = (".xlsx", ".xlsm")


def excel_as_csv(path: Path, content: bytes) -> str:
    """The first sheet of an Excel export as CSV text (dates as YYYY-MM-DD), so it goes
    through the same column rules and checks as a CSV. Needs openpyxl."""
    import io

    import pandas as pd

    try:
        sheet = pd.read_excel(io.BytesIO(content), sheet_name=0, engine="openpyxl")
    except ImportError:
        raise fail(path, None, "is an Excel file and openpyxl is not installed",
                   "pip install 'narrowgate[excel]' (or save the sheet as CSV)") from None
    except Exception as exc:  # a damaged or foreign zip: openpyxl raises many kinds
        raise fail(path, None, f"is not a readable Excel workbook ({type(exc).__name__})",
                   "open it in a spreadsheet and save it again, or save it as CSV") from None
    for column in sheet.columns:
        if pd.api.types.is_datetime64_any_dtype(sheet[column]):
            sheet[column] = sheet[column].dt.strftime("%Y-%m-%d")
    return str(sheet.to_csv(index=False))


def _yfinance_header(text: str, path: Path) -> tuple[str, int]:
    """yfinance ``download(...).to_csv()`` writes three header rows (``Price,Close,…``,
    ``Ticker,AAPL,…``, ``Date,,…``): keep one (``Date,Close,…``). Returns the text and the
    number of header rows dropped. A file with several tickers is refused: one per file."""
    lines = text.split("\n", 3)
    if len(lines) < 3 or not lines[0].startswith("Price,") or not lines[1].startswith("Ticker,"):
        return text, 0
    tickers = sorted({t.strip() for t in lines[1].split(",")[1:] if t.strip()})
    if len(tickers) > 1:
        raise fail(path, 2, f"holds several tickers ({', '.join(tickers)})",
                   "download one ticker per file, or split the columns into one file each")
    if not lines[2].startswith("Date,"):
        return text, 0
    header = "Date," + lines[0].split(",", 1)[1]
    return header + "\n" + (lines[3] if len(lines) > 3 else ""), 2


def _dialect(text: str) -> tuple[str, str, str | None]:
    """(separator, decimal mark, thousands mark): ``;``-separated files (European exports)
    use a decimal comma, and maybe thousands dots; a comma-separated file is read as is."""
    head = text.split("\n", 1)[0]
    if head.count(";") <= head.count(","):
        return ",", ".", None
    return ";", ",", "." if _DOTTED_THOUSANDS.search(text[:20000]) else None


def read_ohlc_csv(path: Path, options: frozenset[str] = frozenset(),
                  columns: tuple[str, ...] | None = None) -> tuple[pd.DataFrame, list[str]]:
    """Daily bars from any header-named OHLC(V) CSV; a ``date,close`` file gives bars
    with only ``close``. Unknown columns (Symbol, amount, COT positions…) are ignored."""
    import pandas as pd

    notes: list[str] = []
    raw = _read_table(path, columns)
    names = {c: _ALIASES.get(_normalise_header(str(c))) for c in raw.columns}
    found = {v: k for k, v in reversed(list(names.items())) if v}
    if "date" not in found or "close" not in found:
        header = shown(", ".join(str(c) for c in raw.columns), limit=120)
        raise fail(path, 1, f"header {header} has no date and close columns",
                   "name them date,open,high,low,close[,adj_close][,volume]")
    frame = pd.DataFrame({"date": parse_dates(raw[found["date"]], path)})
    for col in BAR_COLUMNS[1:]:
        frame[col] = (to_numbers(raw[found[col]], path, col) if col in found
                      else pd.Series(float("nan"), index=raw.index, dtype="float64"))
    frame = _finish(frame, notes)
    frame = _apply_quirks(frame, options, notes)
    return frame, notes


def _apply_quirks(frame: pd.DataFrame, options: frozenset[str], notes: list[str]
                  ) -> pd.DataFrame:
    import pandas as pd

    if "btc_placeholders" in options:
        early = frame["date"] < pd.Timestamp(BTC_FIRST_REAL_DAY)
        if early.any():
            notes.append(f"dropped {int(early.sum())} placeholder rows before "
                         f"{BTC_FIRST_REAL_DAY} (constant prices, volume 0)")
            frame = frame[~early].reset_index(drop=True)
    if "artifact_first_row" in options and len(frame) > 1:
        first, second = frame.iloc[0], frame.iloc[1]
        same = all((pd.isna(first[c]) and pd.isna(second[c])) or first[c] == second[c]
                   for c in ("open", "high", "low", "close", "pe"))
        if first["date"].month == 1 and first["date"].day == 1 and same:
            notes.append(f"dropped artifact row {first['date'].date()} (copy of "
                         f"{second['date'].date()})")
            frame = frame.iloc[1:].reset_index(drop=True)
    if "zero_volume_missing" in options:
        frame = frame.assign(volume=frame["volume"].where(frame["volume"] != 0))
        notes.append("volume 0 means no volume: stored as missing")
    if "drop_volume" in options:
        frame = frame.assign(volume=float("nan"))
        notes.append("volume is single-venue: dropped")
    if "flat_zero_volume" in options:
        flat = ((frame["volume"] == 0) & (frame["open"] == frame["close"])
                & (frame["high"] == frame["close"]) & (frame["low"] == frame["close"]))
        if flat.any():
            days = ", ".join(str(d.date()) for d in frame.loc[flat, "date"])
            notes.append(f"dropped placeholder rows (volume 0, O=H=L=C): {days}")
            frame = frame[~flat].reset_index(drop=True)
    return frame


def read_value_csv(path: Path, columns: tuple[str, ...] | None = None
                   ) -> tuple[pd.DataFrame, list[str]]:
    """A dated series: first column the date; the value is ``value`` or the one other
    numeric column (FRED's ``date,SERIES_ID``, ``date,close``). A ``status`` column keeps
    only ``ok`` rows; FRED's ``.`` (missing) becomes a dropped row."""
    import pandas as pd

    notes: list[str] = []
    raw = _read_table(path, columns, na_values=["."])
    headers = {_normalise_header(str(c)): c for c in raw.columns}
    if len(raw.columns) < 2:
        raise fail(path, 1, "needs a date column and a value column", "e.g. date,value")
    value_col = headers.get("value") or next(
        (c for c in raw.columns[1:] if _normalise_header(str(c)) != "status"), None)
    if value_col is None:
        raise fail(path, 1, "has no value column next to the date and status",
                   "e.g. date,value")
    if "status" in headers:
        ok = raw[headers["status"]].astype("string").str.strip().str.lower() == "ok"
        if (~ok).any():
            notes.append(f"dropped {int((~ok).sum())} rows whose status is not ok")
        raw = raw[ok].reset_index(drop=True)
    frame = pd.DataFrame({"date": parse_dates(raw[raw.columns[0]], path),
                          "value": to_numbers(raw[value_col], path, str(value_col))})
    return _finish(frame, notes, key="value"), notes


_INVESTING_CN = {"日期": "date", "收盘": "close", "开盘": "open", "高": "high", "低": "low",
                 "交易量": "volume"}
_SUFFIX = {"K": 1e3, "M": 1e6, "B": 1e9}


def read_investing_cn(path: Path) -> tuple[pd.DataFrame, list[str]]:
    """investing.com's Chinese export: BOM, every value quoted, thousands commas,
    ``940.97M``/``1.57B`` volumes, unpadded dates, newest first. Before 2020-07-27 the
    source back-filled open=high=low=close; those OHL are set missing (close kept)."""
    import io

    import pandas as pd

    notes: list[str] = []
    try:
        raw = pd.read_csv(io.StringIO(_checked_text(path)), dtype=str, keep_default_na=False)
    except ValueError as exc:
        raise _table_error(path, exc) from None
    missing = [h for h in _INVESTING_CN if h not in raw.columns]
    if missing:
        raise fail(path, 1, f"header lacks {missing}", "expected investing.com's CN export")
    frame = pd.DataFrame({"date": parse_dates(raw["日期"], path)})
    for cn, col in _INVESTING_CN.items():
        if col == "date":
            continue
        text = raw[cn].str.replace(",", "", regex=False).str.strip()
        if col == "volume":
            mult = text.str[-1:].map(_SUFFIX).astype("float64").fillna(1.0)
            text = text.str.rstrip("KMB")
            frame[col] = to_numbers(text, path, cn) * mult
        else:
            frame[col] = to_numbers(text, path, cn)
    frame["adj_close"] = float("nan")
    frame["pe"] = float("nan")
    frame = _finish(frame[list(BAR_COLUMNS)], notes)
    filled = ((frame["date"] < pd.Timestamp(HSTECH_REAL_OHLC_FROM))
              & (frame["open"] == frame["close"]) & (frame["high"] == frame["close"])
              & (frame["low"] == frame["close"]))
    if filled.any():
        frame.loc[filled, ["open", "high", "low"]] = float("nan")
        notes.append(f"{int(filled.sum())} back-filled rows before {HSTECH_REAL_OHLC_FROM}: "
                     "open/high/low set missing")
    return frame, notes


MARGIN_SERIES = {"fin_balance": "cnmargin:FIN_BALANCE", "loan_balance": "cnmargin:LOAN_BALANCE",
                 "fin_buy": "cnmargin:FIN_BUY", "guarantee": "cnmargin:GUARANTEE"}


def read_margin_csv(path: Path) -> list[tuple[str, pd.DataFrame, list[str]]]:
    """A-share margin totals (100 M CNY): one series per column."""
    import io

    import pandas as pd

    try:
        raw = pd.read_csv(io.StringIO(_checked_text(path)))
    except ValueError as exc:
        raise _table_error(path, exc) from None
    if "date" not in raw.columns:
        raise fail(path, 1, "margin file lacks column 'date'",
                   "expected date,fin_balance,loan_balance,fin_buy,guarantee")
    dates = parse_dates(raw["date"], path)
    out = []
    for column, instrument in MARGIN_SERIES.items():
        if column not in raw.columns:
            raise fail(path, 1, f"margin file lacks column {column!r}",
                       "expected date,fin_balance,loan_balance,fin_buy,guarantee")
        notes: list[str] = []
        frame = pd.DataFrame({"date": dates, "value": to_numbers(raw[column], path, column)})
        out.append((instrument, _finish(frame, notes, key="value"), notes))
    return out
