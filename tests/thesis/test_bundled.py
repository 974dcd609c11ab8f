"""The bundled thesis against the project's claim table (../shared/CLAIMS.md).

The table is parsed at test time, so a row added there fails this suite until the thesis
carries the claim too.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from narrowgate.thesis.loader import bundled_theses, load_thesis
from narrowgate.thesis.schema import Thesis
from tests.conftest import SHARED, require_shared

CJK = re.compile(r"[\u4e00-\u9fff]")


def claim_table() -> dict[str, str]:
    """Claim id → kind, from the markdown table of CLAIMS.md."""
    text = require_shared("CLAIMS.md", base=SHARED).read_text(encoding="utf-8")
    rows: dict[str, str] = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 4 or not line.lstrip().startswith("|"):
            continue
        claim_id, kind = cells[0], cells[1]
        if claim_id in ("id", "") or set(claim_id) <= {"-", ":"}:
            continue
        rows[claim_id] = kind
    return rows


@pytest.fixture(scope="module")
def thesis() -> Thesis:
    return load_thesis("ai-narrow-gate")


def test_bundled_file_is_registered_and_validates(thesis: Thesis) -> None:
    assert "ai-narrow-gate" in bundled_theses()
    assert thesis.id == "ai-narrow-gate"
    assert thesis.published == date(2026, 2, 8)
    assert thesis.source.title == "AI的窄门"
    assert thesis.source.author is None


def test_claim_table_parses() -> None:
    table = claim_table()
    assert len(table) >= 23
    assert table["capex-total"] == "fact"
    assert table["btc-cycle"] == "forecast"


def test_every_table_claim_is_in_the_thesis_and_nothing_else(thesis: Thesis) -> None:
    table = claim_table()
    ids = [c.id for c in thesis.claims]
    assert len(ids) == len(set(ids))
    assert set(ids) == set(table), (
        f"missing: {sorted(set(table) - set(ids))}; extra: {sorted(set(ids) - set(table))}"
    )


def test_kinds_match_the_table(thesis: Thesis) -> None:
    table = claim_table()
    wrong = {c.id: (c.kind.value, table[c.id]) for c in thesis.claims
             if c.kind.value != table.get(c.id)}
    assert not wrong


def test_every_claim_is_bilingual(thesis: Thesis) -> None:
    for claim in thesis.claims:
        assert CJK.search(claim.statement.zh), claim.id
        assert not CJK.search(claim.statement.en), claim.id
        assert len(claim.statement.en.split()) >= 6, claim.id


def test_every_test_is_registered_and_the_new_claims_use_generic_kinds(thesis: Thesis) -> None:
    from narrowgate.evaluate.registry import evaluator_names

    names = set(evaluator_names())
    for claim in thesis.claims:
        assert claim.test in names, claim.id
    # claims added after the per-claim evaluators are decided by generic kinds
    assert thesis.claim("ai-jobs-deflation").test == "change"
    assert thesis.claim("ai-is-dollar").test == "qualitative"


def test_every_claim_sits_in_a_declared_section(thesis: Thesis) -> None:
    keys = [s.key for s in thesis.sections]
    assert keys[0] == "capex"
    for claim in thesis.claims:
        assert claim.section in keys, claim.id
    assert thesis.claim("ai-jobs-deflation").section == "macro"
    assert thesis.claim("ai-is-dollar").section == "macro"


def test_dated_claims_carry_their_horizon(thesis: Thesis) -> None:
    assert thesis.claim("btc-cycle").horizon == date(2026, 10, 1)
    for claim_id in ("warsh-policy", "qt-slow", "gold-over-silver", "capex-no-buyback"):
        assert thesis.claim(claim_id).horizon == date(2026, 12, 31)
    for claim in thesis.claims:
        if claim.kind.value == "fact":
            assert claim.horizon is None, claim.id


def test_unverified_marks_are_kept(thesis: Thesis) -> None:
    margin = thesis.claim("margin-hikes")
    assert margin.params["count_unverified"] is True
    assert any(s.unverified for s in margin.sources)
    msft = thesis.claim("capex-total").params["companies"][3]
    assert msft["name"] == "Microsoft"
    assert msft["guidance"]["estimate"] is True
    assert msft["guidance"]["source"]["unverified"] is True
    futures = thesis.claim("if-vs-ic-im")
    assert all(leg["charged_margin_unverified"] for leg in futures.params["legs"])
    assert any(s.unverified for s in thesis.claim("ai-hw-priced-in").sources)
    flash = [p for p in thesis.claim("token-economics").params["products"]
             if p["product"] == "Gemini 2.5 Flash"]
    assert flash and flash[0]["unverified"] is True and "output_price" not in flash[0]


def test_statements_do_not_copy_the_article(thesis: Thesis) -> None:
    seeds = sorted((SHARED / "seed").glob("*.txt"))
    if not seeds:
        require_shared("seed/000_bcdd3ba7ca181f85.txt", base=SHARED)
    article = "".join(p.read_text(encoding="utf-8") for p in seeds)
    window = 12
    for claim in thesis.claims:
        zh = claim.statement.zh
        copied = [zh[i:i + window] for i in range(len(zh) - window + 1)
                  if zh[i:i + window] in article]
        assert not copied, f"{claim.id}: copies the article: {copied[0]}"


def test_bundled_dir_holds_only_valid_theses() -> None:
    for path in bundled_theses().values():
        assert isinstance(load_thesis(Path(path)), Thesis)
