"""Small thesis texts shared by the bad-input tests: one valid file, one alias bomb."""

from __future__ import annotations

#: a valid two-claim thesis (a qualitative claim and a relative-return view)
GOOD = """\
format: 1
id: tiny
title: {zh: 小论点, en: A tiny thesis}
source:
  title: Example
  medium: test
  published: 2026-03-02
claims:
  - id: gold-insurance
    kind: qualitative
    test: qualitative
    statement:
      zh: 黄金是保险。
      en: Gold is insurance.
    params:
      reason: {zh: 信念。, en: A belief.}
  - id: spy-beats-tlt
    kind: view
    test: relative-return
    horizon: 2026-12-31
    statement: {zh: 股票跑赢长债。, en: Stocks beat long bonds.}
    params:
      basket: {us:SPY: 1}
      benchmark: {us:TLT: 1}
"""

#: nine levels of nine aliases each: 9**9 values once expanded, 330 bytes on disk
BOMB = "".join(
    f"{c}: &{c} [" + ", ".join([f"*{p}"] * 9 if p else ['"x"'] * 9) + "]\n"
    for p, c in zip(["", *"abcdefgh"], "abcdefghi", strict=True)
)
