"""Malformed provider payloads become one ProviderError (or DataNotFound) line, never a
traceback, and nothing of them is stored: text where numbers belong, nulls where objects
belong, arrays where mappings belong. Built from the recorded real responses."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from narrowgate.data.providers.sec import normalise_companyfacts
from narrowgate.data.providers.yahoo import normalise_chart
from narrowgate.errors import DataNotFound, ProviderError
from tests.conftest import require_shared

CHART = "fixtures/yahoo_chart_v8/chart-BTC-USD-2020-01-01-to-2020-01-03.json"


@pytest.fixture
def chart() -> dict[str, Any]:
    payload: dict[str, Any] = json.loads(require_shared(CHART).read_text(encoding="utf-8"))
    return payload


def _result(payload: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = payload["chart"]["result"][0]
    return result


def test_the_recorded_chart_reads(chart: dict[str, Any]) -> None:
    bars, _ = normalise_chart(chart)
    assert len(bars) == 3 and bars["close"].notna().all()


@pytest.mark.parametrize("damage", ["text closes", "text timestamps", "text split ratio"])
def test_text_where_numbers_belong_is_a_provider_error(chart: dict[str, Any],
                                                       damage: str) -> None:
    payload = copy.deepcopy(chart)
    result = _result(payload)
    if damage == "text closes":
        quote = result["indicators"]["quote"][0]
        quote["close"] = ["abc"] * len(quote["close"])
    elif damage == "text timestamps":
        result["timestamp"] = ["x"] * len(result["timestamp"])
    else:
        result["events"] = {"splits": {"1": {"date": result["timestamp"][0],
                                             "numerator": "two", "denominator": 1}}}
    with pytest.raises(ProviderError, match=r"^yahoo: ") as caught:
        normalise_chart(payload)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize("payload", [
    [None, None],
    {"cik": 1, "facts": {"us-gaap": {"X": {"units": {"USD": [None, None, 3]}}}}},
    {"cik": 1, "facts": {"us-gaap": None}},
    {"cik": 1, "facts": {"us-gaap": {"X": {"units": [1, 2]}}}},
    {"cik": 1, "facts": {"us-gaap": {"X": {"units": {"USD": [{"end": "2020-01-01",
                                                              "val": "abc"}]}}}}},
])
def test_companyfacts_without_usable_facts_is_refused(payload: object) -> None:
    with pytest.raises((ProviderError, DataNotFound)) as caught:
        normalise_companyfacts(payload)  # type: ignore[arg-type]
    assert str(caught.value).startswith("sec: ")
