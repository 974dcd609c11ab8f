"""Refresh jobs: evaluate a thesis in a worker thread and record the run, off the event loop.

Why one worker: two evaluations of the same store at once would only queue on the store's
write lock, and history must get each run whole; one thread keeps them in submission order
(a second refresh waits its turn, it never corrupts history). Reads by the server go on
meanwhile: the store's shared lock lets them through between the worker's short writes.

Why in the store (:mod:`narrowgate.data.jobs_sql`): a refresh asked for survives a restart.
A job is stored "queued" before ``POST …/refresh`` answers; it turns "done" in the
transaction that records its run. A server that starts (:meth:`RefreshJobs.start`) takes
over what a dead server left: a queued job is queued again here, a running one is marked
failed (its evaluation died with its process; nothing of it was recorded) — each with a
``note`` the API shows. Jobs of a server still alive on this machine are left alone.
"""

from __future__ import annotations

import os
import secrets
import socket
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime
from pathlib import Path

from narrowgate.data import jobs_sql
from narrowgate.data.jobs_sql import JobRow
from narrowgate.data.store import Store
from narrowgate.errors import NarrowgateError, StoreError

#: seconds a refresh request may wait for the store's write lock: an evaluation holds a
#: shared read lock while it runs (seconds offline, longer while it fetches), and the job
#: must be stored before the request is answered
SUBMIT_LOCK_S = 120.0
#: owners of the job queues alive in this process (a test may start several apps in turn)
_LIVE_OWNERS: set[str] = set()


class UnknownJob(NarrowgateError):
    """A job id the store does not hold."""


def _now() -> datetime:
    """Naive UTC, as the store keeps timestamps."""
    return datetime.now(UTC).replace(tzinfo=None)


def _moment(value: datetime | None) -> str | None:
    return None if value is None else value.replace(tzinfo=UTC).isoformat()


def job_json(job: JobRow) -> dict[str, object]:
    """A job as the API serves it (times ISO 8601 in UTC; ``note`` says what a server
    restart did to the job, null otherwise)."""
    return {"id": job.job_id, "thesis": job.thesis_id, "as_of": job.as_of.isoformat(),
            "offline": job.offline, "status": job.status,
            "submitted_at": _moment(job.submitted_at), "started_at": _moment(job.started_at),
            "finished_at": _moment(job.finished_at), "run": job.run_id, "error": job.error,
            "warnings": list(job.warnings), "note": job.note}


def owner_alive(owner: str) -> bool:
    """Whether the server named ``owner`` (``host:pid:token``) still runs: one of this
    process's live queues, or another process on this host that exists. A server on
    another host cannot be asked; a store is a local file, so it is taken as gone."""
    if owner in _LIVE_OWNERS:
        return True
    host, _, rest = owner.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid() or sys.platform == "win32":
        return False  # this process's own queue is in _LIVE_OWNERS while it lives
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    return True


class RefreshJobs:
    """The server's refresh queue: :meth:`submit` returns at once, one thread evaluates.

    ``offline``: never fetch (tests, air-gapped machines); otherwise each run fetches what
    the store lacks, like ``narrowgate run``. The store is ``NARROWGATE_HOME``'s, opened
    per use like every request's.
    """

    def __init__(self, offline: bool) -> None:
        self.offline = offline
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="narrowgate-refresh")
        _LIVE_OWNERS.add(self.owner)

    def start(self) -> list[JobRow]:
        """Take over the unfinished jobs of servers that are gone (see the module doc);
        returns them as they are now. A store that cannot be written is left as it is (the
        first refresh will say why)."""
        store = Store()
        with store.reading() as con:
            if con is None or not jobs_sql.has_jobs(con):
                return []
            left = [j for j in jobs_sql.select_jobs(con, unfinished=True)
                    if j.owner != self.owner and not owner_alive(j.owner)]
        if not left:
            return []
        at = _now()
        stamp = at.replace(microsecond=0).isoformat(sep=" ")
        try:
            with store.writing() as con:
                for job in left:
                    if job.status == "running":
                        jobs_sql.fail_abandoned(con, job.job_id, at, (
                            f"interrupted: the server running this job stopped before it "
                            f"finished (found by the server started {stamp} UTC); nothing "
                            f"was recorded — POST the refresh again (服务器中途停止,任务失败)"))
                    else:
                        jobs_sql.adopt(con, job.job_id, self.owner, (
                            f"re-queued by the server started {stamp} UTC: the one that "
                            f"queued it had stopped (服务器重启后重新排队)"))
        except StoreError as exc:
            print(f"narrowgate serve: warning: could not take over {len(left)} unfinished "
                  f"refresh job(s): {exc}", file=sys.stderr)
            return []
        for job in left:
            if job.status == "queued":
                self._pool.submit(self._run, job.job_id, Path(job.thesis_path), job.as_of)
        taken = [self.get(job.job_id) for job in left]
        for job in taken:
            print(f"narrowgate serve: refresh job {job.job_id} ({job.thesis_id}): "
                  f"{job.note}", file=sys.stderr)
        return taken

    def submit(self, thesis_id: str, path: Path, as_of: date) -> JobRow:
        """Store a job for the thesis file ``path`` as of ``as_of`` and queue it; raises
        StoreError when the store cannot be written (nothing is queued then)."""
        with Store(lock_timeout=SUBMIT_LOCK_S).writing() as con:
            job_id = jobs_sql.insert_job(con, thesis_id, str(path), as_of, self.offline,
                                         self.owner, _now())
        job = self.get(job_id)
        self._pool.submit(self._run, job_id, path, as_of)
        return job

    def get(self, job_id: int) -> JobRow:
        with Store().reading() as con:
            found = (jobs_sql.select_jobs(con, job_id=job_id)
                     if con is not None and jobs_sql.has_jobs(con) else [])
        if not found:
            raise UnknownJob(f"no refresh job {job_id} in this store",
                             "start one with POST /api/theses/{id}/refresh")
        return found[0]

    def shutdown(self) -> None:
        """Let a running evaluation finish; queued jobs stay queued in the store, and the
        next server to start runs them."""
        self._pool.shutdown(wait=True, cancel_futures=True)
        _LIVE_OWNERS.discard(self.owner)

    def _run(self, job_id: int, path: Path, as_of: date) -> None:
        """Evaluate, then record the run and finish the job in one transaction; a failure
        (bad thesis, missing data, a bug in an evaluator) fails the job with one line."""
        from narrowgate.api import run_thesis
        from narrowgate.data import history_sql
        from narrowgate.thesis.library import file_sha256
        from narrowgate.thesis.loader import load_thesis
        from narrowgate.watch.history import run_row

        store = Store()
        error: str | None
        try:
            with store.writing() as con:
                jobs_sql.mark_running(con, job_id, _now())
            card = run_thesis(load_thesis(path), as_of, offline=self.offline)
            row = run_row(card, file_sha256(path), path)
            with store.writing() as con:
                run_id = history_sql.insert_run(con, row, card.model_dump_json())
                jobs_sql.finish(con, job_id, _now(), run_id=run_id, error=None,
                                warnings=list(card.warnings))
            return
        except NarrowgateError as exc:
            error = str(exc).splitlines()[0]
        except Exception as exc:  # a bug in an evaluator must not kill the worker thread
            error = f"{type(exc).__name__}: {exc}".splitlines()[0]
        try:
            with store.writing() as con:
                jobs_sql.finish(con, job_id, _now(), run_id=None, error=error, warnings=[])
        except StoreError as exc:
            print(f"narrowgate serve: refresh job {job_id} failed ({error}) and the store "
                  f"could not be told: {exc}", file=sys.stderr)
