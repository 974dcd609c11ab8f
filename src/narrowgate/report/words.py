"""Chinese for the plain-English unit and axis words that kinds write as ``str``.

Why here and not in every kind: a figure's ``unit``, a chart's axis labels and its series
names are plain strings (one language) in the evaluation model. The report translates the
common words with this one table so the Chinese page reads as Chinese, without changing
every kind. What is not in the table stays as written: tickers, instrument ids
(``us:QQQ``, ``fred:WALCL``), dates, numbers, and any phrase the table does not know.
Pure, stdlib only: the CLI imports the report lazily but this must stay light anyway.
"""

from __future__ import annotations

import re
from functools import lru_cache

from narrowgate.report.words_notes import zh_data_note

# Whole strings, checked first (exact, case-sensitive).
EXACT: dict[str, str] = {
    "x": "倍",
    "date": "日期",
    "dates": "日期",
    "year": "年",
    "years": "年",
    "fiscal year": "财年",
    "fiscal years": "财年",
    "days": "天",
    "months": "个月",
    "quarters": "个季度",
    "events": "次",
    "closes": "个收盘价",
    "companies": "家公司",
    "products": "个产品",
    "providers": "家提供商",
    "drivers": "个驱动因素",
    "persons": "人",
    "verdict": "判定",
    "price": "价格",
    "ratio": "比值",
    "log": "对数",
    "pp": "个百分点",
    "equity": "净值",
    "drawdown": "回撤",
    "company": "公司",
    "stock": "股票",
    "fund": "基金",
    "instrument": "标的",
    "index": "指数",
    "before": "之前",
    "after": "之后",
    "gold": "黄金",
    "storage": "存储",
    "frontier": "前沿模型",
    "day, %": "天, %",
    "x (blended)": "倍（混合）",
    "names": "家公司",
    "contribution": "贡献",
    "price P&L": "价格盈亏",
    "basis": "基差",
    "borrow": "融券费",
    "fees": "交易成本",
    "rolls": "换月成本",
    "interest on cash": "现金利息",
    "total": "合计",
}

# Whole strings with a count in them (percentile and rank units of the trade figures).
PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^% of (\d+) windows at or below$"), r"%（\1 个历史窗口中不高于此值的占比）"),
    (re.compile(r"^of (\d+) \(1 = best\)$"), r"名（共 \1 个，1 = 最好）"),
    (re.compile(r"^of (\d+)$"), r"（共 \1 个）"),
    (re.compile(r"^daily returns over (\d+) sessions to the entry close$"),
     r"入场前 \1 个交易日的日收益"),
)

# Phrases replaced inside longer strings, longest first; matched on word boundaries.
PHRASES: dict[str, str] = {
    "(not meaningful)": "（无意义）",
    "(long": "（多头",
    "/ short": "/ 空头",
    "× equity)": "× 净值）",
    "years": "年",
    "annualised: daily returns × √": "年化：日收益 × √",
    "trading days/yr, risk-free 0 per day": "交易日/年，无风险利率 0",
    "windows at or below": "个窗口不高于此",
    "(1 = best)": "（1 = 最好）",
    "percentage points per year": "个百分点/年",
    "percentage points": "个百分点",
    "% of initial capital": "% 初始资金",
    "× initial capital": "× 初始资金",
    "% of notional per year": "% 名义金额/年",
    "% of mean cycle": "% 平均周期",
    "% of reported": "% 已报告值",
    "% of windows": "% 窗口",
    "% below peak": "% 低于峰值",
    "% price change": "% 价格变动",
    "% per year": "% 每年",
    "% annualised": "% 年化",
    "% y/y": "% 同比",
    "%/yr": "%/年",
    "trading days": "交易日",
    "USD bn/week": "十亿美元/周",
    "USD bn change": "十亿美元变动",
    "USD bn": "十亿美元",
    "USD per 1M tokens": "美元/百万 token",
    "USD per share": "美元/股",
    "CNY per share": "元/股",
    "CNY 1e8 (亿)": "亿元",
    "CNY/pt": "元/点",
    "(negative = paid)": "（负值 = 支付）",
    "(75% input)": "（75% 输入）",
    "(output)": "（输出）",
    "(unverified)": "（未核实）",
    "(none: the perpetuity diverges)": "（无：永续增长发散）",
    "ex-dates": "个除息日",
    "share of side": "占该方向比例",
    "bp of traded value": "基点（成交额）",
    "bp per year of short value": "基点/年（空头市值）",
    "× equity (long + |short|)": "× 净值（多头 + |空头|）",
    "figures (within 2%)": "个数据（误差 2% 以内）",
    "abs correlation": "相关系数绝对值",
    "correlation": "相关系数",
    "target change (1 = 100%) per": "目标变动（1 = 100%）每单位",
    "change of 1 = 100%, monthly": "变动（1 = 100%），月度",
    "months": "个月",
    "log change since start": "自起点的对数变动",
    "× start": "× 起点",
    "× halving close": "× 减半日收盘",
    "× baseline": "× 基准",
    "days since halving": "减半后天数",
    "cycle (halving year)": "周期（减半年份）",
    "cycle from": "周期起点",
    "effective date": "生效日期",
    "event date (last close on or before)": "事件日期（当日或之前最后收盘）",
    "company, quarter": "公司, 季度",
    "server/network useful life (years)": "服务器/网络设备使用年限（年）",
    "years ahead": "领先年数",
    "max leverage (x)": "最大杠杆（倍）",
    "tier rank (1 small, 2 mid, 3 flagship, 4 pro)": "档位（1 小，2 中，3 旗舰，4 专业）",
    "log10 blended USD per 1M tokens (75% input)": "log10 混合价格 美元/百万 token（75% 输入）",
    "rolling 6-month return": "滚动 6 个月收益",
    "capex (reported)": "资本开支（已报告）",
    "capex (projected)": "资本开支（预测）",
    "EPS growth (log)": "EPS 增长（对数）",
    "multiple change (log)": "估值倍数变化（对数）",
    "price return (log)": "价格收益（对数）",
    "last reported year": "最近报告年度",
    "justified at": "合理估值，倍数",
    "value on": "取值于",
    "prior record": "此前纪录",
    "forward P/E": "远期市盈率",
    "AI hardware": "AI 硬件",
    "AI-hardware basket (SMH, NVDA, MU, equal weight)": "AI 硬件篮子（SMH、NVDA、MU，等权）",
    "policy rate (%)": "政策利率（%）",
    "Fed total assets (USD bn)": "美联储总资产（十亿美元）",
    "Fed total assets growing": "美联储总资产扩张",
    "Fed total assets shrinking": "美联储总资产收缩",
    "implied by the": "隐含于",
    "move": "变动",
    "(exact)": "（精确）",
    "actual total return": "实际总收益",
    "after the start": "起点之后",
    "unemployment rate (3-month average)": "失业率（3 个月平均）",
    "initial jobless claims (4-week average)": "首次申领失业金人数（4 周平均）",
    "core CPI inflation (y/y)": "核心 CPI 通胀（同比）",
    "core PCE inflation (y/y)": "核心 PCE 通胀（同比）",
    "completed cycle length": "已完成周期长度",
    "publication phase": "发表时所处阶段",
    "entry-window phase": "入场窗口阶段",
    "as-of (current cycle)": "评估日（当前周期）",
    "CME silver": "CME 白银",
    "SHFE silver": "上期所白银",
    "SGE silver": "上金所白银",
    "semiconductor ETF (SMH)": "半导体 ETF（SMH）",
    "latest quarters": "最近几个季度",
    "a year before": "一年前",
    "April-2026 revised (mid)": "2026 年 4 月修订（中值）",
    "Feb-2026 guide (mid)": "2026 年 2 月指引（中值）",
    "[fallback]": "［备用数据］",
    "fair P/E (x)": "合理市盈率（倍）",
    "names backing": "支持的公司数",
    "median gap (years)": "中位差距（年）",
    "discount": "贴现率",
    "start value": "起始值",
    "close": "收盘",
    "trend": "趋势",
    "per": "/",
    "vs": "对比",
    "of": "/",
}


#: the kinds' test names as a card's head shows them
TEST_NAMES: dict[str, str] = {
    "capex-chain": "资本开支链条",
    "change": "变化",
    "correlation": "相关性",
    "cycle": "周期",
    "decomposition": "收益分解",
    "event-study": "事件研究",
    "fact": "事实核对",
    "fundamentals": "基本面",
    "guidance": "指引",
    "level": "水平",
    "pace": "速度",
    "path": "路径",
    "policy-mix": "政策组合",
    "price-frontier": "价格前沿",
    "qualitative": "定性",
    "record": "纪录",
    "relative-return": "相对收益",
    "trade": "交易",
    "valuation": "估值",
}


def zh_test(name: str) -> str:
    """A test's name in Chinese; a plug-in's test keeps its own name."""
    return TEST_NAMES.get(name, name)


@lru_cache(maxsize=1)
def _phrase_pattern() -> re.Pattern[str]:
    """One alternation of every phrase, longest first, bounded so 'per' never hits 'percent'."""
    ordered = sorted(PHRASES, key=len, reverse=True)
    parts = [
        (r"(?<![A-Za-z])" if p[0].isalpha() else "") + re.escape(p)
        + (r"(?![A-Za-z])" if p[-1].isalpha() else "")
        for p in ordered
    ]
    return re.compile("|".join(parts))


def zh_words(text: str) -> str:
    """``text`` (a unit, axis label or series name) with the known English words in Chinese.

    Unknown words, tickers and ids are left as they are; an empty string stays empty.
    """
    if not text:
        return text
    if text in EXACT:
        return EXACT[text]
    for pattern, replacement in PATTERNS:
        if pattern.match(text):
            return pattern.sub(replacement, text)
    return _phrase_pattern().sub(lambda m: PHRASES[m.group(0)], text)


# Recurring phrases of provenance notes, missing-data texts and run warnings (sentences
# the library writes in English). Longest first, whole phrases only, so a sentence the
# table does not know keeps its English rather than turning into a word salad.
NOTE_PHRASES: dict[str, str] = {
    "figure recorded in the thesis params, not fetched live": "论点参数中记录的数字，非实时获取",
    "recorded figure, not fetched live": "记录的数字，非实时获取",
    "UNVERIFIED in the project's fact sheet": "项目事实表中未核实",
    "bundled FACTS.md 3a fallback (no SEC facts in the store for this company)":
        "内置备用数据（数据库中没有该公司的 SEC 财报数据）",
    "SEC facts filed on or before": "SEC 财报数据，提交日不晚于",
    "SEC facts via the hub": "SEC 财报数据",
    "server/network useful life": "服务器/网络设备使用年限",
    "contract specification": "合约规格",
    "annual basis assumption for the index proxy": "指数代理的年度基差假设",
    "observations after the last stored one": "数据库最后一条之后的观测值",
    "consensus profit forecasts": "一致预期利润",
    "buybacks and shares outstanding": "回购与流通股数",
    "forecast snapshot": "预测快照",
    "split-adjusted as of": "拆股调整，截至",
    "total basis": "总收益口径",
    "total-return closes (dividend term)": "总收益收盘价（股息项）",
    "close and P/E": "收盘价与市盈率",
    "split basis": "拆股调整口径",
    "implied trade:": "隐含交易：",
    "(sourced)": "（有出处）",
    "USD per 1M tokens": "美元/百万 token",
    "USD bn": "十亿美元",
    "(promotional until": "（促销价，至",
    "(recorded files)": "（已记录的文件）",
    "(a folder of recorded files)": "（存放已记录文件的文件夹）",
    "not in the store, needed": "数据库中没有，需要",
    "store has": "数据库中有",
    ", needed": "，需要",
    "— run": "—— 运行",
    # string-valued figures of the valuation kinds ("not used: …", "no forecast for 2027")
    "not meaningful: no positive forecast growth or forward P/E":
        "无意义：无正的预测增速或远期市盈率",
    "P/E not meaningful: no positive profit on the path": "市盈率无意义：路径上没有正利润",
    "not computable: no sourced forecast": "无法计算：没有有出处的预测",
    "none: every cell keeps it": "无：每个格子都保持判定",
    "which gives no priced-in year": "无法得出已定价年份",
    "no sourced mid-cycle input": "没有有出处的周期中段输入",
    "no sourced profit for": "没有有出处的利润：",
    "is unverified or empty": "未核实或为空",
    "after the price date": "晚于定价日",
    "shown, not used in the decision.": "仅展示，不用于判定。",
    "shown, not used": "仅展示，不用于判定",
    "forecasts as of": "预测截至",
    "no forecast for": "没有预测：",
    "not used:": "未采用：",
    # missing-data texts of the filing-based kinds
    "shares outstanding and prices": "流通股数与价格",
    "in the store (offline)": "（离线）",
    "fetch it from its live source, or import recorded files": "从实时来源获取，或导入已记录的文件",
    "no facts for": "数据库中没有财报数据：",
    "valued on": "估值口径",
}
_NOTE_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(?<=\d) to (?=\d)"), " 至 "),  # date and number ranges
    (re.compile(r"(?<=`) or (?=`)"), " 或 "),  # between two commands
    (re.compile(r"\bin ([\d.]+|n/a) / out ([\d.]+|n/a)"), r"输入 \1 / 输出 \2"),
    (re.compile(r"\blong (\S[^/;]*?) / short "), r"做多 \1 / 做空 "),
    (re.compile(r"\bclose on (?=\d)"), "收盘，日期 "),
)


@lru_cache(maxsize=512)
def _note_pattern(present: tuple[str, ...]) -> re.Pattern[str]:
    """The alternation of the note phrases a text holds (longest first; see words_notes)."""
    return re.compile("|".join(
        (r"(?<![A-Za-z])" if p[0].isalpha() else "") + re.escape(p)
        + (r"(?![A-Za-z])" if p[-1].isalpha() else "") for p in present))


_NOTE_ORDER = tuple(sorted(NOTE_PHRASES, key=len, reverse=True))


def zh_note(text: str) -> str:
    """``text`` (a provenance note, missing-data text or run warning) with its recurring
    phrases in Chinese; commands in backticks, ids, file and source names stay as written."""
    if not text:
        return text
    parts = text.split("`")
    for n in range(0, len(parts), 2):  # even parts are prose, odd ones commands
        prose = parts[n]
        present = tuple(p for p in _NOTE_ORDER if p in prose)
        if present:
            prose = _note_pattern(present).sub(lambda m: NOTE_PHRASES[m.group(0)], prose)
        parts[n] = zh_data_note(prose)
    joined = "`".join(parts)
    for pattern, replacement in _NOTE_RULES:
        joined = pattern.sub(replacement, joined)
    return joined
