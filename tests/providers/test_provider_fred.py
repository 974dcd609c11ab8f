"""FRED graph CSV: FRED's own layout from ../shared/data, the '.' quirk, the live path."""

from __future__ import annotations

from datetime import date

import pytest

from narrowgate.data.providers.base import SERIES_COLUMNS, Query
from narrowgate.data.providers.fred import (
    FredProvider,
    fredgraph_params,
    normalise_fredgraph_csv,
)
from narrowgate.data.providers.http import RetryPolicy
from narrowgate.errors import DataNotFound, ProviderError
from tests.conftest import require_shared
from tests.providers.scripted_server import Answer, ScriptedServer


def test_real_fred_file_normalises() -> None:
    text = require_shared("fred/series_macro_charts/WALCL.csv").read_text()
    frame = normalise_fredgraph_csv(text, "WALCL")
    assert tuple(frame.columns) == SERIES_COLUMNS
    assert str(frame["date"].dtype) == "datetime64[ns]" and frame["value"].dtype == "float64"
    assert frame["date"].iloc[0].strftime("%Y-%m-%d") == "2007-01-03"
    assert frame["value"].iloc[0] == pytest.approx(874626.0)
    assert frame["date"].is_monotonic_increasing


def test_missing_dots_are_dropped_not_zero() -> None:
    text = "observation_date,DGS10\n2024-01-01,.\n2024-01-02,3.95\n2024-01-03,3.91\n"
    frame = normalise_fredgraph_csv(text, "DGS10")
    assert frame["value"].tolist() == [3.95, 3.91]


@pytest.mark.parametrize("body", ["<html><title>Error</title></html>", "just words"])
def test_not_a_fred_csv_is_provider_error(body: str) -> None:
    with pytest.raises(ProviderError, match="fred:"):
        normalise_fredgraph_csv(body, "WALCL")


def test_only_missing_values_is_data_not_found() -> None:
    with pytest.raises(DataNotFound, match="DGS10"):
        normalise_fredgraph_csv("DATE,DGS10\n2024-01-01,.\n", "DGS10")


def test_params() -> None:
    params = fredgraph_params(Query("fred:walcl", "series", date(2020, 1, 1), date(2021, 1, 1)))
    assert params == {"id": "WALCL", "cosd": "2020-01-01", "coed": "2021-01-01"}
    with pytest.raises(DataNotFound):
        fredgraph_params(Query("us:QQQ", "series"))


def test_live_path_against_local_server(server: ScriptedServer) -> None:
    body = require_shared("fred/series_macro_charts/WALCL.csv").read_bytes()
    server.route("/graph/fredgraph.csv", Answer(200, body))
    provider = FredProvider(server.url, rate_per_second=0)
    result = provider.fetch(Query("fred:WALCL", "series"))
    assert result.request == f"{server.url}/graph/fredgraph.csv?id=WALCL"
    assert result.kind == "series" and len(result.frame) > 900


def test_live_path_server_error(server: ScriptedServer) -> None:
    server.route("/graph/fredgraph.csv", Answer(500, "oops"))
    provider = FredProvider(server.url, retry=RetryPolicy(attempts=2, backoff=0.01))
    with pytest.raises(ProviderError, match=r"^fred: GET .*id=WALCL failed after 2 attempts"):
        provider.fetch(Query("fred:WALCL", "series"))
