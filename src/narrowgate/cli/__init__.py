"""CLI sub-apps; each command module imports its heavy libraries inside its commands."""

from __future__ import annotations

import typer


def data_app() -> typer.Typer:
    from narrowgate.cli.data_cmd import app

    return app
