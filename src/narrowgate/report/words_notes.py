"""Chinese for the sentences the data layer and the kinds write into notes as plain ``str``.

Why a table apart from ``words.py``: provenance notes, missing-data texts, splice warnings
and string figures are one-language strings in the evaluation model (changing them would
change the scorecard schema). These are their recurring shapes — whole phrases and
patterns with their numbers, dates and ids captured — so the zh page reads them in Chinese
while the English page and ``scorecard.json`` keep the text as written. A sentence no rule
knows keeps its English rather than turning into a word salad. Stdlib only.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

_DAY = r"\d{4}-\d\d-\d\d"
_NUM = r"-?[\d.,]+"
#: month names as sources write them in "Feb-2026 guide"
MONTHS: dict[str, int] = {
    name: n for n, names in enumerate((
        ("Jan", "January"), ("Feb", "February"), ("Mar", "March"), ("Apr", "April"),
        ("May",), ("Jun", "June"), ("Jul", "July"), ("Aug", "August"),
        ("Sep", "Sept", "September"), ("Oct", "October"), ("Nov", "November"),
        ("Dec", "December")), start=1) for name in names
}

# Whole phrases, matched on word boundaries, longest first (merged into words.NOTE_PHRASES).
PHRASES: dict[str, str] = {
    # how a source was read (the provenance table's source column)
    "import:": "导入：",
    "fallback:": "备用数据：",
    "[unverified]": "［未核实］",
    "(tag value; to be checked in the 10-Q text)": "（XBRL 标签值，待与 10-Q 正文核对）",
    "value not found": "未找到该值",
    "(monthly)": "（每月）",
    "(weekly)": "（每周）",
    "(quarterly)": "（每季）",
    # the words of cited sources (thesis params, bundled fallback files): kinds of
    # document and how they were reached; titles, sites and names stay as written
    "four hyperscalers": "四家超大规模云厂商",
    "cash-flow statement": "现金流量表",
    "results release": "业绩公告",
    "results call": "业绩电话会",
    "results coverage": "业绩报道",
    "results": "业绩",
    "release": "公告",
    "disclosure": "披露",
    "financing plan": "融资计划",
    "record order book": "创纪录的认购订单",
    "citing": "引述",
    "via": "经",
    "about": "约",
    "pricing page copy": "定价页面存档",
    "pricing": "定价",
    "(marked deprecated)": "（标为已弃用）",
    "model page": "模型页面",
    "(undated)": "（无日期）",
    "(late-2026 models)": "（2026 年末的模型）",
    "halving": "减半",
    "bond": "债券",
    "(broker not named)": "（券商未具名）",
    "derived": "推算",
    "(English mirror)": "（英文镜像）",
    "futures specification": "期货合约规格",
    "notice": "公告",
    "mirror": "镜像",
    "post": "帖子",
    "review": "评述",
    "(dividend table)": "（分红表）",
    "(SEC data)": "（SEC 数据）",
    "(capex)": "（资本开支）",
    "plans yml": "套餐文件",
    "yml": "文件",
    "file": "文件",
    "consensus": "一致预期",
    "fact sheet": "事实表",
    "daily close at the cycle peak": "周期峰值日收盘价",
    "other servers stay at": "其余服务器仍为",
    # splice warnings (data/splice.py)
    "the two sources disagree beyond": "两个来源的差异超过",
    "the level was not checked": "未核对水平",
    # provenance of the filing-based and valuation kinds
    "to that basis": "折算到该口径",
    "(derived;": "（推算；",
    "the export basket": "出口篮子",
    "the Dow proxy": "道指代理",
    "last reported year": "最近报告年度",
    "(third-party estimate)": "（第三方估计）",
    "additions to P&E": "固定资产购置",
    "gross purchases of P&E": "固定资产购置总额",
    "purchases of property and equipment": "购置物业与设备",
    "purchases of P&E": "固定资产购置",
    "plus finance-lease principal": "加融资租赁本金",
    "(excludes finance leases)": "（不含融资租赁）",
    "net of proceeds": "扣除处置收入后",
    "(calendar)": "（自然年）",
    "bond sold": "已发行债券",
    "cycle-peak daily close": "周期峰值日收盘价",
    "halving dates": "减半日期",
    "(retired)": "（已下线）",
    "buybacks": "回购",
    "dividends": "分红",
    # implied trades (names the trade kinds give their legs)
    "(members with data)": "（有数据的成分股）",
    "bought at publication": "于发表时买入",
    "AI hardware": "AI 硬件",
    "storage": "存储",
    "gold": "黄金",
    "silver": "白银",
    # event logs of margin changes (event_study)
    "speculative margin": "投机保证金",
    "further silver limit/margin change, figures not given":
        "白银涨跌停板/保证金再次调整，未给出数字",
    "margins set as % of notional": "保证金改为名义金额的百分比",
    "only if the market is one-sided": "仅在单边市时",
    "also base metals": "另含基本金属",
    "announced date": "公告日",
    "per contract": "每手",
    "% of notional": "% 名义金额",
    "percentage points": "个百分点",
    "USD per 1M tokens": "美元/百万 token",
    "heightened": "上调后",
    # missing-data texts of the kinds
    "quality score per product on one benchmark (e.g. an arena Elo), sourced, "
    "for at least": "每个产品在同一基准上的质量评分（如竞技场 Elo），需有出处，至少覆盖",
    "offered products": "个在售产品",
    "usage share per product (OpenRouter token-usage ranking), for at least":
        "每个产品的用量份额（OpenRouter token 用量排行），至少覆盖",
    "scored products": "个有评分的产品",
    "speed per product (output tokens per second, sourced)":
        "每个产品的速度（每秒输出 token 数，需有出处）",
    "market caps of software and services constituents": "软件与服务成分股的市值",
    "reported EPS histories of the AI-hardware stocks": "AI 硬件股票的历史每股收益",
    "for a stock-level decomposition": "用于个股层面的收益分解",
    "sourced P/E and growth for": "有出处的市盈率与增速：",
    "(P/E-based duration, two-stage model)": "（基于市盈率的久期，两阶段模型）",
    "P/E paths of the": "市盈率路径：",
    "index EPS or P/E series (return decomposition)": "指数每股收益或市盈率序列（收益分解）",
    "context since the start": "起点以来的背景走势",
    "closes from the halving(s)": "减半以来的收盘价",
    "single-contract daily bars": "单合约日线",
    "front-month contracts": "个近月合约",
    "are not in the store": "不在数据库中",
    "in the store": "在数据库中",
    "quarterly buybacks after": "之后的季度回购：",
    # string figures
    "not computable: the path has no reported year": "无法计算：路径上没有已报告年度",
    "not computable: base-year profit must be positive, got": "无法计算：基年利润须为正，实际为",
    "not meaningful: a loss of": "无意义：亏损",
    "(not meaningful)": "（无意义）",
    "not meaningful": "无意义",
    "not recovered": "尚未收复",
    "beyond horizon": "超出期限",
}

#: string figures that are one word, replaced only when they are the whole text
WHOLE: dict[str, str] = {
    "yes": "是",
    "no": "否",
    "none": "无",
    "best": "最好",
    "base": "基准",
    "worst": "最差",
}

Replacement = str | Callable[[re.Match[str]], str]

# Patterns with numbers, dates and ids captured, applied after the phrases.
RULES: tuple[tuple[re.Pattern[str], Replacement], ...] = (
    (re.compile(rf"(\S+) joins (\S+) at ({_DAY}) with a ratio that varies up to ([\d.]+%) "
                rf"on (\d+) common days \(median ({_NUM})\)"),
     r"\1 在 \3 接续 \2，\5 个共同交易日上两者比值最多偏离 \4（中位数 \6）"),
    (re.compile(rf"(\S+) joins (\S+) at ({_DAY}) with no common day"),
     r"\1 在 \3 接续 \2，两者没有共同交易日"),
    (re.compile(rf"(\S+) joins (\S+) across a gap of (\d+) days \(({_DAY}) … ({_DAY})\) "
                r"with no common day: levels as published, joined unscaled"),
     r"\1 跨越 \3 天的空档（\4 … \5）接续 \2，两者没有共同交易日：按公布点位直接接续、"
     r"未做缩放"),
    (re.compile(rf"(\S+) was not joined to (\S+): no common day to measure the factor between "
                rf"their adjusted closes \(gap ({_DAY}) … ({_DAY})\); the series starts where "
                r"the joined sources do"),
     r"\1 未接续到 \2：两者的调整后收盘价没有共同交易日，无法测算换算系数（空档 \3 … \4）；"
     r"序列从已接续来源的起点开始"),
    (re.compile(rf"(\S+) (joins|disagrees with) (\S+) (at|after) ({_DAY}) with a ratio that "
                rf"varies up to ([\d.]+%) on (\d+) common days \(median ({_NUM})\)"),
     lambda m: (f"{m[1]} {'接续' if m[2] == 'joins' else '对照'} {m[3]}（{m[5]}"
                f"{'起' if m[4] == 'at' else '之后'}），{m[7]} 个共同交易日上两者比值最多偏离 "
                f"{m[6]}（中位数 {m[8]}）")),
    (re.compile(rf"\bclose ({_NUM}) on ({_DAY})"), r"收盘价 \1（\2）"),
    (re.compile(rf"\brecorded close of ({_DAY}), (\d+) days (before|after) ({_DAY})"),
     lambda m: f"记录的 {m[1]} 收盘价，{'早于' if m[3] == 'before' else '晚于'} "
               f"{m[4]} {m[2]} 天"),
    (re.compile(rf"\bshares ({_NUM}) 1e8 shares"), r"股本 \1 亿股"),
    (re.compile(r", before the (\d{4}) bonus issue"), r"，\1 年送股前"),
    (re.compile(rf"(?<=\d) on ({_DAY})"), r"（\1）"),
    (re.compile(r"\bfiscal year to (\w+-\d{4})"), r"截至 \1 的财年"),
    (re.compile(r"\b([A-Z][a-z]+)-(\d{4}) (guide|revised)\b"), lambda m: (
        f"{m[2]} 年 {MONTHS[m[1]]} 月{'指引' if m[3] == 'guide' else '修订'}"
        if m[1] in MONTHS else m[0])),
    (re.compile(r"\bannounced (\d{4}) raise"), r"宣布的 \1 年融资"),
    (re.compile(r"\b(\S+) bought at the first close on/after "), r"\1 于此日或之后首个收盘买入："),
    (re.compile(r"(?<=隐含交易： )long (?![^/;]*/ short )"), "做多 "),
    (re.compile(r"; also "), "；另 "),
    (re.compile(r"\b(Q[1-4]-\d{4}) call\b"), r"\1 电话会"),
    (re.compile(r"\b(limit|hedge|speculative) (?=\d)"),
     lambda m: {"limit": "涨跌停板", "hedge": "套保", "speculative": "投机"}[m[1]] + " "),
    (re.compile(r"^beyond (\d{4})$"), r"晚于 \1 年"),
    (re.compile(r"\blong-term debt \(([^)]*)\) growth"), r"长期债务（\1）增速"),
    (re.compile(r"(?<=导入： )([\w.\-]+(?: \+ [\w.\-]+)*)"), r"`\1`"),
    (re.compile(rf"\bsubset of servers (\d+)→(\d+) years from ({_DAY})"),
     r"部分服务器自 \3 起由 \1 年改为 \2 年"),
    (re.compile(r"\bservers (\d+)→(\d+) years from (\S+)"), r"服务器自 \3 起由 \1 年改为 \2 年"),
    (re.compile(r"\bservers (\d+) years from (\S+)"), r"服务器自 \2 起为 \1 年"),
    (re.compile(r"(\d+)→(\d+) years in (\d{4})"), r"\3 年由 \1 年改为 \2 年"),
    (re.compile(r"(?<=其余服务器仍为) (\d+) years"), r" \1 年"),
    (re.compile(r"\bfirst negative FCF since (\d{4})"), r"\1 年以来首次自由现金流为负"),
    (re.compile(r"\(from (\S+) 10-K\)"), r"（取自 \1 10-K）"),
    (re.compile(r"\(from (\S+) 定价\)"), r"（取自 \1 定价）"),
    (re.compile(r"公告 on (\S+) listing"), r"\1 上市公告"),
    (re.compile(rf"\(([A-Z]+) 公告 of ({_DAY})\)"), r"（\1 \2 公告）"),
    (re.compile(rf"\b10-([KQ]) filed ({_DAY})"), r"10-\1（\2 申报）"),
    (re.compile(rf"\blisted ({_DAY}) with a ([\d.]+%) trading margin"),
     r"\1 上市，交易保证金 \2"),
    (re.compile(r"\blist price 约 (\S+) after the promotion is unverified"),
     r"促销结束后标价约为 \1，未核实"),
    (re.compile(r"\(output ([\d.]+) commonly quoted, not verified\)"),
     r"（常见报价：输出 \1，未核实）"),
    (re.compile(r"\(([\d./]+) from (\d{4})\)"), r"（\2 年起 \1）"),
    (re.compile(r"\((\S+) table\)"), r"（\1 表）"),
    (re.compile(r"\((\S+) US time\)"), r"（美国时间 \1）"),
    (re.compile(r"\bfor FY to (\S+)"), r"（截至 \1 的财年）"),
    (re.compile(r"\bfor calendar (\d{4})"), r"（\1 自然年）"),
    (re.compile(r"(?<=[\dB]) in (\d{4})\b"), r"（\1 年）"),
    (re.compile(r"\bforecast '(?:consensus|一致预期) ([^']*)'"), r"「一致预期 \1」预测"),
    (re.compile(r"\b(small|mid|flagship|pro) (?=档)"),
     lambda m: {"small": "小", "mid": "中", "flagship": "旗舰", "pro": "专业"}[m[1]]),
    (re.compile(r" USD per share in (\d{4})"), r" 美元/股（\1 年）"),
    (re.compile(r"(?<=\d) in (\d{4})$"), r"（\1 年）"),
    (re.compile(rf"({_DAY}) (percent|usd-per-contract|switch-to-percent|rule):"),
     lambda m: f"{m[1]} {_MARGIN_TYPES[m[2]]}："),
    (re.compile(r"\b(\d+) of the (\d+) (?=个近月合约)"), r"\2 个中的 \1 "),
    (re.compile(rf"\bno quarter after ({_DAY}) (?:在数据库中|in the store) "
                rf"\(latest quarter ends ({_DAY})\)"),
     r"数据库中没有 \1 之后的季度（最近一季截至 \2）"),
    (re.compile(r"(\S+) and (\S+)(?= ?（基于市盈率)"), r"\1 与 \2"),
    (re.compile(r"Nasdaq-100 \((\S+)\) and the Dow \((\S+)\)"),
     r"纳斯达克 100（\1）与道指（\2）"),
    (re.compile(r"\(facts\)"), "（财报数据）"),
    (re.compile(r"\(bars\)"), "（日线）"),
    (re.compile(r"^(\d+) of (\d+)$"), r"\1 / \2"),
    (re.compile(r"^day (\d+), "), r"第 \1 天，"),
    (re.compile(r"^(long|short) (?=\S+$)"), lambda m: "做多 " if m[1] == "long" else "做空 "),
    (re.compile(r"\(total\)"), "（总收益）"),
    (re.compile(r"\(USD (\d[\d,]*) → (\d[\d,]*)\)"), r"（美元 \1 → \2）"),
)

#: how a margin event's change is stated (the event log's ``unit``)
_MARGIN_TYPES: dict[str, str] = {
    "percent": "按比例",
    "usd-per-contract": "按每手美元",
    "switch-to-percent": "改为按比例",
    "rule": "规则",
}


#: phrases longest first: the alternation tries them in this order
_ORDERED = tuple(sorted(PHRASES, key=len, reverse=True))


@lru_cache(maxsize=512)
def _phrase_pattern(present: tuple[str, ...]) -> re.Pattern[str]:
    """One alternation of the ``present`` phrases (longest first); a word edge must not
    touch an id, a file or a folder name (``lbma_gold_silver/gold.csv`` keeps its words).
    Built for the phrases a text holds: an alternation of all of them costs ~0.4 ms a
    note, and the report passes a few thousand notes."""
    return re.compile("|".join(
        (r"(?<![\w./:\-])" if p[0].isalpha() else "") + re.escape(p)
        + (r"(?![\w/\-]|\.\w)" if p[-1].isalpha() else "") for p in present))


def _guard(pattern: str) -> str:
    """The longest run of plain words a rule's match must contain ("" if none is sure):
    a substring test skips the rule for the many notes that cannot match it."""
    if "|" in pattern:
        return ""
    plain = re.sub(r"\\.|\[[^\]]*\]|\(\?[^)]*\)|.[?*]|.\{[^}]*\}", "\0", pattern)
    runs = re.findall(r"[A-Za-z\u4e00-\u9fff][A-Za-z\u4e00-\u9fff '-]*[A-Za-z\u4e00-\u9fff]",
                      plain)
    return max(runs, key=len, default="")


_GUARDED = tuple((_guard(pattern.pattern), pattern, replacement)
                 for pattern, replacement in RULES)


def zh_data_note(prose: str) -> str:
    """``prose`` (no backticked commands in it) with the phrases and patterns in Chinese."""
    if prose.strip() in WHOLE:
        return prose.replace(prose.strip(), WHOLE[prose.strip()])
    present = tuple(p for p in _ORDERED if p in prose)
    text = prose
    if present:
        text = _phrase_pattern(present).sub(lambda m: PHRASES[m.group(0)], text)
    for guard, pattern, replacement in _GUARDED:
        if guard in text:
            text = pattern.sub(replacement, text)
    return text
