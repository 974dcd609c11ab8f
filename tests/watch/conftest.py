"""Fixtures of the watch tests: a home with the real data and one recorded early run."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

EARLY, LATE = "2026-04-30", "2026-11-24"


@pytest.fixture
def early_home(pristine_store_path: Path, tmp_path: Path,
               monkeypatch: pytest.MonkeyPatch) -> Path:
    """A home with the imported real data and one recorded run at 2026-04-30."""
    import narrowgate as ng

    home = tmp_path / "home"
    home.mkdir()
    shutil.copy(pristine_store_path, home / "store.duckdb")
    monkeypatch.setenv("NARROWGATE_HOME", str(home))
    ng.run(as_of=EARLY, offline=True, record=True)
    return home
