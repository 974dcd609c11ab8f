"""A scorecard built from the real models, shared by the HTML and browser tests.

It carries every verdict, a chart with a date axis and a y2 series, a non-date chart,
provenance with stale/fallback flags, missing data, Chinese text, and hostile strings
(``</script>``, ``<!--``, quotes) in every kind of field the report prints.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from narrowgate.evaluate.scorecard import Scorecard, ThesisInfo
from narrowgate.evaluate.verdict import (
    Chart,
    ChartSeries,
    ClaimResult,
    DataUsed,
    Evidence,
    Figure,
    MissingData,
    Verdict,
    WatchItem,
)
from narrowgate.thesis.schema import LocalizedText, Section, ThesisSource

INJECTION = "</script><script>alert('x')</script><!--"


def _text(zh: str, en: str) -> LocalizedText:
    return LocalizedText(zh=zh, en=en)


def _dates(start: date, days: int) -> list[str | float | int]:
    return [(start + timedelta(days=n)).isoformat() for n in range(days)]


def _price_chart() -> Chart:
    days = 120
    wave = [100 + 10 * math.sin(n / 9) + n * 0.05 for n in range(days)]
    ratio = [w / 100 for w in wave]
    ratio[5] = math.nan  # a gap must not break JSON.parse
    return Chart(
        title=_text("软件 ETF 与道指 " + INJECTION, "Software ETF vs Dow " + INJECTION),
        series=[
            ChartSeries(name="IGV", x=_dates(date(2025, 10, 1), days), y=list(wave)),
            ChartSeries(name="DIA/QQQ", x=_dates(date(2025, 10, 1), days), y=ratio, axis="y2"),
        ],
        y_label="index",
        y2_label="ratio",
    )


def _bar_chart() -> Chart:
    return Chart(
        title=_text("资本开支指引", "Capex guidance"),
        series=[
            ChartSeries(
                name="USD bn", x=["GOOGL", "META", "AMZN"], y=[180.0, 125.0, 200.0], kind="bar"
            )
        ],
        y_label="USD bn",
        x_is_date=False,
    )


def _data(instrument: str, *, stale: bool = False, fallback: bool = False) -> DataUsed:
    return DataUsed(
        instrument=instrument,
        source="store:yahoo",
        start=date(2025, 10, 1),
        end=date(2026, 1, 28),
        fetched_at=datetime(2026, 2, 9, 8, 30, tzinfo=UTC),
        rows=82,
        note="adjusted close",
        stale=stale,
        fallback=fallback,
    )


def build_results() -> list[ClaimResult]:
    """One result per verdict, plus an id no section knows (it must land in 'other')."""
    capex = ClaimResult(
        claim_id="capex-total",
        section="capex",
        kind="fact",
        test="capex-guidance",
        statement=_text(
            "美国科技巨头 2026 年资本开支约 6700 亿美元", "Big Tech plans ~$670B capex"
        ),
        verdict=Verdict.SUPPORTED,
        summary=_text("指引合计 5050 亿美元以上", "Guidance sums to over $505B"),
        evidence=Evidence(
            figures=[
                Figure(key="growth", label=_text("同比增长", "growth"), value=0.4321, unit="%"),
                Figure(
                    key="sum",
                    label=_text("指引合计", "guidance sum"),
                    value=505.0,
                    unit="USD bn",
                    decisive=True,
                ),
            ],
            data=[_data("sec:GOOGL")],
            charts=[_bar_chart()],
            watch=[
                WatchItem(
                    label=_text("四家指引中值合计", "four-company guidance mid-point"),
                    current=610.0,
                    threshold=636.5,
                    unit="USD bn",
                    flips_to=Verdict.SUPPORTED,
                    instrument="sec:GOOGL",
                )
            ],
        ),
    )
    selloff = ClaimResult(
        claim_id="software-selloff",
        section="valuation",
        kind="fact",
        test="drawdown",
        statement=_text(
            "软件股自 1/28 起蒸发近万亿美元 " + INJECTION, "Software lost ~$1T " + INJECTION
        ),
        verdict=Verdict.CONTRADICTED,
        summary=_text('回撤小于所述 "引号"', 'Drawdown smaller than claimed "quoted" & <b>'),
        evidence=Evidence(
            figures=[
                Figure(
                    key="dd",
                    label=_text("最大回撤", "max drawdown"),
                    value=-12.3456,
                    unit="%",
                    decisive=True,
                )
            ],
            data=[_data("us:IGV", stale=True), _data("us:DIA", fallback=True)],
            charts=[_price_chart()],
            notes=[_text("以 IGV 代表软件板块", "IGV stands in for software")],
        ),
    )
    mixed = ClaimResult(
        claim_id="rotation-trade",
        section="positions",
        kind="trade",
        test="pair-backtest",
        statement=_text(
            "卖出软件和纳指，买入道指和罗素2000", "Sell software and Nasdaq, buy Dow and R2K"
        ),
        verdict=Verdict.MIXED,
        summary=_text(
            "发表后有效，历史回测不稳定", "Worked after publication, unstable in history"
        ),
        evidence=Evidence(
            figures=[Figure(key="ret", label=_text("收益", "return"), value=3, unit="%")],
            data=[_data("us:QQQ")],
        ),
    )
    pending = ClaimResult(
        claim_id="btc-cycle",
        section="macro",
        kind="forecast",
        test="halving-cycle",
        statement=_text("比特币仍在四年周期的调整中", "BTC is still correcting in its cycle"),
        horizon=date(2026, 10, 1),
        verdict=Verdict.PENDING,
        summary=_text("期限未到", "Horizon not reached"),
        evidence=Evidence(data=[_data("crypto:BTC-USD")]),
    )
    insufficient = ClaimResult(
        claim_id="if-vs-ic-im",
        section="positions",
        kind="trade",
        test="futures-spread",
        statement=_text("做多 IF，做空 IC 和 IM", "Long IF, short IC and IM"),
        verdict=Verdict.INSUFFICIENT_DATA,
        summary=_text("缺少期货数据", "Futures data missing"),
        evidence=Evidence(
            missing=[
                MissingData(
                    what="cnfut:IF daily bars",
                    dates="2016-01-01 → 2026-02-08",
                    how="narrowgate data fetch cnfut:IF --start 2016-01-01",
                )
            ]
        ),
    )
    qualitative = ClaimResult(
        claim_id="saas-pricing",
        section="qualitative",
        kind="qualitative",
        test="qualitative",
        statement=_text("按席位收费的 SaaS 模式正在瓦解", "Per-seat SaaS pricing is breaking"),
        verdict=Verdict.QUALITATIVE,
        summary=_text("无法用市场数据检验", "Not testable with market data"),
        evidence=Evidence(notes=[_text("记录在案", "Recorded")]),
    )
    unknown = ClaimResult(
        claim_id="made-up-claim",
        kind="custom-kind",
        test="custom",
        statement=_text("未知分组的论点", "A claim no section knows"),
        verdict=Verdict.SUPPORTED,
        summary=_text("放入其他", "Goes to other"),
        evidence=Evidence(
            figures=[Figure(key="x", label=_text("值", "value"), value=None, unit="x")]
        ),
        error="evaluator raised <KeyError>",
    )
    return [unknown, selloff, capex, mixed, pending, insufficient, qualitative]


SECTIONS = [
    Section(key=key, title=_text(zh, en))
    for key, zh, en in (("capex", "资本开支", "Capex"), ("fcf", "自由现金流", "Free cash flow"),
                        ("valuation", "估值", "Valuation"),
                        ("positions", "持仓与交易", "Positions and trades"),
                        ("macro", "宏观", "Macro"), ("qualitative", "定性判断", "Qualitative"))
]


def build_scorecard() -> Scorecard:
    return Scorecard(
        narrowgate_version="0.1.0",
        generated_at=datetime(2026, 2, 9, 9, 0, tzinfo=UTC),
        as_of=date(2026, 2, 8),
        offline=True,
        thesis=ThesisInfo(
            id="ai-narrow-gate",
            title=_text("AI的窄门", "The narrow gate of AI " + INJECTION),
            source=ThesisSource(
                title="AI的窄门",
                medium="WeChat",
                published=date(2026, 2, 8),
                url="https://example.com/article",
            ),
            sections=SECTIONS,
        ),
        results=build_results(),
        warnings=["network unreachable: using the cache <offline>"],
    )


@pytest.fixture
def sample_scorecard() -> Scorecard:
    return build_scorecard()


@pytest.fixture
def injection() -> str:
    """The hostile string planted in titles, statements and chart titles of the sample."""
    return INJECTION


BUNDLED_AS_OF = date(2026, 11, 24)


def _run_bundled(folder: Path, store: Path) -> None:
    import pickle
    import shutil

    from narrowgate.api import run_thesis
    from narrowgate.data.store import STORE_FILE
    from narrowgate.thesis.loader import load_thesis

    home = folder / "home"
    home.mkdir()
    shutil.copyfile(store, home / STORE_FILE)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("NARROWGATE_HOME", str(home))
        card = run_thesis(load_thesis(None), BUNDLED_AS_OF, offline=True)
    (folder / "scorecard.pickle").write_bytes(pickle.dumps(card))
    shutil.rmtree(home)


@pytest.fixture(scope="session")
def bundled_scorecard(pristine_store_path: Path, tmp_path_factory: pytest.TempPathFactory
                      ) -> Scorecard:
    """The bundled thesis run offline on all the shared data, as ``narrowgate run`` does
    (warnings and fetch commands included), on a copy of the imported store — once per
    session for every xdist worker (a pickle is an exact copy of the model, NaN included)."""
    import pickle

    from tests.session_share import built_once

    shared = built_once(tmp_path_factory, "bundled-scorecard",
                        lambda folder: _run_bundled(folder, pristine_store_path))
    card = pickle.loads((shared / "scorecard.pickle").read_bytes())
    assert isinstance(card, Scorecard)
    return card


@pytest.fixture(scope="session")
def example_scorecard(imported_store_path: Path) -> Scorecard:
    """A user's thesis from docs/examples (a trade claim and implied trades), offline."""
    from narrowgate.data.hub import DataHub
    from narrowgate.data.store import Store
    from narrowgate.evaluate.runner import evaluate_thesis
    from narrowgate.thesis.loader import load_thesis
    from tests.conftest import REPO_ROOT

    thesis = load_thesis(str(REPO_ROOT / "docs" / "examples" / "us-soft-landing.yaml"))
    hub = DataHub(Store(imported_store_path), offline=True)
    return evaluate_thesis(thesis, BUNDLED_AS_OF, offline=True, hub=hub)
