"""The scorecard: every claim's result plus what the run used. Versioned JSON schema.

``SCHEMA_VERSION`` follows semver: a new optional field bumps the minor number, a removed
or renamed field bumps the major. docs/scorecard-schema.md documents every field.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections import Counter
from datetime import date, datetime
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from narrowgate.evaluate.verdict import ClaimResult, Verdict
from narrowgate.thesis.schema import LocalizedText, Section, ThesisSource

SCHEMA_VERSION = "1.3"


class ThesisInfo(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    title: LocalizedText
    source: ThesisSource
    sections: list[Section] = []


class Scorecard(BaseModel):
    model_config = ConfigDict(extra="forbid")

    schema_version: str = SCHEMA_VERSION
    narrowgate_version: str
    generated_at: datetime
    as_of: date
    offline: bool
    thesis: ThesisInfo
    results: list[ClaimResult]
    warnings: list[str] = []

    @property
    def counts(self) -> dict[str, int]:
        tally = Counter(result.verdict.value for result in self.results)
        return {verdict.value: tally.get(verdict.value, 0) for verdict in Verdict}

    @property
    def newest_data(self) -> date | None:
        ends = [d for r in self.results if (d := r.evidence.newest_data()) is not None]
        return max(ends) if ends else None

    def to_json_dict(self) -> dict[str, object]:
        payload = self.model_dump(mode="json")
        payload["counts"] = self.counts
        newest = self.newest_data
        payload["newest_data"] = newest.isoformat() if newest else None
        return payload


def write_atomic(path: Path, text: str) -> None:
    """Write via a temp file and rename, so a crash never leaves a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; a report is meant to be shared
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_scorecard_json(scorecard: Scorecard, path: Path) -> Path:
    write_atomic(path, json.dumps(scorecard.to_json_dict(), ensure_ascii=False, indent=2))
    return path
