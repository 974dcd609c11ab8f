"""`narrowgate value …`: priced-in year, reverse DCF and return decomposition from the shell.

Thin by design: parse options, call the evaluate/models layers, render with rich. The
priced-in year uses exactly the scorecard's method (``evaluate.kinds.valuation_inputs``),
and for a stock named in a ``valuation`` claim of the thesis (``--thesis``, default the
bundled one) its price source and share basis too, and the first such claim's price date,
target year and dataset as defaults, so the shell and the report agree. Heavy imports
live inside commands; bad input raises a narrowgate error that the main CLI prints on one
line.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated, Any

import typer

from narrowgate.cli.dates import require_date

if TYPE_CHECKING:
    from narrowgate.data.view import DataView
    from narrowgate.evaluate.kinds.valuation import ValuationParams, ValuedStock
    from narrowgate.models.valuation import ForecastSource
    from narrowgate.thesis.schema import Thesis

app = typer.Typer(
    help="Valuation: priced-in year, reverse DCF, return decomposition (EPS vs P/E).",
    no_args_is_help=True,
)


def _console(stderr: bool = False):  # type: ignore[no-untyped-def]
    """A console that never cuts a table when the output is piped (rich would fall back
    to 80 columns); ``stderr`` for status lines beside a JSON document on stdout."""
    import sys

    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    return Console(stderr=stderr) if stream.isatty() else Console(width=240, stderr=stderr)


def _hub(offline: bool) -> Any:
    from narrowgate.data.hub import DataHub
    from narrowgate.data.store import Store

    return DataHub(Store(), offline=offline)


def _valuation_claims(thesis: Thesis) -> list[ValuationParams]:
    """The params of every claim whose test values stocks (the ``valuation`` kind)."""
    from narrowgate.evaluate.kinds.valuation import ValuationParams
    from narrowgate.evaluate.registry import get_evaluator

    out: list[ValuationParams] = []
    for claim in thesis.claims:
        model = get_evaluator(claim.test).params_model
        if isinstance(model, type) and issubclass(model, ValuationParams):
            out.append(model.model_validate(claim.params))
    return out


def _thesis_stocks(thesis: Thesis) -> dict[str, ValuedStock]:
    """How the thesis prices each stock (source, share-basis rebase, fallback): from every
    ``valuation`` claim's groups."""
    return {s.instrument: s for params in _valuation_claims(thesis)
            for group in params.groups for s in group.stocks}


@app.command()
def pricedin(
    ids: Annotated[list[str], typer.Argument(help="dataset stocks, e.g. cn:600519 us:MU")],
    fair_pe: Annotated[float, typer.Option(help="fair multiple, x")] = 25.0,
    discount: Annotated[float, typer.Option(help="discount rate, decimal per year")] = 0.10,
    growth_after: Annotated[float, typer.Option(help="profit growth after forecasts, /yr")] = 0.15,
    on: Annotated[str | None, typer.Option(
        "--date", help="price date YYYY-MM-DD (default: the thesis's valuation claim's, "
                       "else today)")] = None,
    target: Annotated[int | None, typer.Option(
        help="year for the implied growth (default: the thesis's valuation claim's, else "
             "the year after the price date)")] = None,
    offline: Annotated[bool, typer.Option(help="never call a provider")] = True,
    forecasts: Annotated[str, typer.Option(
        help="forecast sources tried in order, comma-separated: provider (akshare consensus "
             "for cn:, yfinance estimates for us:; needs --no-offline), csv:FILE, bundled")
    ] = "bundled",
    save_forecasts: Annotated[str | None, typer.Option(
        help="write the provider forecasts fetched in this run to a CSV (replay: csv:FILE)")
    ] = None,
    thesis_ref: Annotated[str | None, typer.Option(
        "--thesis", help="bundled id or YAML file whose valuation claims say how to price "
                         "their stocks (default: the bundled thesis)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the result as JSON")] = False,
) -> None:
    """Priced-in year, forward P/E and implied profit growth, one row per stock.

    Forecasts come from the bundled dataset unless ``--forecasts`` says otherwise; the
    "forecasts" column and the messages say which source, and as of when, each row used.
    """
    from rich.table import Table

    from narrowgate.data.forecasts_select import parse_forecast_order
    from narrowgate.data.view import DataView
    from narrowgate.errors import NarrowgateError
    from narrowgate.evaluate.kinds.valuation import ValuationSettings, ValuedStock
    from narrowgate.evaluate.kinds.valuation_inputs import value_stocks
    from narrowgate.evaluate.registry import EvalContext
    from narrowgate.thesis.loader import load_thesis

    order = parse_forecast_order(forecasts)  # a bad spec fails before any work
    thesis = load_thesis(thesis_ref)
    claims = _valuation_claims(thesis)
    first = claims[0] if claims else None
    day = require_date(on, "--date") if on else (first.price_date if first else date.today())
    if target is None:
        target = first.target_year if first and first.target_year else day.year + 1
    try:
        settings = ValuationSettings(
            price_date=day, fair_pe_x=fair_pe, fair_pe_basis="command line",
            fair_pe_sensitivity_x=sorted({fair_pe * 0.8, fair_pe, fair_pe * 1.2}),
            discount_rate=discount, growth_after=growth_after, target_year=target,
            dataset=first.dataset if first else "bundled")
    except ValueError as exc:
        raise NarrowgateError(f"invalid valuation settings: {exc}".splitlines()[0]
                              + " …", "see `narrowgate value pricedin --help`") from None
    known = _thesis_stocks(thesis)
    stocks = [known.get(i) or ValuedStock(instrument=i, fallback_price_date=day) for i in ids]
    view = DataView(_hub(offline), date.today())
    ctx = EvalContext(thesis=thesis, as_of=date.today(), offline=offline,
                      hub=view, forecast_order=[str(c) for c in order])
    vals, _ = value_stocks(stocks, settings, ctx)
    if as_json:
        from narrowgate.cli.jsonout import emit_json

        emit_json({"settings": settings.model_dump(mode="json"), "stocks": [{
            "instrument": v.instrument, "price": v.price, "price_date": v.price_date,
            "value": v.value, "unit": v.unit,
            "forecasts": None if not v.path else {
                "kind": v.path.source.kind, "as_of": v.path.source.as_of,
                "unverified": v.path.source.unverified},
            "priced_in_year": v.priced_in.year if v.priced_in else None,
            "years_ahead": v.priced_in.years_ahead if v.priced_in else None,
            "priced_in_at": {f"{m:g}x": y for m, y in v.sensitivity.items()},
            "forward_pe": {str(y): pe for y, pe in v.forward_pe.items()},
            "implied_growth": v.implied.growth if v.implied else None,
            "forecast_growth": v.implied.path_growth if v.implied else None,
            "message": v.priced_in.message if v.priced_in else v.no_forecast,
            "notes": [note.en for note in v.notes]} for v in vals]})
        if save_forecasts:
            _save_fetched(view, save_forecasts, _console(stderr=True))
        return
    table = Table("stock", "price (date)", "value", "forecasts", f"priced-in @{fair_pe:g}x",
                  "years ahead",
                  *[f"@{m:g}x" for m in settings.fair_pe_sensitivity_x], "forward P/E",
                  f"implied growth →{target}", "forecast growth",
                  title=f"Priced-in year: discount {discount:.1%}/yr, +{growth_after:.0%}/yr "
                        "after the forecasts")
    for v in vals:
        p = v.priced_in
        table.add_row(
            v.instrument,
            f"{v.price:,.2f} ({v.price_date})" if v.price else "no price",
            f"{v.value:,.1f} {v.unit}" if v.value else "",
            _source_cell(v.path.source) if v.path else "none",
            str(p.year or f">{p.horizon_year}") if p else "no forecast",
            f"{p.years_ahead:.2f}" if p and p.years_ahead is not None else "",
            *[str(v.sensitivity.get(m) or f">{p.horizon_year}") if p else ""
              for m in settings.fair_pe_sensitivity_x],
            " / ".join(f"{y}: {pe:.1f}x" for y, pe in v.forward_pe.items() if pe),
            f"{v.implied.growth:.1%}" if v.implied else (v.implied_error or ""),
            f"{v.implied.path_growth:.1%}" if v.implied and v.implied.path_growth else "",
        )
    console = _console()
    console.print(table)
    for v in vals:
        for note in v.notes:
            console.print(f"[dim]{note.en}[/]")
        if v.priced_in is not None:
            console.print(f"[dim]{v.instrument}: {v.priced_in.message}[/]")
        elif v.no_forecast:
            console.print(f"[yellow]{v.instrument}[/]: {v.no_forecast}")
    if save_forecasts:
        _save_fetched(view, save_forecasts, console)


def _source_cell(source: ForecastSource) -> str:
    """Kind and as-of date of a ForecastSource, short enough for a table cell."""
    day = source.as_of.isoformat() if source.as_of else "undated"
    return f"{source.kind} {day}" + (" [unverified]" if source.unverified else "")


def _save_fetched(view: DataView, path: str, console: Any) -> None:
    """Write the provider fetches of this run as a forecast CSV, or say there were none."""
    import pandas as pd

    from narrowgate.data.forecast_csv import write_forecast_csv

    frames = [f.frame for f in view.fetched_forecasts()]
    if not frames:
        console.print(f"[yellow]no provider forecasts were fetched; {path} not written[/]")
        return
    written = write_forecast_csv(pd.concat(frames, ignore_index=True), path)
    console.print(f"provider forecasts saved to {written} (replay with --forecasts csv:{written})")


@app.command()
def dcf(
    id: Annotated[str, typer.Argument(help="instrument id (its last close is the price)")],
    fcf: Annotated[float, typer.Option(help="latest free cash flow, same basis as the price")],
    discount: Annotated[float, typer.Option(help="discount rate, decimal per year")],
    terminal: Annotated[float, typer.Option(help="terminal growth, decimal per year")],
    price: Annotated[float | None, typer.Option(help="price; default the last close")] = None,
    years: Annotated[int, typer.Option(help="explicit-growth years")] = 10,
    offline: Annotated[bool, typer.Option(help="never call a provider")] = True,
    as_json: Annotated[bool, typer.Option("--json", help="print the result as JSON")] = False,
) -> None:
    """Reverse DCF: the FCF growth the price implies ('none' is an answer, not an error)."""
    from rich.table import Table

    from narrowgate.models.dcf import reverse_dcf

    source = "--price"
    if price is None:
        # the newest close of the spliced series a run reads (any basis: on its last day a
        # split- or dividend-adjusted close equals the close as traded)
        closes = _hub(offline).closes([id])
        last = closes.iloc[:, 0].dropna()
        if last.empty:
            from narrowgate.errors import DataNotFound

            raise DataNotFound(f"no close of {id} in the store", fetch=(id,))
        price = float(last.iloc[-1])
        sources = closes.attrs["provenance"][0].source
        source = f"close {last.index[-1].date()} ({sources})"
    result = reverse_dcf(price, fcf, discount_rate=discount, terminal_growth=terminal,
                         years=years)
    if as_json:
        from narrowgate.cli.jsonout import emit_json

        emit_json({"instrument": id, "price": price, "price_source": source, "fcf": fcf,
                   "discount_rate": discount, "terminal_growth": terminal, "years": years,
                   "implied_growth": result.growth, "message": result.message})
        return
    table = Table("stock", "price", "FCF", "discount", "terminal", "years", "implied growth",
                  title="Reverse DCF")
    table.add_row(id, f"{price:,.4g} ({source})", f"{fcf:,.4g}", f"{discount:.1%}",
                  f"{terminal:.1%}", str(years),
                  f"{result.growth:.2%}" if result.growth is not None else "none in range")
    console = _console()
    console.print(table)
    console.print(result.message)


@app.command()
def decompose(
    id: Annotated[str, typer.Argument(help="an instrument with a P/E series, e.g. cnidx:931160")],
    start: Annotated[str, typer.Option("--from", help="YYYY-MM-DD")],
    end: Annotated[str, typer.Option("--to", help="YYYY-MM-DD")],
    window: Annotated[int | None, typer.Option(help="rolling window, observations")] = None,
    offline: Annotated[bool, typer.Option(help="never call a provider")] = True,
    as_json: Annotated[bool, typer.Option("--json", help="print the result as JSON")] = False,
) -> None:
    """Log return = EPS growth + multiple change (+ dividends + residual), and rolling."""
    from rich.table import Table

    from narrowgate.errors import DataNotFound, NarrowgateError
    from narrowgate.models.decompose import TERMS, decompose_return, rolling_decomposition

    first, last = require_date(start, "--from"), require_date(end, "--to")
    if last <= first:
        raise NarrowgateError(f"--to {last} must come after --from {first}")
    bars = _hub(offline).bars(id, first, last, adjust="raw")
    frame = bars.frame
    if "pe" not in frame or frame["pe"].dropna().empty:
        raise DataNotFound(f"{id} has no P/E series between {first} and {last}",
                           "use an index that carries a P/E (e.g. cnidx:931160)")
    frame = frame.dropna(subset=["close", "pe"])
    row = decompose_return(frame["close"], first, last, pe=frame["pe"]).iloc[0]
    if as_json:
        from narrowgate.cli.jsonout import emit_json

        payload: dict[str, object] = {"instrument": id, "source": bars.provenance[0].source,
                                      "units": "log returns",
                                      **{str(k): v for k, v in row.items()}}
        if window is not None:
            roll = rolling_decomposition(frame["close"], window, pe=frame["pe"])
            payload["rolling"] = roll[roll["eps_defined"]].reset_index().to_dict("records")
        emit_json(payload)
        return
    table = Table("window", "price", "P/E", "E = P/PE", "total (log)", *TERMS,
                  title=f"{id}: return decomposition ({bars.provenance[0].source})")
    table.add_row(f"{row['start'].date()} → {row['end'].date()}",
                  f"{row['price_start']:,.2f} → {row['price_end']:,.2f}",
                  f"{row['pe_start']:.2f} → {row['pe_end']:.2f}",
                  f"{row['eps_start']:,.2f} → {row['eps_end']:,.2f}", f"{row['total']:+.4f}",
                  *[f"{row[t]:+.4f}" for t in TERMS])
    console = _console()
    console.print(table)
    if window is not None:
        roll = rolling_decomposition(frame["close"], window, pe=frame["pe"])
        roll = roll[roll["eps_defined"]]
        both = ((roll["eps_growth"] > 0) & (roll["multiple_change"] < 0)).mean()
        summary = Table("windows", "EPS up & P/E down", "EPS up", "P/E down",
                        "mean EPS growth", "mean multiple change",
                        title=f"Rolling {window}-observation windows")
        summary.add_row(str(len(roll)), f"{both:.1%}", f"{(roll['eps_growth'] > 0).mean():.1%}",
                        f"{(roll['multiple_change'] < 0).mean():.1%}",
                        f"{roll['eps_growth'].mean():+.4f}",
                        f"{roll['multiple_change'].mean():+.4f}")
        console.print(summary)


@app.command()
def panel(
    claim_id: Annotated[str, typer.Argument(help="a valuation claim of the thesis, e.g. the "
                                                 "bundled ai-hw-priced-in")],
    thesis_ref: Annotated[str | None, typer.Option(
        "--thesis", help="bundled id or YAML file (default: the bundled thesis)")] = None,
    as_of: Annotated[str | None, typer.Option(help="YYYY-MM-DD (default: today)")] = None,
    offline: Annotated[bool, typer.Option(help="never call a provider")] = True,
    as_json: Annotated[bool, typer.Option("--json", help="print the figures as JSON")] = False,
) -> None:
    """One valuation claim as a panel: the verdict per profit path, each stock's reading
    on every path (or why it does not decide), yardsticks, PEG and the sensitivity grid."""
    from rich.table import Table

    from narrowgate.data.view import DataView
    from narrowgate.errors import NarrowgateError
    from narrowgate.evaluate.kinds.valuation import ValuationParams
    from narrowgate.evaluate.kinds.valuation_panel import CASES
    from narrowgate.evaluate.registry import EvalContext
    from narrowgate.evaluate.runner import evaluate_claim
    from narrowgate.thesis.loader import load_thesis

    thesis = load_thesis(thesis_ref)
    claim = next((c for c in thesis.claims if c.id == claim_id), None)
    if claim is None or claim.test != "valuation":
        found = [c.id for c in thesis.claims if c.test == "valuation"]
        raise NarrowgateError(f"{claim_id} is not a valuation claim of {thesis.id}",
                              f"valuation claims: {', '.join(found) or 'none'}")
    day = require_date(as_of, "--as-of") if as_of else date.today()
    ctx = EvalContext(thesis=thesis, as_of=day, offline=offline,
                      hub=DataView(_hub(offline), day))
    result = evaluate_claim(claim, ctx)
    figures = {f.key: f.value for f in result.evidence.figures}
    if as_json:
        from narrowgate.cli.jsonout import emit_json

        emit_json({"claim_id": claim_id, "as_of": day, "verdict": result.verdict.value,
                   "stability_pct": result.stability, "figures": figures})
        return
    params = ValuationParams.model_validate(claim.params)
    ids = [s.instrument for g in params.groups for s in g.stocks]
    table = Table("stock", *[f"{c}{' (decides)' if c == params.decide_on else ''}"
                             for c in CASES], "yardstick", "PEG",
                  title=f"{claim_id}: {params.measure.replace('_', ' ')} by profit path "
                        f"({params.fair_pe_x:g}x, {params.discount_rate:.0%}/yr)")
    for i in ids:
        table.add_row(i, *[str(figures.get(f"{params.measure}_{i}_{c}", "")) for c in CASES],
                      str(figures.get(f"yardstick_{i}", "pe")), str(figures.get(f"peg_{i}", "")))
    console = _console()
    console.print(table)
    console.print("verdict by path: " + ", ".join(
        f"{c} {figures.get(f'verdict_{c}')}" for c in CASES)
        + f"; claim: {result.verdict.value} (stability "
          f"{'n/a' if result.stability is None else f'{result.stability:g}%'})")
    if "grid_kept_pct" in figures:
        console.print(f"sensitivity grid: {figures['grid_kept_pct']}% of "
                      f"{figures['grid_cells']} cells keep it; flip: {figures['grid_flip']}")
    for key in ("forecasts_after_price_date", "upside_breaches"):
        if key in figures:
            console.print(f"{key.replace('_', ' ')}: {figures[key]}")
