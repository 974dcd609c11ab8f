"""`narrowgate backtest`: run a thesis trade or a strategy file, print its metrics.

A target is a trade claim of the thesis (its evaluator builds the strategy and reads the
closes, so the terminal shows what the report decides on), a strategy YAML file (the
format of docs/backtest.md, assets named as instrument ids such as us:QQQ), or nothing
(every trade in the thesis). ``--sweep PARAM=RANGE`` re-runs the strategy over a grid of
one parameter in a single kernel call and ranks the variants; ``--scheduler`` spreads a
large sweep over a Dask distributed cluster (an address, or ``local``). Heavy imports stay inside
functions so ``narrowgate --help`` answers at once.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from narrowgate.errors import NarrowgateError

if TYPE_CHECKING:
    from rich.console import Console

    from narrowgate.evaluate.registry import EvalContext
    from narrowgate.evaluate.trade_backtest import TradePlan

SWEEPABLE = {"window": "a pair's moving-average filter (trading days)",
             "gross": "long + |short| exposure (× equity)",
             "net": "long − |short| exposure (× equity)"}
MAX_VARIANTS = 100_000
TOP_VARIANTS = 10


def backtest(
    target: Annotated[str | None, typer.Argument(
        metavar="[CLAIM_ID|FILE]",
        help="A trade claim (e.g. rotation-trade) or a strategy YAML file; default: every "
             "trade in the thesis.")] = None,
    from_: Annotated[str | None, typer.Option(
        "--from", help="History from this date (YYYY-MM-DD; default: the claim's "
                       "backtest_start, or all data).")] = None,
    to: Annotated[str | None, typer.Option(
        "--to", help="Up to this date (YYYY-MM-DD; default: the latest data).")] = None,
    sweep: Annotated[str | None, typer.Option(
        "--sweep", help="PARAM=RANGE: window=20:200:10 (start:stop:step, stop included) "
                        "or gross=0.5,1,1.5. PARAM: window, gross or net.")] = None,
    scheduler: Annotated[str | None, typer.Option(
        "--scheduler", help="Run --sweep on a Dask distributed cluster: a scheduler address "
                            "(tcp://HOST:8786) or 'local' for a LocalCluster on this "
                            "machine; default: this process.")] = None,
    thesis: Annotated[str | None, typer.Option(
        "--thesis", help="Bundled thesis id or YAML file (default: ai-narrow-gate).")] = None,
    offline: Annotated[bool, typer.Option(
        "--offline", help="Never call a live data source; use the local store.")] = False,
) -> None:
    """Back-test a trade since publication and over history — 回测交易:发布以来与历史。"""
    from rich.console import Console

    from narrowgate.evaluate.registry import EvalContext
    from narrowgate.thesis.loader import load_thesis

    start, end = parse_date(from_, "--from"), parse_date(to, "--to")
    if start and end and start >= end:
        raise NarrowgateError(f"--from {start} is not before --to {end}")
    grid = parse_sweep(sweep) if sweep else None
    if scheduler is not None and grid is None:
        raise NarrowgateError("--scheduler only applies to a sweep", "add --sweep PARAM=RANGE")
    console = Console()
    the_thesis = load_thesis(thesis)
    hub = _open_hub(offline, console)
    ctx = EvalContext(thesis=the_thesis, as_of=end or date.today(), offline=offline, hub=hub)
    jobs = _jobs(target, ctx, start, end)
    for label, plan, published in jobs:
        _run_one(console, label, plan, published, grid, end, scheduler)


def parse_date(value: str | None, option: str) -> date | None:
    """An ISO date, or a one-line error naming the option."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise NarrowgateError(f"{option} '{value}' is not a date",
                              "write it as YYYY-MM-DD, e.g. 2026-02-06") from None


def parse_sweep(spec: str) -> tuple[str, list[float]]:
    """``PARAM=start:stop:step`` (stop included) or ``PARAM=a,b,c`` → (param, values)."""
    param, sep, rng = spec.partition("=")
    param = param.strip()
    hint = "write PARAM=START:STOP:STEP (e.g. window=20:200:10) or PARAM=A,B,C"
    if not sep or not param or not rng.strip():
        raise NarrowgateError(f"--sweep '{spec}' is not PARAM=RANGE", hint)
    if param not in SWEEPABLE:
        raise NarrowgateError(f"--sweep cannot vary '{param}'",
                              "use one of: " + "; ".join(f"{k} ({v})" for k, v in
                                                          SWEEPABLE.items()))
    try:
        if ":" in rng:
            parts = [float(x) for x in rng.split(":")]
            if len(parts) != 3:
                raise ValueError
            lo, hi, step = parts
            if step <= 0 or lo > hi:
                raise NarrowgateError(f"--sweep range '{rng}' is empty",
                                      "START must not exceed STOP and STEP must be positive")
            count = int((hi - lo) / step + 1e-9) + 1
            if count > MAX_VARIANTS:
                raise NarrowgateError(f"--sweep range '{rng}' has {count:,} variants",
                                      f"keep it to {MAX_VARIANTS:,} or fewer")
            values = [lo + i * step for i in range(count)]
        else:
            values = [float(x) for x in rng.split(",")]
    except ValueError:
        raise NarrowgateError(f"--sweep range '{rng}' is not numbers", hint) from None
    if param == "window" and any(v < 1 or v != int(v) for v in values):
        raise NarrowgateError(f"--sweep window values must be whole days ≥ 1, got '{rng}'")
    return param, values


def _open_hub(offline: bool, console: Console) -> Any:
    """The hub over the local store; an unreachable network means the store alone."""
    from narrowgate.cli.run_cmd import network_reachable
    from narrowgate.data.hub import DataHub
    from narrowgate.data.store import Store

    if not offline and not network_reachable():
        console.print("[yellow]network unreachable: using the local store only[/]")
        offline = True
    return DataHub(Store(), offline=offline)


def _jobs(target: str | None, ctx: EvalContext, start: date | None,
          end: date | None) -> list[tuple[str, TradePlan, date | None]]:
    """(label, plan, publication or entry date) for each trade the target names."""
    thesis = ctx.thesis
    if target is not None and (target.endswith((".yaml", ".yml")) or Path(target).is_file()):
        return [_file_job(Path(target), ctx, start, end)]
    trades = [c.id for c in thesis.claims if _planner(c.test) is not None]
    if target is None:
        ids = trades
    else:
        if target not in {c.id for c in thesis.claims}:
            raise NarrowgateError(f"no claim '{target}' in thesis {thesis.id}",
                                  "trades: " + ", ".join(trades) + "; or give a strategy file")
        if target not in trades:
            kind = thesis.claim(target).kind.value
            raise NarrowgateError(f"claim '{target}' is a {kind}, not a trade",
                                  "trades: " + ", ".join(trades))
        ids = [target]
    out: list[tuple[str, TradePlan, date | None]] = []
    for claim_id in ids:
        claim = thesis.claim(claim_id)
        from narrowgate.evaluate.registry import get_evaluator

        evaluator = get_evaluator(claim.test)
        params = evaluator.params_model.model_validate(claim.params)
        plan = evaluator.backtest_plan(params, ctx, start, end)  # type: ignore[attr-defined]
        out.append((claim_id, plan, thesis.published))
    return out


def _planner(test: str) -> Any:
    from narrowgate.evaluate.registry import get_evaluator

    return getattr(get_evaluator(test), "backtest_plan", None)


def _file_job(path: Path, ctx: EvalContext, start: date | None,
              end: date | None) -> tuple[str, TradePlan, date | None]:
    """A strategy file: validated, its closes read from the hub, its entry as 'since'."""
    import yaml
    from pydantic import ValidationError

    from narrowgate.backtest.strategies import load_strategy
    from narrowgate.evaluate.hubdata import read_closes
    from narrowgate.evaluate.trade_backtest import TradePlan
    from narrowgate.instruments import parse_instrument

    if not path.is_file():
        raise NarrowgateError(f"no strategy file {path}")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
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
    markets = {a.partition(":")[0] for a in assets}
    periods = 365.0 if markets == {"crypto"} else 244.0 if markets <= {"cn", "cnidx",
                                                                         "cnfut"} else 252.0
    plan = TradePlan(strategy=strategy, closes=closes, data=data, periods_per_year=periods,
                     currency="")
    since = strategy.entry + timedelta(days=1) if strategy.entry else None
    return strategy.name or path.stem, plan, since


def _history_run(plan: TradePlan) -> Any:
    """The strategy over the whole window (its own entry/exit, from the first full close)."""
    from narrowgate.backtest.strategies import run_strategy

    prices = plan.closes[plan.strategy.assets].dropna(how="any")
    return run_strategy(plan.strategy, prices)


def _metrics(result: Any, periods_per_year: float, initial_cash: float) -> dict[str, float]:
    """Headline metrics of a run; the total return is on the initial cash (entry costs
    included), the rest on daily equity returns."""
    from narrowgate.backtest import metrics

    out = metrics.summarize(result.returns, periods_per_year=periods_per_year,
                            risk_free_per_period=0.0)
    out["total_return"] = float(result.equity.iloc[-1] / initial_cash - 1.0)
    out["turnover"] = metrics.annual_turnover(result.traded_value, result.equity,
                                              periods_per_year=periods_per_year)
    out["gross_exposure"] = float(metrics.gross_exposure(result.position_values,
                                                         result.equity).mean())
    return out


ROWS = [("total_return", "total return", "%"), ("cagr", "CAGR", "% / yr"),
        ("annual_volatility", "volatility", "% / yr"), ("sharpe", "Sharpe", "ann., rf 0"),
        ("sortino", "Sortino", "ann., rf 0"), ("max_drawdown", "max drawdown", "%"),
        ("max_drawdown_periods", "longest drawdown", "trading days"),
        ("calmar", "Calmar", "CAGR / |max DD|"), ("turnover", "turnover", "× equity / yr"),
        ("gross_exposure", "gross exposure", "× equity, mean")]
PERCENT = {"total_return", "cagr", "annual_volatility", "max_drawdown"}


def _cell(key: str, value: float) -> str:
    if value != value:
        return "–"
    if key in PERCENT:
        return f"{value * 100:+.2f}" if key != "annual_volatility" else f"{value * 100:.2f}"
    return f"{value:.0f}" if key == "max_drawdown_periods" else f"{value:.2f}"


def _run_one(console: Console, label: str, plan: TradePlan, published: date | None,
             grid: tuple[str, list[float]] | None, end: date | None,
             scheduler: str | None = None) -> None:
    from rich.progress import Progress, SpinnerColumn, TextColumn
    from rich.table import Table

    from narrowgate.backtest.api import BacktestError
    from narrowgate.evaluate.trade_backtest import run_trade

    with Progress(SpinnerColumn(), TextColumn("{task.description}"), console=console,
                  transient=True) as progress:
        task = progress.add_task(f"{label}: history", total=None)
        history = _history_run(plan)
        run = None
        if published is not None:
            progress.update(task, description=f"{label}: since publication, ranked in history")
            try:
                run = run_trade(plan, published, end)
            except BacktestError as exc:
                console.print(f"[yellow]{label}: nothing to measure since {published}: "
                              f"{exc.message}[/]")
        swept = None
        if grid is not None:
            progress.update(task, description=f"{label}: sweeping {grid[0]} "
                                              f"({len(grid[1])} variants)")
            swept = run_sweep(plan, grid[0], grid[1], scheduler)
    ppy = plan.periods_per_year
    cash = float(plan.strategy.initial_cash)
    hist = _metrics(history, ppy, cash)
    idx = history.equity.index
    table = Table(title=f"{label} — metrics (daily returns, {ppy:g} trading days/yr)")
    table.add_column("metric")
    table.add_column("unit")
    table.add_column(f"history {idx[0].date()} → {idx[-1].date()}", justify="right")
    since = None
    if run is not None:
        since = _metrics(run.report.result, ppy, cash)
        table.add_column(f"since publication {run.report.anchor.date()} → "
                         f"{run.report.end.date()}", justify="right")
    for key, name, unit in ROWS:
        cells = [_cell(key, hist[key])] + ([_cell(key, since[key])] if since else [])
        table.add_row(name, unit, *cells)
    console.print(table)
    if run is not None:
        rep = run.report
        console.print(
            f"since publication: {run.total_return_pct:+.2f}% from the {rep.anchor.date()} close "
            f"to {rep.end.date()} ({rep.periods} trading days); rank {rep.rank} of "
            f"{len(rep.history) + 1} historical windows of that length "
            f"(percentile {rep.percentile * 100:.0f}%, {rep.history_hit_rate * 100:.0f}% of "
            f"them made money); 6 months before publication {run.pre_6m * 100:+.1f}%")
    if swept is not None:
        console.print(swept)


def _variant(strategy: Any, param: str, value: float) -> Any:
    """A validated copy of ``strategy`` with one parameter changed."""
    from pydantic import ValidationError

    from narrowgate.backtest.strategies import load_strategy

    spec = strategy.model_dump()
    if param == "window":
        if spec["kind"] != "pair":
            raise NarrowgateError(f"--sweep window needs a pair strategy, not {spec['kind']}",
                                  "sweep gross or net instead")
        spec["filter"] = {**(spec.get("filter") or {"otherwise": "reverse"}),
                          "window": int(value)}
    elif param == "net" and spec["kind"] != "long_short":
        raise NarrowgateError(f"--sweep net needs a long_short strategy, not {spec['kind']}")
    elif param in ("gross", "net") and spec["kind"] == "basket":
        raise NarrowgateError("--sweep gross/net needs a long_short or pair strategy")
    else:
        spec[param] = value
    try:
        return load_strategy(spec)
    except ValidationError as exc:
        raise NarrowgateError(f"--sweep {param}={value:g}: {exc.errors()[0]['msg']}") from None


def run_sweep(plan: TradePlan, param: str, values: list[float],
              scheduler: str | None = None) -> Any:
    """Every variant over the history window in one kernel call, as a table of the best
    (with ``scheduler``, chunks of variants on a Dask cluster; same results).

    A pair's window sweep with daily rebalancing uses the dedicated moving-average kernel;
    anything else compiles each variant's targets and runs them as one batch (variants
    share prices, instruments and costs)."""
    import numpy as np
    from rich.table import Table

    from narrowgate.backtest import metrics
    from narrowgate.backtest.strategies import compile_strategy
    from narrowgate.backtest.sweep import sweep_pair_ma, sweep_targets

    base = plan.strategy
    prices = plan.closes[base.assets].dropna(how="any")
    prices = prices.loc[:, ~prices.columns.duplicated()]
    variants = [_variant(base, param, v) for v in values]
    labels = [f"{param}={v:g}" for v in values]
    common = {"instruments": base.instruments, "costs": base.costs,
              "initial_cash": base.initial_cash, "on_shortfall": base.on_shortfall,
              "allow_failures": True, "scheduler": scheduler}
    if param == "window" and base.rebalance == "daily" and base.entry is None \
            and base.exit is None and base.execution == "close":
        result = sweep_pair_ma(prices, [int(v) for v in values], gross=base.gross,
                               otherwise=(base.filter.otherwise if base.filter else "reverse"),
                               **common)
    else:
        stack = np.stack([compile_strategy(v, prices).targets.to_numpy(dtype=np.float64)
                          for v in variants])
        result = sweep_targets(prices, stack, execution=base.execution, **common)
    equity = result.equity.set_axis(labels, axis=1)
    ok = (result.status["status"] == 0).to_numpy()
    rows = []
    for j, label in enumerate(labels):
        r = equity[label].pct_change().fillna(0.0).to_numpy()
        rows.append((label, float(equity[label].iloc[-1] / base.initial_cash - 1.0),
                     metrics.cagr(r, periods_per_year=plan.periods_per_year),
                     metrics.sharpe_ratio(r, risk_free_per_period=0.0,
                                          periods_per_year=plan.periods_per_year),
                     metrics.max_drawdown(r), bool(ok[j])))
    rows.sort(key=lambda row: (row[5], row[1] if row[1] == row[1] else -np.inf), reverse=True)
    failed = sum(1 for row in rows if not row[5])
    table = Table(title=f"sweep of {param}: top {min(TOP_VARIANTS, len(rows))} of {len(rows)} "
                        f"by total return ({prices.index[0].date()} → {prices.index[-1].date()}"
                        f"{f'; {failed} failed' if failed else ''})")
    for name in ("variant", "total return %", "CAGR % / yr", "Sharpe (ann., rf 0)",
                 "max drawdown %"):
        table.add_column(name, justify="right" if name != "variant" else "left")
    for label, total, growth, sharpe, mdd, _ in rows[:TOP_VARIANTS]:
        table.add_row(label, _cell("total_return", total), _cell("cagr", growth),
                      _cell("sharpe", sharpe), _cell("max_drawdown", mdd))
    return table
