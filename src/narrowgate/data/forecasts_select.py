"""Choosing and reading forecasts: the source order, unit conversion, one stock's figures.

Why apart from the fetchers: the order (provider → CSV → bundled) and the unit check are the
same whichever source answers, and they must stay pure so they are tested without a
network or a store. The valuation layer turns :class:`ForecastFigures` into a
``ProfitPath`` with a ``ForecastSource`` that names kind, source and as-of date.

Order spec (params ``forecasts`` or ``--forecasts``): comma-separated choices tried left to
right, the first usable one wins: ``provider``, ``csv:FILE``, ``bundled`` (the FACTS
dataset). ``provider`` alone means ``provider,bundled``, so a failed fetch still has an
answer; the fallback is noted in the evidence.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast

from narrowgate.errors import NarrowgateError

#: what a forecast counts: a company's net profit, or earnings per share
Measure = Literal["net_profit", "eps"]

if TYPE_CHECKING:
    import pandas as pd

ChoiceKind = Literal["provider", "csv", "bundled"]
DEFAULT_ORDER = "bundled"
#: scale words a unit may use instead of 1eN
SCALE_WORDS = {"亿": 1e8, "万": 1e4, "million": 1e6, "mn": 1e6, "billion": 1e9, "bn": 1e9}


@dataclass(frozen=True)
class ForecastChoice:
    """One place to look for forecasts; ``path`` is set for ``csv``."""

    kind: ChoiceKind
    path: Path | None = None

    def __str__(self) -> str:
        return f"csv:{self.path}" if self.kind == "csv" else self.kind


def parse_forecast_order(spec: str | list[str] | None) -> list[ForecastChoice]:
    """``"provider,csv:f.csv,bundled"`` → choices; None or empty → ``bundled`` alone.

    A bare ``provider`` or ``csv:FILE`` gets ``bundled`` appended (a reproducible fallback);
    an unknown word is a NarrowgateError naming the accepted forms.
    """
    parts = spec if isinstance(spec, list) else (spec or DEFAULT_ORDER).split(",")
    choices: list[ForecastChoice] = []
    for raw in (p.strip() for p in parts):
        if raw in ("provider", "bundled"):
            choice = ForecastChoice(raw)  # type: ignore[arg-type]
        elif raw.startswith("csv:") and raw[4:].strip():
            choice = ForecastChoice("csv", Path(raw[4:].strip()).expanduser())
        else:
            raise NarrowgateError(f"forecast source {raw!r} is not understood",
                                  "use provider, csv:FILE or bundled, comma-separated")
        if choice not in choices:
            choices.append(choice)
    if not any(c.kind == "bundled" for c in choices):
        choices.append(ForecastChoice("bundled"))
    return choices


def parse_unit(unit: str) -> tuple[str, float, bool]:
    """``'CNY 1e8 (亿)'`` → ('CNY', 1e8, False); ``'USD per share'`` → ('USD', 1.0, True)."""
    core = unit.split("(")[0].strip()
    per_share = "per share" in core.lower()
    tokens = core.lower().replace("per share", " ").split()
    currency = tokens[0].upper() if tokens else ""
    scale = 1.0
    for token in tokens[1:]:
        if token in SCALE_WORDS:
            scale *= SCALE_WORDS[token]
            continue
        try:
            scale *= float(token)
        except ValueError:
            raise NarrowgateError(f"unit {unit!r}: {token!r} is not a scale",
                                  "write e.g. 'CNY 1e8', 'USD 1e6' or 'USD per share'") from None
    return currency, scale, per_share


def unit_factor(from_unit: str, to_unit: str) -> float:
    """Multiplier taking a figure in ``from_unit`` to ``to_unit`` (same currency and basis)."""
    cur_a, scale_a, share_a = parse_unit(from_unit)
    cur_b, scale_b, share_b = parse_unit(to_unit)
    if cur_a != cur_b or share_a != share_b:
        raise NarrowgateError(f"forecast unit {from_unit!r} cannot be converted to {to_unit!r}",
                              "give the forecast in the stock's currency and basis")
    return scale_a / scale_b


@dataclass(frozen=True)
class ForecastFigures:
    """One stock's forecasts of one measure, converted to the stock's unit, with provenance."""

    values: dict[int, float]
    as_of: date | None
    name: str
    detail: str


def forecast_figures(frame: pd.DataFrame, instrument: str, measure: str, to_unit: str
                     ) -> ForecastFigures | None:
    """The rows of ``instrument`` and ``measure`` in a tidy forecast frame, or None.

    ``as_of`` is the latest row's (a mix of dates is named in ``detail``); ``detail`` gives
    the analyst counts per year where known.
    """
    import pandas as pd

    rows = frame[(frame["instrument"] == instrument) & (frame["measure"] == measure)]
    if rows.empty:
        return None
    records = cast("list[dict[str, Any]]", rows.to_dict("records"))
    values = {int(r["year"]): float(r["value"]) * unit_factor(str(r["unit"]), to_unit)
              for r in records}
    dates = sorted({r["as_of"].date() for r in records if pd.notna(r["as_of"])})
    counts = [f"{int(r['year'])}: {int(r['n_analysts'])}" for r in records
              if pd.notna(r["n_analysts"])]
    detail = "; ".join(filter(None, [
        f"analysts per year {', '.join(counts)}" if counts else "",
        f"rows dated {dates[0]} to {dates[-1]}" if len(dates) > 1 else "",
    ]))
    names = list(dict.fromkeys(str(s) for s in rows["source"]))
    return ForecastFigures(values, dates[-1] if dates else None, " | ".join(names), detail)


__all__ = ["ForecastChoice", "ForecastFigures", "forecast_figures", "parse_forecast_order",
           "parse_unit", "unit_factor"]
