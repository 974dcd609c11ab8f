"""Front-month roll of CFFEX stock-index futures: expiry dates, roll dates, back-adjustment.

Expiry dates are checked against the XSHG calendar (exchange_calendars) and by calendar
arithmetic; contract prices are synthetic (no CFFEX contract data exists in ../shared/data),
built so that each contract's own return and each roll's price gap are known exactly.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from narrowgate.models.futures_roll import (
    ContractMonth,
    RollError,
    cffex_sessions,
    expiry_session,
    front_month_schedule,
    roll_front_month,
    roll_session,
    suspected_main_rolls,
    third_friday,
)

SESSIONS = cffex_sessions(date(2010, 1, 1), date(2026, 12, 31))


@pytest.mark.parametrize(("code", "expiry"), [
    ("IF2412", date(2024, 12, 20)),  # third Friday, a session
    ("IF2503", date(2025, 3, 21)),
    ("IC2506", date(2025, 6, 20)),
    ("IF2402", date(2024, 2, 19)),  # Fri 16 Feb 2024 was Spring Festival: next session, Mon
    ("IM1802", date(2018, 2, 22)),  # Fri 16 Feb 2018 was Spring Festival: Thu 22
])
def test_expiry_is_the_first_session_on_or_after_the_third_friday(code: str,
                                                                  expiry: date) -> None:
    contract = ContractMonth.parse(code)
    friday = third_friday(contract.year, contract.month)
    assert friday.weekday() == 4 and 15 <= friday.day <= 21  # the third Friday, by arithmetic
    assert expiry_session(contract, SESSIONS).date() == expiry


def test_contract_codes() -> None:
    assert ContractMonth.parse("cnfut:IF2412") == ContractMonth("IF", 2024, 12)
    assert ContractMonth("IF", 2024, 12).next().code == "IF2501"
    for bad in ("IF2413", "XX2412", "IF24", "cnfut:IF"):
        with pytest.raises(ValueError, match="not a CFFEX"):
            ContractMonth.parse(bad)


def test_roll_dates_two_sessions_before_expiry() -> None:
    held = front_month_schedule("IF", SESSIONS, roll_days=2, start=date(2024, 12, 16),
                                end=date(2024, 12, 24))
    assert held.loc[:"2024-12-18"].eq("IF2412").all()  # held through the roll close
    assert held.loc["2024-12-19":].eq("IF2501").all()
    assert roll_session(ContractMonth("IF", 2024, 12), SESSIONS, 2) == pd.Timestamp("2024-12-18")
    on_expiry = front_month_schedule("IF", SESSIONS, roll_days=0, start=date(2024, 12, 20),
                                     end=date(2024, 12, 23))
    assert on_expiry.tolist() == ["IF2412", "IF2501"]
    # holiday-shifted expiry: IF2402 expired Mon 2024-02-19, so the roll is two sessions before
    assert roll_session(ContractMonth("IF", 2024, 2), SESSIONS, 2) == pd.Timestamp("2024-02-07")


def test_schedule_starts_at_listing_with_the_first_contract() -> None:
    held = front_month_schedule("IM", SESSIONS, start=date(2016, 1, 4), end=date(2022, 8, 31))
    assert held.index[0] == pd.Timestamp("2022-07-22")  # IM listed 2022-07-22
    assert held.iloc[0] == "IM2208"
    assert held.iloc[-1] == "IM2209"  # IM2208 rolled two sessions before 2022-08-19
    with pytest.raises(ValueError, match="roll_days"):
        front_month_schedule("IF", SESSIONS, roll_days=11)


def _synthetic(held: pd.Series, jump: float = 0.02) -> dict[str, pd.Series]:
    """Each contract = a common level × (1 − jump × months to its expiry), quoted every
    session, so the next month sits ``jump`` lower at a roll and the level is the move."""
    level = pd.Series(np.linspace(4000, 4400, len(held)), index=held.index)
    level.iloc[::7] *= 1.01  # some wiggle
    out = {}
    for code in dict.fromkeys(held):
        c = ContractMonth.parse(code)
        ahead = (c.year * 12 + c.month) - (held.index.year * 12 + held.index.month)
        out[code] = level * (1 - jump * np.asarray(ahead, dtype=float))
    return out


def test_adjusted_series_has_no_jump_where_the_raw_prices_jump() -> None:
    held = front_month_schedule("IC", SESSIONS, start=date(2024, 10, 8), end=date(2025, 2, 28))
    closes = _synthetic(held)
    rolled = roll_front_month(closes, held)
    assert rolled.rolls.index.strftime("%Y-%m-%d").tolist() == [
        "2024-10-16", "2024-11-13", "2024-12-18", "2025-01-15", "2025-02-19"]
    assert rolled.rolls[["from", "to"]].iloc[0].tolist() == ["IC2410", "IC2411"]
    after = [rolled.raw.index[rolled.raw.index.get_loc(d) + 1] for d in rolled.rolls.index]
    raw_ret, adj_ret = rolled.raw.pct_change(), rolled.adjusted.pct_change()
    own = pd.Series({d: closes[rolled.held[d]][d] / closes[rolled.held[d]].shift(1)[d] - 1
                     for d in rolled.adjusted.index[1:]})
    assert np.allclose(adj_ret.iloc[1:], own)  # each day: the held contract's own return
    # at each roll the next month quotes 2 % lower: the spliced raw series books that gap
    # as a return, the adjusted series does not
    assert np.allclose(rolled.rolls["ratio"], 0.98)
    assert np.allclose((1 + raw_ret[after]) / (1 + adj_ret[after]), 0.98)
    # the latest contract is unadjusted; earlier prices scaled by the later roll ratios
    last = rolled.rolls.index[-1]
    assert (rolled.adjusted[rolled.adjusted.index > last] ==
            rolled.raw[rolled.raw.index > last]).all()
    assert rolled.adjusted.iloc[0] == pytest.approx(
        rolled.raw.iloc[0] * float(rolled.rolls["ratio"].prod()))
    assert rolled.contracts == ["IC2410", "IC2411", "IC2412", "IC2501", "IC2502", "IC2503"]
    wide = roll_front_month(pd.DataFrame(closes), held)  # a wide frame works as the dict does
    pd.testing.assert_series_equal(wide.adjusted, rolled.adjusted)


def test_missing_contract_or_roll_close_is_a_roll_error() -> None:
    held = front_month_schedule("IF", SESSIONS, start=date(2024, 11, 1), end=date(2024, 12, 31))
    closes = _synthetic(held)
    with pytest.raises(RollError, match="no closes for IF2501") as caught:
        roll_front_month({k: v for k, v in closes.items() if k != "IF2501"}, held)
    assert caught.value.contracts == ("IF2501",)
    closes["IF2501"] = closes["IF2501"].drop(pd.Timestamp("2024-12-18"))
    with pytest.raises(RollError, match="IF2412 → IF2501 at the close of 2024-12-18"):
        roll_front_month(closes, held)


def test_gap_is_left_out_and_reported() -> None:
    held = front_month_schedule("IF", SESSIONS, start=date(2024, 11, 1), end=date(2024, 11, 30))
    closes = _synthetic(held)
    closes["IF2411"] = closes["IF2411"].drop(pd.Timestamp("2024-11-05"))
    rolled = roll_front_month(closes, held)
    assert rolled.gaps.strftime("%Y-%m-%d").tolist() == ["2024-11-05"]
    assert pd.Timestamp("2024-11-05") not in rolled.adjusted.index


def test_suspected_main_rolls_finds_the_splice_not_the_market() -> None:
    """A main continuous series spliced without adjustment departs from its index on the
    switch day only; that day is what the diagnostic reports."""
    held = front_month_schedule("IC", SESSIONS, roll_days=1, start=date(2024, 10, 8),
                                end=date(2025, 1, 31))
    closes = _synthetic(held)
    main = pd.Series([closes[c][d] for d, c in held.items()], index=held.index)
    index = closes[held.iloc[-1]] / (1 - 0.02 * 2)  # a level moving with the contracts
    expiries = [expiry_session(ContractMonth("IC", 2024, m), SESSIONS) for m in (10, 11, 12)]
    found = suspected_main_rolls(main, index, expiries)
    switch_days = held.index[held.ne(held.shift(1))][1:4]
    assert found["date"].tolist() == switch_days.tolist()
    assert np.allclose(found["excess_return"], [(1 - 0.02) / 1 - 1] * 3, atol=0.003)


def test_sessions_past_the_calendar_are_weekdays() -> None:
    later = cffex_sessions(date(2026, 12, 28), date(2027, 1, 8))
    assert later[0] == pd.Timestamp("2026-12-28")
    assert pd.Timestamp("2027-01-01") in later  # weekday; XSHG holidays unknown past 2026
    assert all(d.weekday() < 5 for d in later)
