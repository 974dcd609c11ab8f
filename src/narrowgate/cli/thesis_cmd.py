"""`narrowgate thesis validate|show|list|add|remove|tests`: check, read and keep thesis
files (the user's library: :mod:`narrowgate.thesis.library`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer

app = typer.Typer(help="Validate, show and keep thesis files. 校验、查看与保存观点文件。",
                  no_args_is_help=True)


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
def list_theses(
    as_json: Annotated[bool, typer.Option(
        "--json", help='print {"theses": [{"id", "origin", "version", "versions", "sha256", '
                       '"path"}]}')] = False,
) -> None:
    """List the bundled theses and the user's library (newest version of each id) —
    列出内置观点与用户观点库。"""
    from narrowgate.thesis.library import entries, file_sha256
    from narrowgate.thesis.loader import DEFAULT_THESIS_ID, bundled_theses

    rows: list[dict[str, object]] = [
        {"id": thesis_id, "origin": "bundled", "version": None, "versions": None,
         "sha256": file_sha256(path), "path": str(path)}
        for thesis_id, path in bundled_theses().items()]
    stored = entries()
    for thesis_id in sorted({e.thesis_id for e in stored}):
        mine = [e for e in stored if e.thesis_id == thesis_id]
        rows.append({"id": thesis_id, "origin": "library", "version": mine[-1].version,
                     "versions": [e.version for e in mine], "sha256": mine[-1].sha256,
                     "path": str(mine[-1].path)})
    if as_json:
        from narrowgate.cli.jsonout import emit_json

        emit_json({"theses": rows})
        return
    for row in rows:
        if row["origin"] == "bundled":
            marker = " (default)" if row["id"] == DEFAULT_THESIS_ID else ""
            typer.echo(f"{row['id']}{marker}\t{row['path']}")
        else:
            kept = ", ".join(str(v) for v in row["versions"])  # type: ignore[attr-defined]
            typer.echo(f"{row['id']}\t{row['path']}\t(library 观点库: version "
                       f"{row['version']} of versions {kept}, sha256 "
                       f"{str(row['sha256'])[:12]})")


@app.command("add")
def add(
    file: Annotated[Path, typer.Argument(help="A thesis YAML file to keep in the library.")],
) -> None:
    """Validate a thesis file and keep it in the library under its id (a changed file is
    kept as a new version) — 校验并保存到观点库。Exit 3 when the file is invalid."""
    from narrowgate.thesis.library import add as add_to_library

    entry, new = add_to_library(file)
    if new:
        typer.echo(f"added {entry.thesis_id} version {entry.version} (sha256 "
                   f"{entry.sha256[:12]}) → {entry.path}; run it with `narrowgate run "
                   f"{entry.thesis_id}` (已加入观点库)")
    else:
        typer.echo(f"unchanged: {file} is already {entry.thesis_id} version {entry.version} "
                   f"(sha256 {entry.sha256[:12]}) (观点库中已有相同版本)")


@app.command("remove")
def remove(
    ref: Annotated[str, typer.Argument(
        help="A library id (every version) or id@N (one version).")],
) -> None:
    """Remove a thesis (or one version) from the library; its recorded runs stay in
    history — 从观点库删除(历史记录保留)。"""
    from narrowgate.thesis.library import remove as remove_from_library

    for entry in remove_from_library(ref):
        typer.echo(f"removed {entry.thesis_id} version {entry.version} ({entry.path}) "
                   "(已删除)")


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
    from rich.console import Console
    from rich.table import Table

    from narrowgate.cli.jsonout import emit_json
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
            emit_json(evaluator.params_model.model_json_schema())
            return
        console.print(f"[bold]{escape(name)}[/bold] — {escape(evaluator.title)}")
        params = Table("param", "type", "default", "meaning (units)", expand=True)
        for row in param_rows(evaluator.params_model):
            params.add_row(escape(row.name), escape(row.type), escape(row.default),
                           escape(row.meaning))
        console.print(params)
        return
    if as_json:
        emit_json({"tests": [
            {"test": test, "title": get_evaluator(test).title,
             "params": get_evaluator(test).params_model.model_json_schema()}
            for test in evaluator_names()]})
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
