"""Every way a thesis file can be broken gets one located line: file:line: field: what — fix.

Each case is checked twice: through ``load_thesis`` (the exact message) and through the
real CLI (`narrowgate thesis validate`: exit 3, no traceback).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from narrowgate.errors import ThesisError
from narrowgate.thesis.loader import load_thesis
from tests.thesis.samples import BOMB, GOOD

# (name, file content or bytes, expected line number, substring of the one message)
CASES: list[tuple[str, str | bytes, int, str]] = [
    ("empty", "", 1, "the file is empty"),
    ("only-comments", "# nothing here\n", 1, "the file is empty"),
    ("not-utf8", GOOD.encode("utf-8").replace("黄金".encode(), b"\xff\xfe"), 13, "not UTF-8"),
    ("not-yaml", GOOD.replace("  medium: test", "  medium: [test"), 7, "not valid YAML"),
    ("not-a-mapping", "- just\n- a list\n", 1, "a thesis is a mapping"),
    (
        "wrong-type",
        GOOD.replace("published: 2026-03-02", "published: soon"),
        7,
        "source.published: input should be a valid date",
    ),
    (
        "impossible-date",
        GOOD.replace("published: 2026-03-02", "published: 2026-02-30"),
        7,
        "write a real date as YYYY-MM-DD",
    ),
    ("unknown-kind", GOOD.replace("kind: view", "kind: opinion"), 18, "claims[1].kind"),
    (
        "unknown-test",
        GOOD.replace("test: relative-return", "test: relative-returns"),
        19,
        "unknown test 'relative-returns' — use one of:",
    ),
    (
        "params-misfit",
        GOOD.replace("basket: {us:SPY: 1}", "basket: {us:SPY: -1}"),
        23,
        "claims[1].params: Value error, basket weights must be positive",
    ),
    (
        "params-unknown-key",
        GOOD.replace("      reason:", "      reasons:"),
        16,
        "unknown field 'reasons' of test 'qualitative' — did you mean 'reason'?",
    ),
    (
        "duplicate-id",
        GOOD.replace("id: spy-beats-tlt", "id: gold-insurance"),
        17,
        "duplicate claim id 'gold-insurance'",
    ),
    (
        "duplicate-key",
        GOOD.replace("  medium: test\n", "  medium: test\n  medium: blog\n"),
        7,
        "key 'medium' appears twice",
    ),
    (
        "missing-en",
        GOOD.replace("      en: Gold is insurance.\n", ""),
        13,
        "claims[0].statement.en: the English text 'en' is missing",
    ),
    (
        "missing-zh",
        GOOD.replace("zh: 股票跑赢长债。, ", ""),
        21,
        "claims[1].statement.zh: the Chinese text 'zh' is missing",
    ),
    (
        "horizon-before-publication",
        GOOD.replace("horizon: 2026-12-31", "horizon: 2025-12-31"),
        20,
        "is before the publication date 2026-03-02",
    ),
    ("alias-bomb", BOMB, 6, "expands to more than 200,000 values"),
    ("deep-nesting", GOOD.replace("  medium: test", "  medium: " + "[" * 70 + "]" * 70), 6,
     "nested more than 64 levels deep"),
    ("python-tag", GOOD.replace("  medium: test", "  medium: !!python/name:os.system x"), 6,
     "the tag tag:yaml.org,2002:python/name:os.system is not allowed"),
    ("impossible-timestamp", GOOD.replace("  medium: test", "  medium: !!timestamp 2026-02-30"),
     6, "the tag tag:yaml.org,2002:timestamp is not allowed"),
    ("binary", GOOD.replace("  medium: test", "  medium: !!binary aGVsbG8="), 6, "is not allowed"),
    ("set", GOOD.replace("  medium: test", "  medium: !!set {a, b}"), 6, "is not allowed"),
    ("complex-key", GOOD.replace("  medium: test", "  ? [a, b]\n  : x\n  medium: test"), 6,
     "a key must be plain text"),
    (
        "nan-threshold",
        GOOD.replace("benchmark: {us:TLT: 1}", "benchmark: {us:TLT: 1}\n      min_excess_pp: .nan"),
        25,
        "claims[1].params.min_excess_pp: Input should be a finite number",
    ),
    (
        "infinite-weight",
        GOOD.replace("basket: {us:SPY: 1}", "basket: {us:SPY: .inf}"),
        23,
        "Input should be a finite number",
    ),
    (
        "bad-instrument",
        GOOD.replace("us:TLT", "zz:TLT"),
        24,
        "claims[1].params.benchmark.zz:TLT: Value error, unknown market 'zz'",
    ),
]


def _write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / f"{name}.yaml"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def test_the_good_file_loads(tmp_path: Path) -> None:
    thesis = load_thesis(_write(tmp_path, "good", GOOD))
    assert [c.id for c in thesis.claims] == ["gold-insurance", "spy-beats-tlt"]


@pytest.mark.parametrize(("name", "content", "line", "message"), CASES, ids=[c[0] for c in CASES])
def test_one_located_line_per_problem(
    tmp_path: Path, name: str, content: str | bytes, line: int, message: str
) -> None:
    path = _write(tmp_path, name, content)
    with pytest.raises(ThesisError) as caught:
        load_thesis(path)
    problems = caught.value.problems
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"{path}:{line}: "), problems[0]
    assert message in problems[0]
    assert " — " in problems[0] or "not valid YAML" in problems[0]  # says what to do


def test_cli_validate_exits_3_with_the_lines_and_no_traceback(tmp_path: Path) -> None:
    broken = [_write(tmp_path, name, content) for name, content, _, _ in CASES]
    good = _write(tmp_path, "good", GOOD)
    result = subprocess.run(
        [sys.executable, "-m", "narrowgate", "thesis", "validate", str(good), *map(str, broken)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 3
    assert "Traceback" not in result.stderr
    assert f"{good}: ok" in result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == len(CASES)
    for (name, _, line, message), text in zip(CASES, lines, strict=True):
        assert text.startswith(f"{tmp_path / name}.yaml:{line}: ") and message in text


def test_example_thesis_in_the_docs_validates() -> None:
    docs = Path(__file__).resolve().parents[2] / "docs" / "examples" / "rates-and-gold.yaml"
    thesis = load_thesis(docs)
    assert thesis.id == "rates-and-gold"
    assert {c.test for c in thesis.claims} >= {"relative-return", "qualitative"}


def test_a_fifo_or_device_is_refused_without_blocking(tmp_path: Path) -> None:
    """A FIFO would block the read and /dev/zero never end: neither is opened."""
    import os

    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    for path in (fifo, Path("/dev/zero")):
        with pytest.raises(ThesisError) as caught:
            load_thesis(path)
        (line,) = caught.value.problems
        assert line == f"{path}: cannot read the file (not a regular file (a device, pipe or " \
                       "folder)) — give a thesis YAML file"
