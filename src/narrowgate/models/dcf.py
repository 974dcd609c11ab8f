"""Reverse DCF: the free-cash-flow growth a price implies, and the bracketing root finder.

Model: free cash flow ``fcf0`` (the latest year, same basis as the price: per share or
total) grows at ``g`` for ``years`` explicit years, then at ``terminal_growth`` forever;
cash flows arrive at year ends and are discounted at ``discount_rate`` (decimals per year).

Errors follow :mod:`narrowgate.models.valuation`: invalid inputs (discount <= terminal
growth, non-positive FCF or price, bad range) raise ``ValuationInputError``; a price no
growth in ``[low, high]`` justifies is a result with ``growth=None`` and a message.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from narrowgate.models.valuation import ValuationInputError, require_finite, require_valid


def find_root(
    func: Callable[[float], float],
    low: float,
    high: float,
    *,
    xtol: float = 1e-12,
    max_iter: int = 200,
) -> float:
    """Root of ``func`` in ``[low, high]`` by Brent's method (bisection, secant and inverse
    quadratic steps); the ends must bracket a sign change or ValuationInputError is raised."""
    a, b = float(low), float(high)
    fa, fb = func(a), func(b)
    require_valid(
        math.isfinite(fa) and math.isfinite(fb), "function is not finite at the bracket ends"
    )
    if fa == 0.0:
        return a
    if fb == 0.0:
        return b
    require_valid((fa > 0) != (fb > 0), f"[{low:g}, {high:g}] does not bracket a root")
    c, fc = a, fa
    step = prev_step = b - a
    for _ in range(max_iter):
        if (fb > 0) == (fc > 0):  # keep the root between b and c
            c, fc = a, fa
            step = prev_step = b - a
        if abs(fc) < abs(fb):  # b is always the best estimate so far
            a, b, c = b, c, b
            fa, fb, fc = fb, fc, fb
        tol = 2.0 * np.finfo(float).eps * abs(b) + 0.5 * xtol
        half = 0.5 * (c - b)
        if abs(half) <= tol or fb == 0.0:
            return b
        if abs(prev_step) >= tol and abs(fa) > abs(fb):
            s = fb / fa
            if a == c:  # secant
                p, q = 2.0 * half * s, 1.0 - s
            else:  # inverse quadratic interpolation
                qa, rb = fa / fc, fb / fc
                p = s * (2.0 * half * qa * (qa - rb) - (b - a) * (rb - 1.0))
                q = (qa - 1.0) * (rb - 1.0) * (s - 1.0)
            if p > 0:
                q = -q
            p = abs(p)
            if 2.0 * p < min(3.0 * half * q - abs(tol * q), abs(prev_step * q)):
                prev_step, step = step, p / q
            else:
                step = prev_step = half
        else:
            step = prev_step = half
        a, fa = b, fb
        b += step if abs(step) > tol else math.copysign(tol, half)
        fb = func(b)
    raise ValuationInputError(f"root finder did not converge in {max_iter} iterations")


def _check_dcf(discount_rate: float, terminal_growth: float, years: int) -> None:
    require_valid(
        discount_rate > terminal_growth,
        f"discount rate {discount_rate:.2%} must exceed terminal growth {terminal_growth:.2%}",
        "a growing perpetuity has no finite value otherwise",
    )
    require_valid(discount_rate > -1 and terminal_growth > -1, "rates must exceed -100%")
    require_valid(years >= 1, f"explicit-growth years must be >= 1, got {years}")


def dcf_value(
    fcf0: float, growth: float, *, discount_rate: float, terminal_growth: float, years: int
) -> float:
    """Present value of ``fcf0 (1+g)^t`` for t = 1…N plus a Gordon terminal value at N.

    Cash flows arrive at year ends; the terminal value is ``FCF_N (1+g_T) / (r - g_T)``.
    """
    _check_dcf(discount_rate, terminal_growth, years)
    require_valid(growth > -1, f"growth must exceed -100%, got {growth:g}")
    t = np.arange(1, years + 1, dtype=float)
    ratio = (1.0 + growth) / (1.0 + discount_rate)
    explicit = float(np.sum(fcf0 * ratio**t))
    terminal = fcf0 * ratio**years * (1.0 + terminal_growth) / (discount_rate - terminal_growth)
    return explicit + terminal


@dataclass(frozen=True)
class ImpliedFcfGrowth:
    """The explicit-period FCF growth a price implies; None (with a message) when none in
    ``[low, high]`` does. ``value_at_low``/``value_at_high`` bound what the range can reach."""

    growth: float | None
    price: float
    fcf0: float
    discount_rate: float
    terminal_growth: float
    years: int
    value_at_low: float
    value_at_high: float
    message: str


def reverse_dcf(
    price: float,
    fcf0: float,
    *,
    discount_rate: float,
    terminal_growth: float,
    years: int = 10,
    low: float = -0.5,
    high: float = 1.0,
) -> ImpliedFcfGrowth:
    """Solve ``dcf_value(fcf0, g, ...) == price`` for g in ``[low, high]`` (decimal per year).

    The value rises strictly with g when ``fcf0 > 0``, so the root is unique when it exists.
    ``fcf0 <= 0`` is refused: no growth of a loss produces a positive value.
    """
    price, fcf0 = require_finite(price, "price"), require_finite(fcf0, "free cash flow")
    require_valid(price > 0, f"price must be positive, got {price:g}")
    require_valid(
        fcf0 > 0,
        f"free cash flow must be positive for a reverse DCF, got {fcf0:g}",
        "use a normalised FCF or a priced-in year on forecast profits instead",
    )
    _check_dcf(discount_rate, terminal_growth, years)
    require_valid(-1 < low < high, f"growth range [{low:g}, {high:g}] is invalid")

    def value(g: float) -> float:
        return dcf_value(
            fcf0, g, discount_rate=discount_rate, terminal_growth=terminal_growth, years=years
        )

    at_low, at_high = value(low), value(high)
    setting = (
        f"FCF {fcf0:,.4g}, discount {discount_rate:.1%}, terminal growth {terminal_growth:.1%}"
        f" after {years} years"
    )
    result = ImpliedFcfGrowth(
        None, price, fcf0, discount_rate, terminal_growth, years, at_low, at_high, message=""
    )
    if not at_low <= price <= at_high:
        side = "even the lowest" if price < at_low else "even the highest"
        bound = at_low if price < at_low else at_high
        message = (
            f"no growth rate in [{low:.0%}, {high:.0%}] justifies {price:,.4g} ({setting}); "
            f"{side} gives {bound:,.4g}"
        )
        return replace(result, message=message)
    growth = find_root(lambda g: value(g) - price, low, high)
    message = f"{price:,.4g} implies {growth:.2%}/yr FCF growth for {years} years ({setting})"
    return replace(result, growth=growth, message=message)


__all__ = ["ImpliedFcfGrowth", "dcf_value", "find_root", "reverse_dcf"]
