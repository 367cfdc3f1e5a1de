"""The in-process scheduler: jobs at a given time, claimed once across processes, and periodic tasks."""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from app import create_app, scheduler
from app.extensions import db
from app.jobs import KINDS, JobKind, check_liveness
from app.models import BackgroundJob
from app.models.types import utcnow
from app.scheduler import every, periodic_job_id, run_at, run_in, scheduler_for
from tests.conftest import make_config
from tests.servers import wait_until
from tests.web.job_functions import CALLS, RELEASE


@pytest.fixture
def test_kinds(monkeypatch):
    CALLS.clear()
    RELEASE.clear()
    monkeypatch.setitem(KINDS, "test.record", JobKind("tests.web.job_functions:record_call"))
    monkeypatch.setitem(KINDS, "test.wait", JobKind("tests.web.job_functions:wait_for_release"))
    yield
    RELEASE.set()


def stored(job_id):
    db.session.rollback()
    job = db.session.get(BackgroundJob, job_id)
    db.session.refresh(job)
    db.session.expunge(job)
    db.session.rollback()
    return job


def finished(job_id):
    return stored(job_id).status in ("succeeded", "failed")


def test_a_job_scheduled_for_later_waits_then_runs(app, test_kinds):
    job = run_in("test.record", 5, seconds=1)
    assert (stored(job.id).status, CALLS) == ("queued", [])
    wait_until(lambda: finished(job.id), 20, "the scheduled job")
    done = stored(job.id)
    assert done.status == "succeeded" and CALLS == [(5,)]
    assert done.started_at >= done.run_at  # not before its time


def test_a_job_is_not_claimed_before_it_is_due(app, test_kinds):
    from app.jobs import execute

    job = run_at("test.record", 1, at=utcnow() + timedelta(hours=1))
    assert execute(job.id) is None and stored(job.id).status == "queued" and CALLS == []


def test_a_due_job_another_process_recorded_is_run_by_this_processs_scheduler(app, test_kinds):
    app.config["SCHEDULER_POLL_SECONDS"] = 0.2
    db.session.add(
        BackgroundJob(
            id="orphan", kind="test.record", args=[9], status="queued", run_at=utcnow() - timedelta(seconds=5)
        )
    )
    db.session.commit()
    scheduler_for(app).start()
    wait_until(lambda: finished("orphan"), 20, "the orphaned job")
    assert stored("orphan").status == "succeeded" and CALLS == [(9,)]


def test_stop_waits_for_the_jobs_the_scheduler_started(app, test_kinds):
    app.config["SCHEDULER_POLL_SECONDS"] = 0.1
    job = run_in("test.wait", seconds=0)
    wait_until(lambda: stored(job.id).status == "running", 20, "the job to start")
    stopping = threading.Thread(target=scheduler.stop, args=(app,))
    stopping.start()
    stopping.join(0.5)
    assert stopping.is_alive()  # the job still runs: stop waits for it
    RELEASE.set()
    stopping.join(20)
    assert not stopping.is_alive() and stored(job.id).status == "succeeded"


def test_a_stopped_scheduler_is_not_started_again_by_a_job_scheduled_after(app, test_kinds):
    """A job that ends after `stop` schedules its follow-up (a retry, a periodic task's next run): the time is
    kept, but the thread must not come back to life — it would outlive the database it polls."""
    own = scheduler_for(app)
    own.start()
    scheduler.stop(app)
    job = run_in("test.record", 7, seconds=0)
    assert not own.running and stored(job.id).status == "queued"  # `at` started the thread at once, if at all
    own.start()  # started again on purpose, it runs what was kept
    wait_until(lambda: finished(job.id), 20, "the kept job")
    assert CALLS == [(7,)]


@pytest.fixture
def second_process(app):
    """A second app on the same database, as another gunicorn worker would be (no context of its own is pushed)."""
    other = create_app(make_config(SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"]))
    yield other
    scheduler.stop(other)
    with other.app_context():
        db.engine.dispose()


def test_due_jobs_seen_by_two_processes_schedulers_run_once_each(app, second_process, test_kinds):
    due = utcnow() - timedelta(seconds=1)
    for number in range(20):
        db.session.add(
            BackgroundJob(id=f"due-{number}", kind="test.record", args=[number], status="queued", run_at=due)
        )
    db.session.commit()
    for each in (app, second_process):
        each.config["SCHEDULER_POLL_SECONDS"] = 0.05
        scheduler_for(each).start()
    wait_until(lambda: all(finished(f"due-{n}") for n in range(20)), 30, "every due job")
    assert sorted(CALLS) == [(n,) for n in range(20)]
    assert {stored(f"due-{n}").attempts for n in range(20)} == {1}


def test_a_periodic_task_runs_once_a_period_however_many_processes_schedule_it(
    app, second_process, test_kinds, monkeypatch
):
    monkeypatch.setattr(scheduler, "PERIODIC", {})
    every(1, "test.record")
    for each in (app, second_process):
        each.config["SCHEDULER_POLL_SECONDS"] = 0.3
        each.config["SCHEDULER_PERIODIC"] = True
        scheduler_for(each).start()
    first = scheduler.period_of(1, utcnow()) + 1
    wait_until(lambda: len(succeeded_runs()) >= 3, 30, "three periods")
    for each in (app, second_process):
        scheduler.stop(each)
    runs = succeeded_runs()
    periods = [scheduler.period_of(1, run.run_at) for run in runs]
    # a process held up for longer than a period (a loaded machine) may skip one; it never runs one twice
    assert periods[0] >= first
    assert all(run.id == periodic_job_id("test.record", 1, period) for run, period in zip(runs, periods, strict=True))
    assert periods == sorted(set(periods))  # one run a period …
    assert len(CALLS) == len(runs)  # … which ran once, in whichever process claimed it


def succeeded_runs():
    db.session.rollback()
    rows = db.session.execute(
        select(BackgroundJob)
        .where(BackgroundJob.kind == "test.record", BackgroundJob.status == "succeeded")
        .order_by(BackgroundJob.run_at)
    ).scalars()
    runs = list(rows)
    db.session.rollback()
    return runs


def test_periodic_tasks_start_the_scheduler_with_the_first_request(app, client, test_kinds, monkeypatch):
    app.config["SCHEDULER_PERIODIC"] = True
    monkeypatch.setattr(scheduler, "PERIODIC", {})
    client.get("/healthz")
    assert not scheduler_for(app).running
    every(3600, "test.record")
    client.get("/healthz")
    assert scheduler_for(app).running


def test_a_periodic_task_needs_a_known_kind_and_whole_seconds():
    with pytest.raises(ValueError):
        every(60, "no.such.kind")
    with pytest.raises(ValueError):
        every(0.5, "webhook")
    assert "webhook" not in scheduler.PERIODIC


def test_a_job_due_later_is_not_taken_for_dead(app):
    long_ago = utcnow() - timedelta(hours=2)
    job = BackgroundJob(
        id="later", kind="webhook", args=[1], status="queued", created_at=long_ago, run_at=utcnow() + timedelta(hours=1)
    )
    db.session.add(job)
    db.session.commit()
    assert check_liveness(db.session, job).status == "queued"


def test_a_job_no_scheduler_ran_long_after_it_was_due_is_marked_failed(app):
    job = BackgroundJob(id="missed", kind="webhook", args=[1], status="queued", run_at=utcnow() - timedelta(hours=1))
    db.session.add(job)
    db.session.commit()
    checked = check_liveness(db.session, job)
    assert checked.status == "failed" and "未能开始" in checked.error
