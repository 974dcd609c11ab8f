"""Load a thesis file and report every problem on one line: file, line, field, fix.

PyYAML's node tree keeps line numbers, so a pydantic error location such as
``claims.3.params.threshold`` is mapped back to the line a user has to edit.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from narrowgate.errors import NarrowgateError, ThesisError, shown
from narrowgate.thesis.schema import Thesis

BUNDLED_DIR = Path(__file__).parent / "bundled"
DEFAULT_THESIS_ID = "ai-narrow-gate"

Loc = Sequence[str | int]


class _PlainLoader(yaml.SafeLoader):
    """SafeLoader without implicit timestamps: pydantic parses dates, so an impossible
    date such as 2026-02-30 becomes a located validation error instead of a crash."""


_PlainLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}

_FastLoader: type[Any] = _PlainLoader
if getattr(yaml, "__with_libyaml__", False):

    class _CPlainLoader(yaml.CSafeLoader):
        """_PlainLoader's rules on libyaml's C parser: the same nodes and data, but the
        bundled thesis parses in 18 ms instead of 201 ms (pure Python, composed and then
        parsed a second time for the data; measured warm, best of 5)."""

    _CPlainLoader.yaml_implicit_resolvers = _PlainLoader.yaml_implicit_resolvers
    _FastLoader = _CPlainLoader


def _compose(text: str) -> tuple[yaml.Node | None, Any]:
    """The document's node tree (for line numbers) and the loader to construct it with.

    Parsed once, with libyaml when PyYAML has it (the data is then built from the same
    tree instead of parsing the text a second time). Broken YAML is re-parsed by the
    pure-Python loader so its error, line and wording stay as documented.
    """
    if _FastLoader is not _PlainLoader:
        loader = _FastLoader(text)
        try:
            return loader.get_single_node(), loader
        except yaml.YAMLError:
            pass
    loader = _PlainLoader(text)
    return loader.get_single_node(), loader


def bundled_theses() -> dict[str, Path]:
    """Bundled thesis ids mapped to their files."""
    return {path.stem: path for path in sorted(BUNDLED_DIR.glob("*.yaml"))}


def resolve_thesis_path(ref: str | None) -> Path:
    """A bundled id, a library id (``id`` or ``id@N``, see :mod:`narrowgate.thesis.library`),
    or a path to a file; ``None`` means the default bundled thesis."""
    ref = ref or DEFAULT_THESIS_ID
    bundled = bundled_theses()
    if ref in bundled:
        return bundled[ref]
    from narrowgate.thesis.library import entries, library_path

    stored = library_path(ref)  # the user's library (`narrowgate thesis add`): id or id@N
    if stored is not None:
        return stored
    path = Path(ref)
    if path.is_file():
        return path
    known = ", ".join([*bundled, *sorted({e.thesis_id for e in entries()})]) or "none"
    raise NarrowgateError(
        f"no thesis '{ref}': not a bundled or library id and not a file",
        f"give a path to a YAML thesis or one of the ids ({known})",
    )


def load_thesis(ref: str | Path | None = None) -> Thesis:
    """Read, parse and validate a thesis; raise ThesisError listing every problem."""
    path = ref if isinstance(ref, Path) else resolve_thesis_path(ref)
    name = str(path)
    from narrowgate.textfile import UnreadableFile, read_file_bytes

    try:
        raw = read_file_bytes(path, limit=MAX_FILE_BYTES)
    except UnreadableFile as exc:
        raise ThesisError([f"{name}: cannot read the file ({exc}) — give a thesis YAML "
                           "file"]) from None
    if not raw.strip():
        raise ThesisError(
            [f"{name}:1: the file is empty — write a thesis (see docs/thesis-format.md)"]
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ThesisError(
            [f"{name}:{line}: not UTF-8 text (byte {exc.start}) — save the file as UTF-8"]
        ) from None
    try:
        root, loader = _compose(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        problem = exc.problem or exc.context or "invalid YAML"
        raise ThesisError(
            [f"{name}:{line}: not valid YAML ({problem}) — fix the syntax there"]
        ) from None
    except yaml.reader.ReaderError as exc:  # a control character (ESC, NUL…) in the text
        line = text[: exc.position].count("\n") + 1
        raise ThesisError([f"{name}:{line}: the control character #x{exc.character:04x} "
                           "cannot appear in a thesis — delete it (it is invisible in most "
                           "editors)"]) from None
    except yaml.YAMLError as exc:
        detail = " ".join(str(exc).split())
        raise ThesisError([f"{name}:1: not valid YAML ({shown(detail, 200, quote=False)}) — "
                           "fix the syntax"]) from None
    except RecursionError:  # the parser recurses once per level of nesting
        raise ThesisError([f"{name}:1: nested far more than {MAX_DEPTH} levels deep — a "
                           "thesis needs a few; flatten it"]) from None
    if root is None:
        raise ThesisError(
            [f"{name}:1: the file is empty — write a thesis (see docs/thesis-format.md)"]
        )
    shape = _shape_problem(name, root)
    if shape is not None:
        raise ThesisError([shape])
    problems = list(_duplicate_keys(name, root))
    try:
        data = loader.construct_document(root)
    except (yaml.YAMLError, ValueError, TypeError) as exc:  # e.g. !!timestamp 2026-02-30
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        raise ThesisError([f"{name}:{line}: a value YAML cannot build ({exc}) — write it as "
                           "plain text, a number or YYYY-MM-DD"]) from None
    if not isinstance(data, dict):
        raise ThesisError(
            [
                f"{name}:1: a thesis is a mapping with id, title, source and claims"
                " — see docs/thesis-format.md"
            ]
        )
    try:
        thesis = Thesis.model_validate(data)
    except ValidationError as exc:
        problems.extend(_located(name, root, exc, prefix=()))
        raise ThesisError(problems) from None
    problems.extend(_claim_problems(name, root, thesis))
    if problems:
        raise ThesisError(problems)
    return thesis


def _claim_problems(name: str, root: yaml.Node, thesis: Thesis) -> Iterable[str]:
    from narrowgate.evaluate.registry import evaluator_names, get_evaluator

    seen: dict[str, int] = {}
    for index, claim in enumerate(thesis.claims):
        where = ("claims", index)
        if claim.id in seen:
            line = _line(root, (*where, "id"))
            yield (
                f"{name}:{line}: claims[{index}].id: duplicate claim id '{claim.id}' "
                f"(first at claims[{seen[claim.id]}]) — give each claim its own id"
            )
        else:
            seen[claim.id] = index
        if claim.horizon is not None and claim.horizon < thesis.published:
            line = _line(root, (*where, "horizon"))
            yield (
                f"{name}:{line}: claims[{index}].horizon: {claim.horizon} is before the "
                f"publication date {thesis.published} — a horizon lies after publication"
            )
        for s_index, source in enumerate(claim.sources):
            if source.date is not None and source.date.year < 1900:
                line = _line(root, (*where, "sources", s_index, "date"))
                yield (
                    f"{name}:{line}: claims[{index}].sources[{s_index}].date: "
                    f"{source.date} is not plausible — check the year"
                )
        try:
            evaluator = get_evaluator(claim.test)
        except KeyError:
            line = _line(root, (*where, "test"))
            yield (
                f"{name}:{line}: claims[{index}].test: unknown test '{claim.test}' — "
                f"use one of: {', '.join(evaluator_names())}"
            )
            continue
        try:
            evaluator.params_model.model_validate(claim.params)
        except ValidationError as exc:
            yield from _located(name, root, exc, prefix=(*where, "params"), test=claim.test)


def _located(
    name: str, root: yaml.Node, exc: ValidationError, prefix: Loc, test: str | None = None
) -> Iterable[str]:
    errors = list(exc.errors())
    # A misspelt key shows up twice to pydantic (unknown 'reasons', missing 'reason');
    # a user needs one line: the typo and the key it should be.
    missing = {
        (tuple(e["loc"][:-1]), str(e["loc"][-1])): e for e in errors if e["type"] == "missing"
    }
    renamed: dict[int, str] = {}
    for index, error in enumerate(errors):
        if error["type"] != "extra_forbidden":
            continue
        parent = tuple(error["loc"][:-1])
        candidates = [field for (where, field) in missing if where == parent]
        match = difflib.get_close_matches(str(error["loc"][-1]), candidates, n=1, cutoff=0.6)
        if match:
            renamed[index] = match[0]
            missing.pop((parent, match[0]))
    kept_missing = {id(e) for e in missing.values()}
    for index, error in enumerate(errors):
        if error["type"] == "missing" and id(error) not in kept_missing:
            continue
        loc = (*prefix, *error["loc"])
        field = _dotted(loc)
        line = _line(root, loc)
        if index in renamed:
            for_test = f" of test '{test}'" if test else ""
            yield (
                f"{name}:{line}: {field}: unknown field '{error['loc'][-1]}'{for_test}"
                f" — did you mean '{renamed[index]}'?"
            )
        else:
            yield f"{name}:{line}: {field}: {_describe(error, test)}"


def _describe(error: Any, test: str | None) -> str:
    kind = error["type"]
    msg = error["msg"]
    field = str(error["loc"][-1]) if error["loc"] else ""
    for_test = f" of test '{test}'" if test else ""
    if kind == "missing":
        if field in ("zh", "en"):
            language = "Chinese" if field == "zh" else "English"
            return f"the {language} text '{field}' is missing — add a '{field}:' line"
        return f"required field '{field}'{for_test} is missing — add it"
    if kind == "extra_forbidden":
        return f"unknown field '{field}'{for_test} — remove it or check its spelling"
    if kind.startswith("date") or kind.startswith("datetime"):
        return f"{msg.lower()} — write a real date as YYYY-MM-DD"
    if kind == "enum" or kind == "literal_error":
        return f"{msg} — use one of the listed values"
    return f"{msg} — fix the value{for_test}"


def _dotted(loc: Loc) -> str:
    out = ""
    for part in loc:
        if part == "[key]":  # pydantic's marker for "the key itself" in a dict
            continue
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _line(root: yaml.Node, loc: Loc) -> int:
    """The line of the deepest node of ``loc`` present in the YAML tree (1-based)."""
    node = root
    for part in loc:
        child = None
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if key.value == str(part):
                    child = value
                    break
        elif (
            isinstance(node, yaml.SequenceNode)
            and isinstance(part, int)
            and 0 <= part < len(node.value)
        ):
            child = node.value[part]
        if child is None:
            break
        node = child
    return node.start_mark.line + 1


#: a thesis is tens of kilobytes; a file this large is no thesis
MAX_FILE_BYTES = 5 * 1024 * 1024
#: a thesis is a few thousand nodes; aliases expanding past this are a bomb, not a thesis
MAX_NODES = 200_000
MAX_DEPTH = 64
#: an integer longer than this is a typo or an attack (Python refuses past 4,300 digits)
MAX_DIGITS = 100
_INT_TAG = "tag:yaml.org,2002:int"
#: the only tags a thesis uses: YAML's own scalars and collections (no !!python, !!binary…)
_PLAIN_TAGS = frozenset(f"tag:yaml.org,2002:{t}" for t in
                        ("str", "int", "float", "bool", "null", "map", "seq"))


def _shape_problem(name: str, root: yaml.Node) -> str | None:
    """One line when the node graph is no thesis: aliases that expand past ``MAX_NODES``
    (counted once per shared node, so the check itself cannot blow up), nesting deeper
    than ``MAX_DEPTH``, a key that is not plain text, or a tag a thesis never uses."""
    sizes: dict[int, int] = {}
    stack: list[tuple[yaml.Node, int, bool]] = [(root, 1, False)]
    while stack:
        node, depth, done = stack.pop()
        line = node.start_mark.line + 1
        if depth > MAX_DEPTH:
            return (f"{name}:{line}: nested more than {MAX_DEPTH} levels deep — a thesis "
                    "needs a few; flatten it")
        if node.tag not in _PLAIN_TAGS:
            return (f"{name}:{line}: the tag {node.tag} is not allowed in a thesis — remove "
                    "it and write the value as text, a number or a date")
        if node.tag == _INT_TAG and len(str(node.value)) > MAX_DIGITS:
            return (f"{name}:{line}: a number with {len(str(node.value)):,} digits — no "
                    f"figure has more than {MAX_DIGITS}; fix the number")
        children: list[yaml.Node] = []
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if not isinstance(key, yaml.ScalarNode):
                    return (f"{name}:{key.start_mark.line + 1}: a key must be plain text, "
                            "not a list or mapping — rewrite the key")
                children += [key, value]
        elif isinstance(node, yaml.SequenceNode):
            children = list(node.value)
        if id(node) in sizes:
            continue
        if not done and children:
            stack.append((node, depth, True))
            stack += [(child, depth + 1, False) for child in children
                      if id(child) not in sizes]
            continue
        sizes[id(node)] = 1 + sum(sizes.get(id(child), 1) for child in children)
        if sizes[id(node)] > MAX_NODES and len(sizes) > MAX_NODES:  # no aliases needed
            return (f"{name}:{line}: the file holds more than {MAX_NODES:,} values — a thesis "
                    "holds a few thousand; split it into several theses")
        if sizes[id(node)] > MAX_NODES:
            return (f"{name}:{line}: the file expands to more than {MAX_NODES:,} values "
                    "(aliases repeated inside aliases) — write the thesis out plainly")
    return None


def _duplicate_keys(name: str, node: yaml.Node) -> Iterable[str]:
    """PyYAML keeps the last of two equal keys silently; a thesis must not lose data so."""
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            if key.value in seen:
                yield (
                    f"{name}:{key.start_mark.line + 1}: key '{key.value}' appears twice in "
                    f"one mapping — keep one"
                )
            seen.add(key.value)
            yield from _duplicate_keys(name, value)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from _duplicate_keys(name, item)


def params_of(model: type[BaseModel], params: dict[str, Any]) -> BaseModel:
    """Validate a claim's params against its evaluator's model (already checked at load)."""
    return model.model_validate(params)
