"""Compiled report templates kept between runs (jinja2's bytecode cache).

Why: jinja2 compiles ``report.html.j2`` to Python on every run — about 0.1 s of a
``narrowgate run`` on a 2-core machine — while loading the compiled code back takes about
1 ms. The cache lives in jinja2's own per-user temporary folder (created 0700, refused if
another user owns it). jinja2 checks the template source's checksum on every load, so an
edited template is compiled again; the file name also carries the jinja2 version and a
fingerprint of the lexer options (``trim_blocks`` …), which change the compiled code
without changing the source. No cache (every run compiles) when the folder cannot be
made safe: the report is the same either way, only slower.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import jinja2


def template_bytecode_cache(options: Mapping[str, bool | str]) -> jinja2.BytecodeCache | None:
    """A file bytecode cache for templates compiled with the environment ``options``
    (the jinja2.Environment keyword arguments that shape the compiled code), or None
    when no safe folder is available."""
    import jinja2

    described = ";".join(f"{k}={v!r}" for k, v in sorted(options.items()))
    fingerprint = hashlib.sha256(
        f"jinja2 {jinja2.__version__};{described}".encode()).hexdigest()[:16]
    try:
        return jinja2.FileSystemBytecodeCache(pattern=f"narrowgate-{fingerprint}-%s.cache")
    except (OSError, RuntimeError):  # RuntimeError: jinja2 found no safe temporary folder
        return None
