"""The trade scoreboard: every trade a thesis holds or implies, one row each, from its figures.

Why read the figures and not the back-test: the report renders a scorecard (possibly one
loaded from ``scorecard.json`` on another machine), so a row must be rebuilt from what the
scorecard says. A trade's figures share a key prefix and always carry ``since_return``
(see :mod:`narrowgate.evaluate.trade_backtest`): the ``trade`` kind writes them without a
prefix, an implied trade with ``trade_`` (a second one ``trade_vs_…_``, ``trade_at_window_``).
Every number in a row is the scorecard's own figure, never recomputed; only the data age
(days from the last close to the as-of date) is derived, in calendar days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from narrowgate.evaluate.book import WEIGHTING_LABELS, Book
from narrowgate.evaluate.scorecard import Scorecard
from narrowgate.evaluate.verdict import ClaimResult, Figure, Verdict
from narrowgate.thesis.schema import LocalizedText

#: the key every trade's figure group carries (after its prefix)
ANCHOR_KEY = "since_return"
#: the leg weights of a ``trade``-kind claim ("leg_us:DIA"), not their price moves
LEG_KEY = "leg_"
LEG_RETURN_KEY = "leg_return_"


@dataclass(frozen=True)
class TradeRow:
    """One trade: the claim it belongs to, its name, and its figures as the scorecard has
    them (``None`` where the trade does not report one). ``age_days``: calendar days from
    the trade's last close to the scorecard's as-of date."""

    claim_id: str
    verdict: Verdict
    name: LocalizedText
    prefix: str
    total_return: Figure
    entry: Figure | None
    last: Figure | None
    plain_spread: Figure | None
    max_drawdown: Figure | None
    volatility: Figure | None
    sharpe: Figure | None
    percentile: Figure | None
    age_days: int | None

    @property
    def made_money(self) -> bool:
        value = self.total_return.value
        return isinstance(value, int | float) and value > 0

    @property
    def return_pct(self) -> float | None:
        """The return after costs as a number (``None`` when the figure is missing)."""
        value = self.total_return.value
        return float(value) if isinstance(value, int | float) else None


def trade_rows(scorecard: Scorecard) -> list[TradeRow]:
    """Every trade in the scorecard, in the thesis's claim order and, within a claim, in
    the order its figures list them (the claim's own trade before the implied ones)."""
    rows: list[TradeRow] = []
    for result in scorecard.results:
        by_key = {f.key: f for f in result.evidence.figures}
        for key in by_key:
            if key.endswith(ANCHOR_KEY):
                rows.append(_row(result, by_key, key[: -len(ANCHOR_KEY)], scorecard.as_of))
    return rows


def _row(result: ClaimResult, by_key: dict[str, Figure], prefix: str, as_of: date) -> TradeRow:
    def get(name: str) -> Figure | None:
        return by_key.get(prefix + name)

    last = get("window_end")
    return TradeRow(
        claim_id=result.claim_id,
        verdict=result.verdict,
        name=_name(result, by_key, prefix),
        prefix=prefix,
        total_return=by_key[prefix + ANCHOR_KEY],
        entry=get("window_start"),
        last=last,
        plain_spread=get("plain_spread"),
        max_drawdown=get("max_drawdown"),
        volatility=get("volatility"),
        sharpe=get("sharpe"),
        percentile=get("percentile"),
        age_days=_age(last, as_of),
    )


def _age(last: Figure | None, as_of: date) -> int | None:
    if last is None or not isinstance(last.value, str):
        return None
    try:
        return (as_of - date.fromisoformat(last.value)).days
    except ValueError:
        return None


def _name(result: ClaimResult, by_key: dict[str, Figure], prefix: str) -> LocalizedText:
    """An implied trade's labels read "<name>: <what>" (see ``implied_trade``), so its name
    is the part before the last separator; a ``trade``-kind claim is named by its legs
    ("long us:A, us:B / short us:C"); failing both, by the claim's statement."""
    label = by_key[prefix + ANCHOR_KEY].label
    if prefix and ": " in label.en and ":" in label.zh:
        return LocalizedText(zh=label.zh.rsplit(":", 1)[0], en=label.en.rsplit(": ", 1)[0])
    legs = [f for key, f in by_key.items()
            if key.startswith(prefix + LEG_KEY) and not key.startswith(prefix + LEG_RETURN_KEY)]
    if not prefix and legs:
        return _legs_name(legs, prefix)
    statement = result.statement
    return LocalizedText(zh=statement.zh.rstrip("。. "), en=statement.en.rstrip(". "))


def _legs_name(legs: list[Figure], prefix: str) -> LocalizedText:
    """'long us:A, us:B / short us:C' from the leg figures (key ``leg_<instrument>``, label
    starting with the side)."""
    sides: dict[str, list[str]] = {"long": [], "short": []}
    for leg in legs:
        side = "short" if leg.label.en.lower().startswith("short") else "long"
        sides[side].append(leg.key[len(prefix + LEG_KEY):])
    zh = " / ".join(f"{word} {'、'.join(ids)}" for word, ids in
                    (("多", sides["long"]), ("空", sides["short"])) if ids)
    en = " / ".join(f"{word} {', '.join(ids)}" for word, ids in
                    (("long", sides["long"]), ("short", sides["short"])) if ids)
    return LocalizedText(zh=zh, en=en)


@dataclass(frozen=True)
class BookRow:
    """A row at the foot of the scoreboard: the combined book or its benchmark, with the
    scorecard's ``book_…`` / ``benchmark_…`` figures (``key`` is that prefix)."""

    key: str
    name: LocalizedText
    entry: str
    last: str
    total_return: Figure | None
    max_drawdown: Figure | None
    volatility: Figure | None
    sharpe: Figure | None
    age_days: int


def book_rows(scorecard: Scorecard) -> list[BookRow]:
    """The combined book and its benchmark (cash when the thesis names none), or no rows
    when the scorecard has no book."""
    book = scorecard.book
    if book is None:
        return []
    age = (scorecard.as_of - book.end).days

    def row(key: str, name: LocalizedText) -> BookRow:
        return BookRow(key=key, name=name, entry=book.start.isoformat(),
                       last=book.end.isoformat(), total_return=book.figure(f"{key}return"),
                       max_drawdown=book.figure(f"{key}max_drawdown"),
                       volatility=book.figure(f"{key}volatility"),
                       sharpe=book.figure(f"{key}sharpe"), age_days=age)

    return [row("book_", book_name(book)), row("benchmark_", benchmark_name(book_benchmark(book)))]


def book_benchmark(book: Book) -> str | None:
    """The benchmark the book was measured against: None (cash) when the thesis names none
    or the store had no closes for it (its path is then flat at 1)."""
    if book.benchmark is None or all(v == 1.0 for v in book.benchmark_values):
        return None
    return book.benchmark


def book_note(book: Book) -> LocalizedText:
    """How the book is built, for the scoreboard's footnote."""
    how = WEIGHTING_LABELS[book.weighting]
    excess = book.figure("book_excess_return")
    value = "—" if excess is None or excess.value is None else f"{excess.value:+.2f}"
    against = benchmark_name(book_benchmark(book))
    return LocalizedText(
        zh=f"合并组合:论点持有或隐含的全部 {len(book.trades)} 笔交易,{how.zh};"
           f"自发表日前最后一个收盘至最后一笔交易的最新收盘;相对{against.zh}的超额收益 "
           f"{value} 个百分点。交易结束后其资金按最后净值持有现金;"
           "晚于发表日入场的交易入场前为现金。",
        en=f"Combined book: all {len(book.trades)} trades the thesis holds or implies, "
           f"{how.en}; from the last close before publication to the latest close of any "
           f"trade; excess over {against.en}: {value} percentage points. A trade that has "
           "ended is held as cash at its last value; one entered later is cash until entry.")


def benchmark_name(benchmark: str | None) -> LocalizedText:
    """'benchmark us:SPY', or cash when the thesis names none."""
    if benchmark is None:
        return LocalizedText(zh="基准:现金", en="benchmark: cash")
    return LocalizedText(zh=f"基准 {benchmark}", en=f"benchmark {benchmark}")


def book_name(book: Book) -> LocalizedText:
    """'combined book (equal weight, 11 trades)' in both languages."""
    word = {"equal-weight": ("等权", "equal weight"),
            "equal-risk": ("等风险", "equal risk")}[book.weighting.value]
    n = len(book.trades)
    return LocalizedText(zh=f"合并组合({word[0]},{n} 笔交易)",
                         en=f"combined book ({word[1]}, {n} trades)")
