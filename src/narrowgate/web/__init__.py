"""``narrowgate serve``: an ASGI app (Starlette on uvicorn) over the store's recorded runs.

Layered like the CLI (``web → api/watch → evaluate/report → data``): pages and a JSON API
that read run history and the thesis library, and refresh jobs that evaluate in a worker
thread. Needs the ``serve`` extra (``pip install 'narrowgate[serve]'``); nothing here is
imported by ``narrowgate --help``.
"""
