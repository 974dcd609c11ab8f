"""Sweeps spread over a Dask distributed cluster: the variant axis cut into chunks, each
chunk one kernel call on a worker.

``scheduler`` is a scheduler address (``tcp://host:8786``) or ``"local"`` for a
:class:`distributed.LocalCluster` on this machine (one single-threaded worker process per
core, listening on 127.0.0.1 only, closed when the sweep ends). Inputs every chunk shares
(prices, instruments, costs) are scattered to the workers once; each task runs numba with
one thread, since the cluster already runs one task per core. Variants are independent and
each chunk runs the same kernel as the single-process path, so the equity paths are
bitwise those of the single-process run.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from distributed import Client

ChunkFn = Callable[..., tuple[np.ndarray, np.ndarray]]
LOCAL = "local"


@contextmanager
def dask_client(scheduler: str) -> Iterator[Client]:
    """A client on ``scheduler`` (an address, or ``"local"`` for a LocalCluster on
    127.0.0.1 that lives as long as the context)."""
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:  # the core install leaves Dask out
        from narrowgate.backtest.api import BacktestError

        raise BacktestError("a distributed sweep needs dask.distributed, which is not "
                            "installed", "pip install 'narrowgate[dask]'") from exc
    if scheduler == LOCAL:
        workers = max(1, os.cpu_count() or 1)
        with LocalCluster(n_workers=workers, threads_per_worker=1, host="127.0.0.1",
                          dashboard_address="127.0.0.1:0", processes=True) as cluster, \
                Client(cluster) as client:
            yield client
    else:
        with Client(scheduler) as client:
            yield client


def _task(fn: ChunkFn, shared: Sequence[Any], chunk: Sequence[Any],
          kwargs: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    """One chunk on a worker: numba on one thread (the setting is per thread)."""
    import numba

    numba.set_num_threads(1)
    return fn(*shared, *chunk, **kwargs)


def run_chunked(fn: ChunkFn, shared: Sequence[Any], per_variant: Sequence[np.ndarray],
                kwargs: dict[str, Any], scheduler: str,
                chunk_size: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """``fn(*shared, *per_variant_chunk, **kwargs)`` over chunks of the variant axis (axis 0
    of every ``per_variant`` array) on the cluster; the (equity K×T, status K×3) results,
    concatenated in variant order. ``chunk_size`` defaults to about four chunks per worker.
    """
    n = per_variant[0].shape[0]
    with dask_client(scheduler) as client:
        if chunk_size is None:
            workers = max(1, len(client.scheduler_info().get("workers", {})))
            chunk_size = max(1, math.ceil(n / (4 * workers)))
        shared_f = client.scatter(list(shared), broadcast=True)
        futures = []
        for lo in range(0, n, chunk_size):
            chunk = [a[lo:lo + chunk_size] for a in per_variant]
            futures.append(client.submit(_task, fn, shared_f, chunk, kwargs, pure=False))
        parts = client.gather(futures)
    equity = np.concatenate([p[0] for p in parts], axis=0)
    status = np.concatenate([p[1] for p in parts], axis=0)
    return equity, status
