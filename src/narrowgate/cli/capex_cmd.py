"""`narrowgate capex [TICKERS]`: the capex chain per company as tables.

History, the trailing twelve months and projections (capex, D&A, FCF, FCF / net income,
buyback capacity, the cumulative capex − D&A gap), the depreciation model's fit and
out-of-sample errors and, with ``--sensitivity``, D&A by server life × capex growth.
Thin by design: the figures come from :mod:`narrowgate.evaluate.kinds.capex_inputs` with
the params of the thesis's first claim on the ``capex-chain`` kind (``--thesis``; default the
bundled one), exactly as the kind reads them. Heavy imports live inside the function so
`narrowgate --help` stays fast; bad input raises a narrowgate error the main CLI prints on
one line.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

import typer

from narrowgate.cli.dates import parse_date
from narrowgate.errors import DataNotFound, NarrowgateError

Scenario = Literal[
    "guide-low", "guide-mid", "guide-high", "revised-low", "revised-mid", "revised-high"]


def _fmt(value: Any, digits: int = 1) -> str:
    if value is None:
        return "–"
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    return "–" if number != number else f"{number:,.{digits}f}"


def _company_table(chain: Any, scenario: str, ocf: str) -> Any:
    from rich.table import Table

    from narrowgate.evaluate.kinds.capex_inputs import history_frame

    mark = "  [yellow]FALLBACK: FACTS.md 3a, not SEC[/]" if chain.fallback else "  SEC facts"
    table = Table(title=f"{chain.ticker}{mark}", title_justify="left")
    for col in ("FY", "kind", "capex", "D&A", "FCF", "FCF/NI", "buyback cap.", "gap (cum.)"):
        table.add_column(col, justify="right")
    hist = history_frame(chain).tail(6)
    for year, r in hist.iterrows():
        table.add_row(str(year), "reported", _fmt(r["capex"]), _fmt(r["d_and_a"]),
                      _fmt(r["fcf"]), _fmt(r["fcf_to_net_income"], 2),
                      _fmt(r["buyback_capacity"]), _fmt(r["gap"]))
    tr = chain.trailing
    if tr is not None:
        cap = tr.get("capex")
        fcf, ni = tr.fcf, tr.get("net_income")
        ratio = fcf / ni if fcf is not None and ni is not None and ni > 0 else None
        div = tr.get("dividends")
        table.add_row(f"{tr.end:%Y-%m}", "TTM" + (" (fallback)" if tr.fallback else ""),
                      _fmt(cap), _fmt(tr.get("depreciation_amortization")), _fmt(fcf),
                      _fmt(ratio, 2),
                      _fmt(fcf - div if fcf is not None and div is not None else None), "")
    proj = chain.projection
    if proj is not None and not proj.empty:
        rows = proj[(proj["capex_scenario"] == scenario) & (proj["ocf_scenario"] == ocf)]
        for r in rows.itertuples():
            table.add_row(str(r.fiscal_year), scenario, _fmt(r.capex), _fmt(r.d_and_a),
                          _fmt(r.fcf), _fmt(r.fcf_to_net_income, 2), _fmt(r.buyback_capacity),
                          _fmt(r.cumulative_gap))
    return table


def _cash_table(chain: Any) -> Any:
    """The cash side per fiscal year (version-2 links): capex / OCF, D&A / capex, net debt
    issuance, net cash, construction in progress, capex incl. finance-lease principal;
    '–' where the company does not report the concept (never a zero)."""
    from rich.table import Table

    from narrowgate.models.capex_cash import cash_frame

    frame = cash_frame(chain.financials, chain.finance_leases).tail(6)
    table = Table(title=f"{chain.ticker}: cash side" + (" (fallback)" if chain.fallback
                                                         else ""), title_justify="left")
    for col in ("FY", "capex/OCF", "D&A/capex", "net debt iss.", "net cash", "CIP",
                "capex+leases"):
        table.add_column(col, justify="right")
    for year, r in frame.iterrows():
        table.add_row(str(year), _fmt(r["capex_to_ocf"], 2), _fmt(r["d_and_a_to_capex"], 2),
                      _fmt(r["net_debt_issuance"]), _fmt(r["net_cash"]),
                      _fmt(r["construction_in_progress"]), _fmt(r["capex_incl_leases"]))
    return table


def _fit_table(chains: list[Any]) -> Any:
    from rich.table import Table

    table = Table(title="Depreciation-lag model: fit and out-of-sample errors",
                  title_justify="left")
    for col in ("ticker", "target", "short share", "lag (y)", "fit MAPE", "identified",
                "1y-ahead errors (FY: %)"):
        table.add_column(col)
    for c in chains:
        if c.fit is None:
            table.add_row(c.ticker, "–", "–", "–", "–", "no", "not fitted (see notes)")
            continue
        oos = "–"
        if c.oos is not None and not c.oos.empty:
            one = c.oos[c.oos["horizon"] == 1]
            oos = ", ".join(f"{int(y)}: {e * 100:+.1f}" for y, e in
                            zip(one["fiscal_year"], one["pct_error"], strict=True))
        table.add_row(c.ticker, c.fit.target, f"{c.fit.model.short_share:.2f}",
                      f"{c.fit.model.lag_years:g}", f"{c.fit.mape * 100:.1f}%",
                      "yes" if c.fit.identified else "no", oos)
    return table


def _sensitivity_table(chain: Any) -> Any:
    """Modelled D&A (USD bn) in each projected year by server life (rows) and capex growth
    (columns), with the drag against the base year in brackets."""
    from rich.table import Table

    sens = chain.sensitivity
    fit = chain.fit
    mark = " [yellow](fallback figures)[/]" if chain.fallback else ""
    table = Table(title=f"{chain.ticker}: D&A by server life × capex growth (USD bn; "
                        f"Δ vs FY{max(fit.years)} modelled){mark}", title_justify="left")
    growths = sorted(sens["capex_growth"].unique())
    table.add_column("life (y)", justify="right")
    table.add_column("FY", justify="right")
    for g in growths:
        table.add_column(f"capex {g:+.0%}/yr", justify="right")
    for (life, year), rows in sens.groupby(["short_life_years", "fiscal_year"], sort=True):
        by_g = rows.set_index("capex_growth")
        d_a, base = by_g["d_and_a"], by_g["base_d_and_a"]
        cells = [f"{d_a[g]:,.1f} ({d_a[g] - base[g]:+,.1f})" for g in growths]
        table.add_row(f"{life:g}", str(year), *cells)
    return table


def _company_json(chain: Any, scenario: str, ocf: str) -> dict[str, Any]:
    """One company's chain as data: the same rows as its tables (USD bn)."""
    from narrowgate.evaluate.kinds.capex_inputs import history_frame
    from narrowgate.models.capex_cash import cash_frame

    out: dict[str, Any] = {"ticker": chain.ticker, "fallback": bool(chain.fallback),
                           "history": history_frame(chain).reset_index()
                           .rename(columns={"index": "fiscal_year"}).to_dict("records"),
                           "cash": cash_frame(chain.financials, chain.finance_leases)
                           .reset_index().to_dict("records")}
    tr = chain.trailing
    if tr is not None:
        out["ttm"] = {"end": tr.end, "fallback": bool(tr.fallback), "fcf": tr.fcf,
                      **{k: tr.get(k) for k in ("capex", "depreciation_amortization",
                                                "net_income", "dividends")}}
    proj = chain.projection
    if proj is not None and not proj.empty:
        rows = proj[(proj["capex_scenario"] == scenario) & (proj["ocf_scenario"] == ocf)]
        out["projection"] = rows.to_dict("records")
    if chain.fit is not None:
        one = (chain.oos[chain.oos["horizon"] == 1] if chain.oos is not None
               and not chain.oos.empty else None)
        out["fit"] = {"target": chain.fit.target,
                      "short_share": chain.fit.model.short_share,
                      "lag_years": chain.fit.model.lag_years, "mape": chain.fit.mape,
                      "identified": bool(chain.fit.identified),
                      "one_year_ahead_errors": [] if one is None else [
                          {"fiscal_year": int(y), "pct_error": float(e)}
                          for y, e in zip(one["fiscal_year"], one["pct_error"], strict=True)]}
    if chain.sensitivity is not None:
        out["sensitivity"] = chain.sensitivity.to_dict("records")
    return out


def _growths(text: str) -> list[float]:
    try:
        values = [float(v) / 100 for v in text.split(",") if v.strip()]
    except ValueError as exc:
        raise NarrowgateError(f"--growths {text!r}: give percentages like 0,20,40") from exc
    if not values or any(not -50 <= v * 100 <= 200 for v in values):
        raise NarrowgateError(f"--growths {text!r}: each growth must lie in −50…200 (%)")
    return values


def capex(
    tickers: Annotated[list[str] | None, typer.Argument(help="e.g. NVDA AAPL (default: all)")
                       ] = None,
    life: Annotated[float | None, typer.Option(help="server life in years (overrides the "
                                                    "stated history), 1–15")] = None,
    scenario: Annotated[Scenario, typer.Option(help="capex scenario shown")] = "revised-mid",
    as_of: Annotated[str | None, typer.Option(help="YYYY-MM-DD (default: today)")] = None,
    offline: Annotated[bool, typer.Option(help="never fetch; use the store only")] = False,
    ocf_growth: Annotated[float | None, typer.Option(
        help="OCF growth a year in % for the projection (default: the thesis's base)")] = None,
    sensitivity: Annotated[bool, typer.Option(
        help="also print D&A by server life (4–7 y) × capex growth")] = False,
    growths: Annotated[str, typer.Option(
        help="capex growths for --sensitivity, % a year, comma-separated")] = "0,20,40",
    thesis_ref: Annotated[str | None, typer.Option(
        "--thesis", help="bundled id or YAML file whose capex-chain claim is read "
                         "(default: the bundled thesis)")] = None,
    as_json: Annotated[bool, typer.Option(
        "--json", help='print {"companies": [...]} as JSON (USD bn, fiscal years as '
                       "reported)")] = False,
) -> None:
    """The capex chain per company: history, projections and the depreciation model."""
    from rich.console import Console

    from narrowgate.data.hub import DataHub
    from narrowgate.data.store import Store
    from narrowgate.data.view import DataView
    from narrowgate.evaluate.kinds.capex_chain import CapexChainParams, scenarios_by_ticker
    from narrowgate.evaluate.kinds.capex_inputs import build_chain
    from narrowgate.evaluate.registry import EvalContext
    from narrowgate.thesis.loader import load_thesis

    if life is not None and not 1 <= life <= 15:
        raise NarrowgateError(f"--life {life}: a server life must be between 1 and 15 years")
    if ocf_growth is not None and not -50 <= ocf_growth <= 100:
        raise NarrowgateError(f"--ocf-growth {ocf_growth}: give a yearly % between −50 and 100")
    capex_growths = _growths(growths)
    day = parse_date(as_of, "--as-of") or date.today()
    thesis = load_thesis(thesis_ref)
    chain_claims = [c for c in thesis.claims if c.test == "capex-chain"]
    if not chain_claims:
        raise NarrowgateError(f"thesis {thesis.id} has no claim on the capex-chain test",
                              "give --thesis a thesis that has one")
    params = CapexChainParams.model_validate(chain_claims[0].params)
    if ocf_growth is not None:
        name = f"ocf {ocf_growth:+g}%"
        params = params.model_copy(update={"ocf_growth": {name: ocf_growth / 100},
                                           "headline_ocf_scenario": name})
    lives = sorted({*params.sensitivity_lives, *([life] if life is not None else [])})
    hub = DataHub(Store(), offline=offline)
    ctx = EvalContext(thesis=thesis, as_of=day, hub=DataView(hub, day))
    scenarios = scenarios_by_ticker(params, ctx)
    wanted = ([t.upper() for t in tickers] if tickers else
              [i.partition(":")[2] for i in [*(c.instrument for c in params.companies),
                                             *params.controls]])
    console = Console(stderr=as_json)  # with --json only the document goes to stdout
    chains = []
    for ticker in wanted:
        try:
            chain = build_chain(hub, ticker, day, pattern_start=params.pattern_start_year,
                                finance_leases=params.leases(ticker),
                                projection_years=params.projection_years,
                                scenarios=scenarios.get(ticker, []),
                                ocf_growth=params.ocf_growth, life_override=life,
                                tax_rate=params.tax_rate,
                                sensitivity_lives=lives if sensitivity else (),
                                sensitivity_growths=capex_growths)
        except DataNotFound as exc:
            raise DataNotFound(f"{ticker}: no SEC facts in the store and no bundled fallback "
                               f"figures ({exc.message})",
                               f"run `narrowgate data pull sec:{ticker}`") from exc
        chains.append(chain)
        if as_json:
            continue
        console.print(_company_table(chain, scenario, params.headline_ocf_scenario))
        console.print(_cash_table(chain))
        if chain.projection is None:
            console.print(f"  {ticker}: no projection (no guidance in the thesis or no fit)")
        if sensitivity:
            if chain.sensitivity is None:
                console.print(f"  {ticker}: no sensitivity table (the depreciation model "
                              "could not be fitted; see the fit table)")
            else:
                console.print(_sensitivity_table(chain))
    if as_json:
        from narrowgate.cli.jsonout import emit_json

        emit_json({"as_of": day, "unit": "USD bn", "scenario": scenario,
                   "ocf_scenario": params.headline_ocf_scenario,
                   "companies": [_company_json(c, scenario, params.headline_ocf_scenario)
                                 for c in chains]})
        return
    console.print(_fit_table(chains))
    console.print(f"as of {day}; OCF scenario '{params.headline_ocf_scenario}' "
                  f"({params.ocf_growth}); USD bn, fiscal years as reported. "
                  "TTM = the four latest quarters (SEC 10-Q/10-K); 'TTM (fallback)' rows are "
                  "FACTS.md 3a figures in the source's definition.")
    for mapped in params.guidance_years:
        console.print(f"{mapped.instrument}: {mapped.note.en}")
