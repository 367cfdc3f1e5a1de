"""The scheduler on a real Redis with real `rq worker --with-scheduler` processes: webhook retries through
RQ's Retry, and a periodic task chained on RQ's scheduler."""

import os
import signal
import subprocess
import sys
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from rq.job import Job
from sqlalchemy import select

from app import scheduler
from app.committee.notify import queue_notification
from app.committee.service import create_suggestion
from app.extensions import db
from app.jobs import KINDS, JobKind, _queue, check_liveness
from app.models import BackgroundJob, WebhookDelivery
from app.models.types import utcnow
from app.scheduler import every, schedule_next
from tests.servers import VENV_BIN, WebhookRobot, wait_until

ROOT = Path(__file__).resolve().parents[2]


@contextmanager
def worker(command: list[str], app, **env):
    """A worker process on the test's database until the block ends (stopped as systemd would, by SIGTERM)."""
    db.session.commit()
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env={
            **os.environ,
            "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
            "CHANGEPULSE_CONFIG": "development",
            **env,
        },
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def stored(model, ident):
    db.session.rollback()
    row = db.session.get(model, ident)
    db.session.refresh(row)
    db.session.expunge(row)
    db.session.rollback()
    return row


def test_webhook_retries_through_rqs_retry_on_a_real_worker_with_scheduler(app, redis_url):
    app.config.update(REDIS_URL=redis_url, NOTIFY_RETRY_SECONDS=(1, 1))
    with WebhookRobot(failures=2) as robot:
        app.config["NOTIFY_WEBHOOK_URL"] = robot.url
        suggestion = create_suggestion(db.session, "审批流程太长", "说明", "other")
        db.session.commit()
        delivery = queue_notification(suggestion, "submitted", "under_review", None)
        job = db.session.execute(select(BackgroundJob).where(BackgroundJob.kind == "webhook")).scalar_one()
        assert job.backend == "rq"
        command = [str(VENV_BIN / "rq"), "worker", "changepulse", "--with-scheduler", "--url", redis_url]
        with worker(command, app, NOTIFY_WEBHOOK_URL=robot.url) as process:
            wait_until(lambda: stored(WebhookDelivery, delivery.id).status == "delivered", 60, "the delivery")
            assert process.poll() is None, process.stderr.read()
        assert stored(WebhookDelivery, delivery.id).attempts == 3 and len(robot.received) == 3
    done = stored(BackgroundJob, job.id)
    assert (done.status, done.attempts, done.error) == ("succeeded", 3, None)
    rq_job = Job.fetch(job.id, connection=_queue(redis_url).connection)
    assert rq_job.retries_left == 0  # both retries were RQ's own


def test_a_periodic_task_chains_on_rqs_scheduler(app, redis_url, monkeypatch):
    app.config["REDIS_URL"] = redis_url
    monkeypatch.setitem(KINDS, "test.record", JobKind("tests.web.job_functions:record_call"))
    monkeypatch.setattr(scheduler, "PERIODIC", {})
    every(1, "test.record")
    first = schedule_next("test.record")  # what any web process's scheduler does once periodic tasks exist
    assert first is not None and first.backend == "rq" and schedule_next("test.record") is None
    command = [sys.executable, "-m", "tests.integration.rq_worker", redis_url, "--with-scheduler"]
    with worker(command + ["--every", "test.record=1"], app, REDIS_URL=redis_url) as process:

        def runs():
            db.session.rollback()
            rows = db.session.execute(
                select(BackgroundJob).where(BackgroundJob.kind == "test.record", BackgroundJob.status == "succeeded")
            ).scalars()
            done = sorted(rows, key=lambda job: job.run_at)
            db.session.rollback()
            return done

        wait_until(lambda: len(runs()) >= 3, 60, "three periods run by the worker")
        assert process.poll() is None, process.stderr.read()
    done = runs()
    assert done[0].id == first.id and len({job.run_at for job in done}) == len(done)
    assert all(job.backend == "rq" and job.result == {"seen": []} for job in done)


def test_a_retry_that_no_worker_with_scheduler_runs_is_reported(app, redis_url):
    """RQ keeps a retry in its scheduled registry until a worker runs RQ's scheduler; the page says what is missing."""
    unreachable = "http://127.0.0.1:9/robot/send"
    app.config.update(REDIS_URL=redis_url, NOTIFY_RETRY_SECONDS=(1,), NOTIFY_WEBHOOK_URL=unreachable)
    suggestion = create_suggestion(db.session, "审批流程太长", "说明", "other")
    db.session.commit()
    queue_notification(suggestion, "submitted", "under_review", None)
    job = db.session.execute(select(BackgroundJob).where(BackgroundJob.kind == "webhook")).scalar_one()
    burst = [sys.executable, "-m", "tests.integration.rq_worker", redis_url]  # no scheduler: works off the queue
    with worker(burst, app, NOTIFY_WEBHOOK_URL=unreachable) as process:
        process.wait(timeout=120)
    waiting = stored(BackgroundJob, job.id)
    assert (waiting.status, waiting.attempts) == ("queued", 1)
    overdue = db.session.get(BackgroundJob, job.id)
    overdue.run_at = utcnow() - timedelta(hours=1)  # as if the retry had been due an hour ago
    db.session.commit()
    checked = check_liveness(db.session, overdue)
    assert checked.status == "failed" and "--with-scheduler" in checked.error
