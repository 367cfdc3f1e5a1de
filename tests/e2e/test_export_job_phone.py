"""A manager on a phone starts a background export, watches it finish without reloading, downloads it."""

import io
import threading
from pathlib import Path

from openpyxl import load_workbook

from app.extensions import db
from app.jobs import KINDS, JobKind, record_job, run_in_app
from app.staff import create_staff_user
from tests.e2e.conftest import assert_no_horizontal_overflow, log_in
from tests.web.job_functions import RELEASE
from tests.web.results_helpers import campaign_with, satisfaction

PASSWORD = "manager password 1"


def held_export_campaign(live_app, monkeypatch) -> int:
    """A manager and a campaign of 12 answers whose export job waits for RELEASE (cleared here)."""
    RELEASE.clear()
    monkeypatch.setitem(KINDS, "export", JobKind("tests.web.job_functions:export_after_release"))
    with live_app.app_context():
        create_staff_user(db.session, "m@example.com", "manager", PASSWORD)
        campaign_id = campaign_with(
            [(12, "employee", "总部/华东区/杭州门店", "第一批", satisfaction(4, text="审批慢"))]
        ).id
        db.session.commit()
    return campaign_id


def test_export_job_finishes_on_the_campaign_page_and_downloads(live_app, phone, monkeypatch):
    campaign_id = held_export_campaign(live_app, monkeypatch)
    base = live_app.config["LIVE_URL"]
    log_in(phone, base, "m@example.com", PASSWORD)
    phone.goto(f"{base}/campaigns/{campaign_id}")
    phone.select_option("select[name=file_format]", "xlsx")
    phone.click("#exports ~ form [type=submit]")
    phone.wait_for_selector("[data-job-state=running][data-job-status]")
    RELEASE.set()
    phone.wait_for_selector("[data-job-state=succeeded]", timeout=60_000)  # jobs.js polled, then reloaded
    assert_no_horizontal_overflow(phone)
    with phone.expect_download() as download:
        phone.click("[data-job-state=succeeded] a[download]")
    content = Path(download.value.path()).read_bytes()
    assert download.value.suggested_filename == f"campaign-{campaign_id}.xlsx"
    assert load_workbook(io.BytesIO(content), read_only=True).sheetnames == ["分组结果 segments", "原始答案 answers"]


def test_a_job_that_starts_after_the_page_loaded_shows_running_without_a_reload(live_app, phone, monkeypatch):
    """The page is drawn while the job still waits its turn (a busy server): its row says 排队中, and once
    the job is claimed it says 进行中 — the poller updates the row's state, not only the progress bar."""
    campaign_id = held_export_campaign(live_app, monkeypatch)
    with live_app.app_context():
        job_id = record_job("export", [campaign_id, "xlsx", "answers", "zh"], target=("campaign", campaign_id)).id
    base = live_app.config["LIVE_URL"]
    log_in(phone, base, "m@example.com", PASSWORD)
    phone.goto(f"{base}/campaigns/{campaign_id}")
    row = f"[data-job='{job_id}']"
    assert phone.get_attribute(row, "data-job-state") == "queued"
    assert phone.inner_text(f"{row} [data-job-badge]") == "排队中"
    worker = threading.Thread(target=run_in_app, args=(live_app, job_id), daemon=True)
    worker.start()  # the job is claimed now, after the page was drawn
    phone.wait_for_selector(f"{row}[data-job-state=running]")
    assert phone.inner_text(f"{row} [data-job-badge]") == "进行中"
    badge = phone.locator(f"{row} [data-job-badge]").bounding_box()
    assert badge is not None and badge["height"] < 32, badge  # one line beside the progress bar, not 进/行/中
    RELEASE.set()
    phone.wait_for_selector(f"[data-job='{job_id}'][data-job-state=succeeded]", timeout=60_000)
    worker.join(timeout=30)
    assert phone.inner_text(f"{row} [data-job-badge]") == "已完成"
