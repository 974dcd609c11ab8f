"""oracle-funding: the article's Oracle figures against the recorded, dated announcements.

Why recorded facts: a financing plan and a bond sale are announcements, not market series.
The article's figures are compared with the sourced ones (within a tolerance); the later
check, debt growth in Oracle's filings, needs sec:ORCL facts and is listed as missing
until they are in the store.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from pydantic import Field, model_validator

from narrowgate.evaluate.common import (
    InstrumentId,
    RecordedSource,
    date_figure,
    figure,
    missing_for_needs,
    recorded_data,
    text,
)
from narrowgate.evaluate.registry import DataNeed, EvalContext, Evaluator, Params, register
from narrowgate.evaluate.verdict import Assessment, Evidence, Verdict

if TYPE_CHECKING:
    from narrowgate.thesis.schema import Claim


class OracleFundingParams(Params):
    filings_instrument: InstrumentId
    article_raise_low_usd_bn: float = Field(gt=0)
    article_raise_high_usd_bn: float = Field(gt=0)
    article_bond_usd_bn: float = Field(gt=0)
    raise_low_usd_bn: float = Field(gt=0, description="announced 2026 raise, low end")
    raise_high_usd_bn: float = Field(gt=0, description="announced 2026 raise, high end")
    raise_announced: date
    raise_source: RecordedSource
    equity_convertible_preferred_usd_bn: float | None = Field(None, gt=0)
    equity_atm_programme_max_usd_bn: float | None = Field(None, gt=0)
    bond_usd_bn: float = Field(gt=0, description="size of the bond sold")
    bond_date: date
    bond_orders_usd_bn: float | None = Field(None, gt=0, description="order book")
    bond_source: RecordedSource
    match_within_pct: float = Field(2.0, ge=0, description="article figure matches within %")
    debt_check_start: date = Field(description="first filing period of the debt-growth check")

    @model_validator(mode="after")
    def _ranges(self) -> OracleFundingParams:
        if self.raise_high_usd_bn < self.raise_low_usd_bn:
            raise ValueError("raise_high_usd_bn must be at least raise_low_usd_bn")
        if self.article_raise_high_usd_bn < self.article_raise_low_usd_bn:
            raise ValueError("article_raise_high_usd_bn must be at least article_raise_low_usd_bn")
        return self


def _close(a: float, b: float, within_pct: float) -> bool:
    return abs(a - b) / b * 100 <= within_pct


@register
class OracleFunding(Evaluator[OracleFundingParams]):
    test = "oracle-funding"
    params_model = OracleFundingParams
    title = "Oracle's 2026 financing plan and bond sale"

    def data_needs(self, params: OracleFundingParams, ctx: EvalContext) -> list[DataNeed]:
        return [DataNeed(instrument=params.filings_instrument, kind="facts",
                         start=params.debt_check_start, end=ctx.as_of,
                         why="long-term debt (LongTermDebt, LongTermDebtNoncurrent) growth")]

    def evaluate(self, claim: Claim, params: OracleFundingParams, ctx: EvalContext) -> Assessment:
        tol = params.match_within_pct
        raise_ok = (_close(params.article_raise_low_usd_bn, params.raise_low_usd_bn, tol)
                    and _close(params.article_raise_high_usd_bn, params.raise_high_usd_bn, tol))
        bond_ok = _close(params.article_bond_usd_bn, params.bond_usd_bn, tol)
        if raise_ok and bond_ok:
            verdict = Verdict.SUPPORTED
        elif raise_ok or bond_ok:
            verdict = Verdict.MIXED
        else:
            verdict = Verdict.CONTRADICTED
        figures = [
            figure("raise_range", "宣布的2026年融资额", "announced 2026 raise",
                   f"{params.raise_low_usd_bn:g}–{params.raise_high_usd_bn:g}", "USD bn",
                   decisive=True),
            date_figure("raise_announced", "融资计划宣布日", "plan announced",
                        params.raise_announced),
            figure("bond_size", "已发行债券", "bond sold", params.bond_usd_bn, "USD bn",
                   decisive=True),
            date_figure("bond_date", "发债日", "bond sale date", params.bond_date),
            figure("article_matches", "文章数字与来源一致", "article figures match sources",
                   f"{int(raise_ok) + int(bond_ok)}/2", "figures", decisive=True),
        ]
        if params.bond_orders_usd_bn is not None:
            figures.append(figure("bond_orders", "债券认购订单", "bond order book",
                                  params.bond_orders_usd_bn, "USD bn"))
        if params.equity_convertible_preferred_usd_bn is not None:
            figures.append(figure("equity_mandatory_convertible", "强制可转换优先股(约)",
                                  "mandatory convertible preferred (about)",
                                  params.equity_convertible_preferred_usd_bn, "USD bn"))
        if params.equity_atm_programme_max_usd_bn is not None:
            figures.append(figure("equity_atm_max", "按市价增发计划上限",
                                  "at-the-market programme cap",
                                  params.equity_atm_programme_max_usd_bn, "USD bn"))
        data = [
            recorded_data(params.raise_source, params.filings_instrument, "2026 financing plan"),
            recorded_data(params.bond_source, params.filings_instrument, "bond sale"),
        ]
        missing = missing_for_needs(self.data_needs(params, ctx), ctx.as_of)
        summary = text(
            f"甲骨文于 {params.raise_announced} 宣布2026年融资 {params.raise_low_usd_bn:g}–"
            f"{params.raise_high_usd_bn:g} 十亿美元(股债各半),并于 {params.bond_date} 发行 "
            f"{params.bond_usd_bn:g} 十亿美元债券;文章数字与来源"
            f"{'一致' if verdict is Verdict.SUPPORTED else '不完全一致'}。财报中的负债增长"
            f"尚待 {params.filings_instrument} 数据核对。",
            f"Oracle announced a {params.raise_low_usd_bn:g}–{params.raise_high_usd_bn:g} USD bn "
            f"2026 raise on {params.raise_announced} (about half equity, half debt) and sold a "
            f"{params.bond_usd_bn:g} USD bn bond on {params.bond_date}; the article's figures "
            f"{'match' if verdict is Verdict.SUPPORTED else 'only partly match'} the sources. "
            f"Debt growth in the filings awaits {params.filings_instrument} facts.",
        )
        return Assessment(verdict=verdict, summary=summary,
                          evidence=Evidence(figures=figures, data=data, missing=missing))
