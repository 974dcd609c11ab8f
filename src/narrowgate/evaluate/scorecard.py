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
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, PrivateAttr, computed_field, model_validator

from narrowgate.evaluate.book import Book
from narrowgate.evaluate.verdict import ClaimResult, Verdict
from narrowgate.thesis.schema import LocalizedText, Section, ThesisSource

if TYPE_CHECKING:
    import pandas as pd

SCHEMA_VERSION = "1.6"

#: the two languages every visible string is written in
Lang = Literal["zh", "en"]

#: keys a written scorecard.json carries that are computed from the rest
DERIVED_KEYS = ("counts", "newest_data")


class ThesisInfo(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    title: LocalizedText
    source: ThesisSource
    sections: list[Section] = []
    #: the instrument the combined book is measured against (None: cash); schema 1.5
    benchmark: str | None = None


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
    #: every trade the thesis holds or implies, held together (schema 1.5; None: no trade)
    book: Book | None = None
    #: the language the notebook card and ``to_frame()`` show by default (not saved)
    _lang: Lang = PrivateAttr("en")

    @model_validator(mode="before")
    @classmethod
    def _drop_derived(cls, data: Any) -> Any:
        """A file written by ``run`` loads back: its derived keys are recomputed, not read."""
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if k not in DERIVED_KEYS}
        return data

    @computed_field  # type: ignore[prop-decorator]
    @property
    def counts(self) -> dict[str, int]:
        """How many claims got each verdict (written to the file, recomputed on load)."""
        tally = Counter(result.verdict.value for result in self.results)
        return {verdict.value: tally.get(verdict.value, 0) for verdict in Verdict}

    @computed_field  # type: ignore[prop-decorator]
    @property
    def newest_data(self) -> date | None:
        """The newest market or filing date any claim read (written, recomputed on load)."""
        ends = [d for r in self.results if (d := r.evidence.newest_data()) is not None]
        return max(ends) if ends else None

    def set_language(self, lang: Lang) -> Scorecard:
        """Show ``lang`` by default in ``to_frame()`` and the notebook card; returns self."""
        self._lang = lang
        return self

    def claim(self, claim_id: str) -> ClaimResult:
        """The result of one claim by its id (KeyError naming the ids there are)."""
        for result in self.results:
            if result.claim_id == claim_id:
                return result
        raise KeyError(f"no claim {claim_id!r} in this scorecard; its claims: "
                       + ", ".join(r.claim_id for r in self.results))

    def to_frame(self, lang: Lang | None = None) -> pd.DataFrame:
        """One row per claim: id, kind, test, verdict, headline figure (its label, value
        and unit: the first figure marked decisive, else the first figure), the newest
        data date read, and whether any input was stale. Indexed by claim id."""
        from narrowgate.evaluate.card import results_frame

        return results_frame(self.results, lang or self._lang)

    def _repr_html_(self) -> str:
        """A compact card in Jupyter: title, as-of, the verdict tally and the claims."""
        from narrowgate.evaluate.card import scorecard_html

        return scorecard_html(self, self._lang)

    def to_json_dict(self) -> dict[str, object]:
        """What ``scorecard.json`` holds: every field plus the derived counts and date."""
        return self.model_dump(mode="json")


def scorecard_json_schema() -> dict[str, object]:
    """The JSON Schema of a written ``scorecard.json`` (derived keys included), shipped
    as docs/scorecard.schema.json so other tools can validate files without narrowgate."""
    schema = Scorecard.model_json_schema(mode="serialization")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"https://narrowgate.dev/schema/scorecard-{SCHEMA_VERSION}.json"
    return schema


def load_scorecard(path: str | Path) -> Scorecard:
    """A scorecard.json written by ``narrowgate run`` (any 1.x schema this version reads)."""
    return Scorecard.model_validate_json(Path(path).read_text(encoding="utf-8"))
