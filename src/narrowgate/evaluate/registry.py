"""Test name → evaluator. Each evaluator declares its params model and its data needs.

Evaluator modules must stay cheap to import (no pandas/numpy at module level): the
registry is loaded for ``thesis validate`` and the CLI should answer at once.
"""

from __future__ import annotations

import importlib
from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from pydantic import BaseModel, ConfigDict

from narrowgate.data.need import DataNeed
from narrowgate.errors import NarrowgateError
from narrowgate.evaluate.verdict import Assessment

if TYPE_CHECKING:
    from narrowgate.data.view import DataView
    from narrowgate.thesis.schema import Claim, Thesis

P = TypeVar("P", bound=BaseModel)

# Modules whose import registers evaluators. Explicit, so the registry has no import magic.
BUILTIN_MODULES = (
    "narrowgate.evaluate.kinds.guidance",
    "narrowgate.evaluate.kinds.capex_chain",
    "narrowgate.evaluate.kinds.fundamentals",
    "narrowgate.evaluate.kinds.valuation",
    "narrowgate.evaluate.kinds.policy_mix",
    "narrowgate.evaluate.kinds.cycle",
    "narrowgate.evaluate.kinds.event_study",
    "narrowgate.evaluate.kinds.price_frontier",
    "narrowgate.evaluate.qualitative",
    "narrowgate.evaluate.kinds.relative_return",
    "narrowgate.evaluate.kinds.change",
    "narrowgate.evaluate.kinds.level",
    "narrowgate.evaluate.kinds.record",
    "narrowgate.evaluate.kinds.trade",
    "narrowgate.evaluate.kinds.correlation",
    "narrowgate.evaluate.kinds.decomposition",
    "narrowgate.evaluate.kinds.fact",
    "narrowgate.evaluate.kinds.path",
    "narrowgate.evaluate.kinds.pace",
)


class Params(BaseModel):
    """Base of every evaluator's params model: unknown keys are errors, and so are NaN and
    infinity (YAML's .nan/.inf): a number outside a meaningful range never decides."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)



@dataclass
class EvalContext:
    """What every evaluator may read besides its params."""

    thesis: Thesis
    as_of: date
    offline: bool = False
    #: the as-of-bound DataView (a DataHub given here is wrapped in one at ``as_of``)
    hub: DataView | None = None
    #: where valuation forecasts come from, in order (the CLI's ``--forecasts``), e.g.
    #: "provider,csv:my.csv"; None: each claim's own setting
    forecast_order: str | list[str] | None = None

    def __post_init__(self) -> None:
        from narrowgate.data.hub import DataHub  # light: no pandas at import
        from narrowgate.data.view import DataView

        if isinstance(self.hub, DataHub):
            self.hub = DataView(self.hub, self.as_of)
        elif isinstance(self.hub, DataView) and self.hub.as_of != self.as_of:
            self.hub = self.hub.at(self.as_of)

    @property
    def published(self) -> date:
        return self.thesis.published


class Evaluator(ABC, Generic[P]):
    """Decides one kind of test. Subclasses set ``test``, ``params_model`` and ``title``."""

    test: ClassVar[str]
    params_model: ClassVar[type[BaseModel]]
    title: ClassVar[str]

    def data_needs(self, params: P, ctx: EvalContext) -> list[DataNeed]:
        return []

    @abstractmethod
    def evaluate(self, claim: Claim, params: P, ctx: EvalContext) -> Assessment: ...


_REGISTRY: dict[str, Evaluator[Any]] = {}
_loaded = False


def register(cls: type[Evaluator[Any]]) -> type[Evaluator[Any]]:
    """Class decorator: make an evaluator available under its ``test`` name."""
    if cls.test in _REGISTRY:
        raise RuntimeError(f"two evaluators claim the test name '{cls.test}'")
    _REGISTRY[cls.test] = cls()
    return cls


#: entry-point group through which other packages add kinds (see CONTRIBUTING.md)
KINDS_ENTRY_POINTS = "narrowgate.kinds"


class PluginError(NarrowgateError):
    """A kind from another package that cannot be loaded or clashes with a known name."""

    exit_code = 2


def _load_plugins() -> None:
    """Kinds from other packages: each ``narrowgate.kinds`` entry point names a module
    (its ``@register`` classes register on import) or an ``Evaluator`` subclass."""
    from importlib.metadata import entry_points

    for point in entry_points(group=KINDS_ENTRY_POINTS):
        try:
            loaded = point.load()
        except Exception as exc:  # a third party's import error: name it, never a traceback
            raise PluginError(f"kind plugin {point.name!r} ({point.value}) failed to load: "
                              f"{type(exc).__name__}: {exc}",
                              "fix or uninstall the package that provides it") from None
        if isinstance(loaded, type) and issubclass(loaded, Evaluator):
            if _REGISTRY.get(loaded.test).__class__ is loaded:
                continue
            if loaded.test in _REGISTRY:
                raise PluginError(f"kind plugin {point.name!r} registers the test name "
                                  f"{loaded.test!r}, which narrowgate already has",
                                  "rename the plugin's test")
            register(loaded)


def _ensure_loaded() -> None:
    global _loaded
    if not _loaded:
        for module in BUILTIN_MODULES:
            importlib.import_module(module)
        _loaded = True
        _load_plugins()


def get_evaluator(test: str) -> Evaluator[Any]:
    _ensure_loaded()
    return _REGISTRY[test]


def evaluator_names() -> list[str]:
    _ensure_loaded()
    return sorted(_REGISTRY)
