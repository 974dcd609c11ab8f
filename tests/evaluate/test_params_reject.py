"""Every evaluator's params model rejects a wrong value and an unknown key."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from pydantic import ValidationError

from narrowgate.evaluate.registry import evaluator_names, get_evaluator
from narrowgate.thesis.schema import Thesis

Edit = Callable[[dict[str, Any]], None]


def _set(path: str, value: Any) -> Edit:
    """An edit that sets a dotted path (list indexes as numbers) to ``value``."""

    def apply(params: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = params
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        node[int(last) if last.isdigit() else last] = value

    return apply


WRONG: dict[str, Edit] = {
    "guidance": _set("claimed_total", -1),
    "fact": _set("figures.0.claimed", [50, 45]),
    "capex-chain": _set("fit_end_year", 2030),
    "fundamentals": _set("measure", "median"),
    "record": _set("instrument", "xx:DIA"),
    "trade": _set("legs.0.weight", 0.9),
    "valuation": _set("fair_pe_x", 0),
    "decomposition": _set("window_trading_days", 1),
    "policy-mix": _set("series.0.instrument", "FEDFUNDS"),
    "pace": _set("contradicted_ratio", 0.1),
    "cycle": _set("events", ["2024-04-20", "2020-05-11"]),
    "event-study": _set("count_window_end", "2025-01-01"),
    "correlation": _set("min_abs_correlation", 1.5),
    "path": _set("min_pullback_pct", 150),
    "price-frontier": _set("products.0.tier", "ultra"),
    "qualitative": _set("reason", "only one language"),
    "relative-return": _set("basket", {"us:SPY": -1}),
    "change": _set("supported_min", 9),
    "level": _set("mixed_band", -1),
}

# Valid params of tests that no bundled claim uses (generic tests for users' theses).
VALID_OUTSIDE_BUNDLED: dict[str, dict[str, Any]] = {
    "qualitative": {"reason": {"zh": "没有可检验的数据。", "en": "No data can test it."}},
    "relative-return": {"basket": {"us:SPY": 1}, "benchmark": {"us:TLT": 1}},
    "level": {"series": "lbma:GOLD", "label": {"zh": "金价", "en": "gold"}, "side": "above",
              "threshold": 4000},
}


def _valid_params(thesis: Thesis, test_name: str) -> dict[str, Any]:
    for claim in thesis.claims:
        if claim.test == test_name:
            return copy.deepcopy(claim.params)
    return copy.deepcopy(VALID_OUTSIDE_BUNDLED[test_name])


def test_every_evaluator_has_a_wrong_value_case() -> None:
    assert set(WRONG) == set(evaluator_names())


@pytest.mark.parametrize("test_name", sorted(WRONG))
def test_wrong_value_is_rejected(thesis: Thesis, test_name: str) -> None:
    model = get_evaluator(test_name).params_model
    params = _valid_params(thesis, test_name)
    model.model_validate(params)  # the bundled (or generic) params are valid
    WRONG[test_name](params)
    with pytest.raises(ValidationError):
        model.model_validate(params)


@pytest.mark.parametrize("test_name", sorted(WRONG))
def test_unknown_key_is_rejected(thesis: Thesis, test_name: str) -> None:
    params = {**_valid_params(thesis, test_name), "threshhold": 1}
    with pytest.raises(ValidationError):
        get_evaluator(test_name).params_model.model_validate(params)
