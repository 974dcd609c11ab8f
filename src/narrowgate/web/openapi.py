"""The OpenAPI 3.1 document of the JSON API (``GET /openapi.json``), written out by hand.

Why by hand and not generated: the handlers are plain Starlette functions returning JSON
built by the history helpers, so there is no model to introspect; a test checks that every
route of the app is described here and that the documented keys are the ones served.
"""

from __future__ import annotations

from collections.abc import Mapping

from narrowgate import __version__

_ID = {"name": "thesis_id", "in": "path", "required": True, "schema": {"type": "string"},
       "description": "a bundled or library thesis id (or one only history still holds)"}
_RUN = {"name": "run", "in": "query", "required": False,
        "schema": {"type": "integer", "minimum": 1},
        "description": "a recorded run id of this thesis; default the latest"}
_AS_OF = {"name": "as_of", "in": "query", "required": False,
          "schema": {"type": "string", "format": "date"},
          "description": "evaluation date YYYY-MM-DD; default today"}
_JOB_ID = {"name": "job_id", "in": "path", "required": True, "schema": {"type": "integer"}}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _ok(schema: Mapping[str, object], text: str) -> object:
    return {"description": text, "content": {"application/json": {"schema": schema}}}


_ERRORS: dict[str, object] = {
    "401": _ok(_ref("Error"), "a token is set and the request shows none"),
    "404": _ok(_ref("Error"), "unknown thesis, run or job")}

_SCHEMAS: dict[str, object] = {
    "Error": {"type": "object", "required": ["error", "status"],
              "properties": {"error": {"type": "string", "description": "one line"},
                             "hint": {"type": ["string", "null"]},
                             "status": {"type": "integer"}}},
    "Run": {"type": "object",
            "required": ["id", "thesis", "thesis_hash", "as_of", "generated_at", "counts"],
            "properties": {"id": {"type": "integer"}, "thesis": {"type": "string"},
                           "thesis_hash": {"type": "string", "description": "SHA-256 hex"},
                           "thesis_path": {"type": ["string", "null"]},
                           "as_of": {"type": "string", "format": "date"},
                           "generated_at": {"type": "string", "format": "date-time"},
                           "recorded_at": {"type": "string", "format": "date-time"},
                           "offline": {"type": "boolean"},
                           "counts": {"type": "object",
                                      "additionalProperties": {"type": "integer"},
                                      "description": "verdict → number of claims"},
                           "data_end": {"type": ["string", "null"], "format": "date"},
                           "data": {"type": "object", "description":
                                    "instrument → newest date the run read"},
                           "checks": {"type": ["object", "null"], "description":
                                      "watch cycles that found nothing new since this "
                                      "run (count, last_as_of, last_checked_at), or null",
                                      "properties": {
                                          "count": {"type": "integer"},
                                          "last_as_of": {"type": "string", "format": "date"},
                                          "last_checked_at": {"type": "string",
                                                              "format": "date-time"}}}}},
    "Flip": {"type": "object",
             "required": ["thesis", "claim", "from_run", "to_run", "old", "new"],
             "properties": {"thesis": {"type": "string"}, "claim": {"type": "string"},
                            "from_run": {"type": "integer"}, "to_run": {"type": "integer"},
                            "from_as_of": {"type": "string", "format": "date"},
                            "to_as_of": {"type": "string", "format": "date"},
                            "old": {"type": ["string", "null"]},
                            "new": {"type": ["string", "null"]},
                            "figure_before": {"type": ["object", "null"]},
                            "figure_after": {"type": ["object", "null"]}}},
    "Thesis": {"type": "object",
               "required": ["id", "origin", "title", "runs", "latest_run", "flips",
                            "flips_since_last_week"],
               "properties": {"id": {"type": "string"},
                              "origin": {"enum": ["bundled", "library", "history"]},
                              "title": {"type": ["object", "null"],
                                        "properties": {"zh": {"type": "string"},
                                                       "en": {"type": "string"}}},
                              "runs": {"type": "integer"},
                              "latest_run": {"oneOf": [_ref("Run"), {"type": "null"}]},
                              "flips": {"type": "array", "items": _ref("Flip"),
                                        "description": "previous run → latest run"},
                              "flips_since_last_week": {
                                  "type": "array", "items": _ref("Flip"),
                                  "description": "flips into runs recorded in the last "
                                                 "7 days, each against the run before it"}}},
    "Job": {"type": "object",
            "required": ["id", "thesis", "as_of", "status", "run", "error"],
            "properties": {"id": {"type": "integer"}, "thesis": {"type": "string"},
                           "as_of": {"type": "string", "format": "date"},
                           "offline": {"type": "boolean"},
                           "status": {"enum": ["queued", "running", "done", "failed"]},
                           "submitted_at": {"type": "string", "format": "date-time"},
                           "started_at": {"type": ["string", "null"]},
                           "finished_at": {"type": ["string", "null"]},
                           "run": {"type": ["integer", "null"],
                                   "description": "the recorded run, once done"},
                           "error": {"type": ["string", "null"]},
                           "warnings": {"type": "array", "items": {"type": "string"}},
                           "note": {"type": ["string", "null"], "description":
                                    "what a server restart did to the job (re-queued, "
                                    "or failed because it was running), else null"}}},
}


def _envelope(**properties: object) -> dict[str, object]:
    """An object whose keys are all required."""
    return {"type": "object", "required": list(properties), "properties": properties}


def _responses(**by_status: object) -> dict[str, object]:
    """The success responses given (``ok200=…``) plus the shared 401 and 404."""
    return {key.removeprefix("ok"): value for key, value in by_status.items()} | _ERRORS


def openapi_document() -> dict[str, object]:
    """The document served at ``/openapi.json``."""
    return {
        "openapi": "3.1.0",
        "info": {"title": "narrowgate serve", "version": __version__,
                 "description": "Recorded scorecards of theses, their history, and refreshes. "
                                "记录的观点记分卡、历史与刷新。"},
        "components": {"schemas": _SCHEMAS, "securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer",
                       "description": "only when the server was started with --token"}}},
        "security": [{}, {"bearer": []}],
        "paths": {
            "/api/theses": {"get": {
                "summary": "Theses with their latest run and its flips",
                "responses": _responses(ok200=_ok(_envelope(
                    theses={"type": "array", "items": _ref("Thesis")}), "every known thesis"))}},
            "/api/theses/{thesis_id}/scorecard": {"get": {
                "summary": "A recorded scorecard (latest, or ?run=)",
                "parameters": [_ID, _RUN],
                "responses": _responses(ok200=_ok(_envelope(
                    run=_ref("Run"),
                    scorecard={"type": "object", "description": "as scorecard.json"}),
                    "the run and its scorecard"))}},
            "/api/theses/{thesis_id}/history": {"get": {
                "summary": "Recorded runs and flips between consecutive runs",
                "parameters": [_ID],
                "responses": _responses(ok200=_ok(_envelope(
                    runs={"type": "array", "items": _ref("Run")},
                    flips={"type": "array", "items": _ref("Flip")}),
                    "as `narrowgate history --json`"))}},
            "/api/theses/{thesis_id}/refresh": {"post": {
                "summary": "Re-evaluate in a worker and record the run",
                "parameters": [_ID, _AS_OF],
                "responses": _responses(
                    ok202=_ok(_envelope(job=_ref("Job")), "queued; poll the Location header"),
                    ok400=_ok(_ref("Error"), "a bad as_of"))}},
            "/api/jobs/{job_id}": {"get": {
                "summary": "A refresh job's state",
                "parameters": [_JOB_ID],
                "responses": _responses(ok200=_ok(_envelope(job=_ref("Job")), "the job"))}},
        },
    }
