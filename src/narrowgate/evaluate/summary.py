"""Bilingual summary shapes the kinds share: sentences joined, the held-back reading first,
and the side words ("above"/"高于") a reading is described with.

Why one module: each kind glued its zh and en sentences by hand (zh run together, en with a
space), put the coverage gate's interim note in front of its own notes, and kept its own
small table of side words; the same glue now lives once. Light: no pandas.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from narrowgate.thesis.schema import LocalizedText

if TYPE_CHECKING:
    from narrowgate.evaluate.core.coverage import GateResult

#: words a reading is placed with, by the params' own Literal values
SIDE_WORDS: dict[str, LocalizedText] = {
    "above": LocalizedText(zh="高于", en="above"),
    "below": LocalizedText(zh="低于", en="below"),
    "near": LocalizedText(zh="接近", en="near"),
    "high": LocalizedText(zh="最高", en="highest"),
    "low": LocalizedText(zh="最低", en="lowest"),
}


def capitalized(words: str) -> str:
    """English words starting a sentence: the first letter upper-case, the rest as given
    (a label such as "the S&P 500 ETF" keeps its own capitals)."""
    return words[:1].upper() + words[1:]


def joined(*parts: LocalizedText | None) -> LocalizedText:
    """Sentences in order: Chinese run together, English separated by a space; a None part
    (an optional sentence not said) is skipped."""
    said = [p for p in parts if p is not None]
    return LocalizedText(zh="".join(p.zh for p in said), en=" ".join(p.en for p in said))


def interim_first(gate: GateResult, *notes: LocalizedText) -> list[LocalizedText]:
    """The notes of an assessment, with the reading the coverage gate held back (if any)
    said first."""
    return [*([gate.interim] if gate.interim is not None else []), *notes]
