"""What `pip install narrowgate` would put on a machine, read from the installed metadata.

The benchmark environment also holds the peers (vectorbt and with it scipy, scikit-learn
...) and the test tools. Some of those change narrowgate's own timings: numba imports
``scipy.linalg`` (about 0.1 s here) the first time it loads a compiled function, only to
learn whether BLAS is there. To report what a user of narrowgate gets, a child process can
hide every import package that is outside narrowgate's runtime dependency closure
(:data:`HIDE_OUTSIDE_CLOSURE`), which is what "not installed" looks like to an importer.
"""

from __future__ import annotations

import importlib.metadata as md
import re

from packaging.requirements import Requirement


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def dependency_closure(root: str = "narrowgate") -> set[str]:
    """Canonical names of ``root`` and every distribution it needs at run time (its
    ``Requires-Dist`` without extras, followed through the extras each one asks for)."""
    seen: set[tuple[str, frozenset[str]]] = set()
    todo: list[tuple[str, frozenset[str]]] = [(root, frozenset())]
    while todo:
        name, extras = todo.pop()
        key = (_canonical(name), extras)
        if key in seen:
            continue
        seen.add(key)
        try:
            requires = md.requires(name) or []
        except md.PackageNotFoundError:
            continue
        envs = [{"extra": e} for e in (extras or {""})]
        for line in requires:
            req = Requirement(line)
            if req.marker is None or any(req.marker.evaluate(env) for env in envs):
                todo.append((req.name, frozenset(req.extras)))
    return {name for name, _ in seen}


def outside_closure(root: str = "narrowgate") -> list[str]:
    """Top-level import names whose distributions are installed here but not needed by
    ``root`` (e.g. ``scipy`` when only a peer or a test tool pulled it in)."""
    closure = dependency_closure(root)
    hidden = []
    for module, dists in md.packages_distributions().items():
        if module.startswith("_") and module != "_pytest":
            continue
        if not any(_canonical(d) in closure for d in dists):
            hidden.append(module)
    return sorted(hidden)


HIDE_OUTSIDE_CLOSURE = """
import importlib.abc, sys
class _NotInstalled(importlib.abc.MetaPathFinder):
    hidden = frozenset({hidden!r})
    def find_spec(self, name, path, target=None):
        if name.partition('.')[0] in self.hidden:
            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
        return None
sys.meta_path.insert(0, _NotInstalled())
"""
