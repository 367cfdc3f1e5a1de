"""Background jobs: on RQ when REDIS_URL is set, otherwise in a thread of the app process.

Every job is a `BackgroundJob` row, written before the work is queued, so its status and error show on
the page that started it whichever host runs it. `execute` is the one runner (RQ workers call it through
`run_job`): it claims the row (queued → running, once), beats a heartbeat while the job function runs, and
records success or the error. A job whose process dies cannot record anything, so `check_liveness` marks it
failed when RQ reports its work-horse dead, or when its heartbeat has stopped, and tells the object it
worked for (a theme run, a webhook delivery) through the kind's `on_failure` function.

A job function that raises `RetryLater` is tried again after the job's next retry delay, never by sleeping:
on RQ by RQ's own `Retry` (run by `rq worker --with-scheduler`), in-process by `app.scheduler`, which also
runs jobs at a given time and periodic tasks.
"""

from __future__ import annotations

import contextvars
import importlib
import threading
import traceback
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from flask import Flask, current_app, has_app_context
from flask_babel import lazy_gettext as _l
from sqlalchemy import CursorResult, or_, select, update

from app.context import current_app_object
from app.extensions import db
from app.models import BackgroundJob
from app.models.types import utcnow
from app.sqlite import write_transaction

QUEUE = "changepulse"
STATES = ("queued", "running", "succeeded", "failed")  # of a job, and of what it works on (a theme run)
ACTIVE = STATES[:2]
STATE_LABELS = {"queued": _l("排队中"), "running": _l("进行中"), "succeeded": _l("已完成"), "failed": _l("失败")}
STAGE_LABELS = {  # what a job's page says it is doing (theme runs, refreshes, exports)
    "queued": _l("排队中"),
    "load": _l("读取评论"),
    "normalise": _l("清洗文本"),
    "tokenise": _l("分词"),
    "vectorise": _l("计算文本特征"),
    "cluster": _l("聚类"),
    "label": _l("提取关键词"),
    "assign": _l("归入已有主题"),
    "build": _l("生成文件"),
    "store": _l("保存结果"),
    "done": _l("已完成"),
}


def state_label(status: str) -> str:
    """A job's (or theme run's) state in the reader's language."""
    return str(STATE_LABELS.get(status, status))


def stage_label(stage: str | None) -> str:
    """A job stage in the reader's language; an unknown stage (a newer job kind's) as it is."""
    return str(STAGE_LABELS.get(stage, stage or "")) if stage else ""


@dataclass(frozen=True)
class JobKind:
    """What a kind of job runs, and who is told (with the message and the job's args) when it fails."""

    function: str
    on_failure: str | None = None
    timeout: int = 3600


KINDS: dict[str, JobKind] = {
    "theme_run": JobKind("app.themes.runs:execute_run", "app.themes.runs:fail_run"),
    "export": JobKind("app.results.export:build_export"),
    "webhook": JobKind("app.committee.notify:deliver", "app.committee.notify:fail_delivery", timeout=300),
    "delivery": JobKind("app.delivery.service:run_delivery", timeout=6 * 3600),
    "remind_due": JobKind("app.delivery.service:run_remind_due", timeout=3600),
    "campaign_schedule": JobKind("app.campaigns.repeat:run_schedule", timeout=600),
    "digest_due": JobKind("app.delivery.digest:run_digest_due", timeout=3600),
}


class JobFailed(Exception):
    """Raised by a job function for a failure it has already recorded; the message is shown as is."""


class RetryLater(Exception):
    """Raised by a job function for an attempt that failed but may succeed later (it has recorded the
    attempt). The job is tried again after its next retry delay; with none left it fails with this message
    and the kind's on_failure is told."""


@dataclass(frozen=True)
class Outcome:
    """How one run of a job ended: 'succeeded', 'failed', or 'queued' again for an attempt at `run_at`."""

    status: str
    run_at: datetime | None = None
    message: str | None = None


_current_job: contextvars.ContextVar[str | None] = contextvars.ContextVar("current_job", default=None)


def current_job_id() -> str | None:
    """The id of the job whose function is running in this context (None outside a job)."""
    return _current_job.get()


def enqueue(
    kind: str,
    *args,
    target: tuple[str, object] | None = None,
    user_id: int | None = None,
    retry_delays: Sequence[int] = (),
) -> BackgroundJob:
    """Record a job and start it now: on RQ when REDIS_URL is set and reachable, otherwise in a thread.
    `retry_delays`: seconds before each further attempt when the job function raises RetryLater."""
    job = record_job(kind, args, target=target, user_id=user_id, retry_delays=retry_delays)
    if not submit(job):
        app = current_app_object()
        threading.Thread(target=run_in_app, args=(app, job.id), daemon=True, name=f"job-{job.id}").start()
    return job


def record_job(
    kind: str,
    args: Sequence,
    *,
    target: tuple[str, object] | None = None,
    user_id: int | None = None,
    run_at: datetime | None = None,
    retry_delays: Sequence[int] = (),
    job_id: str | None = None,
) -> BackgroundJob:
    """The job's row, committed, with the backend it is meant for (RQ when REDIS_URL is set)."""
    if kind not in KINDS:
        raise ValueError(f"unknown job kind {kind!r}")
    if any(not isinstance(delay, int) or delay < 0 for delay in retry_delays):
        raise ValueError(f"retry delays must be whole seconds ≥ 0, not {list(retry_delays)!r}")
    job = BackgroundJob(
        id=job_id or str(uuid.uuid4()),
        kind=kind,
        args=list(args),
        status="queued",
        backend="rq" if current_app.config.get("REDIS_URL") else "thread",
        created_by_id=user_id,
        target_type=target[0] if target else None,
        target_id=str(target[1]) if target else None,
        run_at=run_at,
        retry_delays=list(retry_delays) or None,
    )
    db.session.add(job)
    db.session.commit()
    return job


def submit(job: BackgroundJob) -> bool:
    """Hand a recorded job to RQ (at its `run_at`, if any); False when it must run in this process instead
    (no REDIS_URL, or Redis unreachable: then the row's backend says 'thread')."""
    app = current_app_object()
    redis_url = app.config.get("REDIS_URL")
    if job.backend != "rq" or not redis_url:
        return False
    from redis.exceptions import RedisError
    from rq import Retry

    options = {"job_id": job.id, "job_timeout": KINDS[job.kind].timeout, "failure_ttl": 7 * 24 * 3600}
    if job.retry_delays:
        options["retry"] = Retry(max=len(job.retry_delays), interval=list(job.retry_delays))
    try:
        queue = _queue(redis_url)
        if job.run_at is None:
            queue.enqueue("app.jobs.run_job", job.id, **options)
        else:
            queue.enqueue_at(job.run_at.replace(tzinfo=UTC), "app.jobs.run_job", job.id, **options)
        return True
    except RedisError as exc:  # Redis down: the work is not lost, it runs here instead
        app.logger.warning("Redis unavailable (%s); running %s job %s in-process", exc, job.kind, job.id)
        job.backend = "thread"
        db.session.commit()
        return False


def _queue(redis_url: str):
    from redis import Redis
    from rq import Queue

    return Queue(QUEUE, connection=Redis.from_url(redis_url, socket_connect_timeout=2, socket_timeout=5))


def _resolve(function_path: str):
    module, name = function_path.split(":")
    return getattr(importlib.import_module(module), name)


def run_in_app(app: Flask, job_id: str, dispose: bool = False) -> Outcome | None:
    """Run a job in `app`, then let the scheduler follow it up (an in-process retry, a periodic task's next run)."""
    from app.scheduler import follow_up

    with app.app_context():
        try:
            outcome = execute(job_id)
            follow_up(job_id, outcome)
            return outcome
        finally:
            db.session.remove()
            if dispose:
                db.engine.dispose()


def run_job(job_id: str) -> None:
    """Entry point for RQ workers: runs the job in the current app, or in one built from the environment.

    An attempt to be retried raises RetryLater, so that RQ schedules the next one (the job's `Retry`)."""
    if has_app_context():
        from app.scheduler import follow_up

        outcome = execute(job_id)
        follow_up(job_id, outcome)
    else:
        from app import create_app

        outcome = run_in_app(create_app(), job_id, dispose=True)
    if outcome is not None and outcome.status == "queued":
        raise RetryLater(outcome.message)


def execute(job_id: str) -> Outcome | None:
    """Claim a queued job that is due, run its function with a heartbeat, record the outcome. Never raises;
    None when the job was not claimed (run already, by another process, or not due yet)."""
    session = db.session
    now = utcnow()
    # an UPDATE's result is a CursorResult (with rowcount); SQLAlchemy types Session.execute as Result
    claimed = cast(
        "CursorResult[Any]",
        session.execute(
            update(BackgroundJob)
            .where(
                BackgroundJob.id == job_id,
                BackgroundJob.status == "queued",
                # RQ decides when its jobs are due; an in-process one is not run before its time
                or_(BackgroundJob.run_at.is_(None), BackgroundJob.run_at <= now, BackgroundJob.backend == "rq"),
            )
            .values(status="running", started_at=now, heartbeat_at=now, attempts=BackgroundJob.attempts + 1)
        ),
    ).rowcount
    session.commit()
    if not claimed:  # already run, marked failed meanwhile, or not due: a job runs at most once per attempt
        return None
    job = session.get_one(BackgroundJob, job_id)  # the row just claimed
    kind, args = KINDS.get(job.kind), list(job.args)
    session.commit()  # on SQLite an open transaction would hold the write lock (and stop the heartbeat)
    heartbeat = _Heartbeat(current_app_object(), job_id)
    heartbeat.start()
    token = _current_job.set(job_id)
    try:
        if kind is None:
            raise JobFailed(f"未知的任务类型“{job.kind}”")
        result = _resolve(kind.function)(*args)
    except JobFailed as exc:
        session.rollback()
        _finish(session, job_id, "failed", error=str(exc))
        return Outcome("failed", message=str(exc))
    except RetryLater as exc:
        session.rollback()
        return _retry_or_fail(session, job_id, str(exc))
    except Exception as exc:  # the job records any failure; the process that runs it carries on
        session.rollback()
        current_app.logger.error("job %s failed\n%s", job_id, traceback.format_exc())
        message = f"任务出错：{type(exc).__name__}: {exc}"[:2000]
        _finish(session, job_id, "failed", error=message)
        _tell_failure(job_id, message)
        return Outcome("failed", message=message)
    else:
        session.commit()
        _finish(session, job_id, "succeeded", result=result if isinstance(result, dict) else None)
        return Outcome("succeeded")
    finally:
        _current_job.reset(token)
        heartbeat.stop()


def _retry_or_fail(session, job_id: str, message: str) -> Outcome:
    """After a failed attempt: queued again for `retry_delays[attempts - 1]` seconds on, or failed when the
    delays are used up (and the kind's on_failure told)."""
    job = session.get(BackgroundJob, job_id)
    delays = job.retry_delays or []
    if job.attempts > len(delays):
        message = f"{message}（已尝试 {job.attempts} 次，不再重试）"[:2000]
        _finish(session, job_id, "failed", error=message)
        _tell_failure(job_id, message)
        return Outcome("failed", message=message)
    delay = delays[job.attempts - 1]
    job.status, job.run_at = "queued", utcnow() + timedelta(seconds=delay)
    job.error = f"{message}（第 {job.attempts} 次尝试失败，{delay} 秒后重试）"[:2000]
    session.commit()
    return Outcome("queued", run_at=job.run_at, message=job.error)


def _finish(session, job_id: str, status: str, error: str | None = None, result: dict | None = None) -> None:
    job = session.get(BackgroundJob, job_id)
    job.status, job.error, job.finished_at = status, error, utcnow()
    if result is not None:
        job.result = result
    if status == "succeeded":
        job.progress = 100
    session.commit()


def report_progress(stage: str, percent: int) -> None:
    """Called by a job function: the stage and percentage its page shows (commits the job's session)."""
    job_id = current_job_id()
    if job_id is None:
        return
    job = db.session.get_one(BackgroundJob, job_id)
    job.stage, job.progress = stage, max(0, min(100, int(percent)))
    db.session.commit()


class _Heartbeat:
    """Writes heartbeat_at every JOB_HEARTBEAT_SECONDS from its own connection while a job runs."""

    def __init__(self, app: Flask, job_id: str):
        self.app, self.job_id = app, job_id
        self.interval = float(app.config.get("JOB_HEARTBEAT_SECONDS", 10))
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._beat, daemon=True, name=f"heartbeat-{job_id}")

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.stopped.set()
        self.thread.join(timeout=5)

    def _beat(self) -> None:
        with self.app.app_context():
            engine = db.engine
            while not self.stopped.wait(self.interval):
                try:
                    with engine.begin() as connection:
                        connection.execute(
                            update(BackgroundJob)
                            .where(BackgroundJob.id == self.job_id, BackgroundJob.status == "running")
                            .values(heartbeat_at=utcnow())
                        )
                except Exception as exc:  # a busy or unreachable database only delays the next beat
                    self.app.logger.warning("heartbeat of job %s not written: %s", self.job_id, exc)


def _tell_failure(job_id: str, message: str) -> None:
    """Run the kind's on_failure(message, *args) so the object the job worked for shows the failure."""
    job = db.session.get_one(BackgroundJob, job_id)
    kind = KINDS.get(job.kind)
    if kind is None or kind.on_failure is None:
        return
    args = list(job.args)
    try:
        with write_transaction(db.session):
            _resolve(kind.on_failure)(message, *args)
    except Exception:  # the job row already says failed; the owner's page falls back to it
        current_app.logger.error("on_failure of job %s failed\n%s", job_id, traceback.format_exc())


def check_liveness(session, job: BackgroundJob) -> BackgroundJob:
    """Mark a queued or running job failed if the process that runs it is gone; returns the job.

    RQ: a job RQ has failed or stopped (its work-horse was killed, it timed out) or lost from the queue, and
    a scheduled one still waiting long after it was due (no worker runs RQ's scheduler). Any backend: a
    running job without a heartbeat for JOB_STALE_SECONDS, and an in-process job that did not start within
    that time of being due (the process that should have run it exited, and no other one's scheduler took it).
    """
    if job.status not in ACTIVE:
        return job
    stale_after = timedelta(seconds=float(current_app.config.get("JOB_STALE_SECONDS", 120)))
    now = utcnow()
    due = job.run_at or job.created_at
    reason = None
    if job.backend == "rq":
        state, detail = _rq_state(job.id)
        if state in ("failed", "stopped", "canceled"):
            reason = f"执行任务的后台进程中止了它：{detail or state}"
        elif state == "missing" and now - due > stale_after:
            reason = "任务已不在队列中（Redis 数据可能已被清除），请重新开始"
        elif state == "scheduled" and now - due > stale_after:
            reason = "任务已到预定时间却没有执行：请以 rq worker --with-scheduler 启动后台进程"
    if (
        reason is None
        and job.status == "running"
        and now - (job.heartbeat_at or job.started_at or job.created_at) > stale_after
    ):
        reason = f"后台任务超过 {int(stale_after.total_seconds())} 秒没有响应，执行它的进程可能已意外退出，请重新开始"
    if reason is None and job.status == "queued" and job.backend == "thread" and now - due > stale_after:
        reason = "任务未能开始（启动它的进程已退出），请重新开始"
    if reason is None:
        return job
    with write_transaction(session):  # may run inside a page read: take SQLite's write lock up front
        marked = session.execute(
            update(BackgroundJob)
            .where(BackgroundJob.id == job.id, BackgroundJob.status.in_(ACTIVE))
            .values(status="failed", error=reason, finished_at=now)
        ).rowcount
    if marked:
        _tell_failure(job.id, reason)
    session.refresh(job)
    return job


def _rq_state(job_id: str) -> tuple[str, str | None]:
    """RQ's view of a job: ('failed', why), ('missing', None), ('unknown', None) when Redis is down, …"""
    from redis.exceptions import RedisError
    from rq.exceptions import NoSuchJobError
    from rq.job import Job

    redis_url = current_app.config.get("REDIS_URL")
    if not redis_url:
        return "unknown", None
    try:
        rq_job = Job.fetch(job_id, connection=_queue(redis_url).connection)
        status = rq_job.get_status()
        detail = None
        if status in ("failed", "stopped", "canceled"):
            latest = rq_job.latest_result()
            text = (latest.exc_string if latest is not None else None) or rq_job.exc_info or ""
            detail = text.strip().splitlines()[-1][:300] if text.strip() else None
        return str(getattr(status, "value", status)), detail
    except NoSuchJobError:
        return "missing", None
    except RedisError:
        return "unknown", None


def active_jobs(session, target_type: str | None = None, target_id=None) -> list[BackgroundJob]:
    query = select(BackgroundJob).where(BackgroundJob.status.in_(ACTIVE)).order_by(BackgroundJob.created_at)
    if target_type is not None:
        query = query.where(BackgroundJob.target_type == target_type)
    if target_id is not None:
        query = query.where(BackgroundJob.target_id == str(target_id))
    return list(session.execute(query).scalars())


def check_all(session, target_type: str | None = None, target_id=None) -> list[BackgroundJob]:
    """check_liveness for every active job (of one target); returns the jobs it marked failed."""
    failed = []
    for job in active_jobs(session, target_type, target_id):
        if check_liveness(session, job).status == "failed":
            failed.append(job)
    return failed


def jobs_for(session, target_type: str, target_id, kind: str | None = None, limit: int = 10) -> list[BackgroundJob]:
    """The latest jobs started for one object, newest first, after a liveness check of the active ones."""
    check_all(session, target_type, target_id)
    query = (
        select(BackgroundJob)
        .where(BackgroundJob.target_type == target_type, BackgroundJob.target_id == str(target_id))
        .order_by(BackgroundJob.created_at.desc())
        .limit(limit)
    )
    if kind is not None:
        query = query.where(BackgroundJob.kind == kind)
    return list(session.execute(query).scalars())


def job_dict(job: BackgroundJob) -> dict:
    return {
        "id": job.id,
        "kind": job.kind,
        "status": job.status,
        "status_label": state_label(job.status),
        "stage": job.stage,
        "stage_label": stage_label(job.stage),
        "progress": job.progress,
        "error": job.error,
        "backend": job.backend,
        "attempts": job.attempts,
        "run_at": job.run_at.isoformat() if job.run_at else None,
        "created_at": job.created_at.isoformat() if job.created_at else None,
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
    }


def init_app(app: Flask) -> None:
    """Templates ask the job states from here: `job_active` (still to finish), `job_state_labels` and
    `stage_label`; and the scheduler starts with the first request of a process that has periodic tasks."""
    from app import scheduler

    app.jinja_env.globals.update(job_active=ACTIVE, job_state_labels=STATE_LABELS, stage_label=stage_label)
    scheduler.init_app(app)
