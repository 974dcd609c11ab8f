"""Shared test fixtures: where the real recorded data lives, and a clean store per test.

Real data is read in place from ../shared/data (override: NARROWGATE_SHARED_DATA). Under CI
(CI=true) a missing file is an error; elsewhere the test is skipped with the reason.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(
    os.environ.get("NARROWGATE_SHARED_DATA", REPO_ROOT.parent / "shared" / "data")
).resolve()
SHARED = SHARED_DATA.parent


def require_shared(relative: str, base: Path = SHARED_DATA) -> Path:
    """Path to a real shared file; fail under CI, skip elsewhere, when it is absent."""
    path = base / relative
    if not path.exists():
        reason = f"shared file missing: {path} (set NARROWGATE_SHARED_DATA)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return path


@pytest.fixture
def shared_data() -> Path:
    return require_shared("")


@pytest.fixture(autouse=True)
def isolated_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own NARROWGATE_HOME so no test reads or writes the user's store."""
    home = tmp_path_factory.mktemp("ng-home")
    monkeypatch.setenv("NARROWGATE_HOME", str(home))
    return home
