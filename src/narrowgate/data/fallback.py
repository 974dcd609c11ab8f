"""Bundled, sourced fallback figures for companies whose SEC facts are not at hand.

Two CSV files ship in ``narrowgate/data/bundled``:

- ``hyperscaler_cashflows.csv``: the annual (and a few quarterly / trailing) cash-flow
  figures of ``../shared/FACTS.md`` section 3a, USD bn, fiscal years as reported. One row
  per (ticker, fiscal year, period, field) with the definition used, the source text and an
  ``unverified`` flag. A value FACTS.md could not confirm is kept as an empty value with
  ``unverified`` true: never dropped, never a zero.
- ``useful_lives.csv``: the server and network useful-life history of FACTS.md 3b, one row
  per change (``effective_fiscal_time`` empty = the life before the first recorded change;
  2022.25 = start of the fiscal year's second quarter). ``basis`` says whether the life was
  stated by the company or assumed here (assumed rows are also marked ``unverified``).

This module only reads the files; the models in :mod:`narrowgate.models.capex` turn the
tables into typed inputs (pure functions).
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

from narrowgate.errors import DataNotFound

if TYPE_CHECKING:
    import pandas as pd

CASHFLOWS_FILE = "hyperscaler_cashflows.csv"
USEFUL_LIVES_FILE = "useful_lives.csv"
CASHFLOW_COLUMNS = (
    "ticker", "company", "fy_end", "fiscal_year", "period", "field", "value_usd_bn",
    "definition", "source", "unverified", "note",
)
USEFUL_LIFE_COLUMNS = (
    "ticker", "asset_class", "effective_fiscal_time", "life_years", "basis", "unverified",
    "source", "note",
)


def _read_bundled(name: str, columns: tuple[str, ...]) -> pd.DataFrame:
    import pandas as pd

    resource = resources.files("narrowgate.data").joinpath("bundled", name)
    if not resource.is_file():
        raise DataNotFound(
            f"bundled file {name} is missing from the narrowgate package",
            "reinstall narrowgate (the file ships as package data)",
        )
    with resource.open("r", encoding="utf-8") as handle:
        frame = pd.read_csv(handle, keep_default_na=False, na_values={"value_usd_bn": [""]})
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataNotFound(f"bundled file {name} lacks columns {missing}")
    frame["unverified"] = frame["unverified"].astype(str).str.lower().map(
        {"true": True, "false": False}
    )
    if frame["unverified"].isna().any():
        raise DataNotFound(f"bundled file {name}: 'unverified' must be true or false")
    frame["unverified"] = frame["unverified"].astype(bool)
    return frame[list(columns)]


@cache
def _cashflows() -> pd.DataFrame:
    import pandas as pd

    frame = _read_bundled(CASHFLOWS_FILE, CASHFLOW_COLUMNS)
    frame["fiscal_year"] = frame["fiscal_year"].astype(int)
    frame["value_usd_bn"] = pd.to_numeric(frame["value_usd_bn"]).astype("float64")
    return frame


@cache
def _useful_lives() -> pd.DataFrame:
    import pandas as pd

    frame = _read_bundled(USEFUL_LIVES_FILE, USEFUL_LIFE_COLUMNS)
    frame["effective_fiscal_time"] = pd.to_numeric(
        frame["effective_fiscal_time"].replace("", None)
    ).astype("float64")
    frame["life_years"] = frame["life_years"].astype("float64")
    return frame


def load_hyperscaler_cashflows() -> pd.DataFrame:
    """FACTS.md 3a as a tidy table (a copy; USD bn; empty value = not found, unverified)."""
    return _cashflows().copy()


def load_useful_lives() -> pd.DataFrame:
    """FACTS.md 3b useful-life history as a tidy table (a copy; years; fiscal time)."""
    return _useful_lives().copy()
