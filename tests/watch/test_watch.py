"""`narrowgate watch` on the real data: a run recorded at 2026-04-30, then a watch cycle at
2026-11-24 posts exactly the two flipped claims (and the two watch items that crossed their
threshold) to a loopback capture server, a second cycle posts nothing, a webhook that fails
is delivered on the next cycle, and two watchers at once never notify twice."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from typer.testing import CliRunner

from narrowgate.cli.main import app
from narrowgate.data.store import Store
from narrowgate.watch.outbox import events
from tests.conftest import narrowgate_main

EARLY, LATE = "2026-04-30", "2026-11-24"
PAYLOAD_KEYS = {"kind", "thesis", "claim", "as_of", "old", "new", "figure", "link", "text"}


class Capture:
    """A loopback webhook: records every POST body, answers the scripted statuses in
    order (the last one repeats)."""

    def __init__(self) -> None:
        self.bodies: list[dict[str, object]] = []
        self.statuses = [200]
        capture = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                size = int(self.headers.get("Content-Length", "0"))
                capture.bodies.append(json.loads(self.rfile.read(size)))
                status = (capture.statuses.pop(0) if len(capture.statuses) > 1
                          else capture.statuses[0])
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.httpd.serve_forever,
                                       kwargs={"poll_interval": 0.02}, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def capture() -> Iterator[Capture]:
    server = Capture()
    yield server
    server.close()


def _watch(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["watch", "--once", "--offline", "--as-of", LATE,
                                      *args])
    return result.exit_code, result.output


def test_a_cycle_posts_exactly_the_flips_then_nothing(early_home: Path,
                                                      capture: Capture) -> None:
    code, out = _watch("--notify", capture.url, "--link", "http://127.0.0.1:8000")
    assert code == 0, out
    assert "2 flip(s)" in out and "2 watch crossing(s)" in out
    assert "notifications: 4 of 4 delivered" in out
    assert all(set(b) == PAYLOAD_KEYS for b in capture.bodies)
    by_claim = {b["claim"]: b for b in capture.bodies if b["kind"] == "flip"}
    assert sorted(by_claim) == ["btc-cycle", "earnings-up-pe-down"]
    crossings = {b["claim"]: b for b in capture.bodies if b["kind"] == "watch"}
    assert sorted(crossings) == ["a-share-view", "gold-over-silver"]
    a_share = crossings["a-share-view"]
    assert (a_share["old"], a_share["new"]) == ("pending", "pending")  # not flipped yet
    assert a_share["figure"] == {
        "label": {"en": "return since the start", "zh": "起点以来涨跌"}, "value": -4.0,
        "before": 3.5, "threshold": 0.0, "unit": "%", "flips_to": "supported",
        "instrument": "cnidx:000300", "observed": "2026-09-17"}
    assert "crossed its threshold 越过阈值 0 %: 3.5 → -4" in str(a_share["text"])
    btc, earnings = by_claim["btc-cycle"], by_claim["earnings-up-pe-down"]
    assert (btc["old"], btc["new"]) == ("pending", "mixed")
    assert (earnings["old"], earnings["new"]) == ("contradicted", "mixed")
    assert earnings["as_of"] == LATE and earnings["thesis"] == "ai-narrow-gate"
    assert earnings["link"] == ("http://127.0.0.1:8000/theses/ai-narrow-gate/claims/"
                                "earnings-up-pe-down")
    text = str(earnings["text"])
    assert "\n" not in text and "contradicted 被否定 → mixed 部分成立" in text
    assert text.endswith("<http://127.0.0.1:8000/theses/ai-narrow-gate/claims/"
                         "earnings-up-pe-down|open 打开>")
    figure = earnings["figure"]
    assert isinstance(figure, dict)
    assert (figure["key"], figure["value"], figure["unit"], figure["before"]) == (
        "indices_backing", 1, "of 3", 0)  # 2 → 1 since issue 13: H30184's −0.7% P/E is flat
    queued = events(Store(early_home / "store.duckdb"))
    assert [(e.claim_id, e.kind, e.delivered, e.attempts, e.last_error) for e in queued] == [
        ("earnings-up-pe-down", "flip", True, 1, None), ("btc-cycle", "flip", True, 1, None),
        ("gold-over-silver", "watch", True, 1, None), ("a-share-view", "watch", True, 1, None)]

    code, out = _watch("--notify", capture.url)  # nothing changed since the last cycle
    assert code == 0, out
    assert "0 flip(s)" in out and "0 watch crossing(s)" in out and len(capture.bodies) == 4
    assert len(events(Store(early_home / "store.duckdb"))) == 4


def test_a_failed_notification_is_kept_and_delivered_next_cycle(early_home: Path,
                                                               capture: Capture) -> None:
    capture.statuses = [500, 500, 500, 500, 200]
    code, out = _watch("--notify", capture.url)
    assert code == 5, out
    assert "HTTP 500" in out and "sent again next cycle" in out
    store = Store(early_home / "store.duckdb")
    assert [(e.delivered, e.attempts, e.last_error) for e in events(store)] == [
        (False, 1, "HTTP 500: ok")] * 4

    code, out = _watch("--notify", capture.url)  # no new flip; the queued two go out
    assert code == 0, out
    assert "0 flip(s)" in out and "notifications: 4 of 4 delivered" in out
    claims = ["earnings-up-pe-down", "btc-cycle", "gold-over-silver", "a-share-view"]
    assert [b["claim"] for b in capture.bodies] == claims * 2
    assert capture.bodies[:4] == capture.bodies[4:]  # the same events, not new ones
    assert [(e.delivered, e.attempts, e.last_error) for e in events(store)] == [
        (True, 2, None)] * 4


def test_a_webhook_that_is_down_keeps_the_event(early_home: Path, capture: Capture) -> None:
    down = capture.url
    capture.close()  # nothing listens on that port any more
    code, out = _watch("--notify", down)
    assert code == 5, out
    rows = events(Store(early_home / "store.duckdb"), pending_only=True)
    assert len(rows) == 4 and all(r.last_error and "ConnectError" in r.last_error
                                  for r in rows)


def _main(*args: str) -> tuple[int, list[str]]:
    return narrowgate_main(*args, timeout=60)


@pytest.mark.parametrize(("args", "words"), [
    (["watch"], "exactly one of --once and --every"),
    (["watch", "--once", "--every", "6h"], "exactly one of --once and --every"),
    (["watch", "--once", "--notify", "ftp://x/hook"], "is not an http(s) URL"),
    (["watch", "--every", "5s"], "is not a duration of at least 60 s"),
    (["watch", "--once", "--as-of", "someday"], "is not a date"),
])
def test_bad_usage_is_one_line_and_exit_2(args: list[str], words: str, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NARROWGATE_HOME", str(tmp_path))
    code, lines = _main(*args)
    assert code == 2 and len(lines) == 1 and words in lines[0], lines


def _spawn(home: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "narrowgate", "watch", "--offline",
                             "--as-of", LATE, *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "NARROWGATE_HOME": str(home)})


def test_two_watchers_at_once_never_notify_twice(early_home: Path, capture: Capture) -> None:
    first = _spawn(early_home, "--once", "--notify", capture.url)
    second = _spawn(early_home, "--once", "--notify", capture.url)
    outs = [p.communicate(timeout=300) for p in (first, second)]
    assert [first.returncode, second.returncode] == [0, 0], outs
    assert sorted(b["claim"] for b in capture.bodies) == [  # each event exactly once
        "a-share-view", "btc-cycle", "earnings-up-pe-down", "gold-over-silver"]
    rows = events(Store(early_home / "store.duckdb"))
    assert [(r.delivered, r.attempts) for r in rows] == [(True, 1)] * 4


def test_a_cycle_finding_the_watch_lock_held_skips(early_home: Path,
                                                   capture: Capture) -> None:
    from narrowgate.watch.cycle import watch_lock

    with watch_lock(Store(early_home / "store.duckdb")) as held:
        assert held
        code, out = _watch("--notify", capture.url)
    assert code == 0 and "cycle skipped" in out and capture.bodies == []


def test_every_runs_cycles_until_interrupted(early_home: Path, capture: Capture) -> None:
    import signal
    import time

    store = Store(early_home / "store.duckdb")
    watcher = _spawn(early_home, "--every", "1m", "--notify", capture.url)
    deadline = time.monotonic() + 240  # a bound for a stuck watcher, not a speed check
    while watcher.poll() is None and time.monotonic() < deadline and not (
            len(capture.bodies) == 4 and all(r.delivered for r in events(store))):
        time.sleep(0.2)
    watcher.send_signal(signal.SIGINT)  # while it sleeps until the next cycle
    _, err = watcher.communicate(timeout=60)
    assert len(capture.bodies) == 4, err
    assert watcher.returncode == 130, err
    assert "run 2 recorded" in err and "notifications: 4 of 4 delivered" in err


def test_a_version_2_store_gains_the_outbox_on_the_first_cycle(early_home: Path,
                                                               capture: Capture) -> None:
    import duckdb

    path = early_home / "store.duckdb"
    con = duckdb.connect(str(path))  # the store as the release before the outbox left it
    for table in ("outbox", "jobs", "run_checks", "forecasts", "price_lists",
                  "timeline_cache"):
        con.execute(f"DROP TABLE {table}")
    con.execute("UPDATE narrowgate_schema SET version = 2")
    con.close()
    assert events(Store(path)) == []  # reads: no outbox, no error
    code, out = _watch("--notify", capture.url)
    assert code == 0, out
    con = duckdb.connect(str(path), read_only=True)
    assert con.execute("SELECT max(version) FROM narrowgate_schema").fetchone() == (6,)
    con.close()
    assert len(events(Store(path))) == 4 and len(capture.bodies) == 4
