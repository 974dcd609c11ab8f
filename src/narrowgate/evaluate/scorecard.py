"""The scorecard: every claim's result plus what the run used. Versioned JSON schema.

Why in evaluate/: it is the result of an evaluation, which the report, the terminal and
the Python API all read; the report only writes it (:mod:`narrowgate.report.scorecard`).
``SCHEMA_VERSION`` follows semver: a new optional field bumps the minor number, a removed
or renamed field bumps the major. docs/scorecard-schema.md documents every field.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, model_validator

from narrowgate.evaluate.verdict import ClaimResult, Verdict
from narrowgate.thesis.schema import LocalizedText, Section, ThesisSource

SCHEMA_VERSION = "1.3"

#: keys a written scorecard.json carries that are computed from the rest
DERIVED_KEYS = ("counts", "newest_data")


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

    @model_validator(mode="before")
    @classmethod
    def _drop_derived(cls, data: Any) -> Any:
        """A file written by ``run`` loads back: its derived keys are recomputed, not read."""
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if k not in DERIVED_KEYS}
        return data

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


def load_scorecard(path: str | Path) -> Scorecard:
    """A scorecard.json written by ``narrowgate run`` (any 1.x schema this version reads)."""
    return Scorecard.model_validate_json(Path(path).read_text(encoding="utf-8"))
