"""Fixtures of the watch tests: a home with the real data and one recorded early run."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.session_share import built_once, copy_home

EARLY, LATE = "2026-04-30", "2026-11-24"


def _record_early_run(home: Path, store: Path) -> None:
    import narrowgate as ng

    shutil.copy(store, home / "store.duckdb")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("NARROWGATE_HOME", str(home))
        ng.run(as_of=EARLY, offline=True, record=True)


@pytest.fixture(scope="session")
def early_home_template(pristine_store_path: Path,
                        tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The early home, built once per session for every worker (copy it, never write)."""
    return built_once(tmp_path_factory, "watch-early-home",
                      lambda home: _record_early_run(home, pristine_store_path))


@pytest.fixture
def early_home(early_home_template: Path, tmp_path: Path,
               monkeypatch: pytest.MonkeyPatch) -> Path:
    """A home with the imported real data and one recorded run at 2026-04-30 (a fresh copy
    of the session's early home: each test writes to its own)."""
    home = copy_home(early_home_template, tmp_path / "home")
    monkeypatch.setenv("NARROWGATE_HOME", str(home))
    return home
