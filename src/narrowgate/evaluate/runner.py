"""Evaluate every claim of a thesis into a Scorecard.

One claim's failure never stops the run: a missing-data error becomes an honest
"insufficient data" result naming what is missing; an evaluator bug is recorded in the
result's ``error`` field (and makes the CLI exit non-zero) instead of hiding behind a verdict.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from narrowgate import __version__
from narrowgate.errors import DataNotFound, NarrowgateError
from narrowgate.evaluate.book import BASE_LOOKBACK_DAYS
from narrowgate.evaluate.registry import DataNeed, EvalContext, get_evaluator
from narrowgate.evaluate.scorecard import Scorecard, ThesisInfo
from narrowgate.evaluate.verdict import (
    Assessment,
    ClaimResult,
    Evidence,
    MissingData,
    Verdict,
)
from narrowgate.thesis.schema import Claim, LocalizedText, Thesis

ProgressCallback = Callable[[Claim], None]


def planned_data_needs(thesis: Thesis, ctx: EvalContext) -> list[tuple[str, DataNeed]]:
    """Every (claim id, data need) of the thesis, so a run can fetch in one planned pass."""
    needs: list[tuple[str, DataNeed]] = []
    for claim in thesis.claims:
        evaluator = get_evaluator(claim.test)
        params = evaluator.params_model.model_validate(claim.params)
        needs.extend((claim.id, need) for need in evaluator.data_needs(params, ctx))
    if thesis.benchmark is not None:  # the combined book's yardstick (evaluate/book.py)
        from narrowgate.evaluate.hubdata import price_need

        needs.append(("benchmark", price_need(
            thesis.benchmark, thesis.published - timedelta(days=BASE_LOOKBACK_DAYS),
            ctx.as_of, "the benchmark of the thesis's combined book")))
    return needs


def evaluate_claim(claim: Claim, ctx: EvalContext) -> ClaimResult:
    from narrowgate.evaluate.core.stability import claim_stability, recording

    evaluator = get_evaluator(claim.test)
    params = evaluator.params_model.model_validate(claim.params)
    error: str | None = None
    stability: float | None = None
    try:
        with recording() as decisions:
            assessment = evaluator.evaluate(claim, params, ctx)
        if assessment.verdict not in (Verdict.INSUFFICIENT_DATA, Verdict.QUALITATIVE):
            stability = claim_stability(decisions)
    except NarrowgateError as exc:
        fetch = list(exc.fetch) if isinstance(exc, DataNotFound) else []
        # MissingData needs advice or something to fetch: a bare error still gets advice
        how = exc.hint or ("" if fetch else "see the data commands' help")
        assessment = _missing(exc.message, how, fetch)
    except Exception as exc:  # an evaluator bug: record it, keep the other claims going
        error = f"{type(exc).__name__}: {exc}"
        assessment = _missing(
            f"evaluator '{claim.test}' failed ({error})",
            "report this as a bug with the scorecard.json attached",
        )
    return ClaimResult(
        claim_id=claim.id,
        kind=claim.kind.value,
        test=claim.test,
        statement=claim.statement,
        section=claim.section,
        horizon=claim.horizon,
        verdict=assessment.verdict,
        summary=assessment.summary,
        evidence=assessment.evidence,
        error=error,
        stability=stability,
    )


def check_as_of(thesis: Thesis, as_of: date) -> None:
    """A scorecard judges claims made on the publication date: an earlier as-of has no
    claims to judge yet (historical back-tests take their own dates)."""
    if as_of < thesis.published:
        raise NarrowgateError(
            f"as-of {as_of} is before the thesis '{thesis.id}' was published ({thesis.published})",
            f"pick --as-of {thesis.published} or later")


def evaluate_thesis(
    thesis: Thesis,
    as_of: date,
    *,
    offline: bool = False,
    hub: Any = None,
    on_claim: ProgressCallback | None = None,
    warnings: list[str] | None = None,
    book: bool = True,
) -> Scorecard:
    """Every claim's result; ``book``: also hold the thesis's trades together against its
    benchmark (``Scorecard.book``; a replay that reads only verdicts skips it)."""
    check_as_of(thesis, as_of)
    ctx = EvalContext(thesis=thesis, as_of=as_of, offline=offline, hub=hub)
    results: list[ClaimResult] = []
    for claim in thesis.claims:
        results.append(evaluate_claim(claim, ctx))
        if on_claim is not None:
            on_claim(claim)
    all_warnings = list(warnings or [])
    if hub is not None:
        all_warnings.extend(getattr(hub, "warnings", []))
    from narrowgate.evaluate.book import benchmark_warning, thesis_book

    held = thesis_book(results, thesis.published, thesis.benchmark, ctx.hub) if book else None
    if (missing := benchmark_warning(held)) is not None:
        all_warnings.append(missing)
    return Scorecard(
        narrowgate_version=__version__,
        generated_at=datetime.now(UTC),
        as_of=as_of,
        offline=offline,
        thesis=ThesisInfo(id=thesis.id, title=thesis.title, source=thesis.source,
                          sections=thesis.sections, benchmark=thesis.benchmark),
        results=results,
        warnings=all_warnings,
        book=held,
    )


def _missing(what: str, how: str, fetch: list[str] | None = None) -> Assessment:
    return Assessment(
        verdict=Verdict.INSUFFICIENT_DATA,
        summary=LocalizedText(zh=f"数据不足:{what}", en=f"Insufficient data: {what}"),
        evidence=Evidence(missing=[MissingData(what=what, how=how, fetch=fetch or [])]),
    )
