"""A claim card's timeline as a compact strip: one cell per month end coloured by the verdict
that date saw, and the deciding figure as a small line drawn under the cells.

Why a module: the card shows the path of a verdict in one look (did it flip, when, and how
the figure that decides it moved) without a plotted chart per claim (a report of twenty
claims would draw twenty more Plotly charts). The line is a tiny inline SVG computed here
from the numbers in ``ClaimResult.timeline``: it needs no script and prints as drawn.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from markupsafe import Markup

from narrowgate.evaluate.verdict import VERDICT_LABELS, ClaimResult, TimelineEntry, Verdict
from narrowgate.report.words import zh_words
from narrowgate.thesis.schema import LocalizedText

#: one cell's width and the gap after it, in CSS pixels (the SVG points sit on the cells)
CELL_PX, GAP_PX = 12, 2
LINE_HEIGHT_PX = 22


@dataclass(frozen=True)
class StripCell:
    """One date: its verdict (and a pending entry's reading so far) and its tooltip."""

    verdict: Verdict
    so_far: Verdict | None
    tip: LocalizedText


@dataclass(frozen=True)
class TimelineStrip:
    """What the card template draws for a timeline."""

    cells: list[StripCell]
    #: the deciding figure's line (None: fewer than two numeric values)
    line: Markup | None
    #: the deciding figure's label, first and last value with the unit
    figure: LocalizedText | None
    flips: int
    note: LocalizedText


def _number(value: float | int | str | None) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if value == value else None


def _text(value: float | int | str | None, lang: str = "en") -> str:
    """A figure value as the strip writes it (a verdict word in ``lang``)."""
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.4g}"
    if isinstance(value, str) and value in {v.value for v in Verdict}:
        return VERDICT_LABELS[Verdict(value)].get(lang)
    return str(value)


def _tip(entry: TimelineEntry) -> LocalizedText:
    zh, en = VERDICT_LABELS[entry.verdict].zh, VERDICT_LABELS[entry.verdict].en
    if entry.so_far is not None:
        zh += f"(目前读数:{VERDICT_LABELS[entry.so_far].zh})"
        en += f" (so far {VERDICT_LABELS[entry.so_far].en})"
    figure = f"{_text(entry.value)} {entry.unit or ''}".strip() if entry.figure_key else ""
    figure_zh = (f"{_text(entry.value, 'zh')} {zh_words(entry.unit or '')}".strip()
                 if entry.figure_key else "")
    end_zh = f",数据截至 {entry.data_end}" if entry.data_end else ""
    end_en = f", data to {entry.data_end}" if entry.data_end else ""
    return LocalizedText(zh=f"{entry.as_of}:{zh}{' · ' + figure_zh if figure_zh else ''}"
                            f"{end_zh}",
                         en=f"{entry.as_of}: {en}{' · ' + figure if figure else ''}{end_en}")


def figure_line(values: Sequence[float | None]) -> Markup | None:
    """An inline SVG polyline of ``values`` (gaps where None), one point per strip cell,
    scaled to the values' own range; None when fewer than two values are numbers."""
    known = [v for v in values if v is not None]
    if len(known) < 2:
        return None
    low, high = min(known), max(known)
    span = (high - low) or 1.0
    pitch = CELL_PX + GAP_PX
    width = len(values) * pitch - GAP_PX
    runs: list[list[str]] = [[]]
    for n, value in enumerate(values):
        if value is None:
            runs.append([])
            continue
        x = n * pitch + CELL_PX / 2
        y = 2 + (LINE_HEIGHT_PX - 4) * (1 - (value - low) / span)
        runs[-1].append(f"{x:.1f},{y:.1f}")
    lines = "".join(f'<polyline points="{" ".join(r)}"/>' for r in runs if len(r) > 1)
    dots = "".join(f'<circle cx="{p.split(",")[0]}" cy="{p.split(",")[1]}" r="1.6"/>'
                   for r in runs for p in r[-1:])
    return Markup(f'<svg class="tl-line" width="{width}" height="{LINE_HEIGHT_PX}" '
                  f'viewBox="0 0 {width} {LINE_HEIGHT_PX}" aria-hidden="true">'
                  f"{lines}{dots}</svg>")


def flip_count(entries: Sequence[TimelineEntry]) -> int:
    """How often the verdict changed from one date to the next."""
    return sum(1 for a, b in pairwise(entries) if a.verdict is not b.verdict)


def timeline_strip(result: ClaimResult) -> TimelineStrip | None:
    """The strip of a claim with at least two timeline entries, else None."""
    entries = result.timeline
    if len(entries) < 2:
        return None
    cells = [StripCell(e.verdict, e.so_far, _tip(e)) for e in entries]
    values = [_number(e.value) for e in entries]
    last = entries[-1]
    label = next((f.label for f in result.evidence.figures if f.key == last.figure_key), None)
    figure = None
    if label is not None and last.figure_key is not None:
        first = next((e for e in entries if e.value is not None), last)
        span = f"{_text(first.value)} → {_text(last.value)}"
        span_zh = f"{_text(first.value, 'zh')} → {_text(last.value, 'zh')}"
        figure = LocalizedText(zh=f"{label.zh}:{span_zh} {zh_words(last.unit or '')}".strip(),
                               en=f"{label.en}: {span} {last.unit or ''}".strip())
    flips = flip_count(entries)
    run = len(entries) - 1  # the first entry of the trailing run of the last verdict
    while run > 0 and entries[run - 1].verdict is last.verdict:
        run -= 1
    since = entries[run].as_of if run > 0 else None
    held_zh = (f"自 {since} 起为{VERDICT_LABELS[last.verdict].zh}" if since
               else f"每个月末均为{VERDICT_LABELS[last.verdict].zh}")
    held_en = (f"{VERDICT_LABELS[last.verdict].en} since {since}" if since
               else f"{VERDICT_LABELS[last.verdict].en} at every date")
    note = LocalizedText(
        zh=f"{entries[0].as_of} 至 {last.as_of} 每月末回放:结论变化 {flips} 次;{held_zh}",
        en=f"replayed at each month end, {entries[0].as_of} to {last.as_of}: "
           f"{flips} flip{'s' if flips != 1 else ''}; {held_en}")
    return TimelineStrip(cells=cells, line=figure_line(values), figure=figure, flips=flips,
                         note=note)
