"""Writing the scorecard: scorecard.json, atomically.

The result type itself lives in :mod:`narrowgate.evaluate.scorecard`.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from narrowgate.evaluate.scorecard import Scorecard


def write_atomic(path: Path, text: str) -> None:
    """Write via a temp file and rename, so a crash never leaves a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; a report is meant to be shared
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_scorecard_json(scorecard: Scorecard, path: Path) -> Path:
    write_atomic(path, json.dumps(scorecard.to_json_dict(), ensure_ascii=False, indent=2))
    return path
