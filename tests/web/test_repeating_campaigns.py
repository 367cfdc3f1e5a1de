"""Campaigns that repeat every quarter, on a frozen clock: the next quarter's campaign is created N days before
that quarter with the same audience, anonymity and delivery settings and the instrument's latest version; the
manager is told and can change it; it opens on its date by itself; and it is created once, whoever runs it."""

import json
import re
from datetime import datetime

from freezegun import freeze_time
from sqlalchemy import select

from app.campaigns.repeat import schedule
from app.campaigns.service import availability
from app.extensions import db
from app.jobs import execute, record_job
from app.models import AuditLog, Campaign, StaffNotice
from app.scheduler import PERIODIC
from tests.conftest import csrf_token_from
from tests.web.instrument_helpers import import_erp
from tests.web.respond_helpers import add_people

EAST = "总部/华东区/杭州门店"
# 2027Q1 starts at 2027-01-01 00:00 in Asia/Shanghai, 2026-12-31 16:00 UTC; 14 days before: 2026-12-17 16:00 UTC.
BEFORE_LEAD, AFTER_LEAD = "2026-12-17 15:59:00", "2026-12-17 16:00:00"
BEFORE_OPEN, AFTER_OPEN = "2026-12-31 15:59:00", "2026-12-31 16:05:00"


def cli_json(runner, *args):
    result = runner.invoke(args=list(args))
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def repeating_erp_campaign(runner):
    """An ERP campaign of 2026Q4 for one department that repeats, with reminders; then a new ERP version."""
    import_erp()
    add_people(3, department=EAST)
    with freeze_time("2026-10-01 00:00:00"):
        created = cli_json(
            runner, "campaigns", "create", "--instrument", "erp-quarterly", "--quarter", "2026Q4",
            "--title", "ERP 2026Q4 调查", "--department", EAST, "--role", "employee",
            "--opens", "2026-10-08T01:00", "--closes", "2026-10-29T01:00", "--min-group", "4",
            "--repeat-quarterly", "--lead-days", "14", "--json",
        )  # fmt: skip
    assert (
        runner.invoke(args=["campaigns", "reminders", str(created["id"]), "--after-days", "3", "--max", "2"]).exit_code
        == 0
    )
    version_2 = import_erp(lambda d: d["questions"][0]["text"].update(zh="采购模块用起来顺手吗？"))
    return db.session.get(Campaign, created["id"]), version_2


def test_the_next_quarters_campaign_is_created_its_lead_time_before_that_quarter(runner, make_staff):
    make_staff("manager")
    campaign, version_2 = repeating_erp_campaign(runner)
    with freeze_time(BEFORE_LEAD):
        assert cli_json(runner, "campaigns", "schedule", "--json") == {"created": [], "opened": []}
    with freeze_time(AFTER_LEAD):
        done = cli_json(runner, "campaigns", "schedule", "--json")
    assert len(done["created"]) == 1 and done["opened"] == []
    successor = db.session.get(Campaign, done["created"][0])
    assert (successor.quarter, successor.status, successor.title) == ("2027Q1", "draft", "ERP 2027Q1 调查")
    assert successor.audience == campaign.audience and (successor.mode, successor.min_group) == ("anonymous", 4)
    assert (successor.remind_after_days, successor.remind_max) == (3, 2)
    assert successor.instrument_version_id == version_2.id != campaign.instrument_version_id
    assert successor.opens_at == datetime(2026, 12, 31, 16, 0)
    assert successor.closes_at - successor.opens_at == campaign.closes_at - campaign.opens_at
    assert successor.repeated_from_id == campaign.id and successor.repeats_quarterly
    notice = db.session.execute(select(StaffNotice)).scalar_one()
    assert (notice.kind, notice.campaign_id) == ("campaign_repeated", successor.id)
    with freeze_time(AFTER_LEAD):
        assert cli_json(runner, "campaigns", "schedule", "--json")["created"] == []


def test_it_opens_on_its_date_by_itself(runner, make_staff):
    make_staff("manager")
    repeating_erp_campaign(runner)
    with freeze_time(AFTER_LEAD):
        successor = db.session.get(Campaign, schedule(db.session).created[0])
    with freeze_time(BEFORE_OPEN):
        assert schedule(db.session).opened == [] and availability(successor) == "not_open"
    with freeze_time(AFTER_OPEN):
        assert schedule(db.session).opened == [successor.id]
        db.session.refresh(successor)
        assert successor.status == "open" and availability(successor) == "open"
    actions = db.session.execute(
        select(AuditLog.action).where(AuditLog.target_type == "campaign", AuditLog.target_id == str(successor.id))
    ).scalars()
    assert list(actions) == ["campaign.create", "campaign.repeat", "campaign.open"]
    kinds = db.session.execute(select(StaffNotice.kind).order_by(StaffNotice.id)).scalars()
    assert list(kinds) == ["campaign_repeated", "campaign_opened"]


def test_the_successor_repeats_in_turn(runner, make_staff):
    repeating_erp_campaign(runner)
    with freeze_time(AFTER_LEAD):
        first = schedule(db.session).created[0]
    with freeze_time("2027-03-18 00:00:00"):  # 2027Q2 starts 2027-03-31 16:00 UTC
        second = db.session.get(Campaign, schedule(db.session).created[0])
    assert (second.quarter, second.repeated_from_id) == ("2027Q2", first)


def test_the_periodic_task_is_registered_and_runs_as_a_job(app, runner, make_staff):
    assert "campaign_schedule" in PERIODIC
    repeating_erp_campaign(runner)
    with freeze_time(AFTER_LEAD):
        job = record_job("campaign_schedule", ())
        outcome = execute(job.id)
    assert outcome.status == "succeeded"
    assert db.session.execute(select(Campaign).where(Campaign.quarter == "2027Q1")).scalar_one()


def test_the_manager_is_told_and_changes_it_before_it_opens(client, runner, login_as):
    manager = login_as("manager")
    repeating_erp_campaign(runner)
    with freeze_time(AFTER_LEAD):
        successor = db.session.get(Campaign, schedule(db.session).created[0])
    listing = client.get("/campaigns/").get_data(as_text=True)
    assert "已自动创建下季度的问卷活动“ERP 2027Q1 调查”" in listing
    assert "将于 2027年1月1日 00:00 自动开始" in listing  # the quarter starts at midnight where the company is
    page = client.get(f"/campaigns/{successor.id}/edit").get_data(as_text=True)
    response = client.post(
        f"/campaigns/{successor.id}/edit",
        data={"csrf_token": csrf_token_from(page), "title": "ERP 2027 年一季度", "opens_at": "2027-01-04T01:00",
              "departments": EAST, "roles": ["employee"]},
    )  # fmt: skip
    assert response.status_code == 302
    db.session.refresh(successor)
    # typed in the company's time (Asia/Shanghai), stored in UTC
    assert (successor.title, successor.opens_at) == ("ERP 2027 年一季度", datetime(2027, 1, 3, 17, 0))
    notice = db.session.execute(select(StaffNotice).where(StaffNotice.user_id == manager.id)).scalar_one()
    client.post(f"/campaigns/notices/{notice.id}/read", data={"csrf_token": csrf_token_from(listing)})
    assert "已自动创建下季度" not in client.get("/campaigns/").get_data(as_text=True)


def test_a_campaign_that_has_opened_cannot_be_changed_that_way(client, runner, login_as):
    login_as("manager")
    campaign, _ = repeating_erp_campaign(runner)
    page = client.get(f"/campaigns/{campaign.id}/edit").get_data(as_text=True)
    response = client.post(f"/campaigns/{campaign.id}/edit", data={"csrf_token": csrf_token_from(page), "title": "x"})
    assert response.status_code == 422 and "活动已经开始" in response.get_data(as_text=True)


def test_repeating_can_be_turned_off_on_the_campaign_page(client, runner, login_as):
    login_as("manager")
    campaign, _ = repeating_erp_campaign(runner)
    page = client.get(f"/campaigns/{campaign.id}").get_data(as_text=True)
    assert "下季度的活动将于 2026年12月18日 00:00 自动创建" in page  # 14 days before 2027Q1, in Shanghai
    client.post(
        f"/campaigns/{campaign.id}/repeat", data={"csrf_token": csrf_token_from(page), "repeat_lead_days": "14"}
    )
    db.session.refresh(campaign)
    assert campaign.repeats_quarterly is False
    with freeze_time(AFTER_LEAD):
        assert schedule(db.session).created == []


def test_lead_days_outside_one_to_sixty_are_refused(runner):
    import_erp()
    result = runner.invoke(
        args=["campaigns", "create", "--instrument", "erp-quarterly", "--quarter", "2026Q4", "--repeat-quarterly",
              "--lead-days", "90"]
    )  # fmt: skip
    assert result.exit_code == 1 and "提前天数需在 1 到 60 天之间" in result.output


def test_a_refused_change_of_plan_is_explained_in_the_readers_language(client, runner, login_as):
    login_as("manager")
    campaign, _ = repeating_erp_campaign(runner)
    with freeze_time(AFTER_LEAD):
        successor = db.session.get(Campaign, schedule(db.session).created[0])
    page = client.get("/campaigns/").get_data(as_text=True)
    client.post("/language", data={"lang": "en", "next": "/", "csrf_token": csrf_token_from(page)})
    page = client.get(f"/campaigns/{successor.id}/edit").get_data(as_text=True)
    backwards = {"title": "ERP", "opens_at": "2027-01-04T09:00", "closes_at": "2027-01-03T09:00"}
    response = client.post(f"/campaigns/{successor.id}/edit", data={"csrf_token": csrf_token_from(page), **backwards})
    assert response.status_code == 422
    assert "The end must be later than the start" in response.get_data(as_text=True)
    page = client.get(f"/campaigns/{campaign.id}/edit").get_data(as_text=True)
    response = client.post(f"/campaigns/{campaign.id}/edit", data={"csrf_token": csrf_token_from(page), "title": "x"})
    assert response.status_code == 422 and "活动已经开始" not in response.get_data(as_text=True)


def test_the_edit_forms_departments_and_waves_are_marked_as_user_data_like_the_new_campaign_forms(
    client, runner, login_as
):
    """A department path or a wave stays in the language it was written in (app.i18n.USER_DATA): the edit form
    shares the new-campaign form's plan fields, so both mark them."""
    login_as("manager")
    repeating_erp_campaign(runner)
    with freeze_time(AFTER_LEAD):
        successor = db.session.get(Campaign, schedule(db.session).created[0])
    for url in (f"/campaigns/{successor.id}/edit", "/campaigns/new"):
        page = client.get(url).get_data(as_text=True)
        assert re.search(
            r'<select[^>]*class="data"[^>]*name="departments"|<select[^>]*name="departments"[^>]*class="data"', page
        ), url
        assert re.search(r'<ul[^>]*class="data"[^>]*id="waves"|<ul[^>]*id="waves"[^>]*class="data"', page), url
        assert EAST in page, url
