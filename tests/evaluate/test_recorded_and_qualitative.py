"""oracle-funding (the fact kind: recorded, sourced figures) and the two qualitative claims."""

from __future__ import annotations

from narrowgate.evaluate.verdict import Verdict
from narrowgate.thesis.schema import Thesis
from tests.evaluate.conftest import fig, params_of, run


def test_oracle_supported_on_recorded_sources(thesis: Thesis) -> None:
    a = run(thesis, "oracle-funding")
    assert a.verdict is Verdict.SUPPORTED
    assert fig(a, "raise_range") == "45–50"
    assert fig(a, "bond_size") == 25
    assert fig(a, "figures_match") == "2/2"
    assert fig(a, "raise_range_claimed") == "45–50" and fig(a, "bond_orders") == 126
    assert {d.start.isoformat() for d in a.evidence.data if d.start} == {"2026-02-02", "2026-02-04"}
    assert [m.what.split(" ")[0] for m in a.evidence.missing] == ["sec:ORCL"]
    assert a.evidence.missing[0].fetch == ["sec:ORCL"]


def test_oracle_partial_match_is_mixed(thesis: Thesis) -> None:
    p = params_of(thesis, "oracle-funding")
    p["figures"][1]["claimed"] = 30
    assert run(thesis, "oracle-funding", params=p).verdict is Verdict.MIXED


def test_gold_ai_twins_is_qualitative_without_a_data_layer(thesis: Thesis) -> None:
    a = run(thesis, "gold-ai-twins")  # no DataView: the reason, and the context said missing
    assert a.verdict is Verdict.QUALITATIVE
    assert "motive" in a.summary.en and "动机" in a.summary.zh
    assert any("correlation context has no data" in n.en for n in a.evidence.notes)


def test_saas_pricing_is_qualitative(thesis: Thesis) -> None:
    assert thesis.claim("saas-pricing").test == "qualitative"  # the reason lives in the file
    a = run(thesis, "saas-pricing")
    assert a.verdict is Verdict.QUALITATIVE
    assert "software-selloff" in a.summary.en and "按席位" in a.summary.zh


def test_a_range_matches_only_when_both_ends_do() -> None:
    from narrowgate.evaluate.kinds.fact import matches

    assert matches((45, 50), (45, 50.9), 2) and not matches((45, 50), (45, 52), 2)
    assert not matches(45, (45, 50), 2)  # a number is no range
    assert matches(0, 0, 0) and not matches(0.1, 0, 2)
