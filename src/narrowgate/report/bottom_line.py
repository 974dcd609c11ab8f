"""The report's first screen: a few sentences that answer "is the thesis right, did the
trades work, what must I watch now", the verdict legend, how old the data are, and the
thesis's chain of sections, each link with its verdict and one deciding figure.

Why here and from the scorecard only: the sentences must work for any thesis and agree
with the rest of the page, so every number in them is a count, a figure or a watch item
the scorecard already holds (the trade rows come from :mod:`narrowgate.report.trades`).
Nothing is recomputed but counts, the share of decided claims and calendar-day ages.
Claims split by their kind in the thesis: facts (``fact``), mechanisms (``mechanism``) and
calls (``forecast``, ``trade``, ``view``); qualitative claims are recorded, not counted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from narrowgate.evaluate.book import Book
from narrowgate.evaluate.card import headline_figures
from narrowgate.evaluate.scorecard import Scorecard
from narrowgate.evaluate.verdict import VERDICT_LABELS, ClaimResult, Figure, Verdict, WatchItem
from narrowgate.report.formatting import format_signed, format_value
from narrowgate.report.trades import TradeRow, benchmark_name, book_benchmark
from narrowgate.report.watch import watch_cards
from narrowgate.report.words import zh_words
from narrowgate.thesis.schema import ClaimKind, LocalizedText, Section

#: data older than this many calendar days before the as-of date count as old
STALE_AFTER_DAYS = 60
#: how many watch items the bottom line names
WATCH_NAMED = 2

#: one line per verdict: what it means, for the legend beside the counts
VERDICT_MEANINGS: dict[Verdict, LocalizedText] = {
    Verdict.SUPPORTED: LocalizedText(
        zh="数据达到论点自己设定的阈值", en="the data meet the claim's own threshold"),
    Verdict.CONTRADICTED: LocalizedText(
        zh="数据落在阈值的另一侧", en="the data fall on the wrong side of it"),
    Verdict.MIXED: LocalizedText(
        zh="数据落在论点设定的中间区间,或各部分结论不一",
        en="the data sit in the band the thesis sets, or its parts disagree"),
    Verdict.PENDING: LocalizedText(
        zh="期限未到或数据尚未覆盖决定性日期",
        en="the horizon or the deciding data are not reached yet"),
    Verdict.INSUFFICIENT_DATA: LocalizedText(
        zh="缺少指名的数据,无法检验", en="named inputs are missing, so it cannot be tested"),
    Verdict.QUALITATIVE: LocalizedText(
        zh="无法用市场数据检验,仅作记录", en="not testable with market data; recorded only"),
}


@dataclass(frozen=True)
class DataAge:
    """How many verdicts rest on market or filing data (``dated``) and how many of those
    on data more than ``STALE_AFTER_DAYS`` calendar days older than the as-of date."""

    old: int
    dated: int
    oldest_days: int | None


#: the bottom line's split of claims by kind: (words, kinds), in this order
KIND_GROUPS: tuple[tuple[LocalizedText, frozenset[str]], ...] = (
    (LocalizedText(zh="事实", en="facts"), frozenset({ClaimKind.FACT.value})),
    (LocalizedText(zh="机制", en="mechanisms"), frozenset({ClaimKind.MECHANISM.value})),
    (LocalizedText(zh="判断", en="calls"),
     frozenset({ClaimKind.FORECAST.value, ClaimKind.TRADE.value, ClaimKind.VIEW.value})),
)

#: what a chain link's verdict says about the link
LINK_WORDS: dict[Verdict, LocalizedText] = {
    Verdict.SUPPORTED: LocalizedText(zh="成立", en="held"),
    Verdict.CONTRADICTED: LocalizedText(zh="不成立", en="failed"),
    Verdict.MIXED: LocalizedText(zh="部分成立", en="partly held"),
    Verdict.PENDING: LocalizedText(zh="待观察", en="pending"),
    Verdict.INSUFFICIENT_DATA: LocalizedText(zh="未检验(数据不足)", en="untested (no data)"),
    Verdict.QUALITATIVE: LocalizedText(zh="无法用数据检验", en="not testable"),
}
DECIDED = (Verdict.SUPPORTED, Verdict.CONTRADICTED, Verdict.MIXED)


@dataclass(frozen=True)
class ChainLink:
    """One thesis section in the chain strip, with its claims in file order, the link's
    verdict (:func:`link_verdict`) and the figure that decides it: the first headline
    figure (a number when there is one) of the first claim whose verdict is the link's
    (for a link mixed from held and failed claims, the first failed one)."""

    section: Section
    claims: list[ClaimResult]
    verdict: Verdict
    deciding_claim: str | None
    deciding: Figure | None

    @property
    def word(self) -> LocalizedText:
        return LINK_WORDS[self.verdict]


def data_age(scorecard: Scorecard) -> DataAge:
    """Ages of each verdict's newest data (figures read from the thesis have no data date
    and are not counted)."""
    ages = [_age(r, scorecard.as_of) for r in scorecard.results]
    known = [a for a in ages if a is not None]
    return DataAge(old=sum(a > STALE_AFTER_DAYS for a in known), dated=len(known),
                   oldest_days=max(known) if known else None)


def _age(result: ClaimResult, as_of: date) -> int | None:
    newest = result.evidence.newest_data()
    return None if newest is None else (as_of - newest).days


def chain(results: Sequence[ClaimResult], sections: Sequence[Section]) -> list[ChainLink]:
    """The thesis's sections in its order (its argument chain), each with its claims;
    sections without claims are left out, claims in no known section are not shown here
    (the claim index lists them)."""
    links = [_link(s, [r for r in results if r.section == s.key]) for s in sections]
    return [link for link in links if link.claims]


def link_verdict(claims: Sequence[ClaimResult]) -> Verdict:
    """A link holds when every claim the data decide holds, fails when every one fails, and
    is mixed otherwise; with none decided it is pending if any claim is, else untested
    (insufficient data) if any is, else qualitative."""
    decided = {r.verdict for r in claims if r.verdict in DECIDED}
    if decided:
        return decided.pop() if len(decided) == 1 else Verdict.MIXED
    for verdict in (Verdict.PENDING, Verdict.INSUFFICIENT_DATA):
        if any(r.verdict is verdict for r in claims):
            return verdict
    return Verdict.QUALITATIVE


def _link(section: Section, claims: list[ClaimResult]) -> ChainLink:
    verdict = link_verdict(claims)
    if verdict not in (*DECIDED, Verdict.PENDING):  # nothing measured decides it
        return ChainLink(section, claims, verdict, None, None)
    deciders = ([r for r in claims if r.verdict is verdict]
                or [r for r in claims if r.verdict is Verdict.CONTRADICTED])
    for result in deciders:
        shown = headline_figures(result.evidence.figures)
        numbers = [f for f in shown if isinstance(f.value, int | float)]
        if numbers or shown:
            return ChainLink(section, claims, verdict, result.claim_id, (numbers or shown)[0])
    return ChainLink(section, claims, verdict, None, None)


def kind_split(scorecard: Scorecard) -> list[tuple[LocalizedText, dict[Verdict, int]]]:
    """Per kind group (facts, mechanisms, calls) with any claim: its verdict counts
    (a claim the data cannot test, verdict qualitative, is recorded, not counted)."""
    out: list[tuple[LocalizedText, dict[Verdict, int]]] = []
    for words, kinds in KIND_GROUPS:
        group: list[Verdict] = [r.verdict for r in scorecard.results
                                if r.kind in kinds and r.verdict is not Verdict.QUALITATIVE]
        if group:
            out.append((words, {v: group.count(v) for v in Verdict if v in group}))
    return out


def closest_watch(scorecard: Scorecard, count: int = WATCH_NAMED
                  ) -> list[tuple[str, WatchItem]]:
    """The ``count`` watch items nearest to flipping a verdict, with their claim ids: the
    first of the what-to-watch cards (:func:`narrowgate.report.watch.watch_cards`, one rule:
    by distance in σ where σ is known, then by distance as a share of the line)."""
    return [(card.claim.claim_id, card.item) for card in watch_cards(scorecard)[:count]]


def bottom_line(scorecard: Scorecard, trades: Sequence[TradeRow]) -> list[LocalizedText]:
    """Three to five sentences: the verdicts, the trades, the watch items, the pending
    claims' nearest horizon (when any), and how old the data are."""
    sentences = [_verdicts_sentence(scorecard), _trades_sentence(trades, scorecard.book),
                 _watch_sentence(scorecard)]
    pending = _pending_sentence(scorecard)
    if pending is not None:
        sentences.append(pending)
    sentences.append(_age_sentence(scorecard))
    return sentences


def _verdicts_sentence(scorecard: Scorecard) -> LocalizedText:
    counts = {v: scorecard.counts[v.value] for v in Verdict}
    parts = [(counts[v], VERDICT_LABELS[v]) for v in Verdict if counts[v]]
    zh = "、".join(f"{n} 项{label.zh}" for n, label in parts)
    en = ", ".join(f"{n} {label.en}" for n, label in parts)
    total = len(scorecard.results)
    decided = counts[Verdict.SUPPORTED] + counts[Verdict.CONTRADICTED] + counts[Verdict.MIXED]
    if not decided:
        return LocalizedText(zh=f"{total} 项论点中:{zh};尚无一项能由数据判定。",
                             en=f"Of {total} claims: {en}; the data decide none of them yet.")
    share = round(counts[Verdict.SUPPORTED] / decided * 100)
    split = _kinds_sentence(scorecard)
    moved_zh, moved_en = _flips_clause(scorecard)
    return LocalizedText(
        zh=f"{total} 项论点中:{zh};在数据已能判定的 {decided} 项中,"
           f"{counts[Verdict.SUPPORTED]} 项完全成立({share}%)。{split.zh}{moved_zh}",
        en=f"Of {total} claims: {en}; of the {decided} the data decide, "
           f"{counts[Verdict.SUPPORTED]} hold in full ({share}%). {split.en} {moved_en}"
           .rstrip())


def _flips_clause(scorecard: Scorecard) -> tuple[str, str]:
    """(zh, en) 'Replayed at each month end since publication, 4 of 22 claims changed
    verdict (9 flips).' — empty strings when no claim carries a timeline."""
    from narrowgate.report.timeline_strip import flip_count

    lines = [r.timeline for r in scorecard.results if len(r.timeline) > 1]
    if not lines:
        return "", ""
    flips = [flip_count(line) for line in lines]
    moved = sum(1 for n in flips if n)
    return (f"自发布以来逐月末回放:{len(lines)} 项中 {moved} 项的结论曾改变(共 {sum(flips)} 次)。",
            f"Replayed at each month end since publication, {moved} of {len(lines)} claims "
            f"changed verdict ({sum(flips)} flip{'s' if sum(flips) != 1 else ''}).")


def _kinds_sentence(scorecard: Scorecard) -> LocalizedText:
    """'By kind: facts: 3 of 7 hold (3 mixed, 1 insufficient data); mechanisms: …'."""
    zh_parts, en_parts = [], []
    for words, counts in kind_split(scorecard):
        n, held = sum(counts.values()), counts.get(Verdict.SUPPORTED, 0)
        rest = [(c, VERDICT_LABELS[v]) for v, c in counts.items() if v is not Verdict.SUPPORTED]
        rest_zh = "、".join(f"{c} 项{label.zh}" for c, label in rest)
        rest_en = ", ".join(f"{c} {label.en}" for c, label in rest)
        zh_parts.append(f"{words.zh} {n} 项中 {held} 项成立" + (f"({rest_zh})" if rest else ""))
        en_parts.append(f"{words.en}: {held} of {n} hold" + (f" ({rest_en})" if rest else ""))
    if not en_parts:
        return LocalizedText(zh="", en="")
    return LocalizedText(zh="按类型:" + ";".join(zh_parts) + "。",
                         en="By kind: " + "; ".join(en_parts) + ".")


def _trades_sentence(trades: Sequence[TradeRow], book: Book | None = None) -> LocalizedText:
    scored = [t for t in trades if t.return_pct is not None]
    if not scored:
        return LocalizedText(zh="论点中没有可计分的交易。",
                             en="The thesis holds no trade to score.")
    won = sum(t.made_money for t in scored)
    best = max(scored, key=lambda t: t.return_pct or 0.0)
    worst = min(scored, key=lambda t: t.return_pct or 0.0)

    def said(t: TradeRow) -> tuple[str, str]:
        value = format_signed(t.return_pct)
        return (f"{t.name.zh}({t.claim_id}){value}%", f"{t.name.en} ({t.claim_id}) {value}%")

    head = LocalizedText(
        zh=f"论点持有或隐含的 {len(scored)} 笔交易中,{won} 笔自入场以来扣除成本后盈利",
        en=f"{won} of the {len(scored)} trades the thesis holds or implies made money "
           "after costs since entry")
    if len(scored) == 1:
        zh, en = said(best)
        return LocalizedText(zh=f"{head.zh}:{zh}。", en=f"{head.en}: {en}.")
    (best_zh, best_en), (worst_zh, worst_en) = said(best), said(worst)
    together = _book_clause(book)
    return LocalizedText(zh=f"{head.zh};最好的是 {best_zh},最差的是 {worst_zh}{together.zh}。",
                         en=f"{head.en}; best {best_en}, worst {worst_en}{together.en}.")


def _book_clause(book: Book | None) -> LocalizedText:
    """'; held together (equal weight) they returned +x% against benchmark <id> at +y%
    (z pp)', from the book's own figures (%, pp); empty without a book."""
    if book is None:
        return LocalizedText(zh="", en="")
    own, other, excess = (book.figure(k) for k in ("book_return", "benchmark_return",
                                                   "book_excess_return"))
    if own is None or other is None or excess is None:
        return LocalizedText(zh="", en="")
    against = benchmark_name(book_benchmark(book))
    weighting = "等权" if book.weighting.value == "equal-weight" else "等风险"
    mine, theirs, gap = (format_signed(f.value if isinstance(f.value, int | float) else None)
                         for f in (own, other, excess))
    return LocalizedText(
        zh=f";合并持有({weighting})收益 {mine}%,{against.zh} {theirs}%(超额 {gap} 个百分点)",
        en=f"; held together ({book.weighting.value.replace('-', ' ')}) they returned "
           f"{mine}% against {against.en} at {theirs}% ({gap} pp)")


def _watch_sentence(scorecard: Scorecard) -> LocalizedText:
    cards = watch_cards(scorecard)[:WATCH_NAMED]
    if not cards:
        return LocalizedText(zh="没有论点指明需要关注的指标。",
                             en="No claim names an indicator to watch.")
    zh_parts, en_parts = [], []
    for card in cards:
        w, claim_id = card.item, card.claim.claim_id
        flips = VERDICT_LABELS[w.flips_to]
        now, line = format_value(w.current), format_value(w.threshold)
        unit_zh = zh_words(w.unit)
        zh = (f"{w.label.zh}({claim_id})当前 {now} {unit_zh},阈值 {line} {unit_zh},"
              f"越过后变为「{flips.zh}」")
        en = (f"{w.label.en} ({claim_id}) at {now} {w.unit} against a line of "
              f"{line} {w.unit}, which would turn it {flips.en}")
        if card.in_sigma is not None:
            away = format_value(round(card.in_sigma, 1))
            zh, en = f"{zh},相距 {away} 个典型波动(σ)", f"{en}, {away} typical moves (σ) away"
        zh_parts.append(zh)
        en_parts.append(en)
    return LocalizedText(zh="最接近翻转的指标:" + ";".join(zh_parts) + "。",
                         en="Closest to flipping: " + "; ".join(en_parts) + ".")


def _pending_sentence(scorecard: Scorecard) -> LocalizedText | None:
    pending = [r for r in scorecard.results if r.verdict is Verdict.PENDING]
    if not pending:
        return None
    ahead = sorted((r.horizon, r.claim_id) for r in pending
                   if r.horizon is not None and r.horizon >= scorecard.as_of)
    if not ahead:
        return LocalizedText(
            zh=f"{len(pending)} 项论点待观察:期限已过,但数据尚未覆盖决定性日期。",
            en=f"{len(pending)} claims are pending: their horizons have passed but the data "
               "do not reach the deciding date yet.")
    when, claim_id = ahead[0]
    return LocalizedText(
        zh=f"{len(pending)} 项论点待观察,最近的期限是 {when.isoformat()}({claim_id})。",
        en=f"{len(pending)} claims are pending; the nearest horizon is {when.isoformat()} "
           f"({claim_id}).")


def _age_sentence(scorecard: Scorecard) -> LocalizedText:
    age = data_age(scorecard)
    as_of = scorecard.as_of.isoformat()
    newest = scorecard.newest_data.isoformat() if scorecard.newest_data else "—"
    return LocalizedText(
        zh=f"截至 {as_of},{age.dated} 项依赖市场或财报数据的判定中有 {age.old} 项所用数据"
           f"早于 {STALE_AFTER_DAYS} 天以上(最新数据 {newest})。",
        en=f"As of {as_of}, {age.old} of {age.dated} verdicts rest on data more than "
           f"{STALE_AFTER_DAYS} days old (newest data {newest}).")
