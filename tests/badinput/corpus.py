"""The bad-input corpus: bad theses and bad data files, written into a folder at test time.

Each case is a command line of the real CLI and what a user must see: the exit code of the
README's table and a distinctive piece of its one line (what, where, how to fix). Large
cases (a 6 MB thesis, a 60 MB sparse CSV, a 2 MB line) are created here, at run time; the
repository holds only this script.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from tests.thesis.samples import BOMB, GOOD

GOOD_THESIS = GOOD.replace("id: tiny", "id: corpus", 1)
ALIAS_BOMB = BOMB


@dataclass(frozen=True)
class Case:
    """One bad input: the CLI arguments, the documented exit code, and a distinctive piece
    of the one line the user must get."""

    name: str
    argv: tuple[str, ...]
    code: int
    message: str
    #: NARROWGATE_HOME for this case alone (a damaged store); None: the corpus's store
    home: str | None = None


def _replace(old: str, new: str) -> str:
    assert old in GOOD_THESIS, old
    return GOOD_THESIS.replace(old, new)


#: (name, content written as the thesis file, exit code, message piece)
_THESES: list[tuple[str, str | bytes, int, str]] = [
    ("python-tag", _replace("  medium: test", "  medium: !!python/name:os.system x"), 3,
     "tag:yaml.org,2002:python/name:os.system is not allowed in a thesis"),
    ("impossible-timestamp", _replace("  medium: test", "  medium: !!timestamp 2026-02-30"), 3,
     "timestamp is not allowed"),
    ("binary-tag", _replace("  medium: test", "  medium: !!binary aGVsbG8="), 3,
     "binary is not allowed"),
    ("set-tag", _replace("  medium: test", "  medium: !!set {a, b}"), 3, "set is not allowed"),
    ("complex-key", _replace("  medium: test", "  ? [a, b]\n  : x\n  medium: test"), 3,
     ":6: a key must be plain text"),
    ("alias-bomb", ALIAS_BOMB, 3, "expands to more than 200,000 values"),
    ("deep-nesting", _replace("  medium: test", "  medium: " + "[" * 1000 + "]" * 1000), 3,
     "levels deep — a thesis needs a few; flatten it"),
    ("deep-mapping", _replace("  medium: test", "  medium: " + "{a: " * 300 + "1" + "}" * 300),
     3, "levels deep"),
    ("nan-threshold", _replace("benchmark: {us:TLT: 1}",
                               "benchmark: {us:TLT: 1}\n      min_excess_pp: .nan"), 3,
     ":25: claims[1].params.min_excess_pp: Input should be a finite number"),
    ("infinite-weight", _replace("{us:SPY: 1}", "{us:SPY: .inf}"), 3,
     "basket.us:SPY: Input should be a finite number"),
    ("wrong-unit", _replace("benchmark: {us:TLT: 1}",
                            "benchmark: {us:TLT: 1}\n      min_excess_pp: 5%"), 3,
     "min_excess_pp: Input should be a valid number"),
    ("unknown-market", _replace("us:TLT", "zz:TLT"), 3, "unknown market 'zz'"),
    ("horizon-before-publication", _replace("horizon: 2026-12-31", "horizon: 1850-01-01"), 3,
     ":20: claims[1].horizon: 1850-01-01 is before the publication date 2026-03-02"),
    ("params-misfit", _replace("basket: {us:SPY: 1}", "basket: [1, 2, 3]"), 3,
     ":23: claims[1].params.basket: Input should be a valid dictionary"),
    ("params-unknown-key", _replace("      reason:", "      reasons:"), 3,
     "unknown field 'reasons' of test 'qualitative' — did you mean 'reason'?"),
    ("unknown-test", _replace("test: relative-return", "test: relative-returns"), 3,
     "unknown test 'relative-returns' — use one of:"),
    ("huge-number", _replace("{us:SPY: 1}", "{us:SPY: 1" + "0" * 5000 + "}"), 3,
     ":23: a number with 5,001 digits"),
    ("control-character", _replace("Stocks beat", "Stocks \x1b[31mbeat"), 3,
     ":21: the control character #x001b cannot appear in a thesis"),
    ("nul-character", _replace("Gold is", "Gold\x00is"), 3, "control character #x0000"),
    ("gbk", GOOD_THESIS.encode("gb18030"), 3, ":3: not UTF-8 text"),
    ("utf16", GOOD_THESIS.encode("utf-16"), 3, ":1: not UTF-8 text"),
    ("binary", bytes(range(256)) * 8, 3, "not UTF-8 text"),
    ("empty", "", 3, ":1: the file is empty"),
    ("not-a-mapping", "- just\n- a list\n", 3, "a thesis is a mapping"),
    ("broken-yaml", _replace("  medium: test", "  medium: [test"), 3,
     "not valid YAML"),
]


def write_theses(folder: Path) -> list[Case]:
    """Write every bad thesis into ``folder``; each case runs `thesis validate FILE`."""
    folder.mkdir(parents=True, exist_ok=True)
    cases = []
    for name, content, code, message in _THESES:
        path = folder / f"{name}.yaml"
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
        cases.append(Case(name, ("thesis", "validate", str(path)), code, message))
    huge = folder / "huge.yaml"  # past the 5 MB a thesis may have
    huge.write_text(GOOD_THESIS + "# " + "x" * (6 * 1024 * 1024) + "\n", encoding="utf-8")
    cases.append(Case("huge", ("thesis", "validate", str(huge)), 3,
                      "more than the 5,242,880 read at most"))
    many = folder / "many-values.yaml"  # 210,001 plain values, no alias: too big a thesis
    many.write_text(_replace("  medium: test", "  medium: [" + "1, " * 210_000 + "1]"),
                    encoding="utf-8")
    cases.append(Case("many-values", ("thesis", "validate", str(many)), 3,
                      ":6: the file holds more than 200,000 values"))
    fifo = folder / "fifo.yaml"
    os.mkfifo(fifo)
    cases.append(Case("fifo", ("thesis", "validate", str(fifo)), 3,
                      "not a regular file (a device, pipe or folder)"))
    folder_case = folder / "folder.yaml"
    folder_case.mkdir()
    cases.append(Case("folder", ("thesis", "validate", str(folder_case)), 3,
                      "not a regular file"))
    link = folder / "passwd.yaml"
    link.symlink_to("/etc/passwd")
    cases.append(Case("symlink-to-passwd", ("thesis", "validate", str(link)), 3,
                      ":1: a thesis is a mapping"))
    cases.append(Case("missing", ("thesis", "validate", str(folder / "nope.yaml")), 3,
                      "nope.yaml: cannot read the file (No such file or directory)"))
    return cases


BARS = "date,open,high,low,close\n"


def _user_csv(name: str, content: str | bytes, code: int, message: str,
              instrument: str = "us:ZZTEST") -> Callable[[Path], Case]:
    """A user's own file imported with ``data import FILE --id INSTRUMENT``."""
    def write(folder: Path) -> Case:
        path = folder / f"{name}.csv"
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
        return Case(name, ("data", "import", str(path), "--id", instrument), code, message)

    return write


def _catalogued(name: str, subfolder: str, filename: str, content: str | bytes, code: int,
                message: str) -> Callable[[Path], Case]:
    """A file in a folder the catalog knows, imported with ``data import FOLDER``."""
    def write(folder: Path) -> Case:
        path = folder / name / subfolder / filename
        path.parent.mkdir(parents=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
        return Case(name, ("data", "import", str(folder / name)), code, message)

    return write


def _facts(end: str, value: str) -> str:
    return ('{"cik": 1, "facts": {"us-gaap": {"Revenues": {"units": {"USD": [{"end": "'
            + end + '", "val": ' + value + ', "fy": 2024, "fp": "FY", "form": "10-K", '
            '"filed": "2024-02-01"}]}}}}}')


_DATA: list[Callable[[Path], Case]] = [
    _user_csv("empty", "", 7, "empty.csv:1: the file is empty"),
    _user_csv("binary", bytes(range(256)) * 16, 7, "is binary, not a CSV text file"),
    _user_csv("gbk-value", "date,close\n2024-01-02,您好\n".encode("gbk"), 7,
              "gbk-value.csv:2: column 'close' holds '您好', not a number"),
    _user_csv("gbk-header", "日期,收盘\n2024-01-02,1.0\n".encode("gbk"), 7,
              "has no date and close columns"),
    _user_csv("not-utf8-nor-gbk", b"date,close\n2024-01-02,1\n\x81\xff\xfe,2\n", 7,
              "is neither UTF-8 nor GBK text"),
    _user_csv("ragged", BARS + "2024-01-02,1,2,0.5,1.5\n2024-01-04,1,2,0.5,1.5,9,9,9\n", 7,
              "ragged.csv:3: rows have different numbers of fields"),
    _user_csv("year-1677", BARS + "1677-01-01,1,2,0.5,1.5\n", 7,
              "year-1677.csv:2: date '1677-01-01' is outside 1800–2200"),
    _user_csv("year-9999", BARS + "2024-01-02,1,2,0.5,1.5\n9999-12-31,1,2,0.5,1.5\n", 7,
              "year-9999.csv:3: date '9999-12-31' is outside 1800–2200"),
    _user_csv("bad-date", BARS + "2024-02-30,1,2,0.5,1.5\n", 7,
              "bad-date.csv:2: unreadable date '2024-02-30'"),
    _user_csv("infinite-close", BARS + "2024-01-02,1,2,0.5,inf\n", 7,
              "column 'close' holds 'inf': infinite"),
    _user_csv("negative-close", BARS + "2024-01-02,1,2,0.5,-3\n", 7,
              "column 'close' holds '-3': zero or negative, which no price is"),
    _user_csv("text-close", BARS + "2024-01-02,1,2,0.5,n/a?\n", 7,
              "column 'close' holds 'n/a?', not a number"),
    _user_csv("infinite-series", "date,value\n2024-01-02,-inf\n", 7,
              "column 'value' holds '-inf': infinite", instrument="fred:ZZTEST"),
    _user_csv("nulls-as-csv", "[null, null, null]", 7, "has no date and close columns"),
    _user_csv("facts-as-csv", "date,value\n2024-01-02,1\n", 7,
              "a CSV cannot be imported as facts", instrument="sec:MSFT"),
    _user_csv("unknown-market", "date,value\n2024-01-02,1\n", 2, "unknown market 'zz'",
              instrument="zz:FOO"),
    _catalogued("dashboard-nulls", "macro_dashboard_kittycapital", "nfci.json",
                "[null, null, null]", 7, "nfci.json: holds a JSON list, not an object"),
    _catalogued("dashboard-null-dates", "macro_dashboard_kittycapital", "nfci.json",
                '{"dates": [null], "values": [null]}', 7, "unreadable date 'None'"),
    _catalogued("dashboard-infinity", "macro_dashboard_kittycapital", "nfci.json",
                '{"dates": ["2024-01-02"], "values": [Infinity]}', 7,
                "value 'inf' for '2024-01-02' is not a finite number"),
    _catalogued("dashboard-text-value", "macro_dashboard_kittycapital", "nfci.json",
                '{"dates": ["2024-01-02"], "values": ["12 bn"]}', 7,
                "value '12 bn' for '2024-01-02' is not a finite number"),
    _catalogued("dashboard-1677", "macro_dashboard_kittycapital", "nfci.json",
                '{"dates": ["1677-01-02"], "values": [1]}', 7,
                "date '1677-01-02' is outside 1800–2200"),
    _catalogued("dashboard-shape", "macro_dashboard_kittycapital", "rates.json",
                '{"dates": ["2024-01-02"], "series": [1, 2]}', 7,
                "unexpected dashboard structure"),
    _catalogued("dashboard-gbk", "macro_dashboard_kittycapital", "nfci.json",
                '{"dates": ["您好"], "values": [1]}'.encode("gbk"), 7,
                "cannot be read as JSON (not utf-8 text"),
    _catalogued("dashboard-empty", "macro_dashboard_kittycapital", "nfci.json", "", 7,
                "nfci.json:1: not valid JSON"),
    _catalogued("facts-binary", "companyfacts", "CIK0000000001.json", bytes(range(256)), 7,
                "cannot be read as JSON"),
    _catalogued("facts-nulls", "companyfacts", "CIK0000000001.json", "[null, null]", 7,
                "holds a JSON list, not a companyfacts object"),
    _catalogued("facts-year-1677", "companyfacts", "CIK0000000001.json",
                _facts("1677-01-31", "1"), 7, "no fact with a readable end date and value"),
    _catalogued("facts-infinity", "companyfacts", "CIK0000000001.json",
                _facts("2024-01-31", "Infinity"), 7, "no fact with a readable end date"),
    _catalogued("facts-no-facts", "companyfacts", "CIK0000000001.json",
                '{"cik": 1, "facts": [1, 2]}', 7, "companyfacts payload has no 'facts' object"),
    _catalogued("facts-bad-cik", "companyfacts", "CIKabc.json", '{"facts": {}}', 7,
                "CIK 'abc' is not a number of up to 10 digits"),
    _catalogued("margin-no-date", "csi_indices_ai_theme_monitor", "margin.csv",
                "day,fin_balance\n2024-01-02,1\n", 7, "margin file lacks column 'date'"),
    _catalogued("investing-binary", "hstech_investing_indexquery", "hstech.csv",
                bytes(range(256)) * 4, 7, "is binary, not a CSV text file"),
]


def write_data(folder: Path) -> list[Case]:
    """Write every bad data file into ``folder``; each case runs `data import`."""
    folder.mkdir(parents=True, exist_ok=True)
    cases = [write(folder) for write in _DATA]
    long_line = folder / "long-line.csv"  # one 2 MB cell: the message must stay one line
    long_line.write_text("date,close\n2024-01-02," + "9" * 2_000_000 + "\n", encoding="utf-8")
    cases.append(Case("long-line", ("data", "import", str(long_line), "--id", "us:ZZTEST"), 7,
                      "long-line.csv:2: line 2 is 2,000,011 characters long"))
    huge = folder / "huge.csv"  # sparse: 60 MB by its size, nothing on disk
    with huge.open("wb") as handle:
        handle.truncate(60 * 1024 * 1024)
    cases.append(Case("huge", ("data", "import", str(huge), "--id", "us:ZZTEST"), 7,
                      "more than the 52,428,800 read at most"))
    link = folder / "passwd.csv"
    link.symlink_to("/etc/passwd")
    cases.append(Case("symlink-to-passwd", ("data", "import", str(link), "--id", "us:ZZTEST"),
                      7, "passwd.csv: is a symbolic link (to /etc/passwd)"))
    fifo = folder / "fifo.csv"
    os.mkfifo(fifo)
    cases.append(Case("fifo", ("data", "import", str(fifo), "--id", "us:ZZTEST"), 7,
                      "--id needs a single CSV file"))
    for name in ("empty", "binary", "ragged", "long-line", "passwd", "fifo"):  # data check
        case = next(c for c in cases if c.name in (name, f"symlink-to-{name}"))
        said = "is not a regular file (a pipe" if name == "fifo" else case.message
        cases.append(replace(case, name=f"check-{name}", argv=("data", "check", case.argv[2]),
                             message=said))
    shrink = folder / "qqq-two-rows.csv"  # two rows spanning years over 6,906 stored ones
    shrink.write_text(BARS + "2010-01-04,46,47,45,46.4\n2024-01-02,400,405,398,402\n",
                      encoding="utf-8")
    cases.append(Case("shrinking-reimport", ("data", "import", str(shrink), "--id", "us:QQQ",
                                             "--source", "etf_daily_kittycapital"), 7,
                      "importing it would delete them — re-run with --replace"))
    return cases


def write_misc(folder: Path) -> list[Case]:
    """Bad options and damaged stores: ``run`` dates and ``--out``, unknown instruments,
    and store files that are cut short, empty, or another program's (SQLite)."""
    folder.mkdir(parents=True, exist_ok=True)
    a_file = folder / "a-file"
    a_file.write_text("someone else's file\n", encoding="utf-8")
    cases = [
        Case("as-of-9999", ("run", "--offline", "--no-record", "--as-of", "9999-12-31",
                            "--out", str(folder / "out")), 2,
             "--as-of 9999-12-31 is after 2200-12-31"),
        Case("as-of-year-1", ("run", "--offline", "--no-record", "--as-of", "0001-01-01",
                              "--out", str(folder / "out")), 2,
             "as-of 0001-01-01 is before the thesis 'ai-narrow-gate' was published"),
        Case("as-of-typo", ("run", "--offline", "--no-record", "--as-of", "2026-13-01"), 2,
             "--as-of '2026-13-01' is not a date"),
        Case("out-is-a-file", ("run", "--offline", "--no-record", "--out", str(a_file)), 2,
             "is a file, not a folder"),
        Case("unknown-market", ("data", "show", "zz:FOO"), 2, "unknown market 'zz'"),
        Case("unknown-symbol", ("data", "show", "us:NOSUCH"), 4, "no bars for us:NOSUCH"),
        Case("export-to-a-folder", ("data", "export", "us:QQQ", "--out", str(folder)), 2,
             f"--out {folder} is a folder — give a file name"),
        Case("export-to-nowhere", ("data", "export", "us:QQQ", "--out",
                                   str(folder / "no" / "such" / "qqq.csv")), 2,
             f"the folder {folder / 'no' / 'such'} does not exist"),
    ]
    strategy = folder / "strategy.yaml"  # a back-test strategy file that is no text
    strategy.write_bytes(bytes(range(256)))
    cases.append(Case("binary-strategy", ("backtest", str(strategy), "--offline"), 2,
                      "cannot read the strategy file (not utf-8 text"))
    import sqlite3

    damaged = {
        "store-empty-file": b"",
        "store-text": b"not a database\n" * 100,
        "store-random": bytes(range(256)) * 1024,
    }
    for name, content in damaged.items():
        home = folder / name
        home.mkdir()
        (home / "store.duckdb").write_bytes(content)
        cases.append(Case(name, ("data", "ls"), 6, "is not a readable narrowgate store",
                          home=str(home)))
    home = folder / "store-sqlite"
    home.mkdir()
    with sqlite3.connect(home / "store.duckdb") as con:
        con.execute("CREATE TABLE bars (x)")
    cases.append(Case("store-sqlite", ("data", "ls"), 6, "is not a readable narrowgate store",
                      home=str(home)))
    return cases
