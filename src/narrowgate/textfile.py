"""Reading a user's text file without hanging or exhausting memory.

Why one helper: a path on the command line or in a thesis param can name a device
(``/dev/zero``), a FIFO or a huge file; ``Path.read_text`` would then block or read without
bound. Only regular files up to ``limit`` bytes are read; anything else is one clear
error for the caller to word.
"""

from __future__ import annotations

import stat
from pathlib import Path

#: default ceiling for files a user points narrowgate at (CSV lists, theses), bytes
DEFAULT_LIMIT = 50 * 1024 * 1024


class UnreadableFile(ValueError):
    """The path is no regular file, is too big, or cannot be read; ``str()`` says which."""


def read_text_file(path: Path, *, limit: int = DEFAULT_LIMIT, encoding: str = "utf-8") -> str:
    """The text of a regular file of at most ``limit`` bytes (checked before reading)."""
    raw = read_file_bytes(path, limit=limit)
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as exc:
        raise UnreadableFile(f"not {encoding} text (byte {exc.start})") from None


def read_file_bytes(path: Path, *, limit: int = DEFAULT_LIMIT) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes (checked before reading)."""
    try:
        info = path.stat()
    except OSError as exc:
        raise UnreadableFile(exc.strerror or str(exc)) from None
    if not stat.S_ISREG(info.st_mode):
        raise UnreadableFile("not a regular file (a device, pipe or folder)")
    if info.st_size > limit:
        raise UnreadableFile(f"{info.st_size:,} bytes, more than the {limit:,} read at most")
    try:
        with path.open("rb") as handle:
            raw = handle.read(limit + 1)
    except OSError as exc:
        raise UnreadableFile(exc.strerror or str(exc)) from None
    if len(raw) > limit:  # grew while we looked
        raise UnreadableFile(f"more than the {limit:,} bytes read at most")
    return raw
