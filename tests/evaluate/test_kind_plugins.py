"""A kind from a separate package registers through the ``narrowgate.kinds`` entry point.

The "package" is written to a temporary folder with its own ``*.dist-info`` (the metadata
pip would install), put on PYTHONPATH of a fresh process: narrowgate lists the kind,
validates a thesis that uses it and runs it on the imported real data.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

PLUGIN = '''
"""A third-party kind: the latest close of an instrument is above a level."""
from datetime import date

from pydantic import Field

from narrowgate.evaluate.common import InstrumentId, figure, text
from narrowgate.evaluate.registry import EvalContext, Evaluator, Params
from narrowgate.evaluate.verdict import Assessment, Evidence, Verdict


class LatestAboveParams(Params):
    instrument: InstrumentId
    level: float = Field(description="the level the latest close should exceed")


class LatestAbove(Evaluator[LatestAboveParams]):
    test = "latest-above"
    params_model = LatestAboveParams
    title = "The latest close is above a level (plugin)"

    def evaluate(self, claim, params, ctx):
        from narrowgate.evaluate.hubdata import read_closes

        closes, data = read_closes(ctx, [params.instrument], date(2026, 1, 1))
        last = closes[params.instrument].dropna()
        value = float(last.iloc[-1])
        verdict = Verdict.SUPPORTED if value > params.level else Verdict.CONTRADICTED
        return Assessment(
            verdict=verdict,
            summary=text(f"最新收盘 {value:.2f}", f"latest close {value:.2f}"),
            evidence=Evidence(figures=[figure("latest", "最新收盘", "latest close",
                                              round(value, 2), "USD", decisive=True)],
                              data=data))
'''

THESIS = """format: 1
id: plugin-demo
title: {zh: 插件示例, en: Plugin demo}
source: {title: test, medium: test, published: 2026-03-02}
claims:
  - id: spy-above-700
    kind: view
    test: latest-above
    statement: {zh: 标普500 ETF 会站上700。, en: The S&P 500 ETF will stand above 700.}
    params: {instrument: us:SPY, level: 700}
"""


def _plugin(tmp: Path) -> dict[str, str]:
    (tmp / "ngplugin.py").write_text(PLUGIN, encoding="utf-8")
    info = tmp / "ngplugin-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: ngplugin\nVersion: 0.1\n",
                                   encoding="utf-8")
    (info / "entry_points.txt").write_text(
        "[narrowgate.kinds]\nlatest-above = ngplugin:LatestAbove\n", encoding="utf-8")
    return {**os.environ, "PYTHONPATH": str(tmp), "COLUMNS": "200"}


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "narrowgate", *args], env=env,
                          capture_output=True, text=True, timeout=300)


def test_a_kind_from_another_package(tmp_path: Path, imported_store_path: Path) -> None:
    env = _plugin(tmp_path)
    listed = _cli(env, "thesis", "tests")
    assert listed.returncode == 0, listed.stderr
    assert "latest-above" in listed.stdout
    thesis = tmp_path / "demo.yaml"
    thesis.write_text(THESIS, encoding="utf-8")
    assert _cli(env, "thesis", "validate", str(thesis)).returncode == 0
    env["NARROWGATE_HOME"] = str(imported_store_path.parent)
    out = tmp_path / "out"
    run = _cli(env, "run", str(thesis), "--offline", "--as-of", "2026-11-24", "--out", str(out),
               "--no-record")  # the shared store stays as imported
    assert run.returncode == 0, run.stderr + run.stdout
    card = json.loads((out / "scorecard.json").read_text(encoding="utf-8"))
    (result,) = card["results"]
    assert result["test"] == "latest-above" and result["verdict"] == "supported"


def test_a_broken_plugin_is_one_line(tmp_path: Path) -> None:
    env = _plugin(tmp_path)
    (tmp_path / "ngplugin.py").write_text("raise ImportError('no such thing')\n",
                                          encoding="utf-8")
    listed = _cli(env, "thesis", "tests")
    assert listed.returncode == 2
    assert "kind plugin 'latest-above' (ngplugin:LatestAbove) failed to load" in listed.stderr
    assert "Traceback" not in listed.stderr
