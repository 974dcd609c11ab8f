"""CLI sub-apps. ``data_app`` is resolved lazily-tolerant so the CLI works while the data
layer module is absent in a partial install."""

from __future__ import annotations

import typer


def data_app() -> typer.Typer:
    try:
        from narrowgate.cli.data_cmd import app
    except ModuleNotFoundError:  # data layer not installed yet in this checkout
        return typer.Typer(help="Local data store (not available in this build).")
    return app
