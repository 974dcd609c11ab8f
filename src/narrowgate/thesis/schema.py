"""The thesis file format: pydantic models that a YAML thesis must satisfy.

A thesis is data, not prose: every instrument, date, threshold and figure an evaluator
needs lives in a claim's ``params``, validated by the params model that evaluator declares.
"""

from __future__ import annotations

import datetime as dt
import re
from datetime import date
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

THESIS_FORMAT_VERSION = 1
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
#: an instrument id 'market:symbol' (the same pattern the kinds' params accept)
INSTRUMENT = re.compile(r"^[a-z]+:[A-Za-z0-9][A-Za-z0-9.^=_-]*$")


class StrictModel(BaseModel):
    """Unknown keys are errors: a typo in a thesis file must not be silently ignored; NaN
    and infinity are errors too."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class LocalizedText(StrictModel):
    """Text carried in both of narrowgate's first-class languages."""

    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def get(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


class ClaimKind(StrEnum):
    FACT = "fact"
    MECHANISM = "mechanism"
    FORECAST = "forecast"
    TRADE = "trade"
    VIEW = "view"
    QUALITATIVE = "qualitative"


class SourceRef(StrictModel):
    """Where a figure or statement comes from; ``unverified`` keeps doubt visible."""

    title: str | None = None
    url: str | None = None
    date: dt.date | None = None
    note: str | None = None
    unverified: bool = False

    @model_validator(mode="after")
    def _title_or_url(self) -> SourceRef:
        if not self.title and not self.url:
            raise ValueError("a source needs a title or a url")
        return self


class ThesisSource(StrictModel):
    """The publication the thesis was taken from."""

    title: str = Field(min_length=1)
    medium: str = Field(min_length=1)
    published: date
    author: str | None = None
    url: str | None = None


class Section(StrictModel):
    """One step of a thesis's argument chain; the report groups claims by it."""

    key: str
    title: LocalizedText

    @field_validator("key")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not SLUG.match(value):
            raise ValueError("a section key is a lower-case slug such as 'macro'")
        return value


class Claim(StrictModel):
    id: str
    kind: ClaimKind
    test: str = Field(min_length=1)
    statement: LocalizedText
    section: str | None = Field(None, description="key of one of the thesis's sections")
    horizon: date | None = None
    params: dict[str, Any] = Field(default_factory=dict)
    sources: list[SourceRef] = Field(default_factory=list)

    @field_validator("id")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not SLUG.match(value):
            raise ValueError("a claim id is a lower-case slug such as 'capex-total'")
        return value


class Thesis(StrictModel):
    format: int = THESIS_FORMAT_VERSION
    id: str
    title: LocalizedText
    source: ThesisSource
    sections: list[Section] = Field(default_factory=list)
    #: what the combined book of the thesis's trades is measured against, e.g. us:SPY or
    #: cnidx:000300; None: cash
    benchmark: str | None = None
    claims: list[Claim] = Field(min_length=1)

    @model_validator(mode="after")
    def _sections_known(self) -> Thesis:
        keys = [s.key for s in self.sections]
        if len(set(keys)) != len(keys):
            raise ValueError("two sections share a key")
        for claim in self.claims:
            if claim.section is not None and claim.section not in keys:
                known = ", ".join(keys) or "none declared"
                raise ValueError(f"claim '{claim.id}' names section '{claim.section}', "
                                 f"which the thesis does not declare (sections: {known})")
        return self

    @field_validator("id")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not SLUG.match(value):
            raise ValueError("a thesis id is a lower-case slug such as 'ai-narrow-gate'")
        return value

    @field_validator("benchmark")
    @classmethod
    def _instrument(cls, value: str | None) -> str | None:
        if value is None:
            return value
        if not INSTRUMENT.match(value):
            raise ValueError("a benchmark is an instrument id 'market:symbol' such as us:SPY")
        from narrowgate.instruments import MARKETS  # light module; imported when validating

        market = value.partition(":")[0]
        if market not in MARKETS:
            raise ValueError(f"unknown market '{market}': use one of {', '.join(sorted(MARKETS))}")
        return value

    @field_validator("format")
    @classmethod
    def _known_format(cls, value: int) -> int:
        if value != THESIS_FORMAT_VERSION:
            raise ValueError(f"this narrowgate reads thesis format {THESIS_FORMAT_VERSION}")
        return value

    @property
    def published(self) -> date:
        return self.source.published

    def claim(self, claim_id: str) -> Claim:
        for claim in self.claims:
            if claim.id == claim_id:
                return claim
        raise KeyError(claim_id)
