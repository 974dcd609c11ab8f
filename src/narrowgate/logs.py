"""How loud narrowgate is: one switch (``-v``/``-q``) through the standard ``logging``.

Why: provider libraries (yfinance, urllib3, httpx, akshare's dependencies, Dask) log on
their own and used to leak lines to stderr in the middle of a table. By default only
narrowgate's warnings show and other libraries' loggers are quiet unless they fail
(errors); ``-v`` adds narrowgate's progress notes (what is fetched, from where), ``-vv``
everything at debug level including other libraries'; ``-q`` shows errors only.
"""

from __future__ import annotations

import logging

#: third-party loggers kept quiet unless -vv
THIRD_PARTY = ("yfinance", "urllib3", "httpx", "httpcore", "peewee", "numba", "distributed",
               "asyncio", "matplotlib", "akshare", "fsspec", "py.warnings")


def configure(verbosity: int) -> None:
    """``verbosity``: −1 quiet, 0 default, 1 verbose, 2+ debug (also other libraries)."""
    level = {-1: logging.ERROR, 0: logging.WARNING, 1: logging.INFO}.get(verbosity,
                                                                         logging.DEBUG)
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in THIRD_PARTY:
        logging.getLogger(name).setLevel(logging.DEBUG if verbosity >= 2 else logging.ERROR)
