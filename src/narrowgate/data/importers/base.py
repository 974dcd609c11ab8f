"""What every layout reader returns, and the error a malformed file raises."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from narrowgate.errors import NarrowgateError
from narrowgate.instruments import DataKind

if TYPE_CHECKING:
    import pandas as pd


class ImportFailed(NarrowgateError):
    """A recognised file that cannot be read; the message names file:line and the fix.

    Raised before anything is written, so a failed import leaves the store unchanged.
    """

    exit_code = 7


@dataclass
class Parsed:
    """One instrument's standard frame read from one file, with what was done to it."""

    instrument: str
    kind: DataKind
    frame: pd.DataFrame
    path: Path
    notes: list[str] = field(default_factory=list)


def fail(path: Path, line: int | None, what: str, fix: str) -> ImportFailed:
    """An ImportFailed that points at ``path:line``."""
    where = f"{path}:{line}" if line is not None else str(path)
    return ImportFailed(f"{where}: {what}", fix)
