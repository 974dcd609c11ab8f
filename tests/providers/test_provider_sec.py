"""SEC companyfacts: the real recorded files normalised, the concept map read, the live path
served from 127.0.0.1."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from narrowgate.data.concepts import ConceptNotFound, concept_tags, read_concept
from narrowgate.data.providers.base import FACTS_COLUMNS, Query
from narrowgate.data.providers.http import RetryPolicy
from narrowgate.data.providers.sec import (
    SecProvider,
    companyfacts_url,
    normalise_companyfacts,
    resolve_cik,
)
from narrowgate.errors import DataNotFound, ProviderError
from tests.conftest import require_shared
from tests.providers.scripted_server import Answer, ScriptedServer

CAPEX_PPE = "us-gaap:PaymentsToAcquirePropertyPlantAndEquipment"
CAPEX_PRODUCTIVE = "us-gaap:PaymentsToAcquireProductiveAssets"


def companyfacts_path(cik: int) -> Path:
    return require_shared(f"sec/companyfacts/CIK{cik:010d}.json")


def load(cik: int) -> dict[str, Any]:
    payload: dict[str, Any] = json.loads(companyfacts_path(cik).read_text())
    return payload


@pytest.fixture(scope="module")
def googl() -> pd.DataFrame:
    return normalise_companyfacts(load(1652044))


@pytest.fixture(scope="module")
def nvda() -> pd.DataFrame:
    return normalise_companyfacts(load(1045810))


@pytest.fixture(scope="module")
def aapl() -> pd.DataFrame:
    return normalise_companyfacts(load(320193))


def test_facts_frame_has_the_standard_columns_and_types(googl: pd.DataFrame) -> None:
    assert tuple(googl.columns) == FACTS_COLUMNS
    assert str(googl["end"].dtype) == "datetime64[ns]"
    assert str(googl["filed"].dtype) == "datetime64[ns]"
    assert googl["value"].dtype == "float64"
    instants = googl[googl["concept"] == "CommonStockSharesOutstanding"]
    assert instants["start"].isna().all()


def test_restatements_and_comparatives_are_kept(googl: pd.DataFrame) -> None:
    fy2023 = googl[
        (googl["concept"] == "PaymentsToAcquirePropertyPlantAndEquipment")
        & (googl["start"] == "2023-01-01") & (googl["end"] == "2023-12-31")
    ]
    assert fy2023["accession"].nunique() >= 2  # FY2023 10-K and later 10-Ks' comparatives


def test_googl_fy2025_capex(googl: pd.DataFrame) -> None:
    capex = read_concept(googl, "capex", "annual", company="GOOGL")
    assert capex.value(2025) == pytest.approx(91.447e9)
    assert capex.value(2024) == pytest.approx(52.535e9)
    assert capex.row(2025)["tag"] == CAPEX_PPE
    assert capex.tags_used() == [CAPEX_PPE]


def test_nvda_capex_says_which_tag(nvda: pd.DataFrame) -> None:
    capex = read_concept(nvda, "capex", "annual", company="NVDA")
    recent = capex.frame[capex.frame["fiscal_year"] >= 2022]
    assert len(recent) >= 4
    assert set(recent["tag"]) == {CAPEX_PRODUCTIVE}
    early = capex.frame[capex.frame["fiscal_year"] <= 2020]
    assert set(early["tag"]) == {CAPEX_PPE}
    assert capex.tags_used() == [CAPEX_PPE, CAPEX_PRODUCTIVE]
    assert capex.value(2025) == pytest.approx(3.236e9)  # FY ended 2025-01-26


def test_aapl_buybacks_and_dividends(aapl: pd.DataFrame) -> None:
    buybacks = read_concept(aapl, "buybacks", "annual", company="AAPL")
    dividends = read_concept(aapl, "dividends", "annual", company="AAPL")
    assert buybacks.value(2025) > 50e9
    assert dividends.value(2025) > 10e9
    assert buybacks.row(2025)["tag"] == "us-gaap:PaymentsForRepurchaseOfCommonStock"
    assert dividends.row(2025)["tag"] == "us-gaap:PaymentsOfDividends"


def test_missing_concept_is_a_specific_error(aapl: pd.DataFrame) -> None:
    with pytest.raises(ConceptNotFound) as caught:
        read_concept(aapl, "finance_lease_principal", "annual", company="AAPL")
    message = str(caught.value)
    assert "AAPL" in message and "finance_lease_principal" in message
    assert "FinanceLeasePrincipalPayments" in message
    assert isinstance(caught.value, DataNotFound)


def test_unknown_concept_name(googl: pd.DataFrame) -> None:
    with pytest.raises(DataNotFound, match="unknown concept 'kapex'"):
        read_concept(googl, "kapex", "annual", company="GOOGL")


def test_quarterly_capex_derives_q4_and_adds_up(googl: pd.DataFrame) -> None:
    quarters = read_concept(googl, "capex", "quarterly", company="GOOGL").frame
    fy2025 = quarters[quarters["fiscal_year"] == 2025]
    assert list(fy2025["fiscal_period"]) == ["Q1", "Q2", "Q3", "Q4"]
    assert fy2025["value"].sum() == pytest.approx(91.447e9)
    q4 = fy2025.iloc[-1]
    assert bool(q4["derived"]) and "FY − 9M" in q4["how"]
    assert not bool(fy2025.iloc[0]["derived"])


def test_quarterly_eps_is_never_derived(aapl: pd.DataFrame) -> None:
    eps = read_concept(aapl, "eps_diluted", "quarterly", company="AAPL").frame
    assert not eps["derived"].any()
    assert (eps["end"] - eps["start"]).dt.days.between(80, 100).all()


def test_instant_concept_at_fiscal_year_ends(nvda: pd.DataFrame) -> None:
    ppe = read_concept(nvda, "ppe_net", "annual", company="NVDA")
    assert ppe.frame["start"].isna().all()
    assert ppe.row(2026)["end"] == pd.Timestamp("2026-01-25")


def test_ticker_table_and_url() -> None:
    assert resolve_cik("googl") == 1652044
    assert resolve_cik("0000789019") == 789019
    assert companyfacts_url(1652044).endswith("/api/xbrl/companyfacts/CIK0001652044.json")
    with pytest.raises(DataNotFound, match="ZZZZ"):
        resolve_cik("ZZZZ")


def test_live_path_against_local_server(server: ScriptedServer) -> None:
    path = "/api/xbrl/companyfacts/CIK0001652044.json"
    url = server.route(path, Answer(200, companyfacts_path(1652044).read_bytes()))
    provider = SecProvider(server.url, rate_per_second=0, use_ticker_file=False)
    result = provider.fetch(Query("sec:GOOGL", "facts"))
    assert result.request == url and result.provider == "sec" and result.kind == "facts"
    capex = read_concept(result.frame, "capex", "annual", company="GOOGL")
    assert capex.value(2025) == pytest.approx(91.447e9)


def test_sec_gets_the_users_contact_and_is_not_called_without_one(
        server: ScriptedServer, monkeypatch: pytest.MonkeyPatch) -> None:
    from narrowgate.errors import ProviderNotSetUp

    path = "/api/xbrl/companyfacts/CIK0001652044.json"
    server.route(path, Answer(200, companyfacts_path(1652044).read_bytes()))
    provider = SecProvider(server.url, rate_per_second=0, use_ticker_file=False)
    provider.fetch(Query("sec:GOOGL", "facts"))
    assert server.hits_on(path)[-1].user_agent == "narrowgate-tests tests@example.invalid"
    for value in (None, "just-a-name"):
        if value is None:
            monkeypatch.delenv("NARROWGATE_USER_AGENT")
        else:
            monkeypatch.setenv("NARROWGATE_USER_AGENT", value)
        with pytest.raises(ProviderNotSetUp, match="contact address") as caught:
            provider.fetch(Query("sec:GOOGL", "facts"))
        assert 'NARROWGATE_USER_AGENT="Your Name you@example.com"' in (caught.value.hint or "")
    assert len(server.hits_on(path)) == 1


def test_live_path_malformed_json(server: ScriptedServer) -> None:
    path = "/api/xbrl/companyfacts/CIK0000320193.json"
    url = server.route(path, Answer(200, '{"cik": 320193, "facts": {'))
    provider = SecProvider(server.url, retry=RetryPolicy(attempts=1), use_ticker_file=False)
    with pytest.raises(ProviderError, match="not JSON") as caught:
        provider.fetch(Query("sec:AAPL", "facts"))
    assert url in str(caught.value) and str(caught.value).startswith("sec:")


def test_payload_without_facts_is_provider_error() -> None:
    with pytest.raises(ProviderError, match="no 'facts'"):
        normalise_companyfacts({"cik": 1, "entityName": "X"})


def test_concept_tags_for_store_filtering(googl: pd.DataFrame) -> None:
    tags = concept_tags("capex")
    assert tags[:2] == ["PaymentsToAcquirePropertyPlantAndEquipment",
                        "PaymentsToAcquireProductiveAssets"]
    subset = googl[googl["concept"].isin(tags)]
    assert read_concept(subset, "capex", "annual", company="GOOGL").value(2025) == \
        pytest.approx(91.447e9)


def _payload(*rows: dict[str, Any]) -> dict[str, Any]:
    return {"cik": 1652044, "entityName": "Example", "facts": {"us-gaap": {
        "PaymentsToAcquirePropertyPlantAndEquipment": {"units": {"USD": list(rows)}}}}}


def test_a_fact_with_an_unreadable_end_or_value_is_dropped_not_stored() -> None:
    good = {"start": "2025-01-01", "end": "2025-12-31", "val": 91e9, "accn": "a", "fy": 2025,
            "fp": "FY", "form": "10-K", "filed": "2026-02-04"}
    frame = normalise_companyfacts(_payload(good, {**good, "end": "2025-13-45"},
                                            {**good, "val": "lots"}))
    assert len(frame) == 1 and frame["end"].iloc[0] == pd.Timestamp("2025-12-31")
    with pytest.raises(DataNotFound, match="no fact with a readable end date and value"):
        normalise_companyfacts(_payload({**good, "end": "someday"}))


def test_a_companyfacts_file_with_fewer_facts_cannot_replace_the_stored_ones(
        tmp_path: Path) -> None:
    """One poisoned or truncated file once replaced all 20,324 GOOGL facts with one row."""
    from narrowgate.data.importers import ImportFailed, import_path
    from narrowgate.data.store import Store

    source = require_shared("sec/companyfacts/CIK0001652044.json")
    folder = tmp_path / "sec" / "companyfacts"
    folder.mkdir(parents=True)
    store = Store(tmp_path / "s.duckdb")
    (folder / source.name).write_bytes(source.read_bytes())
    import_path(store, tmp_path / "sec")
    (held,) = store.coverage(["sec:GOOGL"])
    good = {"start": "2025-01-01", "end": "2025-12-31", "val": 91e9, "accn": "a", "fy": 2025,
            "fp": "FY", "form": "10-K", "filed": "2026-02-04"}
    (folder / source.name).write_text(json.dumps(_payload(good)), encoding="utf-8")
    with pytest.raises(ImportFailed, match=f"holds {held.rows} facts; this file has 1"):
        import_path(store, tmp_path / "sec")
    assert store.coverage(["sec:GOOGL"])[0].rows == held.rows
