"""Instrument specs and costs: frozen dataclasses checked on construction.

Plain dataclasses rather than pydantic models, so a back-test does not import pydantic;
strategies (pydantic models) still validate them as fields, with unknown keys rejected
(``__pydantic_config__``) and a failed check reported as a ``ValidationError``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

# CFFEX margins its stock-index futures (IF CSI 300, IH SSE 50, IC CSI 500, IM CSI 1000)
# held in one account on the larger side only; bond futures (T, TF, TS) are not in it.
CFFEX_EQUITY_INDEX = "CFFEX-equity-index"
_CFFEX_EQUITY_INDEX_SYMBOLS = frozenset({"IF", "IH", "IC", "IM"})


def _number(obj: object, name: str, *, lo: float | None = None, hi: float | None = None,
            strict_lo: bool = False, optional: bool = False) -> None:
    """Coerce field ``name`` of a frozen dataclass to float and check its bounds."""
    value = getattr(obj, name)
    if value is None and optional:
        return
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValueError(f"{name} must be a number, got {value!r}")
    try:
        x = float(value)
    except ValueError:
        raise ValueError(f"{name} must be a number, got {value!r}") from None
    if math.isnan(x):
        raise ValueError(f"{name} must be a number, got NaN")
    if lo is not None and (x <= lo if strict_lo else x < lo):
        raise ValueError(f"{name} must be {'>' if strict_lo else '>='} {lo}, got {x}")
    if hi is not None and x > hi:
        raise ValueError(f"{name} must be <= {hi}, got {x}")
    object.__setattr__(obj, name, x)


@dataclass(frozen=True)
class InstrumentSpec:
    """How one column trades. Spot: fractional units bought with cash. Futures: whole lots,
    daily mark-to-market, ``margin_rate`` × notional held from cash, no borrow fee.

    ``multiplier``: currency per price point per unit (> 0); ``margin_rate``: fraction of
    notional (0..1; > 0 for futures); ``lot``: unit step (0 = fractional; default 1 lot for
    futures, fractional for spot). ``basis_per_year`` is the annualised futures basis
    (fraction of notional per year, negative = discount): a position accrues
    ``-basis_per_year × notional`` per year, so an index-level proxy for a short futures leg
    at a discount pays that discount. ``fee``, ``slippage`` and ``borrow_per_year`` override
    the :class:`Costs` defaults.

    ``margin_group`` (futures only) names an exchange's cross-product margin offset: the
    futures of one group are margined at the larger of their long-side and short-side
    margin totals instead of the sum of both (CFFEX charges stock-index futures this way,
    "单向大边保证金"); futures without a group each pay their own margin.
    """

    __pydantic_config__: ClassVar[dict[str, Any]] = {"extra": "forbid"}

    kind: Literal["spot", "futures"] = "spot"
    multiplier: float = 1.0
    margin_rate: float = 0.0
    lot: float | None = None
    basis_per_year: float = 0.0
    fee: float | None = None
    slippage: float | None = None
    borrow_per_year: float | None = None
    margin_group: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in ("spot", "futures"):
            raise ValueError(f"kind must be 'spot' or 'futures', not {self.kind!r}")
        _number(self, "multiplier", lo=0.0, strict_lo=True)
        _number(self, "margin_rate", lo=0.0, hi=1.0)
        _number(self, "lot", lo=0.0, optional=True)
        _number(self, "basis_per_year")
        for name in ("fee", "slippage", "borrow_per_year"):
            _number(self, name, lo=0.0, optional=True)
        if self.kind == "futures" and self.margin_rate <= 0:
            raise ValueError("a futures instrument needs margin_rate > 0 (fraction of notional)")
        if self.margin_group is not None:
            if not isinstance(self.margin_group, str) or not self.margin_group.strip():
                raise ValueError(f"margin_group must be a non-empty name, got "
                                 f"{self.margin_group!r}")
            if self.kind != "futures":
                raise ValueError(f"margin_group {self.margin_group!r} is set on a spot "
                                 "instrument: margin groups net futures margin only; drop "
                                 "margin_group or set kind='futures'")

    @property
    def lot_size(self) -> float:
        """Unit step used by the engine: 1 lot for futures, fractional for spot by default."""
        if self.lot is not None:
            return self.lot
        return 1.0 if self.kind == "futures" else 0.0

    @classmethod
    def cffex(cls, instrument: str, margin_rate: float | None = None,
              basis_per_year: float = 0.0) -> InstrumentSpec:
        """A CFFEX index future (``cnfut:IF``/``IC``/``IM``) with the multiplier on record;
        ``margin_rate`` defaults to the exchange minimum (brokers charge more). Stock-index
        futures share :data:`CFFEX_EQUITY_INDEX`, so their margin nets as CFFEX nets it."""
        from narrowgate.instruments import FUTURES

        spec = FUTURES[instrument]
        rate = spec.min_margin if margin_rate is None else margin_rate
        symbol = instrument.partition(":")[2]
        group = CFFEX_EQUITY_INDEX if symbol in _CFFEX_EQUITY_INDEX_SYMBOLS else None
        return cls(kind="futures", multiplier=spec.multiplier, margin_rate=rate,
                   basis_per_year=basis_per_year, margin_group=group)


@dataclass(frozen=True)
class Costs:
    """Trading and carrying costs, every one a fraction with its unit in its name: ``fee``
    of traded value, ``slippage`` of price (against the trader), ``borrow_per_year`` on
    short market value (all >= 0), ``cash_rate_per_year`` earned on positive cash and
    ``financing_rate_per_year`` paid on negative cash."""

    __pydantic_config__: ClassVar[dict[str, Any]] = {"extra": "forbid"}

    fee: float = 0.0
    slippage: float = 0.0
    borrow_per_year: float = 0.0
    cash_rate_per_year: float = 0.0
    financing_rate_per_year: float = 0.0

    def __post_init__(self) -> None:
        for name in ("fee", "slippage", "borrow_per_year"):
            _number(self, name, lo=0.0)
        _number(self, "cash_rate_per_year")
        _number(self, "financing_rate_per_year")
