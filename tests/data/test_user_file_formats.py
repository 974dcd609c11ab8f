"""Users' own files as they come out of other tools: a yfinance ``download()`` CSV (three
header rows), a ``;``-separated European export with decimal commas and D.M.YYYY dates, and
an Excel workbook — each written here from the real recorded QQQ closes in ../shared/data
and imported through the generic layout to the same numbers."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from narrowgate.data.importers import read_user_csv
from narrowgate.data.importers.base import ImportFailed
from tests.conftest import require_shared

QQQ = "prices/us/market_data_drrobanthony/QQQ.csv"


@pytest.fixture
def qqq() -> pd.DataFrame:
    frame = pd.read_csv(require_shared(QQQ), parse_dates=["date"]).head(60)
    return frame


def _same_bars(parsed: pd.DataFrame, original: pd.DataFrame) -> None:
    assert list(parsed["date"]) == list(original["date"])
    for column in ("open", "high", "low", "close", "volume"):
        assert parsed[column].to_numpy() == pytest.approx(original[column].to_numpy(),
                                                          rel=1e-12), column


def test_yfinance_download_csv_with_three_header_rows(tmp_path: Path,
                                                      qqq: pd.DataFrame) -> None:
    lines = ["Price,Close,High,Low,Open,Volume", "Ticker,QQQ,QQQ,QQQ,QQQ,QQQ",
             "Date,,,,,"]
    lines += [f"{r.date:%Y-%m-%d},{r.close!r},{r.high!r},{r.low!r},{r.open!r},{int(r.volume)}"
              for r in qqq.itertuples()]
    path = tmp_path / "QQQ.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _same_bars(read_user_csv(path, "us:QQQ").frame, qqq)


def test_yfinance_csv_with_two_tickers_is_refused_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "two.csv"
    path.write_text("Price,Close,Close\nTicker,QQQ,SPY\nDate,,\n2024-01-02,1,2\n",
                    encoding="utf-8")
    with pytest.raises(ImportFailed, match=r"two.csv:2: holds several tickers \(QQQ, SPY\)"):
        read_user_csv(path, "us:QQQ")


def test_bad_value_in_a_yfinance_csv_names_its_file_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("Price,Close\nTicker,QQQ\nDate,\n2024-01-02,1\n2024-01-03,oops\n",
                    encoding="utf-8")
    with pytest.raises(ImportFailed, match=r"bad.csv:5: column 'close' holds 'oops'"):
        read_user_csv(path, "us:QQQ")


def test_semicolon_export_with_decimal_commas(tmp_path: Path, qqq: pd.DataFrame) -> None:
    def eu(value: float) -> str:
        whole, _, frac = f"{value:,.4f}".partition(".")
        return whole.replace(",", ".") + "," + frac

    lines = ["Datum;Open;High;Low;Close;Volume"]
    lines += [f"{r.date:%d.%m.%Y};{eu(r.open)};{eu(r.high)};{eu(r.low)};{eu(r.close)};"
              f"{int(r.volume)}" for r in qqq.itertuples()]
    path = tmp_path / "qqq-eu.csv"
    path.write_text("\n".join(lines).replace("Datum", "Date") + "\n", encoding="utf-8")
    parsed = read_user_csv(path, "us:QQQ").frame
    assert list(parsed["date"]) == list(qqq["date"])
    assert parsed["close"].to_numpy() == pytest.approx(qqq["close"].to_numpy(), abs=5e-5)


def test_excel_workbook_through_the_generic_layout(tmp_path: Path, qqq: pd.DataFrame) -> None:
    pytest.importorskip("openpyxl")
    path = tmp_path / "QQQ.xlsx"
    qqq.to_excel(path, index=False)
    _same_bars(read_user_csv(path, "us:QQQ").frame, qqq)


def test_a_damaged_workbook_is_one_line(tmp_path: Path) -> None:
    pytest.importorskip("openpyxl")
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(ImportFailed, match=r"broken\.xlsx: is not a readable Excel workbook"):
        read_user_csv(path, "us:QQQ")
