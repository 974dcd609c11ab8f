"""What `narrowgate backtest` runs: the back-tests a target names, each as a :class:`Job`.

Why apart from the command: listing is the thesis's business (which claims hold a trade,
which position a claim implies, where each enters), running and printing is the
command's. A claim's trades come from its evaluator — ``backtest_plan`` for a trade
claim, ``implied_plans`` for a claim implying positions — so the terminal runs the plans
the report decides on. Plans stay lazy: one that cannot be read fails its own job only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from narrowgate.errors import NarrowgateError

if TYPE_CHECKING:
    from narrowgate.evaluate.registry import EvalContext
    from narrowgate.evaluate.trade_backtest import TradePlan
    from narrowgate.thesis.schema import Claim


@dataclass(frozen=True)
class Job:
    """One back-test. ``build`` reads its plan (raises NarrowgateError when it cannot);
    ``entry``: the since-entry run starts at the last close before this date (None:
    history only); ``event``: what that entry is, as the output words it."""

    label: str
    title: str
    build: Callable[[], TradePlan]
    entry: date | None
    event: str = "publication"


def list_jobs(target: str | None, ctx: EvalContext, start: date | None,
              end: date | None) -> list[Job]:
    """The jobs of a strategy file, of one claim (each trade it holds or implies), of one
    trade of a claim (``claim:suffix``, e.g. storage-npo:vs-nasdaq), or of the whole
    thesis (``target`` None). ``start``/``end`` override each plan's history window."""
    thesis = ctx.thesis
    if target is not None and (target.endswith((".yaml", ".yml")) or Path(target).is_file()):
        return [_file_job(Path(target), ctx, start, end)]
    testable = [c.id for c in thesis.claims if _backtestable(c.test)]
    hint = "back-testable claims: " + ", ".join(testable)
    claim_id, _, suffix = (target or "").partition(":")
    if target is None:
        ids = testable
    elif claim_id not in {c.id for c in thesis.claims}:
        raise NarrowgateError(f"no claim '{claim_id}' in thesis {thesis.id}",
                              hint + "; or give a strategy file")
    elif claim_id not in testable:
        kind = thesis.claim(claim_id).kind.value
        raise NarrowgateError(f"claim '{claim_id}' ({kind}) holds or implies no trade to "
                              "back-test", hint)
    else:
        ids = [claim_id]
    jobs = [job for i in ids for job in _claim_jobs(thesis.claim(i), ctx, start, end)]
    if suffix:
        chosen = [job for job in jobs if job.label == target]
        if not chosen:
            raise NarrowgateError(f"claim '{claim_id}' has no trade '{suffix}'",
                                  "its trades: " + ", ".join(job.label for job in jobs))
        return chosen
    return jobs


def _backtestable(test: str) -> bool:
    from narrowgate.evaluate.registry import get_evaluator

    evaluator = get_evaluator(test)
    return hasattr(evaluator, "backtest_plan") or hasattr(evaluator, "implied_plans")


def _claim_jobs(claim: Claim, ctx: EvalContext, start: date | None,
                end: date | None) -> list[Job]:
    """A trade claim's one job, or one per position the claim implies, each anchored at
    its own entry (the selloff's start, publication, a timed entry)."""
    from narrowgate.evaluate.registry import get_evaluator

    evaluator: Any = get_evaluator(claim.test)
    params = evaluator.params_model.model_validate(claim.params)
    if hasattr(evaluator, "backtest_plan"):
        return [Job(claim.id, claim.id, partial(evaluator.backtest_plan, params, ctx, start, end),
                    ctx.published)]
    try:
        plans = evaluator.implied_plans(claim, params, ctx, start, end)
    except NarrowgateError as exc:  # some claims read closes to list their trades
        return [Job(claim.id, claim.id, partial(_reraise, exc), None)]
    return [Job(p.label, f"{p.label}: {p.name.en}", p.build, p.entry,
                p.since.en if p.since else "publication") for p in plans]


def _reraise(exc: NarrowgateError) -> TradePlan:
    raise exc


def _file_job(path: Path, ctx: EvalContext, start: date | None, end: date | None) -> Job:
    """A strategy file: validated, its closes read from the hub, its entry as 'since'."""
    import yaml
    from pydantic import ValidationError

    from narrowgate.backtest.strategies import load_strategy
    from narrowgate.evaluate.hubdata import read_closes
    from narrowgate.evaluate.trade_backtest import TradePlan
    from narrowgate.instruments import parse_instrument, periods_per_year
    from narrowgate.textfile import UnreadableFile, read_text_file

    if not path.is_file():
        raise NarrowgateError(f"no strategy file {path}")
    try:  # bounded, regular, UTF-8: a strategy is a few lines
        text = read_text_file(path, limit=1024 * 1024)
    except UnreadableFile as exc:
        raise NarrowgateError(f"{path}: cannot read the strategy file ({exc})",
                              "give a UTF-8 YAML file, see docs/backtest.md") from None
    try:
        raw = yaml.safe_load(text)
    except RecursionError:
        raise NarrowgateError(f"{path}: nested far too deep", "a strategy is a flat mapping"
                              ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        raise NarrowgateError(f"{path}{line}: not valid YAML", "fix the syntax") from None
    if not isinstance(raw, dict):
        raise NarrowgateError(f"{path}: a strategy file is a mapping (kind: long_short, …)",
                              "see docs/backtest.md 'Strategies as data'")
    try:
        strategy = load_strategy(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "strategy"
        raise NarrowgateError(f"{path}: {where}: {first['msg']}",
                              "see docs/backtest.md 'Strategies as data'") from None
    assets = [str(parse_instrument(a)) for a in strategy.assets]
    closes, data = read_closes(ctx, assets, start, end)
    periods = periods_per_year(assets)
    plan = TradePlan(strategy=strategy, closes=closes, data=data, periods_per_year=periods,
                     currency="")
    since = strategy.entry + timedelta(days=1) if strategy.entry else None
    name = strategy.name or path.stem
    return Job(name, name, lambda: plan, since)
