"""What a watch cycle notifies about, and the webhook that carries it.

Two kinds of event, both found by comparing a thesis's new scorecard with its previous
recorded run: a **flip** (a claim's verdict changed) and a **watch** crossing (an indicator
of ``evidence.watch`` moved to the other side of its threshold, whether or not the verdict
followed yet). Each becomes one JSON POST —
``{kind, thesis, claim, as_of, old, new, figure, link, text}`` — where ``old``/``new`` are
the claim's verdicts before and after, ``figure`` the headline figure (flip) or the watch
item (watch) with its value before, and ``text`` a one-line summary Slack (and most chat
webhooks) show as is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from narrowgate.evaluate.verdict import VERDICT_LABELS, Verdict, WatchItem
from narrowgate.watch.compare import claim_changes

if TYPE_CHECKING:
    from narrowgate.evaluate.scorecard import Scorecard

#: seconds one webhook POST may take (connect + answer) before it counts as failed
DEFAULT_TIMEOUT_S = 10.0
JsonValue = str | int | float | bool | None | dict[str, object] | list[object]


@dataclass(frozen=True)
class Event:
    """One thing to notify: ``kind`` "flip" or "watch"; ``payload`` the JSON body."""

    thesis_id: str
    claim_id: str
    kind: str
    payload: dict[str, JsonValue]


def verdict_text(value: str | None) -> str:
    """``mixed 部分成立`` for a verdict value, ``(absent 无)`` for None."""
    if value is None:
        return "(absent 无)"
    try:
        label = VERDICT_LABELS[Verdict(value)]
    except (ValueError, KeyError):
        return value
    return f"{label.en} {label.zh}"


def _number(value: float | int | str | None) -> str:
    return f"{value:,.4g}" if isinstance(value, float) else str(value)


def claim_link(base: str | None, thesis_id: str, claim_id: str) -> str | None:
    """The claim page of ``narrowgate serve`` at ``base`` (e.g. http://127.0.0.1:8000)."""
    if not base:
        return None
    return f"{base.rstrip('/')}/theses/{thesis_id}/claims/{claim_id}"


def _text(summary: str, link: str | None) -> str:
    """One line; a link in Slack's ``<url|label>`` form so chat apps make it clickable."""
    return f"{summary} <{link}|open 打开>" if link else summary


def flip_events(old: Scorecard, new: Scorecard, link_base: str | None) -> list[Event]:
    """One event per claim whose verdict changed from ``old`` to ``new``."""
    thesis_id, as_of = new.thesis.id, new.as_of.isoformat()
    events = []
    for change in claim_changes(old, new):
        if not change.verdict_changed:
            continue
        after, before = change.figure_after, change.figure_before
        figure: dict[str, object] | None = None
        shown = ""
        if after is not None:
            figure = {**after.to_json(),
                      "before": before.value if before is not None and
                      before.key == after.key else None}
            shown = f" ({after.text('en')})"
        link = claim_link(link_base, thesis_id, change.claim_id)
        summary = (f"narrowgate {thesis_id} · {change.claim_id}: verdict flipped 结论翻转 "
                   f"{verdict_text(change.old)} → {verdict_text(change.new)}{shown}, "
                   f"as of 评估日 {as_of}")
        events.append(Event(thesis_id, change.claim_id, "flip", {
            "kind": "flip", "thesis": thesis_id, "claim": change.claim_id, "as_of": as_of,
            "old": change.old, "new": change.new, "figure": figure, "link": link,
            "text": _text(summary, link)}))
    return events


def _keyed(items: list[WatchItem]) -> dict[tuple[str, str | None, int], WatchItem]:
    """Watch items by (label, instrument, n-th of that pair): the same indicator in two
    runs, even when its ``flips_to`` changed (it does on the far side of the line)."""
    seen: dict[tuple[str, str | None], int] = {}
    keyed = {}
    for item in items:
        pair = (item.label.en, item.instrument)
        seen[pair] = seen.get(pair, -1) + 1
        keyed[(*pair, seen[pair])] = item
    return keyed


def crossed(before: WatchItem, after: WatchItem) -> bool:
    """Whether the indicator is now on the other side of its threshold (at the threshold
    counts as reached, the side ``flips_to`` describes)."""
    return (before.current >= before.threshold) != (after.current >= after.threshold)


def watch_events(old: Scorecard, new: Scorecard, link_base: str | None) -> list[Event]:
    """One event per watch item (matched by label and instrument) that crossed its
    threshold between the two scorecards, whether or not the verdict followed (a pending
    claim's verdict waits for its window to close); an item new in ``new`` has no side to
    cross from and is left out."""
    thesis_id, as_of = new.thesis.id, new.as_of.isoformat()
    previous = {r.claim_id: r for r in old.results}
    events = []
    for result in new.results:
        prior = previous.get(result.claim_id)
        if prior is None:
            continue
        before_items = _keyed(prior.evidence.watch)
        for key, item in _keyed(result.evidence.watch).items():
            before = before_items.get(key)
            if before is None or not crossed(before, item):
                continue
            link = claim_link(link_base, thesis_id, result.claim_id)
            summary = (f"narrowgate {thesis_id} · {result.claim_id}: {item.label.en} "
                       f"{item.label.zh} crossed its threshold 越过阈值 "
                       f"{_number(item.threshold)} {item.unit}: {_number(before.current)} → "
                       f"{_number(item.current)} (flips to 将翻转为 "
                       f"{verdict_text(item.flips_to.value)}), as of 评估日 {as_of}")
            events.append(Event(thesis_id, result.claim_id, "watch", {
                "kind": "watch", "thesis": thesis_id, "claim": result.claim_id,
                "as_of": as_of, "old": prior.verdict.value, "new": result.verdict.value,
                "figure": {"label": {"en": item.label.en, "zh": item.label.zh},
                           "value": item.current, "before": before.current,
                           "threshold": item.threshold, "unit": item.unit,
                           "flips_to": item.flips_to.value, "instrument": item.instrument,
                           "observed": _iso(item.observed)},
                "link": link, "text": _text(summary, link)}))
    return events


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def send_event(url: str, body: str, timeout_s: float = DEFAULT_TIMEOUT_S) -> str | None:
    """Deliver one queued event to its target: a webhook POST for an http(s) URL, a mail
    for ``mailto:``/``smtp://``/``smtps://`` (:mod:`narrowgate.watch.mail`). None when
    delivered, else why not (one line)."""
    from narrowgate.watch.mail import is_mail_url, send_mail

    if is_mail_url(url):
        return send_mail(url, body, timeout_s)
    return post_webhook(url, body, timeout_s)


def post_webhook(url: str, body: str, timeout_s: float = DEFAULT_TIMEOUT_S) -> str | None:
    """POST one JSON body; None when the endpoint answered 2xx, else why it failed
    (status or network error, one line) so the outbox can keep it."""
    import httpx

    from narrowgate import __version__

    try:
        response = httpx.post(url, content=body.encode("utf-8"), timeout=timeout_s,
                              headers={"Content-Type": "application/json",
                                       "User-Agent": f"narrowgate/{__version__}"})
    except httpx.HTTPError as exc:
        return f"{type(exc).__name__}: {exc}".strip()[:300] or type(exc).__name__
    if 200 <= response.status_code < 300:
        return None
    return f"HTTP {response.status_code}: {response.text[:200]}".strip()
