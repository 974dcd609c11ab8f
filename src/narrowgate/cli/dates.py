"""One reading of a date option for every command: ISO text, or one line naming the option.

Why one place: six commands read dates, each had its own parser, and one (`data pull
--start`) had none, so a typo there was a traceback.
"""

from __future__ import annotations

from datetime import date

from narrowgate.errors import NarrowgateError


def parse_date(value: str | None, option: str) -> date | None:
    """An ISO date (None stays None), or a one-line error naming the option."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise NarrowgateError(f"{option} '{value}' is not a date",
                              "write it as YYYY-MM-DD, e.g. 2026-02-06") from None


def require_date(value: str, option: str) -> date:
    """A required ISO date option (typer has already refused a missing one)."""
    day = parse_date(value, option)
    assert day is not None  # value is a str here
    return day
