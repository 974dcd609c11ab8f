"""`narrowgate thesis validate|show|list`: check and read thesis files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer

app = typer.Typer(help="Validate and show thesis files. 校验与查看观点文件。", no_args_is_help=True)


@app.command("validate")
def validate(
    files: Annotated[list[Path], typer.Argument(help="Thesis YAML files to check.")],
    as_json: Annotated[bool, typer.Option(
        "--json", help='print {"files": [{"path", "ok", "thesis", "claims", "problems"}]}')]
    = False,
) -> None:
    """Check thesis files; print one line per problem (file:line: field: what — fix).
    Exit 3 when any file has a problem (also with --json)."""
    from narrowgate.errors import ThesisError
    from narrowgate.thesis.loader import load_thesis

    failed = 0
    report: list[dict[str, object]] = []
    for path in files:
        try:
            thesis = load_thesis(path)
        except ThesisError as exc:
            failed += 1
            report.append({"path": str(path), "ok": False, "thesis": None, "claims": None,
                           "problems": list(exc.problems)})
            if not as_json:
                for line in exc.problems:
                    typer.echo(line, err=True)
            continue
        report.append({"path": str(path), "ok": True, "thesis": thesis.id,
                       "claims": len(thesis.claims), "problems": []})
        if not as_json:
            typer.echo(f"{path}: ok — thesis '{thesis.id}', {len(thesis.claims)} claims")
    if as_json:
        from narrowgate.cli.jsonout import emit_json

        emit_json({"files": report})
    if failed:
        raise typer.Exit(3)


@app.command("show")
def show(
    ref: Annotated[str | None, typer.Argument(help="Bundled thesis id or a file.")] = None,
    lang: Annotated[Literal["zh", "en"], typer.Option(help="Language.")] = "en",
    as_json: Annotated[bool, typer.Option(
        "--json", help="print the validated thesis as JSON (both languages)")] = False,
) -> None:
    """Show a thesis: its source and every claim with kind, test and statement."""
    from rich.console import Console
    from rich.table import Table

    from narrowgate.thesis.loader import load_thesis

    thesis = load_thesis(ref)
    if as_json:
        from narrowgate.cli.jsonout import emit_json

        emit_json(thesis.model_dump(mode="json"))
        return
    console = Console()
    src = thesis.source
    console.print(f"[bold]{thesis.title.get(lang)}[/bold] ({thesis.id})")
    console.print(f"{src.title} — {src.medium}, published {src.published}")
    table = Table(show_lines=True, expand=True)
    for column in ("id", "kind", "test", "horizon"):
        table.add_column(column, no_wrap=True)
    table.add_column("statement", ratio=1)
    for claim in thesis.claims:
        table.add_row(
            claim.id,
            claim.kind.value,
            claim.test,
            str(claim.horizon or ""),
            claim.statement.get(lang),
        )
    console.print(table)


@app.command("list")
def list_bundled() -> None:
    """List the bundled theses."""
    from narrowgate.thesis.loader import DEFAULT_THESIS_ID, bundled_theses

    for thesis_id, path in bundled_theses().items():
        marker = " (default)" if thesis_id == DEFAULT_THESIS_ID else ""
        typer.echo(f"{thesis_id}{marker}\t{path}")


@app.command("tests")
def list_tests(
    name: Annotated[str | None, typer.Argument(help="Show one test's params in full.")] = None,
    as_json: Annotated[bool, typer.Option(
        "--json", help="JSON: every test with its title and params' JSON Schema (or one "
                       "test's)")] = False,
    markdown: Annotated[bool, typer.Option(
        "--markdown", help="every kind's params as Markdown (docs/kinds.md)")] = False,
) -> None:
    """List the tests (evaluators) a claim can name, with their params (one test: a table
    of every param with its type, default and meaning)."""
    import json

    from rich.console import Console
    from rich.table import Table

    from narrowgate.errors import NarrowgateError
    from narrowgate.evaluate.registry import evaluator_names, get_evaluator

    if markdown:
        from narrowgate.evaluate.params_doc import kinds_markdown

        typer.echo(kinds_markdown(), nl=False)
        return
    console = Console()
    if name is not None:
        try:
            evaluator = get_evaluator(name)
        except KeyError:
            raise NarrowgateError(
                f"unknown test '{name}'", f"use one of: {', '.join(evaluator_names())}"
            ) from None
        from rich.markup import escape

        from narrowgate.evaluate.params_doc import param_rows

        if as_json:
            typer.echo(json.dumps(evaluator.params_model.model_json_schema(),
                                  ensure_ascii=False))
            return
        console.print(f"[bold]{escape(name)}[/bold] — {escape(evaluator.title)}")
        params = Table("param", "type", "default", "meaning (units)", expand=True)
        for row in param_rows(evaluator.params_model):
            params.add_row(escape(row.name), escape(row.type), escape(row.default),
                           escape(row.meaning))
        console.print(params)
        return
    if as_json:
        typer.echo(json.dumps({"tests": [
            {"test": test, "title": get_evaluator(test).title,
             "params": get_evaluator(test).params_model.model_json_schema()}
            for test in evaluator_names()]}, ensure_ascii=False))
        return
    table = Table(expand=True)
    table.add_column("test", no_wrap=True, style="bold")
    table.add_column("what it decides", ratio=1)
    table.add_column("params", ratio=1)
    for test in evaluator_names():
        evaluator = get_evaluator(test)
        fields = ", ".join(evaluator.params_model.model_fields)
        table.add_row(test, evaluator.title, fields or "—")
    console.print(table)
