"""The scheduler: run a job kind at a given time, retry jobs without sleeping, and run periodic tasks.

`run_at(kind, *args, at=…)` and `run_in(kind, *args, seconds=…)` record a `BackgroundJob` due at that time.
With REDIS_URL it goes to RQ (`enqueue_at`) and runs on any `rq worker --with-scheduler`; otherwise this
process's scheduler runs it: one daemon thread per process holding a heap of due times (never a sleeping
thread per job or per retry), started lazily, which also looks in the database every SCHEDULER_POLL_SECONDS
for due in-process jobs that other processes recorded (another gunicorn worker, one that has exited).
Whichever process claims a due row first runs it (`app.jobs.execute`), so a job runs once however many
processes know about it.

`every(seconds, kind)` registers a periodic task (on import, by the module that owns it). Each period's run
is one job whose id derives from the kind and the period, so it is recorded once across processes and
hosts. The run of one period schedules the next (on RQ with `enqueue_at`, in-process on the heap), and every
process whose scheduler runs — it starts with the first request when periodic tasks exist — makes sure the
next one is scheduled, so the chain survives a lost Redis entry or a dead process.
"""

from __future__ import annotations

import heapq
import math
import os
import threading
import time
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from flask import Flask
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.context import current_app_object
from app.extensions import db
from app.jobs import KINDS, Outcome, record_job, run_in_app, submit
from app.models import BackgroundJob
from app.models.types import utcnow

PERIODIC: dict[str, int] = {}  # kind → period in seconds
PERIODIC_NAMESPACE = uuid.UUID("5f0d8f3e-2c1b-4b7a-9a0e-6c3f1d2b8e41")
_LOCK = threading.Lock()  # creating and starting schedulers


def _after_fork() -> None:
    """A forked child has none of its parent's threads; a lock held at the fork would never be released."""
    global _LOCK
    _LOCK = threading.Lock()


os.register_at_fork(after_in_child=_after_fork)


def every(seconds: int, kind: str) -> None:
    """Run job kind `kind` (without arguments) once every `seconds`, on whichever process or worker is free.

    Register it when a module that `create_app` imports is imported, so that web processes and RQ workers
    (which build the app for each job) all know it. Periods are counted from the epoch in UTC; a period
    nobody was up for is skipped, not caught up.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown job kind {kind!r}")
    if not isinstance(seconds, int) or seconds < 1:
        raise ValueError(f"a period is whole seconds ≥ 1, not {seconds!r}")
    PERIODIC[kind] = seconds


def run_at(
    kind: str,
    *args,
    at: datetime,
    target: tuple[str, object] | None = None,
    user_id: int | None = None,
    retry_delays: Sequence[int] = (),
) -> BackgroundJob:
    """Record job `kind(*args)` due at `at` (naive UTC, like every stored time) and schedule it."""
    job = record_job(kind, args, target=target, user_id=user_id, run_at=at, retry_delays=retry_delays)
    _schedule(job, at)
    return job


def run_in(kind: str, *args, seconds: float, **options) -> BackgroundJob:
    """`run_at` `seconds` from now."""
    return run_at(kind, *args, at=utcnow() + timedelta(seconds=seconds), **options)


def _schedule(job: BackgroundJob, at: datetime) -> None:
    """Hand job `job`, recorded as due at `at`, to RQ, or else to this process's scheduler."""
    if not submit(job):
        scheduler_for(current_app_object()).at(at, job.id)


def period_of(seconds: int, moment: datetime) -> int:
    """The number of the period of length `seconds` (counted from the epoch) that `moment` (naive UTC) falls in."""
    return int(moment.replace(tzinfo=UTC).timestamp()) // seconds


def period_start(seconds: int, period: int) -> datetime:
    return datetime.fromtimestamp(period * seconds, UTC).replace(tzinfo=None)


def periodic_job_id(kind: str, seconds: int, period: int) -> str:
    return str(uuid.uuid5(PERIODIC_NAMESPACE, f"{kind}/{seconds}/{period}"))


def schedule_next(kind: str, now: datetime | None = None) -> BackgroundJob | None:
    """Make sure the next period's run of periodic task `kind` is recorded and scheduled.

    Returns the job when this call recorded it, None when another process (or an earlier call) had.
    """
    seconds = PERIODIC[kind]
    period = period_of(seconds, now or utcnow()) + 1
    job_id, at = periodic_job_id(kind, seconds, period), period_start(seconds, period)
    existing = db.session.get(BackgroundJob, job_id)
    if existing is None:
        try:
            job = record_job(kind, (), run_at=at, job_id=job_id)
        except IntegrityError:  # recorded by another process in the meantime
            db.session.rollback()
            existing = db.session.get(BackgroundJob, job_id)
        else:
            _schedule(job, at)
            return job
    backend = existing.backend if existing is not None else None
    db.session.commit()  # end the read: on SQLite it may hold the write lock
    if backend == "thread":  # any process's scheduler may run it; this one wakes for it too
        scheduler_for(current_app_object()).at(at, job_id)
    return None


def follow_up(job_id: str, outcome: Outcome | None) -> None:
    """After a run: an in-process retry goes on this process's heap; a periodic task schedules its next run."""
    if outcome is None:
        return
    job = db.session.get(BackgroundJob, job_id)
    if job is None:  # the row is gone (deleted while it ran): nothing to follow up
        db.session.commit()
        return
    kind, backend = job.kind, job.backend
    db.session.commit()
    if outcome.status == "queued" and outcome.run_at is not None and backend == "thread":
        scheduler_for(current_app_object()).at(outcome.run_at, job_id)
    if kind in PERIODIC and outcome.status != "queued":
        schedule_next(kind)


class Scheduler:
    """One app's in-process scheduler in this process: a heap of (due time, job id) and one daemon thread."""

    def __init__(self, app: Flask):
        self.app = app
        self._due: list[tuple[datetime, str]] = []
        self._condition = threading.Condition()
        self._thread: threading.Thread | None = None
        self._pid: int | None = None
        self._stopped = False
        self._ensured: dict[str, int] = {}  # periodic kind → the period this process made sure of
        self._jobs: set[threading.Thread] = set()  # the job threads it started that may still run

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive() and self._pid == os.getpid()

    def at(self, when: datetime, job_id: str) -> None:
        """Run job `job_id` when `when` (naive UTC) has come, if no other process has claimed it by then.

        A stopped scheduler keeps the time but stays stopped (a job that ends after `stop` schedules its
        follow-up here): only `start` starts it again."""
        with self._condition:
            heapq.heappush(self._due, (when, job_id))
            self._condition.notify()
            stopped = self._stopped
        if not stopped:
            self.start()

    def start(self) -> None:
        """Start the thread unless it runs in this process (after a fork it does not: start a new one)."""
        if self.running:
            return
        with _LOCK:
            if self.running:
                return
            if self._pid is not None and self._pid != os.getpid():  # forked: a fresh lock, nothing ensured yet
                self._condition, self._ensured, self._jobs = threading.Condition(), {}, set()
            self._pid, self._stopped = os.getpid(), False
            self._thread = threading.Thread(target=self._loop, daemon=True, name="scheduler")
            self._thread.start()

    def stop(self, timeout: float = 10) -> None:
        """Stop the thread, then wait (up to `timeout` seconds in all) for the jobs it started to end."""
        deadline = time.monotonic() + timeout
        with self._condition:
            self._stopped = True
            self._condition.notify()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=timeout)
        for job in list(self._jobs):
            if job is not threading.current_thread():
                job.join(timeout=max(0.0, deadline - time.monotonic()))

    def _loop(self) -> None:
        poll = float(self.app.config.get("SCHEDULER_POLL_SECONDS", 30))
        next_poll = time.monotonic()
        while True:
            with self._condition:
                while not self._stopped:
                    wait = min(next_poll - time.monotonic(), self._seconds_to_first_due())
                    if wait <= 0:
                        break
                    self._condition.wait(wait)
                if self._stopped:
                    return
                due = self._pop_due(utcnow())
            polling = time.monotonic() >= next_poll
            if polling:
                next_poll = time.monotonic() + poll
            self._run(due, polling)

    def _seconds_to_first_due(self) -> float:
        if not self._due:
            return math.inf
        return (self._due[0][0] - utcnow()).total_seconds()

    def _pop_due(self, now: datetime) -> list[str]:
        due = []
        while self._due and self._due[0][0] <= now:
            due.append(heapq.heappop(self._due)[1])
        return due

    def _run(self, due: list[str], polling: bool) -> None:
        """Start each due job in a thread of its own (its claim decides whether it runs here)."""
        with self.app.app_context():
            try:
                if polling:
                    due = due + self._due_in_database()
                    for kind, seconds in list(PERIODIC.items()) if periodic_enabled(self.app) else ():
                        self._ensure_periodic(kind, seconds)
            except Exception:  # a database that is busy or down only delays the next look
                self.app.logger.exception("scheduler: looking for due jobs failed")
            finally:
                db.session.remove()
        self._jobs = {job for job in self._jobs if job.is_alive()}
        for job_id in dict.fromkeys(due):
            job = threading.Thread(target=run_in_app, args=(self.app, job_id), daemon=True, name=f"job-{job_id}")
            self._jobs.add(job)
            job.start()

    def _due_in_database(self) -> list[str]:
        """Due in-process jobs, whichever process recorded them."""
        return list(
            db.session.execute(
                select(BackgroundJob.id)
                .where(
                    BackgroundJob.status == "queued",
                    BackgroundJob.backend == "thread",
                    BackgroundJob.run_at.is_not(None),
                    BackgroundJob.run_at <= utcnow(),
                )
                .order_by(BackgroundJob.run_at)
                .limit(100)
            ).scalars()
        )

    def _ensure_periodic(self, kind: str, seconds: int) -> None:
        period = period_of(seconds, utcnow()) + 1
        if self._ensured.get(kind) != period:
            schedule_next(kind)
            self._ensured[kind] = period


def scheduler_for(app: Flask) -> Scheduler:
    """The app's scheduler in this process (created on first use; its thread starts when it is needed)."""
    with _LOCK:
        scheduler = app.extensions.get("scheduler")
        if scheduler is None:
            scheduler = app.extensions["scheduler"] = Scheduler(app)
    return scheduler


def stop(app: Flask) -> None:
    """Stop the app's scheduler thread, if it has one (tests, shutdown)."""
    scheduler = app.extensions.get("scheduler")
    if scheduler is not None:
        scheduler.stop()


def periodic_enabled(app: Flask) -> bool:
    """SCHEDULER_PERIODIC off (the tests' default) keeps periodic tasks from starting by themselves."""
    return bool(app.config.get("SCHEDULER_PERIODIC", True))


def init_app(app: Flask) -> None:
    @app.before_request
    def start_scheduler_for_periodic_tasks():
        if PERIODIC and periodic_enabled(app):
            scheduler_for(app).start()
