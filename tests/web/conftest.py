"""A home for `narrowgate serve` tests: the imported real data, two recorded runs of the
bundled thesis (as of 2026-04-30 and 2026-11-24, recorded by the history helper through
``ng.run(record=True)``) and a user's thesis in the library (never run)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT
from tests.session_share import built_once, copy_home

EARLY, LATE = "2026-04-30", "2026-11-24"
BUNDLED = "ai-narrow-gate"
USER_THESIS = REPO_ROOT / "docs" / "examples" / "us-soft-landing.yaml"
USER = "us-soft-landing"


def recorded_home_at(home: Path, store: Path) -> Path:
    """Fill ``home`` with a copy of the store, two recorded runs and one library thesis."""
    import narrowgate as ng
    from narrowgate.thesis.library import add

    shutil.copy(store, home / "store.duckdb")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("NARROWGATE_HOME", str(home))
        ng.run(BUNDLED, as_of=EARLY, offline=True, record=True)
        ng.run(BUNDLED, as_of=LATE, offline=True, record=True)
        add(USER_THESIS)
    return home


@pytest.fixture(scope="session")
def recorded_home_template(pristine_store_path: Path,
                           tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``recorded_home_at`` built once per session for every worker (copy it, never
    write to it): the two runs and the library thesis, as each copy would record them."""
    return built_once(tmp_path_factory, "serve-recorded-home",
                      lambda home: _fill(home, pristine_store_path))


def _fill(home: Path, store: Path) -> None:
    recorded_home_at(home, store)


@pytest.fixture
def recorded_home(recorded_home_template: Path, tmp_path: Path) -> Path:
    """A test's own copy of the recorded home (it may write: refresh jobs add runs)."""
    return copy_home(recorded_home_template, tmp_path / "recorded-home")


@pytest.fixture(scope="module")
def served_home(recorded_home_template: Path,
                tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Shared by a module's read-only tests (runs 1 and 2)."""
    yield copy_home(recorded_home_template, tmp_path_factory.mktemp("serve-home"))


@pytest.fixture
def in_served_home(served_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("NARROWGATE_HOME", str(served_home))
    return served_home
