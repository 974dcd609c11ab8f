"""`narrowgate serve`'s JSON API and pages through Starlette's TestClient, on the real data:
every route's JSON shape, the 404s, the token, refresh jobs, and the CLI's host guard."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient
from typer.testing import CliRunner

from narrowgate.cli.main import app as cli_app
from narrowgate.data.store import Store
from narrowgate.evaluate.scorecard import Scorecard
from narrowgate.web.app import ROUTES, create_app
from narrowgate.web.openapi import openapi_document
from tests.web.conftest import BUNDLED, EARLY, LATE, USER

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

THESIS_KEYS = {"id", "origin", "title", "runs", "latest_run", "flips", "flips_since_last_week"}
RUN_KEYS = {"id", "thesis", "thesis_hash", "thesis_path", "as_of", "generated_at",
            "recorded_at", "offline", "counts", "data_end", "data", "checks"}
JOB_KEYS = {"id", "thesis", "as_of", "offline", "status", "submitted_at", "started_at",
            "finished_at", "run", "error", "warnings", "note"}
ERROR_KEYS = {"error", "hint", "status"}
FLIPPED = ["btc-cycle", "earnings-up-pe-down"]  # pinned by tests/watch/test_history.py


@pytest.fixture
def client(in_served_home: Path) -> Iterator[TestClient]:
    with TestClient(create_app(offline=True)) as test_client:
        yield test_client


def _schema(name: str) -> dict[str, object]:
    schemas = openapi_document()["components"]
    assert isinstance(schemas, dict)
    return schemas["schemas"][name]  # type: ignore[no-any-return]


def test_theses_lists_bundled_and_library_with_latest_counts_and_flips(
        client: TestClient) -> None:
    from narrowgate.watch.history import list_runs

    response = client.get("/api/theses")
    assert response.status_code == 200
    theses = {t["id"]: t for t in response.json()["theses"]}
    assert list(theses) == [BUNDLED, USER]  # bundled first, then the library
    assert all(set(t) == THESIS_KEYS for t in theses.values())
    assert all(set(t) >= set(_schema("Thesis")["required"]) for t in theses.values())
    bundled, user = theses[BUNDLED], theses[USER]
    assert (bundled["origin"], bundled["runs"]) == ("bundled", 2)
    assert set(bundled["title"]) == {"zh", "en"}
    assert set(bundled["latest_run"]) == RUN_KEYS
    latest = list_runs(Store())[-1]
    assert bundled["latest_run"]["as_of"] == LATE
    assert bundled["latest_run"]["counts"] == latest.counts
    assert sorted(f["claim"] for f in bundled["flips"]) == FLIPPED
    assert {(f["from_as_of"], f["to_as_of"]) for f in bundled["flips"]} == {(EARLY, LATE)}
    # both runs were recorded just now: the week's flips are the same two, as on the home page
    assert sorted(f["claim"] for f in bundled["flips_since_last_week"]) == FLIPPED
    assert (user["origin"], user["runs"], user["latest_run"], user["flips"],
            user["flips_since_last_week"]) == ("library", 0, None, [], [])
    assert user["title"]["en"].startswith("A US soft landing")


def test_scorecard_latest_and_older_run(client: TestClient) -> None:
    latest = client.get(f"/api/theses/{BUNDLED}/scorecard").json()
    assert set(latest) == {"run", "scorecard"}
    assert set(latest["run"]) == RUN_KEYS
    card = Scorecard.model_validate(latest["scorecard"])  # the scorecard.json document
    assert (card.as_of.isoformat(), latest["run"]["as_of"]) == (LATE, LATE)
    assert dict(card.counts) == latest["run"]["counts"]
    first_id = latest["run"]["id"] - 1
    older = client.get(f"/api/theses/{BUNDLED}/scorecard", params={"run": first_id}).json()
    assert (older["run"]["id"], older["scorecard"]["as_of"]) == (first_id, EARLY)
    verdicts = {r["claim_id"]: r["verdict"] for r in older["scorecard"]["results"]}
    now = {r.claim_id: r.verdict.value for r in card.results}
    assert sorted(c for c in now if now[c] != verdicts[c]) == FLIPPED


def test_history_is_the_cli_history_json(client: TestClient) -> None:
    served = client.get(f"/api/theses/{BUNDLED}/history").json()
    printed = CliRunner().invoke(cli_app, ["history", BUNDLED, "--json"])
    assert printed.exit_code == 0, printed.output
    assert served == json.loads(printed.output)
    assert [r["as_of"] for r in served["runs"]] == [EARLY, LATE]
    assert sorted(f["claim"] for f in served["flips"]) == FLIPPED
    assert client.get(f"/api/theses/{USER}/history").json() == {"runs": [], "flips": []}


@pytest.mark.parametrize(("method", "path", "status", "says"), [
    ("GET", "/api/theses/no-such-thesis/scorecard", 404, "no thesis 'no-such-thesis'"),
    ("GET", "/api/theses/no-such-thesis/history", 404, "no thesis 'no-such-thesis'"),
    ("GET", "/api/theses/../history", 404, "no such page or endpoint"),
    ("GET", "/api/theses/%2E%2E/history", 404, "no thesis '..'"),
    ("POST", "/api/theses/no-such-thesis/refresh", 404, "no thesis 'no-such-thesis'"),
    ("GET", f"/api/theses/{BUNDLED}/scorecard?run=999", 404, "no recorded run 999"),
    ("GET", f"/api/theses/{USER}/scorecard", 404, "has no recorded run yet"),
    ("GET", f"/api/theses/{BUNDLED}/scorecard?run=two", 400, "is not a run id"),
    ("POST", f"/api/theses/{BUNDLED}/refresh?as_of=soon", 400, "is not a date"),
    ("GET", "/api/jobs/999", 404, "no refresh job 999"),
    ("GET", "/api/no-such-route", 404, "no such page or endpoint"),
    ("DELETE", "/api/theses", 405, "DELETE is not allowed"),
])
def test_errors_are_one_line_json_with_status(client: TestClient, method: str, path: str,
                                              status: int, says: str) -> None:
    response = client.request(method, path)
    assert response.status_code == status
    body = response.json()
    assert set(body) == ERROR_KEYS and body["status"] == status
    assert says in body["error"] and "\n" not in body["error"]


def test_pages_404_as_a_page(client: TestClient) -> None:
    for path in ("/theses/no-such-thesis", f"/theses/{BUNDLED}/claims/no-such-claim",
                 "/no-such-page", "/theses/assets/evil.js"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.headers["content-type"].startswith("text/html")


def test_pages_render_both_languages(client: TestClient) -> None:
    home_en, home_zh = client.get("/").text, client.get("/?lang=zh").text
    for thesis_id in (BUNDLED, USER):
        assert f"<code>{thesis_id}</code>" in home_en
    assert "flips since the previous run" in home_en and "自上次运行以来的结论翻转" in home_zh
    assert "no recorded run yet" in home_en and "尚无运行记录" in home_zh
    for claim in FLIPPED:
        assert f"/theses/{BUNDLED}/claims/{claim}?lang=zh" in home_zh
    page = client.get(f"/theses/{BUNDLED}")
    assert page.status_code == 200 and 'src="assets/plotly.min.js"' in page.text
    assert LATE in page.text and EARLY not in page.text.split('<main', 1)[0]
    older = client.get(f"/theses/{BUNDLED}", params={"run": 1, "lang": "zh"}).text
    assert EARLY in older and 'class="lang-zh"' in older
    claim = client.get(f"/theses/{BUNDLED}/claims/{FLIPPED[0]}?lang=zh").text
    assert claim.count('<tr>') == 3  # the heading row and one row per recorded run
    assert EARLY in claim and LATE in claim and "各次运行中的结论" in claim
    plotly = client.get("/theses/assets/plotly.min.js")
    assert plotly.status_code == 200 and len(plotly.content) > 1_000_000
    assert client.get("/theses/assets/report.css").headers["content-type"].startswith("text/css")


def _section(html: str, thesis_id: str) -> str:
    """The home page's section of one thesis."""
    return html.split(f'id="thesis-{thesis_id}"', 1)[1].split("</section>", 1)[0]


def test_home_shows_flips_since_last_week_per_thesis(client: TestClient) -> None:
    from datetime import timedelta

    from narrowgate.web.catalog import flips_since, thesis_entry, week_ago

    home_en, home_zh = client.get("/").text, client.get("/?lang=zh").text
    bundled_en, bundled_zh = _section(home_en, BUNDLED), _section(home_zh, BUNDLED)
    # both runs were recorded by the fixture just now: both flips are this week's
    assert "flips since last week" in bundled_en and "上周以来的结论翻转" in bundled_zh
    week = bundled_zh.split('<ul class="flips week">', 1)[1].split("</ul>", 1)[0]
    assert sorted(re.findall(r"claims/([a-z0-9-]+)\?lang=zh", week)) == FLIPPED
    assert "待观察 → 部分成立" in week and "被否定 → 部分成立" in week
    week_en = bundled_en.split('<ul class="flips week">', 1)[1].split("</ul>", 1)[0]
    assert "pending → mixed" in week_en and "contradicted → mixed" in week_en
    assert "flips since last week" not in _section(home_en, USER)  # never run
    store = Store()
    entry = thesis_entry(store, BUNDLED)
    assert sorted(f.change.claim_id for f in flips_since(store, entry, week_ago())) == FLIPPED
    later = entry.runs[-1].recorded_at + timedelta(seconds=1)
    assert flips_since(store, entry, later) == []  # a week from now: nothing new
    between = entry.runs[-1].recorded_at  # only the second run is recent: still both flips,
    assert len(flips_since(store, entry, between)) == 2  # measured from the run before


def test_openapi_describes_every_api_route(client: TestClient) -> None:
    doc = client.get("/openapi.json").json()
    assert doc["openapi"].startswith("3.1")
    routes = {r.path.replace(":int", "") for r in ROUTES if r.path.startswith("/api/")}
    assert set(doc["paths"]) == routes
    assert set(_schema("Run")["properties"]) == RUN_KEYS  # type: ignore[arg-type]
    assert set(_schema("Job")["properties"]) == JOB_KEYS  # type: ignore[arg-type]
    assert set(_schema("Thesis")["properties"]) == THESIS_KEYS  # type: ignore[arg-type]
    assert set(_schema("Error")["properties"]) == ERROR_KEYS  # type: ignore[arg-type]


def test_token_refused_and_accepted(in_served_home: Path) -> None:
    with TestClient(create_app("s3cret", offline=True)) as client:
        refused = client.get("/api/theses")
        assert refused.status_code == 401 and set(refused.json()) == ERROR_KEYS - {"hint"} | {
            "error_zh"}
        assert client.get("/api/theses", headers={"Authorization": "Bearer wrong"}
                          ).status_code == 401
        assert client.get("/").status_code == 401
        assert client.get("/theses/assets/report.css").status_code == 401
        assert client.get("/openapi.json").status_code == 401
        ok = client.get("/api/theses", headers={"Authorization": "Bearer s3cret"})
        assert ok.status_code == 200 and "set-cookie" not in ok.headers
        page = client.get("/?token=s3cret")  # a browser: the page, then its assets by cookie
        assert page.status_code == 200
        assert "HttpOnly" in page.headers["set-cookie"]
        assert client.get("/static/web.css").status_code == 200
        client.cookies.clear()
        assert client.get("/static/web.css").status_code == 401


def _wait(client: TestClient, location: str) -> dict[str, object]:
    for _ in range(600):  # a bound, not a timing assertion: a refresh takes seconds
        job = client.get(location).json()["job"]
        if job["status"] in ("done", "failed"):
            return job  # type: ignore[no-any-return]
        time.sleep(0.2)
    raise AssertionError(f"job {location} did not finish")


def test_refresh_jobs_complete_offline_and_add_runs(recorded_home: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from narrowgate.watch.history import list_runs

    home = recorded_home  # its own copy of the home recorded_home_at fills
    monkeypatch.setenv("NARROWGATE_HOME", str(home))
    with TestClient(create_app(offline=True)) as client:
        first = client.post(f"/api/theses/{BUNDLED}/refresh", params={"as_of": LATE})
        second = client.post(f"/api/theses/{USER}/refresh", params={"as_of": LATE})
        assert (first.status_code, second.status_code) == (202, 202)
        assert set(first.json()["job"]) == JOB_KEYS
        assert first.json()["job"]["status"] in ("queued", "running")
        assert first.headers["location"] == f"/api/jobs/{first.json()['job']['id']}"
        # the server answers while the refreshes run
        assert client.get("/api/theses").status_code == 200
        jobs = [_wait(client, r.headers["location"]) for r in (first, second)]
        assert [(j["status"], j["error"], j["run"]) for j in jobs] == [
            ("done", None, 3), ("done", None, 4)]
        served = client.get(f"/api/theses/{USER}/scorecard").json()
        assert (served["run"]["id"], served["scorecard"]["thesis"]["id"]) == (4, USER)
        home = client.get("/").text  # side by side: both theses with a recorded run
        for thesis_id, run_id in ((BUNDLED, 3), (USER, 4)):
            section = _section(home, thesis_id)
            assert f"run {run_id} · as of {LATE}" in section and 'class="counts"' in section
    runs = list_runs(Store())
    assert [(r.run_id, r.thesis_id, r.as_of.isoformat()) for r in runs] == [
        (1, BUNDLED, EARLY), (2, BUNDLED, LATE), (3, BUNDLED, LATE), (4, USER, LATE)]
    assert runs[2].counts == runs[1].counts  # same data, same as-of: same verdicts


def _serve(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "narrowgate", "serve", *args],
                          capture_output=True, text=True, timeout=120, check=False,
                          env={**os.environ, "NARROWGATE_HOME": str(home)})


def test_cli_refuses_a_non_loopback_host_without_token(tmp_path: Path) -> None:
    done = _serve(tmp_path, "--host", "0.0.0.0", "--port", "0")
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "--token" in lines[0] and "0.0.0.0" in lines[0]
    assert "Traceback" not in done.stderr


def test_loopback_recognised() -> None:
    from narrowgate.hosts import is_loopback

    assert all(is_loopback(h) for h in ("127.0.0.1", "127.3.2.1", "::1", "[::1]", "localhost"))
    assert not any(is_loopback(h) for h in ("0.0.0.0", "192.168.1.4", "::", "example.org"))
