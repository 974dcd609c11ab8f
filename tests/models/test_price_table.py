"""Price-table arithmetic on a plain table (any rows with the PricedProduct fields)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pytest

from narrowgate.models.price_table import (
    blended,
    price_tier_frontier,
    priced,
    provider_ladders,
    tiers_price_ordered,
    top_to_entry,
)


@dataclass(frozen=True)
class Row:
    provider: str
    product: str
    tier: str
    input_price: float
    output_price: float | None
    retired: bool = False
    price_valid_until: date | None = None

    @property
    def name(self) -> str:
        return f"{self.provider} {self.product}"


@dataclass(frozen=True)
class Table:
    products: list[Row]
    tiers: list[str] = field(default_factory=lambda: ["small", "large"])
    blend_input_share: float = 0.75

    def rank(self, tier: str) -> int:
        return self.tiers.index(tier) + 1


ON = date(2026, 6, 1)
TABLE = Table([
    Row("A", "mini", "small", 1.0, 4.0),                      # blended 1.75
    Row("A", "max", "large", 4.0, 16.0),                      # blended 7.0
    Row("B", "lite", "small", 0.5, 2.0),                      # blended 0.875
    Row("B", "pro", "large", 2.0, 1.5),                       # blended 1.875
    Row("B", "old", "large", 9.0, 30.0, retired=True),
    Row("B", "promo", "large", 0.1, 0.2, price_valid_until=date(2026, 3, 1)),
    Row("C", "unpriced", "small", 1.0, None),
])


def test_blended_and_offered_rows() -> None:
    assert blended(TABLE.products[0], 0.75) == pytest.approx(0.75 * 1.0 + 0.25 * 4.0)
    assert blended(TABLE.products[-1], 0.75) is None
    assert [p.product for p in priced(TABLE, ON)] == ["mini", "max", "lite", "pro"]
    # the promotion still runs on an earlier date
    assert "promo" in [p.product for p in priced(TABLE, date(2026, 2, 1))]


def test_tier_order_frontier_and_ladders() -> None:
    # B's large tier has an output price (1.5) below its small tier's (2.0)
    assert tiers_price_ordered(TABLE, ON) == {"A": True, "B": False}
    assert [p.name for p in price_tier_frontier(TABLE, ON)] == ["B lite", "B pro"]
    ladders = provider_ladders(TABLE, ON)
    assert ladders["A"]["large"][1] == pytest.approx(7.0 / 1.75)
    assert ladders["B"]["large"][0].product == "pro"
    top, low, ratio = top_to_entry(TABLE, ON)["B"]
    assert (top.product, low.product) == ("pro", "lite")
    assert ratio == pytest.approx(1.875 / 0.875)
