"""Compare two scorecards claim by claim: which verdicts and headline figures changed.

Pure (two scorecards in, changes out) so history, ``diff`` and a future watcher use one
rule. The figure compared is the headline of ``narrowgate.evaluate.card.headline``: the
first decisive figure, else the first; its value is compared exactly as recorded (a
recomputation on the same data gives the same float, so any change is a real one).
"""

from __future__ import annotations

from dataclasses import dataclass

from narrowgate.evaluate.card import headline
from narrowgate.evaluate.scorecard import Scorecard
from narrowgate.evaluate.verdict import ClaimResult


@dataclass(frozen=True)
class FigureSnapshot:
    """A headline figure as a run recorded it (``value`` in ``unit``)."""

    key: str
    label_en: str
    label_zh: str
    value: float | int | str | None
    unit: str

    def to_json(self) -> dict[str, object]:
        return {"key": self.key, "label": {"en": self.label_en, "zh": self.label_zh},
                "value": self.value, "unit": self.unit}

    def value_text(self) -> str:
        """The value as a terminal shows it (four significant digits for a float)."""
        value = self.value
        return f"{value:,.4g}" if isinstance(value, float) else str(value)

    def text(self, lang: str = "en") -> str:
        """``label = value unit`` for a terminal line."""
        label = self.label_zh if lang == "zh" else self.label_en
        return f"{label} = {self.value_text()} {self.unit}".rstrip()


@dataclass(frozen=True)
class ClaimChange:
    """One claim whose verdict or headline figure differs between two scorecards.

    ``old``/``new`` are verdict values ("supported" …); None where the claim is absent
    from that scorecard (a thesis edited between the runs).
    """

    claim_id: str
    old: str | None
    new: str | None
    figure_before: FigureSnapshot | None
    figure_after: FigureSnapshot | None

    @property
    def verdict_changed(self) -> bool:
        return self.old != self.new

    @property
    def figure_changed(self) -> bool:
        before, after = self.figure_before, self.figure_after
        if before is None or after is None:
            return before is not after
        return (before.key, before.value, before.unit) != (after.key, after.value, after.unit)

    def to_json(self) -> dict[str, object]:
        return {"claim": self.claim_id, "old": self.old, "new": self.new,
                "verdict_changed": self.verdict_changed,
                "figure_changed": self.figure_changed,
                "figure_before": _json(self.figure_before),
                "figure_after": _json(self.figure_after)}


def _json(figure: FigureSnapshot | None) -> dict[str, object] | None:
    return None if figure is None else figure.to_json()


def snapshot(result: ClaimResult | None) -> FigureSnapshot | None:
    """The headline figure of a claim result, or None (no result, or no figures)."""
    figure = headline(result) if result is not None else None
    if figure is None:
        return None
    return FigureSnapshot(figure.key, figure.label.en, figure.label.zh, figure.value,
                          figure.unit)


def claim_changes(old: Scorecard, new: Scorecard) -> list[ClaimChange]:
    """Every claim whose verdict or headline figure changed from ``old`` to ``new``, in
    the newer scorecard's claim order (claims only in ``old`` last)."""
    before = {r.claim_id: r for r in old.results}
    after = {r.claim_id: r for r in new.results}
    order = [r.claim_id for r in new.results] + [c for c in before if c not in after]
    changes = []
    for claim_id in order:
        a, b = before.get(claim_id), after.get(claim_id)
        change = ClaimChange(claim_id, a.verdict.value if a else None,
                             b.verdict.value if b else None, snapshot(a), snapshot(b))
        if change.verdict_changed or change.figure_changed:
            changes.append(change)
    return changes
