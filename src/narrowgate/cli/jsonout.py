"""Machine-readable output for every ``--json`` option: one JSON document on stdout.

Why one helper: dates, paths and dataclasses must print the same way in every command,
and nothing else (progress, notes) may reach stdout when ``--json`` is on.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import date, datetime, time
from pathlib import Path

import typer


def _plain(value: object) -> object:
    if str(value) == "NaT":  # pandas' missing time stamp
        return None
    if isinstance(value, datetime) and value.tzinfo is None and value.time() == time(0):
        return value.date().isoformat()  # a day, not a moment
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if callable(getattr(value, "item", None)) and not isinstance(value, (list, dict)):
        return _nan_to_none(value.item())  # type: ignore[attr-defined]  # numpy scalars
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def emit_json(payload: object) -> None:
    """Print ``payload`` as one JSON document (UTF-8, dates as ISO text, NaN as null)."""
    text = json.dumps(_nan_to_none(payload), ensure_ascii=False, default=_plain)
    typer.echo(text)


def _nan_to_none(value: object) -> object:
    """JSON has no NaN: a missing number is null."""
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, dict):
        return {k: _nan_to_none(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_nan_to_none(v) for v in value]
    return value
