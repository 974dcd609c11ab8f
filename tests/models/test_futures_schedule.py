"""Per-leg front-month schedules and proxy roll dates on the CFFEX calendar."""

from __future__ import annotations

from datetime import date

import pandas as pd

from narrowgate.models.futures_schedule import leg_schedules, proxy_roll_dates


def test_leg_schedule_rolls_two_sessions_before_the_third_friday() -> None:
    """December 2024's contract expires Friday 20 Dec; held to the close of Wednesday 18."""
    out = leg_schedules(["cnfut:IF", "cnfut:IC"], date(2024, 12, 16), date(2024, 12, 24), 2)
    assert out is not None
    series = out["cnfut:IF"]
    held = dict(zip(pd.DatetimeIndex(series.index).date, series, strict=True))
    assert held[date(2024, 12, 18)] == "cnfut:IF2412"
    assert held[date(2024, 12, 19)] == "cnfut:IF2501"
    assert min(held) == date(2024, 12, 16) and max(held) == date(2024, 12, 24)
    assert set(out["cnfut:IC"]) == {"cnfut:IC2412", "cnfut:IC2501"}


def test_proxy_roll_dates_are_shared_by_every_leg() -> None:
    out = proxy_roll_dates(["cnfut:IF", "cnfut:IC"], date(2024, 10, 1), date(2024, 12, 31), 2)
    expected = [date(2024, 10, 16), date(2024, 11, 13), date(2024, 12, 18)]
    assert out == {"cnfut:IF": expected, "cnfut:IC": expected}


def test_legs_that_are_no_cffex_product_or_not_listed_get_none() -> None:
    assert leg_schedules(["us:QQQ"], date(2024, 1, 2), date(2024, 2, 1), 2) is None
    assert proxy_roll_dates(["cnfut:XX"], date(2024, 1, 2), date(2024, 2, 1), 2) is None
    # IM was listed on 2022-07-22: no contract covers a window before it
    assert leg_schedules(["cnfut:IM"], date(2022, 3, 1), date(2022, 4, 1), 2) is None
    assert leg_schedules(["cnfut:IF"], date(2024, 2, 1), date(2024, 1, 2), 2) is None
