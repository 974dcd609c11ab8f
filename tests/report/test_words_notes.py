"""The data layer's and the kinds' English notes read in Chinese on the zh page.

Inputs are texts the library writes on the real shared data (splice warnings, provenance
notes, missing-data texts, cited sources, string figures); ids, file names, dates and
numbers must come through unchanged.
"""

from __future__ import annotations

from narrowgate.report.words import zh_note, zh_test, zh_words


def test_splice_warnings_keep_sources_and_figures() -> None:
    assert zh_note(
        "cn:300308: 2019_2025_reinahuang joins a_shares_quant_weight_system at 2022-06-28 "
        "with a ratio that varies up to 6.61% on 748 common days (median 0.983995); the two "
        "sources disagree beyond 0.5%") == (
        "cn:300308: 2019_2025_reinahuang 在 2022-06-28 接续 a_shares_quant_weight_system，"
        "748 个共同交易日上两者比值最多偏离 6.61%（中位数 0.983995）; 两个来源的差异超过 0.5%")
    assert zh_note("hkidx:HSTECH: a_src joins b_src at 2026-01-02 with no common day: the "
                   "level was not checked") == (
        "hkidx:HSTECH: a_src 在 2026-01-02 接续 b_src，两者没有共同交易日: 未核对水平")


def test_file_and_folder_names_keep_their_words() -> None:
    note = "隐含交易： long gold / short lbma:SILVER; lbma_gold_silver_finance_terminal/gold.csv"
    assert zh_note(note) == (
        "隐含交易： 做多 黄金 / 做空 lbma:SILVER; lbma_gold_silver_finance_terminal/gold.csv")


def test_provenance_notes_and_sources() -> None:
    assert zh_note("close 277.4 on 2026-02-06; split-adjusted as of 2026-09-25; "
                   "EntityCommonStockSharesOutstanding × 1 to that basis") == (
        "收盘价 277.4（2026-02-06）; 拆股调整，截至 2026-09-25; "
        "EntityCommonStockSharesOutstanding × 1 折算到该口径")
    assert zh_note("recorded close of 2026-01-21, 16 days before 2026-02-06") == (
        "记录的 2026-01-21 收盘价，早于 2026-02-06 16 天")
    assert zh_note("import: market_data_a + stocks_b") == "导入： `market_data_a + stocks_b`"
    assert zh_note("Amazon 10-K 2024: subset of servers 6→5 years from 2025-01-01 (x.com); "
                   "other servers stay at 6 years") == (
        "Amazon 10-K 2024: 部分服务器自 2025-01-01 起由 6 年改为 5 年 (x.com); 其余服务器仍为 6 年")
    assert zh_note("Alphabet Feb-2026 guide 175–185 USD bn") == (
        "Alphabet 2026 年 2 月指引 175–185 十亿美元")


def test_missing_data_and_string_figures() -> None:
    assert zh_note("sec:AAPL: no quarter after 2026-02-06 in the store (latest quarter ends "
                   "2025-12-27)") == (
        "sec:AAPL: 数据库中没有 2026-02-06 之后的季度（最近一季截至 2025-12-27）")
    assert zh_note("cnfut:IM single-contract daily bars: 53 of the 53 front-month contracts "
                   "cnfut:IM2208…cnfut:IM2612 are not in the store") == (
        "cnfut:IM 单合约日线: 53 个中的 53 个近月合约 cnfut:IM2208…cnfut:IM2612 不在数据库中")
    assert zh_note("yes") == "是" and zh_note("base") == "基准"
    assert zh_note("not meaningful: a loss of -1.75 USD per share in 2025") == (
        "无意义：亏损 -1.75 美元/股（2025 年）")
    # a word inside a sentence is not a whole-string figure
    assert zh_note("base metals") == "base metals"


def test_test_names_and_trade_units() -> None:
    assert zh_test("relative-return") == "相对收益"
    assert zh_test("my-plugin-test") == "my-plugin-test"
    assert zh_words("% of initial capital (long 0.608× / short 0.392× equity)") == (
        "% 初始资金 （多头 0.608× / 空头 0.392× 净值）")
    assert zh_words("daily returns over 252 sessions to the entry close") == (
        "入场前 252 个交易日的日收益")
