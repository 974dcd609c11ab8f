"""capex-chain, version 2: the cash measures per company as figures and one chart per
company link (D&A / capex, capex / OCF, payout capacity), from
:mod:`narrowgate.models.capex_cash`.

Split from :mod:`narrowgate.evaluate.kinds.capex_chain_figures` (the version-1 figures,
kept as context) so each module keeps one job. Amounts USD bn, ratios plain, a company on
fallback data marked ``[fallback]`` in every label; a concept the company does not report
gives no figure (never a zero).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from narrowgate.evaluate.common import figure, text
from narrowgate.evaluate.verdict import Chart, Figure

if TYPE_CHECKING:
    import pandas as pd

    from narrowgate.evaluate.kinds.capex_chain import CapexChainParams
    from narrowgate.evaluate.kinds.capex_inputs import CompanyChain
    from narrowgate.models.capex_cash import CashReading


def _mark(chain: CompanyChain) -> tuple[str, str]:
    return (" [备用数据]", " [fallback]") if chain.fallback else ("", "")


def cash_frames(chains: list[CompanyChain]) -> dict[str, pd.DataFrame]:
    """:func:`~narrowgate.models.capex_cash.cash_frame` of each company."""
    from narrowgate.models.capex_cash import cash_frame

    return {c.ticker: cash_frame(c.financials, c.finance_leases) for c in chains}


def readings(chains: list[CompanyChain], frames: dict[str, pd.DataFrame],
             params: CapexChainParams) -> dict[str, CashReading]:
    """Each company's links over the pattern window (from ``pattern_start_year``)."""
    from narrowgate.models.capex_cash import cash_reading

    return {c.ticker: cash_reading(
        c.ticker, frames[c.ticker], params.pattern_start_year,
        min_capex_to_ocf_rise=params.min_capex_to_ocf_rise,
        max_d_and_a_to_capex=params.max_d_and_a_to_capex) for c in chains}


def _latest(frame: pd.DataFrame, column: str, first_year: int) -> tuple[int, float] | None:
    """The latest reported value of ``column`` in the window (from ``first_year``)."""
    values = frame[column].dropna()
    values = values[values.index >= first_year]
    return None if values.empty else (int(values.index[-1]), float(values.iloc[-1]))


def cash_figures(chain: CompanyChain, frame: pd.DataFrame, reading: CashReading | None,
                 weight: float | None, first_year: int) -> list[Figure]:
    """The company's cash measures: capex/OCF (first, last, change — decisive), D&A/capex
    and the catch-up years, payout capacity, net debt issuance, net cash, construction in
    progress, capex incl. finance-lease principal (latest reported from ``first_year``),
    and its weight in the vote."""
    t, (mz, me) = chain.ticker, _mark(chain)
    out: list[Figure] = []
    if weight is not None:
        out.append(figure(f"{t}_weight", f"{t} 投票权重{mz}", f"{t} weight in the vote{me}",
                          round(weight * 100, 1), "%"))
    r = reading
    if r is not None and r.capex_to_ocf_first is not None and r.capex_to_ocf_last is not None:
        change = r.capex_to_ocf_change or 0.0
        out += [
            figure(f"{t}_capex_to_ocf_{r.first_year}",
                   f"{t} FY{r.first_year} 资本开支/经营现金流{mz}",
                   f"{t} FY{r.first_year} capex / OCF{me}", round(r.capex_to_ocf_first, 3),
                   "ratio"),
            figure(f"{t}_capex_to_ocf_{r.last_year}",
                   f"{t} FY{r.last_year} 资本开支/经营现金流{mz}",
                   f"{t} FY{r.last_year} capex / OCF{me}", round(r.capex_to_ocf_last, 3),
                   "ratio"),
            figure(f"{t}_capex_to_ocf_change", f"{t} 资本开支/经营现金流变化{mz}",
                   f"{t} change in capex / OCF FY{r.first_year}–FY{r.last_year}{me}",
                   round(change, 3), "ratio", decisive=True)]
    if r is not None and r.d_and_a_to_capex_last is not None:
        out.append(figure(f"{t}_d_and_a_to_capex_{r.last_year}",
                          f"{t} FY{r.last_year} 折旧/资本开支{mz}",
                          f"{t} FY{r.last_year} D&A / capex{me}",
                          round(r.d_and_a_to_capex_last, 3), "ratio", decisive=True))
        if r.catch_up_years is not None:
            out.append(figure(f"{t}_d_and_a_catch_up_years",
                              f"{t} 折旧追上当前资本开支所需年数(按窗口内折旧增速){mz}",
                              f"{t} years for D&A to reach today's capex at its window "
                              f"growth{me}", round(r.catch_up_years, 1), "years"))
    if r is not None and r.payout_first is not None and r.payout_last is not None:
        zh_m = "自由现金流减分红" if r.payout_measure.startswith("FCF −") else "自由现金流"
        out.append(figure(f"{t}_payout_capacity_change",
                          f"{t} {zh_m} FY{r.first_year}→FY{r.last_year} 变化{mz}",
                          f"{t} {r.payout_measure} change FY{r.first_year}–FY{r.last_year}{me}",
                          round(r.payout_last - r.payout_first, 3), "USD bn"))
    for column, zh, en in (
            ("net_debt_issuance", "净发债(发行减偿还)",
             "net debt issuance (proceeds − repayments)"),
            ("net_cash", "净现金(现金与短期投资减长期债务)",
             "net cash (cash and short-term investments − long-term debt)"),
            ("construction_in_progress", "在建工程(尚未折旧)",
             "construction in progress (not yet depreciating)"),
            ("cip_to_capex", "在建工程/资本开支", "construction in progress / capex"),
            ("capex_incl_leases", "资本开支(含融资租赁本金)",
             "capex incl. finance-lease principal")):
        got = _latest(frame, column, first_year)
        if got is not None:
            year, value = got
            out.append(figure(f"{t}_{column}_{year}", f"{t} FY{year} {zh}{mz}",
                              f"{t} FY{year} {en}{me}", round(value, 3),
                              "ratio" if column == "cip_to_capex" else "USD bn"))
    return out


def link_chart(chains: list[CompanyChain], frames: dict[str, pd.DataFrame], column: str,
               title: tuple[str, str], unit: str, first_year: int) -> Chart | None:
    """One line per company of ``column`` by fiscal year from ``first_year``."""
    import pandas as pd

    from narrowgate.evaluate.charts import year_chart

    cols = {}
    for c in chains:
        values = frames[c.ticker][column]
        values = values[values.index >= first_year].dropna()
        if len(values):
            cols[c.ticker + (" [fallback]" if c.fallback else "")] = values
    if not cols:
        return None
    return year_chart(text(*title), pd.DataFrame(cols).sort_index(), unit)


def link_charts(chains: list[CompanyChain], frames: dict[str, pd.DataFrame],
                params: CapexChainParams) -> list[Chart]:
    """A chart per company link: D&A / capex (lag), capex / OCF (squeeze), payout
    capacity (payout), each only for links the params test."""
    wanted = params.tested_links()
    specs = (("lag", "d_and_a_to_capex", ("折旧/资本开支(滞后)", "D&A / capex (the lag)"),
              "ratio"),
             ("squeeze", "capex_to_ocf", ("资本开支/经营现金流(挤压)",
                                          "Capex / operating cash flow (the squeeze)"), "ratio"),
             ("payout", "payout_capacity", ("回购与分红能力:自由现金流减分红",
                                           "Payout capacity: FCF − dividends"), "USD bn"))
    out = []
    for link, column, title, unit in specs:
        if link in wanted:
            chart = link_chart(chains, frames, column, title, unit, params.pattern_start_year)
            if chart is not None:
                out.append(chart)
    return out
