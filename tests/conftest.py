"""Shared test fixtures: where the real recorded data lives, and a clean store per test.

Real data is read in place from ../shared/data (override: NARROWGATE_SHARED_DATA). Under CI
(CI=true) a missing file is an error; elsewhere the test is skipped with the reason.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.session_share import built_once

if TYPE_CHECKING:
    from narrowgate.data.store import Store
    from tests.providers.scripted_server import ScriptedServer

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
def isolated_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Every test gets its own NARROWGATE_HOME so no test reads or writes the user's store,
    and a contact for SEC's User-Agent (tests that check its absence remove it)."""
    home = tmp_path_factory.mktemp("ng-home")
    monkeypatch.setenv("NARROWGATE_HOME", str(home))
    monkeypatch.setenv("NARROWGATE_USER_AGENT", "narrowgate-tests tests@example.invalid")
    return home


IMPORTED_STORE = "imported-store"


@pytest.fixture(scope="session")
def imported_store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A DuckDB store holding all of ../shared/data, imported once per test session (by
    the first xdist worker that asks; every worker gets its own copy to write to)."""
    require_shared("")
    shared = built_once(tmp_path_factory, IMPORTED_STORE, _import_shared_data)
    path = tmp_path_factory.mktemp("imported") / "store.duckdb"
    shutil.copy(shared / "store.duckdb", path)
    # a copy no test can write to: tests that record runs start from it, whatever the
    # shared store has been through (a `narrowgate run` records its run in history)
    shutil.copy(path, path.with_name(PRISTINE))
    return path


PRISTINE = "pristine.duckdb"


def _import_shared_data(folder: Path) -> None:
    from narrowgate.data.importers import import_path
    from narrowgate.data.store import Store

    import_path(Store(folder / "store.duckdb"), SHARED_DATA)
    _warm_bundled_timeline(Store(folder / "store.duckdb"))


def _warm_bundled_timeline(store: Store) -> None:
    """Every month end of the bundled thesis replayed once per session into the store's
    timeline cache, as a user's first `narrowgate run` does: each test's run at any as-of
    up to today then reads it instead of replaying the months again."""
    from datetime import date

    from narrowgate.evaluate.timeline_fill import warm_timeline_cache
    from narrowgate.thesis.loader import load_thesis

    warm_timeline_cache(load_thesis(None), store, date.today())


@pytest.fixture(scope="session")
def pristine_store_path(imported_store_path: Path) -> Path:
    """The imported store as it was right after the import (copy it before writing)."""
    return imported_store_path.with_name(PRISTINE)


@pytest.fixture
def imported_hub(imported_store_path: Path):  # type: ignore[no-untyped-def]
    """An offline DataHub over the imported real data (offline: tests never fetch)."""
    from narrowgate.data.hub import DataHub
    from narrowgate.data.store import Store

    return DataHub(Store(imported_store_path), offline=True)


def eval_context(hub: object, as_of: str = "2026-11-24"):  # type: ignore[no-untyped-def]
    """An EvalContext on the bundled thesis with the given hub."""
    from datetime import date

    from narrowgate.evaluate.registry import EvalContext
    from narrowgate.thesis.loader import load_thesis

    return EvalContext(thesis=load_thesis(None), as_of=date.fromisoformat(as_of), hub=hub)


def narrowgate_main(*args: str, home: Path | None = None,
                    timeout: float = 120) -> tuple[int, list[str]]:
    """The real entry point in a fresh process (its error handling and exit codes
    included): the exit code and the stderr lines. ``home`` sets NARROWGATE_HOME."""
    import subprocess
    import sys

    env = {**os.environ, **({"NARROWGATE_HOME": str(home)} if home is not None else {})}
    done = subprocess.run([sys.executable, "-m", "narrowgate", *args], capture_output=True,
                          text=True, timeout=timeout, check=False, env=env)
    return done.returncode, done.stderr.strip().splitlines()


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    """A scripted HTTP server on 127.0.0.1 standing in for a provider (tests.providers)."""
    from tests.providers.scripted_server import ScriptedServer

    scripted = ScriptedServer()
    scripted.thread.start()
    try:
        yield scripted
    finally:
        scripted.httpd.shutdown()
        scripted.httpd.server_close()
