"""The terminal scorecard: one rich table, verdicts coloured, counts underneath."""

from __future__ import annotations

from typing import Literal

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from narrowgate.evaluate.scorecard import Scorecard
from narrowgate.evaluate.verdict import VERDICT_LABELS, Verdict

VERDICT_STYLES: dict[Verdict, str] = {
    Verdict.SUPPORTED: "bold green",
    Verdict.CONTRADICTED: "bold red",
    Verdict.MIXED: "yellow",
    Verdict.PENDING: "cyan",
    Verdict.INSUFFICIENT_DATA: "dim",
    Verdict.QUALITATIVE: "magenta",
}

# A terminal is for the verdicts; a long list of data gaps belongs in the report's fold.
MAX_WARNINGS_SHOWN = 8

HEADERS = {
    "zh": ("论点", "类型", "结论", "依据"),
    "en": ("claim", "kind", "verdict", "why"),
}


def render_scorecard(
    scorecard: Scorecard, console: Console, lang: Literal["zh", "en"] = "en"
) -> None:
    title = scorecard.thesis.title.get(lang)
    # thesis text is the user's words, never markup: "[/]" in a reason is text (escape)
    table = Table(title=f"{escape(title)} — as of {scorecard.as_of}", show_lines=False,
                  expand=True)
    claim_h, kind_h, verdict_h, why_h = HEADERS[lang]
    table.add_column(claim_h, no_wrap=True, style="bold")
    table.add_column(kind_h, no_wrap=True)
    table.add_column(verdict_h, no_wrap=True)
    table.add_column(why_h, ratio=1)
    for result in scorecard.results:
        label = VERDICT_LABELS[result.verdict].get(lang)
        style = VERDICT_STYLES[result.verdict]
        why = escape(result.summary.get(lang))
        if result.error:
            why += f" [red](error: {escape(result.error)})[/red]"
        table.add_row(escape(result.claim_id), escape(result.kind), f"[{style}]{label}[/{style}]",
                      why)
    console.print(table)
    counts = ", ".join(
        f"[{VERDICT_STYLES[Verdict(name)]}]{VERDICT_LABELS[Verdict(name)].get(lang)}[/]: {n}"
        for name, n in scorecard.counts.items()
        if n
    )
    newest = scorecard.newest_data
    console.print(
        f"{len(scorecard.results)} claims — {counts}"
        + (f" — newest data {newest}" if newest else "")
    )
    shown = scorecard.warnings[:MAX_WARNINGS_SHOWN]
    for warning in shown:
        console.print(f"[yellow]warning:[/yellow] {escape(warning)}", highlight=False)
    hidden = len(scorecard.warnings) - len(shown)
    if hidden > 0:
        more = {"zh": f"另有 {hidden} 条数据缺口提示,见报告的“数据缺口”与 scorecard.json。",
                "en": f"{hidden} more data-gap warnings: see the report's 'Data gaps' fold "
                "and scorecard.json."}
        console.print(f"[yellow]…[/yellow] {more[lang]}")
