"""The ASGI app of ``narrowgate serve``: routes, error handling, token and refresh queue.

:func:`create_app` is what uvicorn runs and what tests drive with Starlette's TestClient.
Every error a route raises is a narrowgate error (or Starlette's own 404/405), answered in
one line: JSON ``{"error", "hint", "status"}`` under ``/api/`` and ``/openapi.json``, a small
page elsewhere. The store is opened per request (``NARROWGATE_HOME``, as the CLI).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from narrowgate.errors import NarrowgateError
from narrowgate.web import json_api, pages
from narrowgate.web.auth import ASGIApp, TokenAuth
from narrowgate.web.jobs import RefreshJobs
from narrowgate.web.openapi import openapi_document

ROUTES = [
    Route("/", pages.home, methods=["GET"]),
    Route("/theses/assets/{name}", pages.report_asset, methods=["GET"]),
    Route("/static/{name}", pages.web_asset, methods=["GET"]),
    Route("/theses/{thesis_id}", pages.thesis, methods=["GET"]),
    Route("/theses/{thesis_id}/claims/{claim_id}", pages.claim, methods=["GET"]),
    Route("/api/theses", json_api.theses, methods=["GET"]),
    Route("/api/theses/{thesis_id}/scorecard", json_api.scorecard, methods=["GET"]),
    Route("/api/theses/{thesis_id}/history", json_api.history, methods=["GET"]),
    Route("/api/theses/{thesis_id}/refresh", json_api.refresh, methods=["POST"]),
    Route("/api/jobs/{job_id:int}", json_api.job, methods=["GET"]),
    Route("/openapi.json", lambda _: JSONResponse(openapi_document()), methods=["GET"]),
]


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/openapi.json"


async def _narrowgate_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, NarrowgateError)
    status = json_api.error_status(exc)
    if _wants_json(request):
        return json_api.error_json(exc, status)
    return pages.error_page(request, exc, status)


async def _http_error(request: Request, exc: Exception) -> Response:
    """Starlette's own 404 (no route) and 405 (wrong method), in the same one-line form."""
    assert isinstance(exc, HTTPException)
    message = {404: f"no such page or endpoint: {request.url.path}",
               405: f"{request.method} is not allowed on {request.url.path}"}.get(
                   exc.status_code, str(exc.detail))
    error = NarrowgateError(message, "see GET /openapi.json for the API")
    if _wants_json(request):
        return json_api.error_json(error, exc.status_code)
    return pages.error_page(request, error, exc.status_code)


def create_app(token: str | None = None, *, offline: bool = False) -> ASGIApp:
    """The app; ``token`` set → every route needs it (see :mod:`narrowgate.web.auth`);
    ``offline`` → refreshes never fetch (they evaluate on the store as it is)."""
    jobs = RefreshJobs(offline=offline)

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        jobs.start()  # take over the jobs a stopped server left (see web/jobs.py)
        yield
        jobs.shutdown()

    app = Starlette(routes=ROUTES, lifespan=lifespan,
                    exception_handlers={NarrowgateError: _narrowgate_error,
                                        HTTPException: _http_error})
    app.state.jobs = jobs
    if token:
        return TokenAuth(app, token)
    return app
