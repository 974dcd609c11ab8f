"""User forecast CSVs: the documented layout loads; every bad row is one located line."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from narrowgate.data.forecast_csv import ForecastCsvError, load_forecast_csv, write_forecast_csv
from narrowgate.data.providers.forecasts import FORECAST_COLUMNS, tidy_forecasts
from narrowgate.errors import NarrowgateError

GOOD = """\
# 300308: 10jqka consensus as FACTS.md transcribed it; MU: Zacks via finviz
instrument,year,measure,value,unit,as_of,source,n_analysts
cn:300308,2025,net_profit,102.44,CNY 1e8,2025-12-08,10jqka consensus,30
cn:300308,2026,net_profit,187.62,CNY 1e8,2025-12-08,10jqka consensus,30

cn:300308,2027,net_profit,245.25,CNY 1e8,2025-12-08,10jqka consensus,28
us:MU,2026,eps,33.78,USD per share,2026-02-17,"Zacks, via finviz",
"""


def write(tmp_path: Path, body: str, name: str = "f.csv") -> Path:
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return path


def test_good_file(tmp_path: Path) -> None:
    frame = load_forecast_csv(write(tmp_path, GOOD))
    assert tuple(frame.columns) == FORECAST_COLUMNS
    mu = frame[frame["instrument"] == "us:MU"].iloc[0]
    assert (mu["year"], mu["value"], mu["source"]) == (2026, 33.78, "Zacks, via finviz")
    assert pd.isna(mu["n_analysts"]) and pd.isna(mu["fetched_at"])
    cn = frame[frame["instrument"] == "cn:300308"]
    assert cn["year"].tolist() == [2025, 2026, 2027]
    assert cn["n_analysts"].tolist() == [30.0, 30.0, 28.0]
    assert set(cn["as_of"]) == {pd.Timestamp("2025-12-08")}


def test_each_bad_row_is_one_located_line(tmp_path: Path) -> None:
    body = (
        "instrument,year,measure,value,unit,as_of,source\n"
        "cn:300308,2026,net_profit,187.62,CNY 1e8,2025-12-08,ok\n"  # line 2: fine
        "300308,2026,net_profit,1,CNY 1e8,2025-12-08,x\n"  # 3: no market
        "cn:300308,26,net_profit,1,CNY 1e8,2025-12-08,x\n"  # 4: year
        "cn:300308,2027,profit,1,CNY 1e8,2025-12-08,x\n"  # 5: measure
        "cn:300308,2027,net_profit,n/a,CNY 1e8,2025-12-08,x\n"  # 6: value
        "cn:300308,2027,net_profit,1,CNY 1e8,08/12/2025,x\n"  # 7: date
        "cn:300308,2027,net_profit,1,CNY 1e8,2025-12-08,\n"  # 8: source
        "cn:300308,2026,net_profit,190,CNY 1e8,2025-12-09,again\n"  # 9: repeats line 2
        "cn:300308,2028,net_profit,1,CNY 1e8\n"  # 10: too few fields
    )
    path = write(tmp_path, body)
    with pytest.raises(ForecastCsvError) as caught:
        load_forecast_csv(path)
    problems = caught.value.problems
    assert [p.split(": ")[0] for p in problems] == [f"{path}:{n}" for n in range(3, 11)]
    assert all(" — " in p and "\n" not in p for p in problems)
    assert "is not market:symbol" in problems[0] and "not a fiscal year" in problems[1]
    assert "use one of net_profit, eps" in problems[2]
    assert "not a date" in problems[4] and "YYYY-MM-DD" in problems[4]
    assert "repeats line 2" in problems[6] and "5 fields, the header has 7" in problems[7]
    assert str(caught.value).startswith(f"{path}:3: instrument")
    assert "(and 7 more problem(s))" in str(caught.value)


def test_header_problems(tmp_path: Path) -> None:
    with pytest.raises(ForecastCsvError, match=r"f.csv:1: missing column\(s\) as_of"):
        load_forecast_csv(write(tmp_path, "instrument,year,measure,value,unit,source\n"))
    body = "# note\ninstrument,year,measure,valeu,value,unit,as_of,source\n"
    with pytest.raises(ForecastCsvError, match=r"f.csv:2: unknown column\(s\) valeu"):
        load_forecast_csv(write(tmp_path, body))
    with pytest.raises(ForecastCsvError, match="no header"):
        load_forecast_csv(write(tmp_path, "\n# only a comment\n"))
    with pytest.raises(NarrowgateError, match="cannot read"):
        load_forecast_csv(tmp_path / "missing.csv")


def test_a_provider_fetch_round_trips(tmp_path: Path) -> None:
    fetched = datetime(2026, 3, 2, 8, 30, tzinfo=UTC)
    frame = tidy_forecasts([{
        "instrument": "cn:300308", "year": 2026, "measure": "net_profit", "value": 187.62,
        "low": 107.56, "high": 377.6, "n_analysts": 30, "unit": "CNY 1e8",
        "as_of": fetched.date(), "fetched_at": fetched, "source": "akshare.x() (10jqka)",
    }])
    again = load_forecast_csv(write_forecast_csv(frame, tmp_path / "saved.csv"))
    cols = ["instrument", "year", "measure", "value", "low", "high", "n_analysts", "unit",
            "as_of"]
    pd.testing.assert_frame_equal(again[cols], frame[cols])
    assert again["source"].iloc[0] == "akshare.x() (10jqka); fetched 2026-03-02T08:30:00+00:00"


@pytest.mark.parametrize("kind", ["device", "fifo", "folder"])
def test_a_path_that_is_no_regular_file_is_refused_without_reading(tmp_path: Path,
                                                                   kind: str) -> None:
    """/dev/zero would be read without bound and a FIFO would block: neither is opened."""
    import os

    if kind == "device":
        path = Path("/dev/zero")
    elif kind == "fifo":
        path = tmp_path / "pipe.csv"
        os.mkfifo(path)
    else:
        path = tmp_path
    with pytest.raises(NarrowgateError, match="not a regular file"):
        load_forecast_csv(path)


def test_a_file_over_the_limit_is_refused(tmp_path: Path) -> None:
    from narrowgate.textfile import UnreadableFile, read_text_file

    big = tmp_path / "big.csv"
    big.write_text("x" * 2048, encoding="utf-8")
    with pytest.raises(UnreadableFile, match="2,048 bytes, more than the 1,024"):
        read_text_file(big, limit=1024)
    assert read_text_file(big, limit=4096) == "x" * 2048
