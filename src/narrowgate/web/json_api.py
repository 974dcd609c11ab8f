"""The JSON API: theses, a recorded scorecard, a thesis's history, refresh jobs.

Shapes (documented in docs/living.md "Serve" and in ``GET /openapi.json``):
``GET /api/theses`` → ``{"theses": [thesis…]}``;
``GET /api/theses/{id}/scorecard[?run=N]`` → ``{"run": run, "scorecard": scorecard.json}``;
``GET /api/theses/{id}/history`` → ``{"runs": [...], "flips": [...]}`` (as ``history --json``);
``POST /api/theses/{id}/refresh[?as_of=YYYY-MM-DD]`` → 202 ``{"job": job}``;
``GET /api/jobs/{id}`` → ``{"job": job}`` (jobs are kept in the store: they survive a
restart, and ``note`` says what the restart did to one).
Errors: ``{"error", "hint", "status"}`` with 404 (unknown thesis, run or job), 400 (a bad
parameter), 401 (no token), 503 (store busy).
Handlers are plain functions: Starlette runs them in its thread pool, so a store read never
blocks the event loop.
"""

from __future__ import annotations

import json
from datetime import date, datetime

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from narrowgate.data.store import Store
from narrowgate.errors import NarrowgateError, StoreError
from narrowgate.watch.history import RunNotFound, find_flips, run_json
from narrowgate.web.catalog import (
    AssetNotFound,
    NoRecordedRun,
    ThesisEntry,
    UnknownThesis,
    flips_since,
    latest_flips,
    list_theses,
    recorded_scorecard,
    thesis_entry,
    week_ago,
)
from narrowgate.web.jobs import RefreshJobs, UnknownJob, job_json

NOT_FOUND = (UnknownThesis, NoRecordedRun, UnknownJob, RunNotFound, AssetNotFound)


def error_status(exc: NarrowgateError) -> int:
    """The HTTP status of a narrowgate error: 404 for something absent, 503 for a busy or
    unreadable store, 400 for anything else the caller sent."""
    if isinstance(exc, NOT_FOUND):
        return 404
    if isinstance(exc, StoreError):
        return 503
    return 400


def error_json(exc: NarrowgateError, status: int | None = None) -> JSONResponse:
    """An error as ``{"error": one line, "hint": how to fix or null, "status": code}``."""
    code = status or error_status(exc)
    message = exc.message if hasattr(exc, "message") else str(exc)
    return JSONResponse({"error": message.splitlines()[0] if message else type(exc).__name__,
                         "hint": exc.hint, "status": code}, status_code=code)


def run_number(request: Request) -> int | None:
    """``?run=N`` as an int (None when absent); anything else is a NarrowgateError."""
    raw = request.query_params.get("run")
    if raw is None or raw == "":
        return None
    if not raw.isdigit():
        raise NarrowgateError(f"run {raw!r} is not a run id",
                              "give a run id from GET /api/theses/{id}/history, e.g. ?run=2")
    return int(raw)


def thesis_json(store: Store, entry: ThesisEntry, since: datetime) -> dict[str, object]:
    """One thesis of ``GET /api/theses``: id, origin, title, run count, the latest run, the
    flips between the run before it and it, and the flips into runs recorded since
    ``since`` (the home page's "since last week")."""
    return {"id": entry.thesis_id, "origin": entry.origin,
            "title": None if entry.title is None else entry.title.model_dump(),
            "runs": len(entry.runs),
            "latest_run": None if entry.latest is None else run_json(entry.latest),
            "flips": [f.to_json() for f in latest_flips(store, entry)],
            "flips_since_last_week": [f.to_json() for f in flips_since(store, entry, since)]}


def _json(payload: object, status: int = 200) -> Response:
    return Response(json.dumps(payload, ensure_ascii=False), status_code=status,
                    media_type="application/json")


def theses(request: Request) -> Response:
    store = Store()
    since = week_ago()
    return _json({"theses": [thesis_json(store, e, since) for e in list_theses(store)]})


def scorecard(request: Request) -> Response:
    store = Store()
    entry = thesis_entry(store, request.path_params["thesis_id"])
    row, card = recorded_scorecard(store, entry, run_number(request))
    return _json({"run": run_json(row), "scorecard": json.loads(card.model_dump_json())})


def history(request: Request) -> Response:
    store = Store()
    entry = thesis_entry(store, request.path_params["thesis_id"])
    return _json({"runs": [run_json(r) for r in entry.runs],
                  "flips": [f.to_json() for f in find_flips(store, entry.runs)]})


def refresh(request: Request) -> Response:
    """Queue a re-evaluation (202 at once; poll ``Location``). Needs the thesis file: a
    thesis known only from its history cannot be re-run."""
    jobs: RefreshJobs = request.app.state.jobs
    entry = thesis_entry(Store(), request.path_params["thesis_id"])
    if entry.path is None:
        raise NarrowgateError(f"thesis '{entry.thesis_id}' has history but no file to "
                              "re-evaluate", f"add it again: narrowgate thesis add "
                                             f"{entry.thesis_id}.yaml")
    raw = request.query_params.get("as_of")
    try:
        as_of = date.fromisoformat(raw) if raw else date.today()
    except ValueError:
        raise NarrowgateError(f"as_of {raw!r} is not a date",
                              "write it as YYYY-MM-DD, e.g. ?as_of=2026-11-24") from None
    job = jobs.submit(entry.thesis_id, entry.path, as_of)
    response = _json({"job": job_json(job)}, status=202)
    response.headers["Location"] = f"/api/jobs/{job.job_id}"
    return response


def job(request: Request) -> Response:
    jobs: RefreshJobs = request.app.state.jobs
    raw = request.path_params["job_id"]
    return _json({"job": job_json(jobs.get(raw))})
