"""`narrowgate backtest`: run a thesis trade or a strategy file, print its metrics.

A target is a claim of the thesis with a trade to back-test — a trade claim, or a claim
whose evaluator back-tests the position it implies (each of its trades, anchored at its
own entry) — one such trade (``claim:suffix``), a strategy YAML file (the format of
docs/backtest.md, assets named as instrument ids such as us:QQQ), or nothing (every trade
in the thesis); :mod:`narrowgate.cli.backtest_jobs` lists them. A trade that cannot run
is one yellow line and the others go on. ``--sweep PARAM=RANGE`` re-runs the strategy
over a grid of one parameter in a single kernel call and ranks the variants;
``--scheduler`` spreads a large sweep over a Dask distributed cluster (an address, or
``local``). Heavy imports stay inside functions so ``narrowgate --help`` answers at once.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated, Any

import typer

from narrowgate.cli.dates import parse_date
from narrowgate.errors import NarrowgateError

if TYPE_CHECKING:
    from rich.console import Console

    from narrowgate.cli.backtest_jobs import Job
    from narrowgate.evaluate.trade_backtest import TradePlan

SWEEPABLE = {"window": "a pair's moving-average filter (trading days)",
             "gross": "long + |short| exposure (× equity)",
             "net": "long − |short| exposure (× equity)"}
SWEEP_PARAMS = {"pair": ("window", "gross"), "long_short": ("gross", "net"), "basket": ()}
MAX_VARIANTS = 100_000
TOP_VARIANTS = 10


def backtest(
    target: Annotated[str | None, typer.Argument(
        metavar="[CLAIM_ID|FILE]",
        help="A claim with a trade to back-test: a trade (rotation-trade) or a claim "
             "implying a position (storage-npo runs both its trades; "
             "storage-npo:vs-nasdaq one of them); or a strategy YAML file; default: every "
             "trade in the thesis.")] = None,
    from_: Annotated[str | None, typer.Option(
        "--from", help="History from this date (YYYY-MM-DD; default: the claim's "
                       "backtest_start or implied_trade.history_start, or all data).")] = None,
    to: Annotated[str | None, typer.Option(
        "--to", help="Up to this date (YYYY-MM-DD; default: the latest data).")] = None,
    sweep: Annotated[str | None, typer.Option(
        "--sweep", help="PARAM=RANGE: window=20:200:10 (start:stop:step, stop included) "
                        "or gross=0.5,1,1.5. PARAM: window or gross (pair), gross or net "
                        "(long/short); a trade without PARAM is skipped.")] = None,
    scheduler: Annotated[str | None, typer.Option(
        "--scheduler", help="Run --sweep on a Dask distributed cluster: a scheduler address "
                            "(tcp://HOST:8786) or 'local' for a LocalCluster on this "
                            "machine; default: this process.")] = None,
    thesis: Annotated[str | None, typer.Option(
        "--thesis", help="Bundled thesis id or YAML file (default: ai-narrow-gate).")] = None,
    offline: Annotated[bool, typer.Option(
        "--offline", help="Never call a live data source; use the local store.")] = False,
    as_json: Annotated[bool, typer.Option(
        "--json", help='print {"trades": [...]} as JSON: per trade the metrics over history '
                       "and since its entry (fractions, units named), the ranking and the "
                       "sweep")] = False,
) -> None:
    """Back-test a thesis trade, or the position a claim implies, since its entry and over
    history — 回测交易或论点隐含的头寸:入场以来与历史。"""
    from rich.console import Console

    from narrowgate.cli.backtest_jobs import list_jobs
    from narrowgate.evaluate.registry import EvalContext
    from narrowgate.thesis.loader import load_thesis

    start, end = parse_date(from_, "--from"), parse_date(to, "--to")
    if start and end and start >= end:
        raise NarrowgateError(f"--from {start} is not before --to {end}")
    grid = parse_sweep(sweep) if sweep else None
    if scheduler is not None and grid is None:
        raise NarrowgateError("--scheduler only applies to a sweep", "add --sweep PARAM=RANGE")
    console = Console(stderr=as_json)  # with --json only the document goes to stdout
    the_thesis = load_thesis(thesis)
    hub = _open_hub(offline, console)
    ctx = EvalContext(thesis=the_thesis, as_of=end or date.today(), offline=offline, hub=hub)
    jobs = list_jobs(target, ctx, start, end)
    done: list[dict[str, Any]] = []
    for job in jobs:
        try:
            done.append(_run_one(console, job, grid, end, scheduler, show=not as_json))
        except NarrowgateError as exc:
            if len(jobs) == 1:
                raise
            _warn(console, f"{job.label}: not back-tested: {exc}")
    if not done:
        raise NarrowgateError(f"none of the {len(jobs)} trades could be back-tested",
                              "see the lines above")
    if as_json:
        from narrowgate.cli.jsonout import emit_json

        emit_json({"trades": done})


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
    from narrowgate.api import open_hub

    hub, warnings = open_hub(offline)
    for line in warnings:
        console.print(f"[yellow]{line}[/]")
    return hub


def _history_run(plan: TradePlan) -> Any:
    """The strategy over the whole window (its own entry/exit, from the first full close)."""
    from narrowgate.backtest.strategies import run_strategy

    prices = plan.closes[plan.strategy.assets].dropna(how="any")
    return run_strategy(plan.strategy, prices)


def _cell(key: str, value: float) -> str:
    from narrowgate.backtest.stats import PERCENT

    if value != value:
        return "–"
    if key in PERCENT:
        return f"{value * 100:+.2f}" if key != "annual_volatility" else f"{value * 100:.2f}"
    return f"{value:.0f}" if key == "max_drawdown_periods" else f"{value:.2f}"


def _run_one(console: Console, job: Job, grid: tuple[str, list[float]] | None,
             end: date | None, scheduler: str | None = None, *, show: bool = True
             ) -> dict[str, Any]:
    """Build the job's plan, run it over history and since its entry, print the metrics
    (and the sweep) when ``show``, and return them as data (the ``--json`` document's
    entry). Raises NarrowgateError when the plan cannot be read or swept, or neither run
    can be made; one that fails alone is a yellow line (a position held from the first
    close for decades can be wiped out while its since-entry run is fine)."""
    from rich.progress import Progress, SpinnerColumn, TextColumn
    from rich.table import Table

    from narrowgate.backtest.api import BacktestError
    from narrowgate.backtest.stats import METRIC_ROWS, headline_metrics
    from narrowgate.evaluate.trade_backtest import run_trade

    label, event = job.label, job.event
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), console=console,
                  transient=True) as progress:
        task = progress.add_task(f"{label}: reading closes", total=None)
        plan = job.build()
        if grid is not None:
            check_sweep(plan.strategy, grid[0], label)
        progress.update(task, description=f"{label}: history")
        try:
            history = _history_run(plan)
        except BacktestError as exc:
            if job.entry is None:
                raise
            history = None
            first = plan.closes[plan.strategy.assets].dropna(how="any").index[0].date()
            _warn(console, f"{label}: no history column: held from the first common close "
                           f"({first}), {exc}")
        run = None
        if job.entry is not None:
            progress.update(task, description=f"{label}: since {event}, ranked in history")
            try:
                run = run_trade(plan, job.entry, end)
            except BacktestError as exc:
                if history is None:
                    raise
                _warn(console, f"{label}: nothing to measure since {event} "
                               f"({job.entry}): {exc.message}")
        swept = None
        if grid is not None:
            progress.update(task, description=f"{label}: sweeping {grid[0]} "
                                              f"({len(grid[1])} variants)")
            swept = run_sweep(plan, grid[0], grid[1], scheduler)
    ppy = plan.periods_per_year
    cash = float(plan.strategy.initial_cash)
    columns = []
    payload: dict[str, Any] = {"trade": label, "title": job.title, "periods_per_year": ppy,
                               "units": {key: unit for key, _, unit in METRIC_ROWS},
                               "note": "total_return, cagr, annual_volatility and "
                                       "max_drawdown are fractions (0.05 = 5%)"}
    if history is not None:
        idx = history.equity.index
        columns.append((f"history {idx[0].date()} → {idx[-1].date()}",
                        headline_metrics(history, ppy, cash)))
        payload["history"] = {"start": idx[0].date(), "end": idx[-1].date(),
                              **columns[-1][1]}
    if run is not None:
        rep = run.report
        columns.append((f"since {event} {rep.anchor.date()} → {rep.end.date()}",
                        headline_metrics(rep.result, ppy, cash)))
        payload["since_entry"] = {
            "event": event, "start": rep.anchor.date(), "end": rep.end.date(),
            "trading_days": rep.periods, **columns[-1][1],
            "rank": rep.rank, "windows": len(rep.history) + 1,
            "percentile": rep.percentile, "history_hit_rate": rep.history_hit_rate,
            "return_6m_before": run.pre_6m}
    if swept is not None:
        payload["sweep"] = {"param": grid[0] if grid else None, "rows": swept[1]}
    if not show:
        return payload
    table = Table(title=f"{job.title} — metrics (daily returns, {ppy:g} trading days/yr)")
    table.add_column("metric")
    table.add_column("unit")
    for header, _ in columns:
        table.add_column(header, justify="right")
    for key, name, unit in METRIC_ROWS:
        table.add_row(name, unit, *(_cell(key, values[key]) for _, values in columns))
    console.print(table)
    if run is not None:
        rep = run.report
        console.print(
            f"since {event}: {run.total_return_pct:+.2f}% from the {rep.anchor.date()} close "
            f"to {rep.end.date()} ({rep.periods} trading days); rank {rep.rank} of "
            f"{len(rep.history) + 1} historical windows of that length "
            f"(percentile {rep.percentile * 100:.0f}%, {rep.history_hit_rate * 100:.0f}% of "
            f"them made money); 6 months before {event} {run.pre_6m * 100:+.1f}%",
            markup=False, highlight=False)
    if swept is not None:
        console.print(swept[0])
    return payload


def _warn(console: Console, line: str) -> None:
    """One yellow line, printed as is (a message may hold brackets rich would eat)."""
    console.print(line, style="yellow", markup=False, highlight=False, soft_wrap=True)


def check_sweep(strategy: Any, param: str, label: str) -> None:
    """A one-line error unless ``strategy`` has ``param`` (SWEEP_PARAMS: a pair has window
    and gross, a long/short book gross and net, a basket nothing to sweep)."""
    has = SWEEP_PARAMS.get(strategy.kind, ())
    if param in has:
        return
    needs = " or ".join(kind for kind, params in SWEEP_PARAMS.items() if param in params)
    raise NarrowgateError(
        f"--sweep {param} needs a {needs} strategy; {label} is a {strategy.kind} strategy "
        + (f"with {', '.join(has)}" if has else "with no parameter to sweep"),
        f"sweep {' or '.join(has)} instead" if has else "drop --sweep for it")


def _variant(strategy: Any, param: str, value: float) -> Any:
    """A validated copy of ``strategy`` with one parameter changed (one it has: see
    :func:`check_sweep`)."""
    from pydantic import ValidationError

    from narrowgate.backtest.strategies import load_strategy

    spec = strategy.model_dump()
    if param == "window":
        spec["filter"] = {**(spec.get("filter") or {"otherwise": "reverse"}),
                          "window": int(value)}
    else:
        spec[param] = value
    try:
        return load_strategy(spec)
    except ValidationError as exc:
        raise NarrowgateError(f"--sweep {param}={value:g}: {exc.errors()[0]['msg']}") from None


def run_sweep(plan: TradePlan, param: str, values: list[float],
              scheduler: str | None = None) -> tuple[Any, list[dict[str, Any]]]:
    """Every variant over the history window in one kernel call: a table of the best and
    every variant's row as data (with ``scheduler``, chunks of variants on a Dask
    cluster; same results).

    A pair's window sweep with daily rebalancing uses the dedicated moving-average kernel;
    anything else compiles each variant's targets and runs them as one batch (variants
    share prices, instruments and costs)."""
    import numpy as np
    from rich.table import Table

    from narrowgate.backtest import metrics
    from narrowgate.backtest.strategies import compile_strategy
    from narrowgate.backtest.sweep import sweep_pair_ma, sweep_targets

    base = plan.strategy
    check_sweep(base, param, base.name or "the strategy")
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
    data = [{"variant": label, "total_return": total, "cagr": growth, "sharpe": sharpe,
             "max_drawdown": mdd, "ok": good}
            for label, total, growth, sharpe, mdd, good in rows]
    return table, data
