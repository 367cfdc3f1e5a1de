"""Background jobs in-process: status and errors on the page that started them; dead jobs marked failed."""

import io
import json
import re
import time
from datetime import timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.extensions import db
from app.jobs import KINDS, JobKind, check_liveness, enqueue, execute
from app.models import BackgroundJob, JobOutput, ThemeRun
from app.models.types import utcnow
from tests.conftest import csrf_token_from
from tests.web.job_functions import CALLS, RELEASE
from tests.web.respond_helpers import make_campaign, submit


@pytest.fixture
def test_kinds(monkeypatch):
    CALLS.clear()
    RELEASE.clear()
    monkeypatch.setitem(KINDS, "test.record", JobKind("tests.web.job_functions:record_call"))
    monkeypatch.setitem(KINDS, "test.explode", JobKind("tests.web.job_functions:explode"))
    monkeypatch.setitem(KINDS, "test.wait", JobKind("tests.web.job_functions:wait_for_release"))
    yield
    RELEASE.set()


def read_job(job_id):
    """The job row as stored now; the read transaction ends at once so the job's writes are not kept waiting."""
    db.session.rollback()
    job = db.session.get(BackgroundJob, job_id)
    db.session.refresh(job)
    db.session.expunge(job)  # detached: reading it later cannot start a transaction that holds the lock
    db.session.rollback()
    return job


def wait_until_finished(job_id, seconds=60):
    deadline = time.time() + seconds
    while time.time() < deadline:
        job = read_job(job_id)
        if job.status in ("succeeded", "failed"):
            return job
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} still {job.status}")


def campaign_with_responses(client, count=12):
    campaign, tokens = make_campaign(people=count)
    for token in tokens:
        assert submit(client, token, campaign, trouble='=HYPERLINK("http://x")审批慢').status_code == 303
    return campaign


def start_export(client, campaign, file_format):
    page = client.get(f"/campaigns/{campaign.id}").get_data(as_text=True)
    response = client.post(
        f"/campaigns/{campaign.id}/exports", data={"csrf_token": csrf_token_from(page), "file_format": file_format}
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("#exports")
    return (
        db.session.execute(
            select(BackgroundJob).where(BackgroundJob.kind == "export").order_by(BackgroundJob.created_at.desc())
        )
        .scalars()
        .first()
    )


def test_job_runs_in_process_and_records_its_result(app, test_kinds):
    job = enqueue("test.record", 7, "审批")
    done = wait_until_finished(job.id)
    assert (done.status, done.backend, done.progress) == ("succeeded", "thread", 100)
    assert done.result == {"seen": [7, "审批"]} and done.finished_at is not None
    assert CALLS == [(7, "审批")]


def test_failing_job_is_marked_failed_with_its_error(app, test_kinds):
    done = wait_until_finished(enqueue("test.explode").id)
    assert done.status == "failed" and "磁盘已满" in done.error


def test_a_job_runs_at_most_once(app, test_kinds):
    db.session.add(BackgroundJob(id="twice", kind="test.record", args=[1], status="queued"))
    db.session.commit()
    execute("twice")
    execute("twice")
    assert CALLS == [(1,)] and read_job("twice").status == "succeeded"


def test_unknown_job_kind_is_refused(app):
    with pytest.raises(ValueError):
        enqueue("no.such.kind")


def test_heartbeat_is_written_while_a_job_runs(app, test_kinds):
    app.config["JOB_HEARTBEAT_SECONDS"] = 0.05
    job = enqueue("test.wait")
    deadline = time.time() + 20
    beat = None
    while time.time() < deadline:
        row = read_job(job.id)
        if row.status == "running" and row.heartbeat_at and row.heartbeat_at > row.started_at:
            beat = row.heartbeat_at
            break
        time.sleep(0.05)
    RELEASE.set()
    assert beat is not None, "no heartbeat after the start"
    assert wait_until_finished(job.id).status == "succeeded"


def stale_job(kind, status, target=None, args=(), age=timedelta(hours=1), backend="thread"):
    then = utcnow() - age
    job = BackgroundJob(
        id=f"dead-{kind}-{status}",
        kind=kind,
        status=status,
        backend=backend,
        args=list(args),
        target_type=target[0] if target else None,
        target_id=str(target[1]) if target else None,
        created_at=then,
        started_at=then if status == "running" else None,
        heartbeat_at=then if status == "running" else None,
    )
    db.session.add(job)
    db.session.commit()
    return job


def test_running_job_whose_heartbeat_stopped_is_marked_failed(app):
    job = check_liveness(db.session, stale_job("export", "running"))
    assert job.status == "failed" and "没有响应" in job.error and job.finished_at is not None


def test_queued_in_process_job_that_never_started_is_marked_failed(app):
    job = check_liveness(db.session, stale_job("export", "queued"))
    assert job.status == "failed" and "未能开始" in job.error


def test_live_job_is_left_running(app):
    job = check_liveness(db.session, stale_job("export", "running", age=timedelta(seconds=5)))
    assert job.status == "running" and job.error is None


def test_theme_run_whose_process_died_shows_failed_with_the_reason(client, login_as, app):
    run = ThemeRun(campaign_ids=[1], status="running", stage="cluster", progress=40, params={})
    db.session.add(run)
    db.session.commit()
    stale_job("theme_run", "running", target=("theme_run", run.id), args=[run.id])
    login_as("manager")
    status = client.get(f"/themes/runs/{run.id}/status.json").json
    assert status["status"] == "failed" and "没有响应" in status["error"]
    page = client.get(f"/themes/runs/{run.id}").get_data(as_text=True)
    assert "分析失败" in page and "没有响应" in page
    assert db.session.get(ThemeRun, run.id).status == "failed"


def test_xlsx_export_job_is_listed_and_downloadable_from_the_campaign_page(client, login_as, app):
    campaign = campaign_with_responses(client)
    login_as("manager")
    job = wait_until_finished(start_export(client, campaign, "xlsx").id)
    assert job.status == "succeeded", job.error
    page = client.get(f"/campaigns/{campaign.id}").get_data(as_text=True)
    download = f"/campaigns/{campaign.id}/exports/{job.id}"
    assert f'href="{download}"' in page and 'data-job-state="succeeded"' in page
    response = client.get(download)
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.data), read_only=True)
    assert workbook.sheetnames == ["分组结果 segments", "原始答案 answers"]
    texts = [
        cell
        for row in workbook["原始答案 answers"].iter_rows(values_only=True)
        for cell in row
        if isinstance(cell, str)
    ]
    assert any(text.startswith("'=HYPERLINK") for text in texts)


def test_csv_export_job_of_the_answers_table(client, login_as, app):
    campaign = campaign_with_responses(client)
    login_as("manager")
    job = wait_until_finished(start_export(client, campaign, "csv-answers").id)
    output = db.session.get(JobOutput, job.id)
    text = output.data.decode("utf-8")
    assert text.startswith("\ufeff") and output.filename == f"campaign-{campaign.id}-answers.csv"
    assert len(text.strip().splitlines()) == 1 + 12


def test_failed_export_job_shows_its_error_on_the_campaign_page(client, login_as, app, monkeypatch):
    campaign = campaign_with_responses(client, count=3)
    monkeypatch.setitem(KINDS, "export", JobKind("tests.web.job_functions:explode"))
    login_as("manager")
    job = wait_until_finished(start_export(client, campaign, "csv-segments").id)
    assert job.status == "failed"
    page = client.get(f"/campaigns/{campaign.id}").get_data(as_text=True)
    assert 'data-job-state="failed"' in page and "磁盘已满" in page


def test_export_status_json_and_downloads_are_bound_to_their_campaign(client, login_as, app):
    campaign = campaign_with_responses(client, count=3)
    other, _ = make_campaign(people=0)
    login_as("manager")
    job = wait_until_finished(start_export(client, campaign, "csv-segments").id)
    assert client.get(f"/campaigns/{campaign.id}/exports/{job.id}/status").json["status"] == "succeeded"
    assert client.get(f"/campaigns/{other.id}/exports/{job.id}").status_code == 404
    assert client.get(f"/campaigns/{other.id}/exports/{job.id}/status").status_code == 404


def test_exports_need_the_manager_role(client, login_as, app):
    campaign, _ = make_campaign(people=0)
    login_as("admin")
    page = client.get(f"/campaigns/{campaign.id}").get_data(as_text=True)
    assert 'id="exports"' not in page
    response = client.post(
        f"/campaigns/{campaign.id}/exports", data={"file_format": "xlsx", "csrf_token": csrf_token_from(page)}
    )
    assert response.status_code == 403


def test_unknown_export_format_is_refused_with_a_message(client, login_as, app):
    campaign, _ = make_campaign(people=0)
    login_as("manager")
    page = client.get(f"/campaigns/{campaign.id}").get_data(as_text=True)
    response = client.post(
        f"/campaigns/{campaign.id}/exports",
        data={"csrf_token": csrf_token_from(page), "file_format": "pdf"},
        follow_redirects=True,
    )
    assert response.status_code == 200 and "flash-error" in response.get_data(as_text=True)
    assert db.session.execute(select(BackgroundJob)).first() is None


def test_cli_jobs_check_marks_dead_jobs_and_list_prints_json(app, runner):
    stale_job("export", "running")
    result = runner.invoke(args=["jobs", "check"])
    assert result.exit_code == 0 and "1 个中断的任务" in result.output
    listed = json.loads(runner.invoke(args=["jobs", "list", "--json"]).output)
    assert listed[0]["status"] == "failed" and listed[0]["kind"] == "export"


def test_the_job_states_are_the_ones_the_schema_allows():
    from app.jobs import ACTIVE, STATES
    from app.models import ThemeRun

    for model in (BackgroundJob, ThemeRun):
        (constraint,) = [c for c in model.__table__.constraints if str(c.name).endswith("_status_known")]
        assert set(re.findall(r"'(\w+)'", str(constraint.sqltext))) == set(STATES), model
    assert set(ACTIVE) < set(STATES)


def test_code_and_templates_take_the_active_states_from_app_jobs():
    """The models' check constraints spell the states in SQL; the test above keeps them equal to app.jobs'."""
    root = Path(__file__).resolve().parents[2] / "app"
    literal = re.compile(r"""['"]queued['"]\s*,\s*['"]running['"]""")
    offenders = [
        str(path.relative_to(root))
        for path in [*root.rglob("*.py"), *root.rglob("*.html")]
        if path.name != "jobs.py" and path.parent.name != "models" and literal.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
