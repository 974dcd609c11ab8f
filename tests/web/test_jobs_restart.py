"""Refresh jobs live in the store and survive a restart: a real `narrowgate serve` is killed
while its job runs; the next server marks that job failed, queues again (and runs) the job
it left queued, and leaves alone the jobs of a server that is still alive."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

import httpx
import pytest
from starlette.testclient import TestClient

from narrowgate.data import jobs_sql
from narrowgate.data.store import Store
from narrowgate.web.app import create_app
from tests.web.conftest import BUNDLED, LATE

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _start_server(home: Path) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "narrowgate", "serve", "--port", "0", "--offline"],
        stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
        env={**os.environ, "NARROWGATE_HOME": str(home)})
    assert process.stderr is not None
    match = re.search(r"http://127\.0\.0\.1:(\d+)/", process.stderr.readline())
    assert match
    base = f"http://127.0.0.1:{match.group(1)}"
    for _ in range(300):  # the socket listens already; uvicorn answers once started
        assert process.poll() is None
        try:
            httpx.get(base + "/openapi.json", timeout=2)
            return process, base
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError("narrowgate serve did not answer")


def _poll(get: object, location: str, until: tuple[str, ...]) -> dict[str, object]:
    for _ in range(6000):  # a bound, not a timing assertion
        job = get(location).json()["job"]  # type: ignore[operator]
        if job["status"] in until:
            return job  # type: ignore[no-any-return]
        time.sleep(0.05)
    raise AssertionError(f"{location} never reached {until}")


def test_jobs_survive_a_server_restart(pristine_store_path: Path, tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    from narrowgate.thesis.loader import bundled_theses
    from narrowgate.watch.history import list_runs

    shutil.copy(pristine_store_path, tmp_path / "store.duckdb")
    monkeypatch.setenv("NARROWGATE_HOME", str(tmp_path))
    process, base = _start_server(tmp_path)
    try:
        posted = httpx.post(f"{base}/api/theses/{BUNDLED}/refresh", params={"as_of": LATE},
                            timeout=60)
        assert posted.status_code == 202
        running = _poll(lambda u: httpx.get(base + u, timeout=30), posted.headers["location"],
                        ("running", "done", "failed"))
        assert running["status"] == "running"  # an evaluation takes seconds, not 50 ms
    finally:
        process.send_signal(signal.SIGKILL)  # the server dies mid-evaluation
        process.wait(timeout=30)
    store = Store()
    with store.reading() as con:
        assert con is not None
        (dead,) = jobs_sql.select_jobs(con)
    assert (dead.job_id, dead.status, dead.note) == (1, "running", None)
    with store.writing() as con:  # a job the dead server had queued behind it, and one of
        at = datetime.now(UTC).replace(tzinfo=None)  # a server still alive on this machine
        queued = jobs_sql.insert_job(con, BUNDLED, dead.thesis_path, date(2026, 11, 24),
                                     True, dead.owner, at)
        alive = jobs_sql.insert_job(con, BUNDLED, dead.thesis_path, date(2026, 11, 24), True,
                                    f"{socket.gethostname()}:{os.getppid()}:alive", at)
    assert Path(dead.thesis_path) == bundled_theses()[BUNDLED]

    with TestClient(create_app(offline=True)) as client:  # the server starts again
        failed = client.get("/api/jobs/1").json()["job"]
        assert (failed["status"], failed["run"]) == ("failed", None)
        assert failed["error"].startswith("interrupted: the server running this job stopped")
        assert failed["note"] == failed["error"] and "服务器" in failed["note"]
        again = _poll(client.get, f"/api/jobs/{queued}", ("done", "failed"))
        assert (again["status"], again["error"], again["run"]) == ("done", None, 1)
        assert str(again["note"]).startswith("re-queued by the server started")
        untouched = client.get(f"/api/jobs/{alive}").json()["job"]
        assert (untouched["status"], untouched["note"]) == ("queued", None)
    said = capsys.readouterr().err
    assert "refresh job 1 (ai-narrow-gate): interrupted" in said
    assert f"refresh job {queued} ({BUNDLED}): re-queued" in said
    assert [(r.run_id, r.thesis_id) for r in list_runs(store)] == [(1, BUNDLED)]
