"""The watch helper: the verdict past each line comes from the rule it is given."""

from __future__ import annotations

from narrowgate.evaluate.common import text
from narrowgate.evaluate.verdict import Verdict
from narrowgate.evaluate.watch import crossings

LABEL = text("读数", "reading")


def band(x: float) -> Verdict:  # above 2 supported, below 1 contradicted, mixed between
    return Verdict.SUPPORTED if x > 2 else Verdict.CONTRADICTED if x < 1 else Verdict.MIXED


def test_inside_a_band_both_lines_are_watched() -> None:
    items = crossings(band, 1.234, [1, 2], label=LABEL, unit="%", digits=1)
    assert [(w.threshold, w.flips_to, w.current) for w in items] == [
        (1, Verdict.CONTRADICTED, 1.2), (2, Verdict.SUPPORTED, 1.2)]
    assert items[1].distance == 2 - 1.2


def test_only_the_nearest_line_that_changes_the_reading() -> None:
    (item,) = crossings(band, 5.0, [1, 2], label=LABEL, unit="%", digits=1)
    assert (item.threshold, item.flips_to) == (2, Verdict.MIXED)


def test_no_item_without_a_reading_or_without_a_flip() -> None:
    assert crossings(band, None, [1], label=LABEL, unit="%", digits=1) == []
    assert crossings(band, float("nan"), [1], label=LABEL, unit="%", digits=1) == []
    assert crossings(lambda x: Verdict.MIXED, 0.5, [1], label=LABEL, unit="%", digits=1) == []
