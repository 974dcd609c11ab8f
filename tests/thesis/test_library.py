"""The user's thesis library: add (validated, versioned by hash), list, remove, and every
command taking a library id where it takes a path."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from narrowgate.cli.main import app
from narrowgate.errors import NarrowgateError
from narrowgate.thesis import library
from narrowgate.thesis.loader import bundled_theses, resolve_thesis_path
from tests.conftest import REPO_ROOT, narrowgate_main

EXAMPLE = REPO_ROOT / "docs" / "examples" / "rates-and-gold.yaml"


def _cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "300"})
    return result.exit_code, result.output


def _main(home: Path, *args: str) -> tuple[int, list[str]]:
    return narrowgate_main(*args, home=home)


def _edited(tmp_path: Path) -> Path:
    """The example with one comment more: the same thesis, a new version of its file."""
    edited = tmp_path / "edited.yaml"
    edited.write_bytes(EXAMPLE.read_bytes() + b"# reviewed again\n")
    return edited


def test_add_keeps_versions_by_hash_under_the_home(isolated_home: Path,
                                                   tmp_path: Path) -> None:
    code, out = _cli("thesis", "add", str(EXAMPLE))
    assert code == 0, out
    digest = hashlib.sha256(EXAMPLE.read_bytes()).hexdigest()
    first = isolated_home / "theses" / "rates-and-gold" / f"v1-{digest[:12]}.yaml"
    assert first.read_bytes() == EXAMPLE.read_bytes()
    assert "added rates-and-gold version 1" in out
    code, again = _cli("thesis", "add", str(EXAMPLE))  # the same bytes: nothing new
    assert code == 0 and "unchanged" in again and "version 1" in again
    code, out = _cli("thesis", "add", str(_edited(tmp_path)))
    assert code == 0 and "added rates-and-gold version 2" in out
    assert [(e.version, e.sha256 == digest) for e in library.entries()] == [(1, True),
                                                                            (2, False)]
    # `id` is the newest version, `id@N` a given one
    assert resolve_thesis_path("rates-and-gold") == library.entries()[1].path
    assert resolve_thesis_path("rates-and-gold@1") == first


def test_list_shows_bundled_and_library_theses(isolated_home: Path, tmp_path: Path) -> None:
    library.add(EXAMPLE)
    library.add(_edited(tmp_path))
    code, out = _cli("thesis", "list", "--json")
    assert code == 0, out
    rows = json.loads(out)["theses"]
    assert [(r["id"], r["origin"], r["version"], r["versions"]) for r in rows] == [
        ("ai-narrow-gate", "bundled", None, None), ("rates-and-gold", "library", 2, [1, 2])]
    assert rows[0]["sha256"] == hashlib.sha256(
        bundled_theses()["ai-narrow-gate"].read_bytes()).hexdigest()
    code, text = _cli("thesis", "list")
    lines = text.strip().splitlines()
    assert lines[0].startswith("ai-narrow-gate (default)\t")
    assert lines[1].startswith("rates-and-gold\t") and "version 2 of versions 1, 2" in lines[1]


def test_remove_one_version_or_every_version(isolated_home: Path, tmp_path: Path) -> None:
    library.add(EXAMPLE)
    library.add(_edited(tmp_path))
    code, out = _cli("thesis", "remove", "rates-and-gold@1")
    assert code == 0 and "removed rates-and-gold version 1" in out
    assert [e.version for e in library.entries()] == [2]
    with pytest.raises(NarrowgateError, match="no version 1 of 'rates-and-gold'"):
        resolve_thesis_path("rates-and-gold@1")
    code, out = _cli("thesis", "remove", "rates-and-gold")
    assert code == 0 and "version 2" in out
    assert library.entries() == []
    assert not (isolated_home / "theses" / "rates-and-gold").exists()
    with pytest.raises(NarrowgateError, match="not a bundled or library id"):
        resolve_thesis_path("rates-and-gold")


def test_bad_input_is_one_line_with_its_code(isolated_home: Path, tmp_path: Path) -> None:
    code, err = _main(isolated_home, "thesis", "remove", "rates-and-gold")
    assert code == 2 and len(err) == 1
    assert err[0].startswith("error: no thesis 'rates-and-gold' in the library")
    code, err = _main(isolated_home, "thesis", "add", str(bundled_theses()["ai-narrow-gate"]))
    assert code == 2 and len(err) == 1 and "is a bundled thesis" in err[0]
    broken = tmp_path / "broken.yaml"
    broken.write_text("id: half-done\ntitle: {en: x, zh: x}\n", encoding="utf-8")
    code, err = _main(isolated_home, "thesis", "add", str(broken))
    assert code == 3
    assert err == [f"{broken}:1: source: required field 'source' is missing — add it",
                   f"{broken}:1: claims: required field 'claims' is missing — add it"]
    assert library.entries() == []  # nothing invalid is kept


def test_a_library_id_runs_and_its_run_names_the_stored_version(
        isolated_home: Path, pristine_store_path: Path, tmp_path: Path) -> None:
    from narrowgate.data.store import Store
    from narrowgate.watch.history import list_runs

    shutil.copy(pristine_store_path, isolated_home / "store.duckdb")
    entry, _ = library.add(EXAMPLE)
    code, out = _cli("thesis", "show", "rates-and-gold")
    assert code == 0 and "rates-and-gold" in out
    code, out = _cli("run", "rates-and-gold", "--as-of", "2026-11-24", "--offline", "--out",
                     str(tmp_path / "out"))
    assert code == 0, out
    card = json.loads((tmp_path / "out" / "scorecard.json").read_text(encoding="utf-8"))
    assert card["thesis"]["id"] == "rates-and-gold"
    runs = list_runs(Store())
    assert [(r.thesis_id, r.thesis_hash, r.thesis_path) for r in runs] == [
        ("rates-and-gold", entry.sha256, str(entry.path))]
    code, out = _cli("history", "rates-and-gold", "--json")
    assert [r["thesis"] for r in json.loads(out)["runs"]] == ["rates-and-gold"]
