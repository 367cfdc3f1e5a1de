"""Background jobs on a real Redis (started by the test), and what happens when Redis is down."""

import subprocess
import time

from sqlalchemy import func, select, update

from app.extensions import db
from app.jobs import enqueue
from app.models import BackgroundJob, Response, ThemeRun
from tests.servers import free_port
from tests.web.respond_helpers import make_campaign, submit
from tests.web.test_themes import commented_campaign


def test_theme_run_goes_through_rq_and_a_worker_runs_it(app, redis_url):
    from redis import Redis
    from rq import Queue, SimpleWorker

    from app.jobs import QUEUE
    from app.themes.runs import create_run

    app.config["REDIS_URL"] = redis_url
    campaign = commented_campaign(count=60)
    run = create_run(db.session, [campaign.id])
    job = enqueue("theme_run", run.id, target=("theme_run", run.id))
    assert job.backend == "rq"
    db.session.commit()
    queue = Queue(QUEUE, connection=Redis.from_url(redis_url))
    assert queue.count == 1
    SimpleWorker([queue], connection=queue.connection).work(burst=True)
    db.session.expire_all()
    assert db.session.get(ThemeRun, run.id).status == "succeeded"
    assert db.session.get(BackgroundJob, job.id).status == "succeeded"


def run_forking_worker(app, redis_url):
    """A real `rq` worker process (it forks a work-horse per job) on the test's database."""
    import os
    import sys
    from pathlib import Path

    db.session.commit()
    env = {**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "CHANGEPULSE_CONFIG": "development"}
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-m", "tests.integration.rq_worker", redis_url],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr


def test_job_whose_work_horse_is_killed_is_marked_failed_with_rqs_reason(app, redis_url):
    from app.jobs import check_liveness

    app.config["REDIS_URL"] = redis_url
    job = enqueue("webhook", 0)  # any kind: the worker's registry maps the kind below to a job that dies
    db.session.execute(update(BackgroundJob).where(BackgroundJob.id == job.id).values(kind="test.die"))
    db.session.commit()
    run_forking_worker(app, redis_url)
    db.session.expire_all()
    assert db.session.get(BackgroundJob, job.id).status == "running"  # nobody could record the death …
    checked = check_liveness(db.session, db.session.get(BackgroundJob, job.id))
    assert checked.status == "failed" and "signal 9" in checked.error  # … until RQ is asked


def test_forking_worker_runs_a_job_in_an_app_built_from_the_environment(app, redis_url):
    app.config["REDIS_URL"] = redis_url
    job = enqueue("webhook", 0)
    db.session.execute(
        update(BackgroundJob).where(BackgroundJob.id == job.id).values(kind="test.record", args=[3, "审批"])
    )
    db.session.commit()
    run_forking_worker(app, redis_url)
    db.session.expire_all()
    done = db.session.get(BackgroundJob, job.id)
    assert done.status == "succeeded" and done.result == {"seen": [3, "审批"]}


def test_healthz_reports_redis(app, client, redis_url):
    app.config["REDIS_URL"] = redis_url
    body = client.get("/healthz").json
    assert body["checks"] == {"database": "ok", "redis": "ok"}


def test_with_redis_down_submits_work_and_jobs_run_in_process(app, client):
    app.config["REDIS_URL"] = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    campaign, tokens = make_campaign(people=1)
    assert submit(client, tokens[0], campaign).status_code == 303
    assert db.session.execute(select(func.count(Response.id))).scalar_one() == 1
    health = client.get("/healthz")
    assert health.status_code == 503 and health.json["checks"]["redis"] == "unreachable"
    from app.jobs import enqueue
    from app.themes.runs import create_run

    commented = commented_campaign(count=60)
    run = create_run(db.session, [commented.id])
    db.session.commit()
    assert enqueue("theme_run", run.id, target=("theme_run", run.id)).backend == "thread"
    deadline = time.time() + 60
    status = "queued"
    while time.time() < deadline and status not in ("succeeded", "failed"):
        time.sleep(0.2)
        status = db.session.get(ThemeRun, run.id).status
        db.session.rollback()  # end the read so the job's writes are not kept waiting
    assert status == "succeeded"
