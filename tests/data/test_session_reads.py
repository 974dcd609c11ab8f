"""A store session reads each set of sources once and cuts every window from it: the cut
must equal what the query returns for that window (values, dtypes, index), on the real
imported data, and a write inside the session must be seen by the next read."""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from narrowgate.data import store_sql
from narrowgate.data.store import Coverage, Store


@pytest.fixture
def queries(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """How many SQL reads reach DuckDB (the real functions still run)."""
    seen: Counter[str] = Counter()
    for name in ("read_rows", "read_closes"):
        real: Callable[..., Any] = getattr(store_sql, name)

        def counted(*args: Any, _real: Callable[..., Any] = real, _name: str = name,
                    **kwargs: Any) -> Any:
            seen[_name] += 1
            return _real(*args, **kwargs)

        monkeypatch.setattr(store_sql, name, counted)
    return seen


def _windows(cov: Coverage) -> Iterator[tuple[date | None, date | None]]:
    """Whole, open-ended, inner, one-day, and empty windows of one stored series."""
    mid = cov.first + (cov.last - cov.first) / 2
    yield None, None
    yield mid, None
    yield None, mid
    yield cov.first + timedelta(days=10), cov.last - timedelta(days=10)
    yield mid, mid
    yield cov.first - timedelta(days=30), cov.first - timedelta(days=1)  # empty
    yield cov.last + timedelta(days=1), None  # empty


def _picks(store: Store, kind: str, count: int) -> list[Coverage]:
    held = [c for c in store.coverage(kind=kind) if c.rows >= 50]  # type: ignore[arg-type]
    assert len(held) >= count, f"the shared data holds fewer than {count} {kind} series"
    return held[:count]


def test_windows_cut_from_a_session_equal_the_queries(imported_store_path: Path,
                                                       queries: Counter[str]) -> None:
    store = Store(imported_store_path)
    cases: list[tuple[str, list[tuple[str, str]], date | None, date | None]] = []
    for kind in ("bars", "series"):
        for cov in _picks(store, kind, 3):
            cases += [(kind, [(cov.instrument, cov.source)], lo, hi)
                      for lo, hi in _windows(cov)]
    held = [c for c in store.coverage(kind="bars") if c.rows >= 50]
    two = [held[0], next(c for c in held if c.instrument != held[0].instrument)]
    cases += [("bars", [(c.instrument, c.source) for c in two], lo, hi)
              for lo, hi in _windows(two[0])]
    by_instrument: dict[str, list[Coverage]] = {}
    for c in held:
        by_instrument.setdefault(c.instrument, []).append(c)
    spliced = next(group for group in by_instrument.values() if len(group) > 1)[:2]
    cases += [("bars", [(c.instrument, c.source) for c in spliced], lo, hi)
              for lo, hi in _windows(spliced[0])]  # rows tie on date: kept as asked
    facts = _picks(store, "facts", 1)[0]
    cases += [("facts", [(facts.instrument, facts.source)], lo, hi)
              for lo, hi in _windows(facts)]

    direct = [store.read_rows(kind, picks, lo, hi) for kind, picks, lo, hi in cases]  # type: ignore[arg-type]
    closes_direct = [store.read_source_closes([(c.instrument, c.source) for c in two],
                                              ["close", "adj_close"], lo, hi)
                     for lo, hi in _windows(two[0])]
    asked = sum(queries.values())
    queries.clear()
    with store.session():
        cached = [store.read_rows(kind, picks, lo, hi) for kind, picks, lo, hi in cases]  # type: ignore[arg-type]
        closes_cached = [store.read_source_closes([(c.instrument, c.source) for c in two],
                                                  ["close", "adj_close"], lo, hi)
                         for lo, hi in _windows(two[0])]
        again = store.read_rows(*cases[3])  # type: ignore[arg-type]
    for (kind, picks, lo, hi), want, got in zip(cases, direct, cached, strict=True):
        assert len(want) > 0 or lo is not None, (kind, picks)
        if kind == "facts" or len(picks) > len({i for i, _ in picks}):  # rows that tie
            want, got = _sorted(want), _sorted(got)
        pd.testing.assert_frame_equal(got, want, check_exact=True, obj=f"{kind} {picks} {lo}–{hi}")
    for want, got in zip(closes_direct, closes_cached, strict=True):
        pd.testing.assert_frame_equal(got, want, check_exact=True)
    pd.testing.assert_frame_equal(again, direct[3], check_exact=True)
    # one query per set of bars/series picks and per empty window of them (asked of the
    # store itself); facts, whose rows tie, one per window as asked; one for the closes
    def ordered(kind: str, picks: list[tuple[str, str]]) -> bool:
        return kind != "facts" and len({i for i, _ in picks}) == len(picks)

    cut = [(kind, tuple(picks)) for kind, picks, _, _ in cases if ordered(kind, picks)]
    empty = sum(1 for (kind, picks, _, _), frame in zip(cases, direct, strict=True)
                if ordered(kind, picks) and frame.empty)
    empty += sum(1 for frame in closes_direct if frame.empty)
    as_asked = len({(kind, tuple(picks), lo, hi) for kind, picks, lo, hi in cases
                    if not ordered(kind, picks)})
    want_queries = len(set(cut)) + empty + as_asked + 1
    assert sum(queries.values()) == want_queries < asked


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(list(frame.columns), na_position="first").reset_index(drop=True)


def test_a_cut_is_a_copy(imported_store_path: Path) -> None:
    store = Store(imported_store_path)
    cov = _picks(store, "bars", 1)[0]
    with store.session():
        first = store.read_rows("bars", [(cov.instrument, cov.source)])
        first.loc[:, "close"] = -1.0
        second = store.read_rows("bars", [(cov.instrument, cov.source)])
    assert (second["close"] != -1.0).all()


def test_a_write_inside_the_session_is_seen(imported_store_path: Path,
                                            tmp_path: Path) -> None:
    path = tmp_path / "store.duckdb"
    shutil.copy(imported_store_path, path)
    store = Store(path)
    cov = _picks(store, "bars", 1)[0]
    pick = [(cov.instrument, cov.source)]
    mid = cov.first + (cov.last - cov.first) / 2
    with store.session():
        before = store.read_rows("bars", pick, None, cov.last)
        with store.writing() as con:
            con.execute("DELETE FROM bars WHERE instrument = ? AND source = ? AND date > ?",
                        [cov.instrument, cov.source, mid])
        after = store.read_rows("bars", pick, None, cov.last)
    assert len(after) < len(before)
    assert pd.Timestamp(after["date"].max()) <= pd.Timestamp(mid)
