"""One reading of a date option for every command: ISO text, or one line naming the option.

Why one place: six commands read dates, each had its own parser, and one (`data pull
--start`) had none, so a typo there was a traceback.
"""

from __future__ import annotations

from datetime import date

from narrowgate.errors import NarrowgateError

#: the last day a date option may name: later is a typo, and date arithmetic near 9999
#: overflows (``--as-of 9999-12-31`` once crashed an evaluator). Early dates are each
#: command's to word (``run`` says the thesis was not yet published).
LAST_DAY = date(2200, 12, 31)


def parse_date(value: str | None, option: str) -> date | None:
    """An ISO date up to :data:`LAST_DAY` (None stays None), or a one-line error naming the
    option."""
    if value is None:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise NarrowgateError(f"{option} '{value}' is not a date",
                              "write it as YYYY-MM-DD, e.g. 2026-02-06") from None
    if day > LAST_DAY:
        raise NarrowgateError(f"{option} {day} is after {LAST_DAY}", "check the year")
    return day


def require_date(value: str, option: str) -> date:
    """A required ISO date option (typer has already refused a missing one)."""
    day = parse_date(value, option)
    assert day is not None  # value is a str here
    return day
