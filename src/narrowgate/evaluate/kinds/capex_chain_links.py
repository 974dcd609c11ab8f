"""capex-chain, version 2: each link of the chain decided on its own, weighted across
companies, and the chain's verdict from its links.

Why weighted, not unanimous: one company on two years of fallback data could flip a
unanimity rule. Each company's vote weighs its latest capex (USD bn; ``weight: capex``) or
one (``weight: equal``), times ``fallback_weight`` when its figures come from the bundled
fallback rather than SEC facts. A link is *supported* when the weighted share of measured
companies where it holds reaches ``link_support_share``, *contradicted* at or below
``link_contradict_share``, *mixed* between; the companies against it are named.

The links (``links`` param; default: lag, squeeze, payout, plus duration when
``duration_link`` is set):

- ``lag``: D&A covers at most ``max_d_and_a_to_capex`` of capex in the latest year;
- ``squeeze``: capex / operating cash flow rose by at least ``min_capex_to_ocf_rise``;
- ``payout``: payout capacity (FCF − dividends, or FCF) fell over the window;
- ``duration``: the long-duration proxy trailed the short-duration one since the start
  (publication by default) by at least ``min_gap_pp`` (see
  :mod:`narrowgate.evaluate.kinds.capex_chain_duration`).

The chain: *insufficient data* when lag or squeeze is; *contradicted* when both are, or
most tested links are; *supported* when every tested link is, with at least
``min_measured_for_support`` companies measured and the depreciation model within its
bound; else *mixed*.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Literal

from pydantic import Field, model_validator

from narrowgate.evaluate.common import InstrumentId, figure, text
from narrowgate.evaluate.core.thresholds import banded
from narrowgate.evaluate.registry import Params
from narrowgate.evaluate.verdict import Figure, Verdict
from narrowgate.thesis.schema import LocalizedText

if TYPE_CHECKING:
    import pandas as pd

    from narrowgate.evaluate.kinds.capex_inputs import CompanyChain
    from narrowgate.models.capex_cash import CashReading

LinkName = Literal["lag", "squeeze", "payout", "duration"]
COMPANY_LINKS: tuple[LinkName, ...] = ("lag", "squeeze", "payout")
LINK_LABELS: dict[str, LocalizedText] = {
    "lag": LocalizedText(zh="折旧滞后(折旧/资本开支)", en="the lag (D&A / capex)"),
    "squeeze": LocalizedText(zh="现金流挤压(资本开支/经营现金流上升)",
                             en="the squeeze (capex / OCF rising)"),
    "payout": LocalizedText(zh="回购与分红能力下降(自由现金流减分红)",
                            en="payout capacity falling (FCF − dividends)"),
    "duration": LocalizedText(zh="长久期估值先受冲击", en="long-duration valuations hit first"),
}
VERDICT_ZH = {Verdict.SUPPORTED: "成立", Verdict.CONTRADICTED: "不成立", Verdict.MIXED: "部分成立",
              Verdict.INSUFFICIENT_DATA: "数据不足", Verdict.PENDING: "待定"}


class DurationLink(Params):
    """The last link: a long-duration proxy against a short-duration one since ``start``."""

    long: InstrumentId = Field(description="long-duration proxy (e.g. a Nasdaq-100 fund)")
    short: InstrumentId = Field(description="short-duration proxy (e.g. a Dow fund)")
    start: date | None = Field(None, description="start of the window; none: publication")
    min_gap_pp: float = Field(2.0, gt=0, description="return gap that counts "
                                                     "(percentage points)")
    basis: Literal["raw", "split", "total"] = Field(
        "total", description="price basis of both returns (total: dividends reinvested)")


class ChainLinkParams(Params):
    """The version-2 params of ``capex-chain`` (see the module docstring)."""

    links: list[LinkName] | None = Field(
        None, description="links tested, in order; none: lag, squeeze, payout (+ duration "
                          "when duration_link is set)")
    weight: Literal["capex", "equal"] = Field(
        "capex", description="a company's vote: its latest capex (USD bn) or one")
    fallback_weight: float = Field(
        0.5, ge=0, le=1, description="multiplier of a company read from the fallback "
                                     "dataset rather than SEC facts (fraction)")
    link_support_share: float = Field(
        0.67, gt=0, le=1, description="weighted share holding a link for supported")
    link_contradict_share: float = Field(
        0.33, ge=0, lt=1, description="weighted share at or below which a link is "
                                      "contradicted")
    min_capex_to_ocf_rise: float = Field(
        0.05, description="capex / OCF rise over the window for the squeeze (ratio)")
    max_d_and_a_to_capex: float = Field(
        0.8, gt=0, description="D&A / capex in the latest year at most, for the lag (ratio)")
    duration_link: DurationLink | None = Field(
        None, description="instruments of the last link; none: not tested")

    @model_validator(mode="after")
    def _links(self) -> ChainLinkParams:
        if self.link_contradict_share >= self.link_support_share:
            raise ValueError("link_contradict_share must be below link_support_share")
        if self.links is not None and "duration" in self.links and self.duration_link is None:
            raise ValueError("the duration link needs duration_link (long and short)")
        return self

    def tested_links(self) -> list[LinkName]:
        if self.links is not None:
            return list(dict.fromkeys(self.links))
        return [*COMPANY_LINKS, *(("duration",) if self.duration_link is not None else ())]


@dataclass
class LinkResult:
    """One link's verdict: weighted share holding (0–1), who was measured and who dissents
    (ticker → weight share), and its deciding figure's text."""

    name: LinkName
    verdict: Verdict
    #: company links: weighted share holding (0–1); duration: long − short return (pp)
    share: float | None = None
    measured: list[str] = field(default_factory=list)
    dissenters: dict[str, float] = field(default_factory=dict)
    detail: LocalizedText | None = None


def weights(chains: list[CompanyChain], capex: dict[str, pd.Series],
            params: ChainLinkParams) -> dict[str, float]:
    """Each company's vote before normalising: latest capex (USD bn; ``capex`` holds each
    company's capex by fiscal year as the chain counts it) or 1, times ``fallback_weight``
    for a company on fallback data."""
    out: dict[str, float] = {}
    for c in chains:
        spent = capex[c.ticker].dropna()
        base = float(spent.iloc[-1]) if params.weight == "capex" and len(spent) else 1.0
        out[c.ticker] = base * (params.fallback_weight if c.fallback else 1.0)
    return out


def company_link(reading: CashReading, name: LinkName) -> bool | None:
    return {"lag": reading.lag, "squeeze": reading.squeeze, "payout": reading.payout}.get(name)


def weighted_link(name: LinkName, readings: dict[str, CashReading],
                  votes: dict[str, float], params: ChainLinkParams,
                  min_measured: int) -> LinkResult:
    """The weighted verdict of one company link (the rule of the module docstring)."""
    flags = {t: company_link(r, name) for t, r in readings.items()}
    measured = {t: f for t, f in flags.items() if f is not None}
    total = sum(votes[t] for t in measured)
    if len(measured) < min_measured or total <= 0:
        return LinkResult(name, Verdict.INSUFFICIENT_DATA, measured=list(measured))
    share = sum(votes[t] for t, f in measured.items() if f) / total
    dissent = {t: votes[t] / total for t, f in measured.items() if not f}
    # the decision core's rule, so the link's lines enter the claim's stability reading
    verdict = banded(share, supported=params.link_support_share,
                     contradicted=params.link_contradict_share)
    return LinkResult(name, verdict, share, list(measured), dissent)


def chain_verdict_v2(results: list[LinkResult], oos_ok: list[bool], measured: int,
                     min_measured_for_support: int) -> Verdict:
    """The chain's verdict from its links (module docstring)."""
    by_name = {r.name: r.verdict for r in results}
    core = [by_name.get(n) for n in ("lag", "squeeze") if n in by_name]
    if any(v is Verdict.INSUFFICIENT_DATA for v in core):
        return Verdict.INSUFFICIENT_DATA
    tested = [r.verdict for r in results
              if r.verdict not in (Verdict.INSUFFICIENT_DATA, Verdict.PENDING)]
    contradicted = sum(v is Verdict.CONTRADICTED for v in tested)
    if (core and all(v is Verdict.CONTRADICTED for v in core)) or contradicted > len(tested) / 2:
        return Verdict.CONTRADICTED
    if (tested and len(tested) == len(results) and all(v is Verdict.SUPPORTED for v in tested)
            and measured >= min_measured_for_support and all(oos_ok)):
        return Verdict.SUPPORTED
    return Verdict.MIXED


def link_figures(results: list[LinkResult]) -> list[Figure]:
    """Per link one decisive figure — the weighted share holding (%) or, for the duration
    link, its return gap (pp) — labelled with the link's verdict, and the dissenters
    (ticker and weight share) in zh and en; contradicted links first, supported last."""
    out: list[Figure] = []
    # the links that hold the claim back first: a report headline shows the first few
    rank = {Verdict.CONTRADICTED: 0, Verdict.MIXED: 1, Verdict.PENDING: 2,
            Verdict.INSUFFICIENT_DATA: 3, Verdict.SUPPORTED: 4}
    for r in sorted(results, key=lambda r: rank.get(r.verdict, 5)):
        label = LINK_LABELS[r.name]
        zh_v, en_v = VERDICT_ZH.get(r.verdict, r.verdict.value), r.verdict.value
        if r.name == "duration":
            value = r.share if r.share is None else round(r.share, 2)
            out.append(figure("link_duration", f"环节:{label.zh} — {zh_v}(长减短收益差)",
                              f"link: {label.en} — {en_v} (long minus short return)",
                              value, "percentage points", decisive=True))
            continue
        out.append(figure(f"link_{r.name}", f"环节:{label.zh} — {zh_v}(成立公司的加权占比)",
                          f"link: {label.en} — {en_v} (weighted share of companies where "
                          "it holds)", None if r.share is None else round(r.share * 100, 1),
                          "%", decisive=True))
        if r.measured:
            names = ", ".join(f"{t} {w:.0%}" for t, w in r.dissenters.items()) or "—"
            out.append(figure(f"link_{r.name}_dissenters", f"{label.zh}:反对者(权重)",
                              f"{label.en}: dissenters (weight)", names, "companies"))
    return out


def links_summary(results: list[LinkResult]) -> LocalizedText:
    """'lag: supported (92%); …' in zh and en, dissenters named."""
    zh, en = [], []
    for r in results:
        label = LINK_LABELS[r.name]
        share = ("" if r.share is None else f" {r.share:+.1f} pp" if r.name == "duration"
                 else f" {r.share:.0%}")
        share_zh = share.replace(" pp", " 个百分点")
        who = ", ".join(r.dissenters)
        zh.append(f"{label.zh}:{VERDICT_ZH.get(r.verdict, r.verdict.value)}{share_zh}"
                  + (f"(反对:{who})" if who else ""))
        en.append(f"{label.en}: {r.verdict.value}{share}" + (f" (against: {who})" if who else ""))
    return text(";".join(zh) + "。", "; ".join(en) + ".")
