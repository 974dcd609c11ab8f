"""Thresholds → verdict: the three shapes every kind's decision rule takes.

Why one module: "at or past the supported line → supported, at or past the contradicted
line → contradicted, between → mixed" was written out in each kind, with the inclusive
and exclusive ends and the direction differing by accident. A kind now names its
thresholds (in the unit of its reading) and which shape fits; the rule itself lives here.
``mixed`` only comes out of the band the thresholds leave between them. Every decision is
also noted for the stability reading (:mod:`narrowgate.evaluate.core.stability`).
"""

from __future__ import annotations

from collections.abc import Iterable

from narrowgate.evaluate.core.stability import Decision, note
from narrowgate.evaluate.verdict import Verdict


def banded(value: float, *, supported: float, contradicted: float,
           higher_is_better: bool = True, inclusive: bool = True, noise: float = 0.0
           ) -> Verdict:
    """A reading against two lines in its own unit (``noise``: the reading's typical
    error or move, the stability band's scale when both lines sit at zero).

    With ``higher_is_better`` a value at or above ``supported`` is supported and one at or
    below ``contradicted`` contradicted (strictly above/below when not ``inclusive``);
    otherwise the directions flip. Between the lines → mixed. The supported side is
    checked first, so overlapping lines (which the params models reject) favour it.
    """
    sign = 1.0 if higher_is_better else -1.0
    v, s, c = sign * value, sign * supported, sign * contradicted
    if v >= s if inclusive else v > s:
        verdict = Verdict.SUPPORTED
    elif v <= c if inclusive else v < c:
        verdict = Verdict.CONTRADICTED
    else:
        verdict = Verdict.MIXED
    note(Decision("banded", value, supported, contradicted, higher_is_better, inclusive,
                  verdict, noise))
    return verdict


def within(distance: float, *, supported_within: float, mixed_within: float) -> Verdict:
    """A distance from the expected side (≤ 0 means on it): within ``supported_within``
    → supported, within ``mixed_within`` → mixed, further → contradicted (both inclusive,
    in the distance's unit)."""
    if distance <= supported_within:
        verdict = Verdict.SUPPORTED
    else:
        verdict = Verdict.MIXED if distance <= mixed_within else Verdict.CONTRADICTED
    note(Decision("within", distance, supported_within, mixed_within, False, True, verdict))
    return verdict


def conditions_held(held: Iterable[bool], *, leaning: bool = False) -> Verdict:
    """Every condition holds → supported (so does an empty set); some hold, or the reading
    ``leaning`` the expected way without passing a line → mixed; none → contradicted."""
    flags = list(held)
    if all(flags):
        return Verdict.SUPPORTED
    return Verdict.MIXED if any(flags) or leaning else Verdict.CONTRADICTED
