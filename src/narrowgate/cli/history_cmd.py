"""`narrowgate history` and `narrowgate diff`: what changed between recorded runs.

Runs are recorded by `narrowgate run` (see docs/living.md). JSON shapes:
``history --json`` → ``{"runs": [...], "flips": [...]}``;
``diff --json`` → ``{"runs": [run_a, run_b], "changes": [...]}``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Literal

import typer

if TYPE_CHECKING:
    from rich.console import Console

    from narrowgate.data.history_sql import RunRow
    from narrowgate.watch.compare import ClaimChange

Lang = Literal["zh", "en"]

_WORDS: dict[str, dict[str, str]] = {
    "runs": {"en": "Recorded runs", "zh": "已记录的运行"},
    "flips": {"en": "Flips between consecutive runs", "zh": "相邻两次运行之间的结论翻转"},
    "no_runs": {"en": "no recorded runs{of} — `narrowgate run` records one",
                "zh": "没有已记录的运行{of} — `narrowgate run` 会记录一次"},
    "no_flips": {"en": "no verdict flipped between consecutive runs",
                 "zh": "相邻运行之间没有结论翻转"},
    "no_changes": {"en": "no verdict or headline figure changed between run {a} and run {b}",
                   "zh": "运行 {a} 与运行 {b} 之间没有结论或关键数字变化"},
    "changes": {"en": "Changes from run {a} to run {b}", "zh": "从运行 {a} 到运行 {b} 的变化"},
    "run": {"en": "run", "zh": "运行"},
    "thesis": {"en": "thesis", "zh": "观点"},
    "as_of": {"en": "as of", "zh": "评估日"},
    "generated": {"en": "generated (UTC)", "zh": "生成时间 (UTC)"},
    "verdicts": {"en": "verdicts", "zh": "结论统计"},
    "data_end": {"en": "newest data", "zh": "数据截至"},
    "claim": {"en": "claim", "zh": "论点"},
    "verdict": {"en": "verdict", "zh": "结论"},
    "figure": {"en": "headline figure before → after", "zh": "关键数字 前 → 后"},
    "absent": {"en": "(absent)", "zh": "(无)"},
    "checks": {"en": "unchanged in {n} later watch cycle(s), the latest as of {d} (not "
                     "recorded again)",
               "zh": "之后 {n} 次 watch 检查无变化,最近一次评估日 {d}(未重复记录)"},
}


def _w(key: str, lang: Lang, **fields: object) -> str:
    return _WORDS[key][lang].format(**fields)


def _thesis_id(ref: str) -> str:
    """A thesis id from a bundled or library id (``id@N`` too) or a thesis file: an id
    is taken as written, so the history of a thesis no longer in the library still shows."""
    from narrowgate.thesis.library import library_ref_id
    from narrowgate.thesis.loader import load_thesis

    return library_ref_id(ref) or load_thesis(ref).id


def history(
    thesis: Annotated[str | None, typer.Argument(
        help="Only this thesis (id, library id or file); default every thesis.")] = None,
    as_json: Annotated[bool, typer.Option(
        "--json", help='print {"runs": [...], "flips": [...]} (docs/living.md)')] = False,
    lang: Annotated[Lang, typer.Option("--lang", help="Language: zh or en.")] = "en",
) -> None:
    """List recorded runs and the verdict flips between them — 列出运行记录与结论翻转。"""
    from narrowgate.data.store import Store
    from narrowgate.watch.history import find_flips, list_runs, run_json

    store = Store()
    thesis_id = _thesis_id(thesis) if thesis is not None else None
    runs = list_runs(store, thesis_id)
    flips = find_flips(store, runs)
    if as_json:
        from narrowgate.cli.jsonout import emit_json

        emit_json({"runs": [run_json(r) for r in runs], "flips": [f.to_json() for f in flips]})
        return
    from rich.console import Console

    console = Console()
    if not runs:
        console.print(_w("no_runs", lang, of=f" ({thesis_id})" if thesis_id else ""),
                      highlight=False)
        return
    console.print(f"[bold]{_w('runs', lang)}[/bold]")
    for row in runs:
        item = run_json(row)
        console.print(f"{_w('run', lang)} {row.run_id}  {row.thesis_id}  "
                      f"{_w('as_of', lang)} {row.as_of}  {_w('generated', lang)} "
                      f"{row.generated_at:%Y-%m-%d %H:%M}  {_w('data_end', lang)} "
                      f"{item['data_end'] or '—'}\n    {_counts(row, lang)}", highlight=False)
        if row.checks is not None:
            console.print("    " + _w("checks", lang, n=row.checks.count,
                                       d=row.checks.last_as_of), highlight=False)
    if not flips:
        console.print(_w("no_flips", lang))
        return
    console.print(f"[bold]{_w('flips', lang)}[/bold]")
    for flip in flips:
        console.print(f"{flip.thesis_id} · {flip.change.claim_id}: "
                      f"{flip.before.as_of} → {flip.after.as_of} "
                      f"({_w('run', lang)} {flip.before.run_id} → {flip.after.run_id}): "
                      f"{_change_text(flip.change, lang)}", highlight=False)


def diff(
    run_a: Annotated[int, typer.Argument(help="The earlier run id (see `narrowgate history`).")],
    run_b: Annotated[int, typer.Argument(help="The later run id.")],
    as_json: Annotated[bool, typer.Option(
        "--json", help='print {"runs": [a, b], "changes": [...]} (docs/living.md)')] = False,
    lang: Annotated[Lang, typer.Option("--lang", help="Language: zh or en.")] = "en",
) -> None:
    """Every claim whose verdict or headline figure changed between two recorded runs —
    比较两次运行:结论或关键数字的全部变化。"""
    from narrowgate.data.store import Store
    from narrowgate.watch.compare import claim_changes
    from narrowgate.watch.history import load_runs, run_json

    loaded = load_runs(Store(), [run_a, run_b])
    (row_a, card_a), (row_b, card_b) = loaded[run_a], loaded[run_b]
    changes = claim_changes(card_a, card_b)
    if as_json:
        from narrowgate.cli.jsonout import emit_json

        emit_json({"runs": [run_json(row_a), run_json(row_b)],
                   "changes": [c.to_json() for c in changes]})
        return
    from rich.console import Console

    console = Console()
    for row in (row_a, row_b):
        console.print(f"{_w('run', lang)} {row.run_id}: {row.thesis_id} · "
                      f"{_w('as_of', lang)} {row.as_of} · {_counts(row, lang)}",
                      highlight=False)
    if not changes:
        console.print(_w("no_changes", lang, a=run_a, b=run_b))
        return
    _changes_table(console, changes, lang, run_a, run_b)


def _changes_table(console: Console, changes: list[ClaimChange], lang: Lang, run_a: int,
                   run_b: int) -> None:
    from rich.table import Table

    table = Table(title=_w("changes", lang, a=run_a, b=run_b), expand=True)
    table.add_column(_w("claim", lang), no_wrap=True)
    table.add_column(_w("verdict", lang))
    table.add_column(_w("figure", lang), ratio=1)
    for change in changes:
        verdict = (_verdict(change.old, lang) if not change.verdict_changed
                   else f"{_verdict(change.old, lang)} → {_verdict(change.new, lang)}")
        table.add_row(change.claim_id, verdict, _figures(change, lang))
    console.print(table)


def _verdict(value: str | None, lang: Lang) -> str:
    from narrowgate.evaluate.verdict import VERDICT_LABELS, Verdict

    return _w("absent", lang) if value is None else VERDICT_LABELS[Verdict(value)].get(lang)


def _figures(change: ClaimChange, lang: Lang) -> str:
    before, after = change.figure_before, change.figure_after
    left = before.text(lang) if before else _w("absent", lang)
    right = after.text(lang) if after else _w("absent", lang)
    if left == right:
        return left
    if before is not None and after is not None and before.key == after.key \
            and before.unit == after.unit and before.label_en == after.label_en:
        label = before.label_zh if lang == "zh" else before.label_en
        return f"{label}: {before.value_text()} → {after.value_text()} {after.unit}".rstrip()
    return f"{left} → {right}"


def _change_text(change: ClaimChange, lang: Lang) -> str:
    return (f"{_verdict(change.old, lang)} → {_verdict(change.new, lang)}; "
            f"{_figures(change, lang)}")


def _counts(row: RunRow, lang: Lang) -> str:
    from narrowgate.evaluate.verdict import VERDICT_LABELS, Verdict

    return " · ".join(f"{VERDICT_LABELS[v].get(lang)} {row.counts[v.value]}"
                      for v in Verdict if row.counts.get(v.value))
