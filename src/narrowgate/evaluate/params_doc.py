"""A kind's params as readable rows: name, type, default, meaning (units included).

Why: a user writing a thesis needs to see what a kind takes, with defaults and units,
not a JSON schema. Rows come from the params model itself (pydantic field info), so the
table and the docs generated from it cannot drift from what validation accepts. Nested
models are flattened with dotted names (``indicators[].threshold``).
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic_core import PydanticUndefined


@dataclass(frozen=True)
class ParamRow:
    name: str
    type: str
    default: str  # "required" when there is none
    meaning: str


def _type_name(annotation: Any) -> str:
    origin = get_origin(annotation)
    args = get_args(annotation)
    if origin is Literal:
        return " | ".join(repr(a) for a in args)
    if origin in (Union, types.UnionType):
        return " | ".join(_type_name(a) for a in args)
    if origin is typing.Annotated:
        return _type_name(args[0])
    if origin in (list, tuple, set, frozenset):
        return f"list of {_type_name(args[0])}" if args else "list"
    if origin is dict:
        return f"mapping {_type_name(args[0])} → {_type_name(args[1])}" if args else "mapping"
    if annotation is type(None):
        return "none"
    if isinstance(annotation, type):
        names = {"str": "text", "float": "number", "int": "integer", "bool": "true/false",
                 "date": "date (YYYY-MM-DD)", "LocalizedText": "text in zh and en"}
        return names.get(annotation.__name__, annotation.__name__)
    return str(annotation)


def _nested(annotation: Any) -> tuple[type[BaseModel], str] | None:
    """The model inside a field (directly, in a list, or optional), with the name suffix."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation, ""
    origin, args = get_origin(annotation), get_args(annotation)
    if origin in (list, tuple) and args and isinstance(args[0], type) and issubclass(
            args[0], BaseModel):
        return args[0], "[]"
    if origin in (Union, types.UnionType):
        for arg in args:
            found = _nested(arg)
            if found is not None:
                return found
    return None


def _default(field: Any) -> str:
    if field.default is PydanticUndefined and field.default_factory is None:
        return "required"
    if field.default_factory is not None:
        return "(empty)" if field.default_factory in (list, dict) else "(defaults)"
    return "none" if field.default is None else str(field.default)


def param_rows(model: type[BaseModel], prefix: str = "") -> list[ParamRow]:
    """Every field of ``model`` (and of nested models) as a row."""
    rows: list[ParamRow] = []
    for name, field in model.model_fields.items():
        full = f"{prefix}{name}"
        rows.append(ParamRow(full, _type_name(field.annotation), _default(field),
                             field.description or ""))
        nested = _nested(field.annotation)
        if nested is not None and nested[0] is not model and nested[0].__name__ != (
                "LocalizedText"):
            rows.extend(param_rows(nested[0], f"{full}{nested[1]}."))
    return rows


def kinds_markdown() -> str:
    """``docs/kinds.md``: every registered kind with its params table, generated (a test
    checks the checked-in file equals this, so it cannot go stale)."""
    from narrowgate.evaluate.registry import evaluator_names, get_evaluator

    def cell(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", " ")

    lines = ["# Kinds and their params", "",
             "Generated from the params models: `narrowgate thesis tests --markdown > "
             "docs/kinds.md`. `narrowgate thesis tests KIND` prints one kind's table.", ""]
    for name in evaluator_names():
        evaluator = get_evaluator(name)
        lines += [f"## `{name}`", "", evaluator.title, "",
                  "| param | type | default | meaning (units) |", "|---|---|---|---|"]
        lines += [f"| `{r.name}` | {cell(r.type)} | {cell(r.default)} | {cell(r.meaning)} |"
                  for r in param_rows(evaluator.params_model)]
        lines.append("")
    return "\n".join(lines)
