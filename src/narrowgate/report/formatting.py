"""Numbers and dates as a reader sees them in the report (not for computing).

Why a module of its own: the page template, the bottom line and the trade scoreboard must
print the same figure the same way, so a scoreboard cell equals the card's figure and both
equal ``scorecard.json`` after this one rounding rule.
"""

from __future__ import annotations

import math
from datetime import date, datetime


def format_value(value: float | int | str | None) -> str:
    """A figure for reading, not for computing: thousands separators, few decimals.

    Integral values print without decimals; |x| ≥ 100 with none, |x| ≥ 1 with up to two,
    smaller ones with three significant digits. Missing or non-finite values print as '—'.
    """
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    if isinstance(value, float) and not math.isfinite(value):
        return "—"
    if isinstance(value, int) or float(value).is_integer():
        return f"{int(value):,}"
    magnitude = abs(value)
    if magnitude >= 100:
        return f"{value:,.0f}"
    if magnitude >= 1:
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    return f"{value:.3g}"


def format_signed(value: float | int | None) -> str:
    """A return or a change with its sign (+3.1, −2.96): direction is the point of it."""
    text = format_value(value)
    if value is None or text == "—" or text.startswith("-") or value == 0:
        return text
    return "+" + text


def format_when(value: object) -> str:
    """Dates as ISO; datetimes to the minute with their offset, if they carry one."""
    if value is None:
        return "—"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
