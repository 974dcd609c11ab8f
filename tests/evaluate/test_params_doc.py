"""A kind's params read as a table (type, default, meaning), straight from its model."""

from __future__ import annotations

from typer.testing import CliRunner

from narrowgate.cli.main import app
from narrowgate.evaluate.params_doc import param_rows
from narrowgate.evaluate.registry import evaluator_names, get_evaluator


def test_rows_flatten_nested_models_with_defaults_and_units() -> None:
    rows = {r.name: r for r in param_rows(get_evaluator("change").params_model)}
    assert rows["indicators[].threshold"].default == "required"
    assert rows["indicators[].transform"].type == "'level' | 'yoy_pct'"
    assert rows["indicators[].transform"].default == "level"
    assert rows["baseline_years"].default == "2.0" and "years" in rows["baseline_years"].meaning
    assert rows["indicators[].label"].type == "text in zh and en"
    assert "indicators[].label.zh" not in rows


def test_every_kind_documents_its_params() -> None:
    for name in evaluator_names():
        assert param_rows(get_evaluator(name).params_model), name


def test_cli_prints_a_table_not_a_schema() -> None:
    result = CliRunner().invoke(app, ["thesis", "tests", "record"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "record_date" in result.output and "direction" in result.output
    assert "'high' | 'low'" in result.output and '"$defs"' not in result.output
    schema = CliRunner().invoke(app, ["thesis", "tests", "record", "--json"])
    assert '"properties"' in schema.output


def test_docs_kinds_md_is_generated_from_the_models() -> None:
    from narrowgate.evaluate.params_doc import kinds_markdown
    from tests.conftest import REPO_ROOT

    checked_in = (REPO_ROOT / "docs" / "kinds.md").read_text(encoding="utf-8")
    assert checked_in == kinds_markdown(), (
        "docs/kinds.md is stale: run `narrowgate thesis tests --markdown > docs/kinds.md`")
