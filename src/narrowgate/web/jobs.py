"""Refresh jobs: evaluate a thesis in a worker thread and record the run, off the event loop.

Why one worker: two evaluations of the same store at once would only queue on the store's
write lock, and history must get each run whole; one thread keeps them in submission order
(a second refresh waits its turn, it never corrupts history). Reads by the server go on
meanwhile: the store's shared lock lets them through between the worker's short writes.
A job's state lives in memory (it is gone when the server stops; the run it recorded stays
in the store's history).
"""

from __future__ import annotations

import itertools
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Literal

from narrowgate.errors import NarrowgateError

JobStatus = Literal["queued", "running", "done", "failed"]


class UnknownJob(NarrowgateError):
    """A job id this server has not started (or started before a restart)."""


@dataclass
class RefreshJob:
    """One refresh: which thesis, as of which day, and how it went (times in UTC)."""

    job_id: int
    thesis_id: str
    as_of: date
    offline: bool
    submitted_at: datetime
    status: JobStatus = "queued"
    started_at: datetime | None = None
    finished_at: datetime | None = None
    run_id: int | None = None
    error: str | None = None
    warnings: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        def moment(value: datetime | None) -> str | None:
            return None if value is None else value.isoformat()

        return {"id": self.job_id, "thesis": self.thesis_id, "as_of": self.as_of.isoformat(),
                "offline": self.offline, "status": self.status,
                "submitted_at": moment(self.submitted_at), "started_at": moment(self.started_at),
                "finished_at": moment(self.finished_at), "run": self.run_id,
                "error": self.error, "warnings": list(self.warnings)}


class RefreshJobs:
    """The server's refresh queue: :meth:`submit` returns at once, one thread evaluates.

    ``offline``: never fetch (tests, air-gapped machines); otherwise each run fetches what
    the store lacks, like ``narrowgate run``.
    """

    def __init__(self, offline: bool) -> None:
        self.offline = offline
        self._jobs: dict[int, RefreshJob] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="narrowgate-refresh")

    def submit(self, thesis_id: str, path: Path, as_of: date) -> RefreshJob:
        """Queue an evaluation of the thesis file ``path`` as of ``as_of``."""
        with self._lock:
            job = RefreshJob(next(self._ids), thesis_id, as_of, self.offline,
                             datetime.now(UTC))
            self._jobs[job.job_id] = job
        self._pool.submit(self._run, job, path)
        return job

    def get(self, job_id: int) -> RefreshJob:
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None:
            raise UnknownJob(f"no refresh job {job_id} on this server",
                             "jobs live until the server stops; start one with "
                             "POST /api/theses/{id}/refresh")
        return job

    def shutdown(self) -> None:
        """Let a running evaluation finish, drop queued ones (the server is stopping)."""
        self._pool.shutdown(wait=True, cancel_futures=True)

    def _run(self, job: RefreshJob, path: Path) -> None:
        """Evaluate, then record (``record_run`` returns the new run's id; a store that
        cannot be written fails the job with its one-line reason)."""
        from narrowgate.api import record_run, run_thesis
        from narrowgate.thesis.loader import load_thesis

        job.status, job.started_at = "running", datetime.now(UTC)
        try:
            card = run_thesis(load_thesis(path), job.as_of, offline=job.offline)
            job.warnings = list(card.warnings)
            job.run_id = record_run(card, path)
            job.status = "done"
        except NarrowgateError as exc:
            job.error, job.status = str(exc).splitlines()[0], "failed"
        except Exception as exc:  # a bug in an evaluator must not kill the worker thread
            job.error, job.status = f"{type(exc).__name__}: {exc}".splitlines()[0], "failed"
        finally:
            job.finished_at = datetime.now(UTC)
