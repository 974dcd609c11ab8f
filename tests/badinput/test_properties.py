"""Whatever bytes a user hands narrowgate as a thesis or a CSV, the answer is a thesis, a
frame, or one of narrowgate's own errors (one line for the CLI) — never another exception.

Random bytes mostly fail at the first check, so each property also draws from a vocabulary
of the format's own pieces (YAML anchors, tags, brackets, thesis keys; CSV headers, dates,
numbers, separators), which reaches the parsers and validators behind those checks.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from narrowgate.errors import NarrowgateError

_YAML_PIECES = [
    "format: 1\n", "id: t\n", "title: {zh: 论点, en: T}\n", "source:\n", "  title: S\n",
    "  medium: m\n", "  published: 2026-03-02\n", "claims:\n", "  - id: c\n",
    "    kind: view\n", "    test: relative-return\n", "    test: qualitative\n",
    "    horizon: 2026-12-31\n", "    statement: {zh: 说, en: says}\n", "    params:\n",
    "      basket: {us:SPY: 1}\n", "      benchmark: {us:TLT: 1}\n",
    "      reason: {zh: 因, en: why}\n", "&a ", "*a", "<<: *a\n", "!!python/name:os.system ",
    "!!binary ", "!!timestamp ", "!!set ", "? ", "[", "]", "{", "}", ", ", ": ", "- ", "\n",
    "  ", "'", '"', "#", ".nan", ".inf", "-1e309", "9" * 50, "2026-02-30", "null", "~", "\t",
    "\x1b", "\ufeff", "中文", "%YAML 1.1\n", "---\n", "...\n", "|\n", ">\n",
]

_CSV_PIECES = [
    "date", "Date", "time", "open", "high", "low", "close", "adj_close", "volume", "value",
    "status", "Price", "Ticker", "日期", "收盘", ",", ";", "\t", "\n", "\r\n", '"', " ",
    "2024-01-02", "2024-02-30", "1677-01-01", "9999-12-31", "1/2/24", "31.12.2024",
    "2024-01-02T10:00:00+08:00", "1.5", "-3", "0", "inf", "-inf", "nan", "NaN", ".", "1,234.5",
    "1.234,5", "1e308", "1e999", "ok", "n/a", "\x00", "\xff", "中",
]


def _joined(pieces: list[str]) -> st.SearchStrategy[bytes]:
    return st.lists(st.sampled_from(pieces), max_size=40).map(
        lambda parts: "".join(parts).encode("utf-8", errors="surrogatepass"))


_THESIS_BYTES = st.one_of(st.binary(max_size=600), _joined(_YAML_PIECES))
_CSV_BYTES = st.one_of(st.binary(max_size=600), _joined(_CSV_PIECES))


def _file(content: bytes, suffix: str) -> Path:
    """A fresh file per example (hypothesis runs many examples in one test call)."""
    with tempfile.NamedTemporaryFile(suffix=suffix, delete=False) as handle:
        handle.write(content)
    return Path(handle.name)


@settings(max_examples=250, deadline=None)
@given(_THESIS_BYTES)
def test_any_bytes_as_a_thesis_give_a_thesis_or_a_narrowgate_error(content: bytes) -> None:
    from narrowgate.thesis.loader import load_thesis
    from narrowgate.thesis.schema import Thesis

    path = _file(content, ".yaml")
    try:
        assert isinstance(load_thesis(path), Thesis)
    except NarrowgateError as exc:
        assert str(exc).strip()
    finally:
        path.unlink()


@settings(max_examples=250, deadline=None)
@given(_CSV_BYTES, st.sampled_from(["us:ZZTEST", "fred:ZZTEST"]))
def test_any_bytes_as_a_csv_give_a_frame_or_a_narrowgate_error(content: bytes,
                                                               instrument: str) -> None:
    import numpy as np

    from narrowgate.data.importers import read_user_csv

    path = _file(content, ".csv")
    try:
        parsed = read_user_csv(path, instrument)
    except NarrowgateError as exc:
        message = str(exc)
        assert message.strip() and "\n" not in message, message
    else:  # what would reach the store: dated, finite where present, sorted, unique
        frame = parsed.frame
        values = frame.drop(columns=["date"]).to_numpy(dtype="float64")
        assert not np.isinf(values).any()
        assert frame["date"].is_monotonic_increasing and frame["date"].is_unique
    finally:
        path.unlink()
