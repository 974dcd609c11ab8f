"""`narrowgate run` end to end, as a user runs it: a real subprocess, a temp output folder."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from narrowgate.thesis.loader import load_thesis

EXTERNAL_LOAD = re.compile(
    r"""(?:src|href)\s*=\s*["']?(?:https?:)?//|url\(\s*["']?(?:https?:)?//|@import""", re.I
)


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, **(env or {}), "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "narrowgate", *args],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=300,
    )


@pytest.fixture(scope="module")
def report_run(tmp_path_factory: pytest.TempPathFactory
               ) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """One `narrowgate run` in a fresh process: its report folder and what it printed."""
    out = tmp_path_factory.mktemp("report")
    home = tmp_path_factory.mktemp("home")
    result = run_cli(
        "run",
        "--offline",
        "--as-of",
        "2026-11-24",
        "--out",
        str(out),
        env={"NARROWGATE_HOME": str(home)},
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "Traceback" not in result.stderr
    return out, result


@pytest.fixture(scope="module")
def report_dir(report_run: tuple[Path, subprocess.CompletedProcess[str]]) -> Path:
    return report_run[0]


def test_scorecard_json_lists_every_claim_with_evidence(report_dir: Path) -> None:
    payload = json.loads((report_dir / "scorecard.json").read_text(encoding="utf-8"))
    thesis = load_thesis(None)
    assert payload["schema_version"] == "1.6"  # 1.6: results[].timeline
    assert payload["as_of"] == "2026-11-24"
    assert payload["offline"] is True
    assert payload["thesis"]["id"] == "ai-narrow-gate"
    assert [r["claim_id"] for r in payload["results"]] == [c.id for c in thesis.claims]
    assert sum(payload["counts"].values()) == len(thesis.claims) == 25
    for result in payload["results"]:
        assert result["error"] is None, result
        assert result["summary"]["zh"] and result["summary"]["en"]
        evidence = result["evidence"]
        if result["verdict"] == "insufficient data":
            assert evidence["missing"], result["claim_id"]
            assert all(item["how"] for item in evidence["missing"])
        elif result["verdict"] != "qualitative":
            assert evidence["figures"] or evidence["data"], result["claim_id"]


def test_the_written_scorecard_loads_back_into_its_model(report_dir: Path) -> None:
    from narrowgate.evaluate.scorecard import load_scorecard

    path = report_dir / "scorecard.json"
    card = load_scorecard(path)
    payload = json.loads(path.read_text(encoding="utf-8"))
    assert card.to_json_dict() == payload  # counts and newest_data recomputed, not read
    assert card.counts == payload["counts"] and len(card.results) == 25


def test_report_folder_loads_nothing_from_the_network(report_dir: Path) -> None:
    pages = [p for p in report_dir.rglob("*") if p.suffix in {".html", ".css"}]
    assert (report_dir / "index.html") in pages
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert not EXTERNAL_LOAD.search(text), f"{page} loads an external resource"


def test_terminal_scorecard_names_every_claim(
        report_run: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    result = report_run[1]  # the same command as before, run once for the module
    assert result.returncode == 0, result.stderr
    for claim in load_thesis(None).claims:
        assert claim.id in result.stdout


def test_bad_as_of_is_one_line_without_traceback(tmp_path: Path) -> None:
    result = run_cli("run", "--offline", "--as-of", "2026-13-01", "--out", str(tmp_path))
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "--as-of '2026-13-01' is not a date" in result.stderr
    assert "Traceback" not in result.stderr


def test_as_of_before_publication_is_one_line(tmp_path: Path) -> None:
    result = run_cli("run", "--offline", "--as-of", "0001-01-01", "--out", str(tmp_path))
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip().count("\n") == 0
    assert "before the thesis 'ai-narrow-gate' was published (2026-02-08)" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(("where", "said"), [
    ("a-file", "is a file, not a folder"),
    ("a-file/inside", "cannot create the report folder"),
])
def test_an_out_path_that_cannot_hold_the_report_is_one_line(tmp_path: Path, where: str,
                                                            said: str) -> None:
    (tmp_path / "a-file").write_text("not a folder", encoding="utf-8")
    result = run_cli("run", "--offline", "--as-of", "2026-11-24", "--out",
                     str(tmp_path / where))
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip().count("\n") == 0 and said in result.stderr
    assert "Traceback" not in result.stderr
    assert (tmp_path / "a-file").read_text(encoding="utf-8") == "not a folder"


def test_unknown_thesis_is_one_line(tmp_path: Path) -> None:
    result = run_cli("run", "no-such-thesis", "--offline", "--out", str(tmp_path))
    assert result.returncode == 2
    assert "no thesis 'no-such-thesis'" in result.stderr
    assert "Traceback" not in result.stderr


def test_run_on_the_imported_real_data_decides_claims(
    imported_store_path: Path, tmp_path: Path
) -> None:
    result = run_cli(
        "run",
        "--offline",
        "--as-of",
        "2026-11-24",
        "--out",
        str(tmp_path),
        "--lang",
        "zh",
        env={"NARROWGATE_HOME": str(imported_store_path.parent)},
    )
    assert result.returncode == 0, result.stderr
    payload = json.loads((tmp_path / "scorecard.json").read_text(encoding="utf-8"))
    verdicts = {r["claim_id"]: r["verdict"] for r in payload["results"]}
    assert verdicts["software-selloff"] == "supported"
    assert payload["newest_data"] >= "2026-08-21"
    selloff = next(r for r in payload["results"] if r["claim_id"] == "software-selloff")
    assert {d["instrument"] for d in selloff["evidence"]["data"]} == {"us:IGV", "us:SPY"}
    assert all(d["fetched_at"] for d in selloff["evidence"]["data"])
    assert "数据不足" in result.stdout or "成立" in result.stdout  # the zh scorecard


def test_a_foreign_scorecard_in_out_is_refused_before_any_work(tmp_path: Path) -> None:
    """Someone else's scorecard.json is left as it was, and the refusal comes first."""
    out = tmp_path / "site"
    out.mkdir()
    theirs = out / "scorecard.json"
    theirs.write_text('{"their": "data"}', encoding="utf-8")
    result = run_cli("run", "--offline", "--as-of", "2026-11-24", "--out", str(out),
                     "--no-record", env={"NARROWGATE_HOME": str(tmp_path / "home")})
    assert result.returncode == 7, result.stderr
    assert "is not a narrowgate scorecard" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert theirs.read_text(encoding="utf-8") == '{"their": "data"}'
    assert not (out / "index.html").exists()


def test_two_runs_never_write_one_folder_at_once(tmp_path: Path) -> None:
    """The folder's lock is a flock on its own open file: a second open (as a second run
    makes) cannot take it while the first holds it."""
    import os

    from narrowgate.data.lockfile import try_lock
    from narrowgate.errors import NarrowgateError
    from narrowgate.report.outdir import LOCK, writing

    fd = os.open(tmp_path / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        assert try_lock(fd, exclusive=True)  # another run holds the folder
        with pytest.raises(NarrowgateError, match="another narrowgate run is writing"), \
                writing(tmp_path):
            pass
    finally:
        os.close(fd)
    with writing(tmp_path):  # free again
        pass
