"""Managers create, open and close campaigns, see response rates and issue invitation links."""

import csv
import io
import itertools
import json
import re
from datetime import datetime

import pytest
from sqlalchemy import func, select

from app.campaigns.service import STATUS_TRANSITIONS, CampaignError, availability, change_status
from app.extensions import db
from app.models import AuditLog, Campaign, Invitation
from tests.conftest import csrf_token_from
from tests.web.respond_helpers import add_people, make_campaign, submit


def test_cli_creates_campaign_open_at_once_and_prints_json(runner):
    add_people(3)
    result = runner.invoke(
        args=[
            "campaigns",
            "create",
            "--instrument",
            "quarterly-satisfaction",
            "--quarter",
            "2026Q4",
            "--title",
            "四季度满意度",
            "--json",
        ]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["id"] and data["status"] == "open" and data["quarter"] == "2026Q4"
    assert data["opens_at"] is not None


def test_cli_create_with_audience_and_bad_quarter(runner):
    add_people(2, department="总部/华南区/深圳门店", role="manager", wave="第二批")
    ok = runner.invoke(
        args=[
            "campaigns",
            "create",
            "--instrument",
            "change-readiness",
            "--quarter",
            "2026Q4",
            "--department",
            "总部/华南区",
            "--role",
            "manager",
            "--wave",
            "第二批",
            "--json",
        ]
    )
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.output)["audience"] == {
        "departments": ["总部/华南区"],
        "roles": ["manager"],
        "waves": ["第二批"],
    }
    bad = runner.invoke(
        args=["campaigns", "create", "--instrument", "quarterly-satisfaction", "--quarter", "2026-4", "--json"]
    )
    assert bad.exit_code == 1 and "2026Q4" in bad.output
    unknown = runner.invoke(args=["campaigns", "create", "--instrument", "nope", "--quarter", "2026Q4"])
    assert unknown.exit_code == 1 and "quarterly-satisfaction" in unknown.output


def test_cli_open_close_and_list(runner):
    add_people(2)
    created = json.loads(
        runner.invoke(
            args=[
                "campaigns",
                "create",
                "--instrument",
                "quarterly-satisfaction",
                "--quarter",
                "2026Q4",
                "--opens",
                "2030-01-01",
                "--json",
            ]
        ).output
    )
    assert runner.invoke(args=["campaigns", "open", str(created["id"])]).exit_code == 0
    assert runner.invoke(args=["campaigns", "close", str(created["id"])]).exit_code == 0
    assert runner.invoke(args=["campaigns", "close", str(created["id"])]).exit_code == 1
    listed = json.loads(runner.invoke(args=["campaigns", "list", "--json"]).output)
    assert listed[0]["status"] == "closed" and "response_rate" in listed[0]


def test_cli_invitations_export_prints_every_pending_link_again_unchanged(runner):
    add_people(3)
    created = json.loads(
        runner.invoke(
            args=["campaigns", "create", "--instrument", "quarterly-satisfaction", "--quarter", "2026Q4", "--json"]
        ).output
    )
    result = runner.invoke(args=["invitations", "export", str(created["id"]), "--format", "csv"])
    assert result.exit_code == 0
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == ["employee_id", "name", "department", "url"]
    assert len(rows) == 4 and all(re.match(r"http://127.0.0.1:5000/s/[\w-]{32}$", r[3]) for r in rows[1:])
    again = runner.invoke(args=["invitations", "export", str(created["id"]), "--format", "csv"])
    assert list(csv.reader(io.StringIO(again.stdout))) == rows
    assert db.session.execute(select(func.count(Invitation.id))).scalar_one() == 3


def test_cli_instruments_list(runner):
    data = json.loads(runner.invoke(args=["instruments", "list", "--json"]).output)
    assert {d["name"] for d in data} == {"quarterly-satisfaction", "change-readiness"}


def test_manager_creates_campaign_on_the_page(client, login_as):
    add_people(2)
    login_as("manager")
    page = client.get("/campaigns/new").get_data(as_text=True)
    instrument_id = re.search(r'<option value="(\d+)">[^<]*满意度', page).group(1)
    response = client.post(
        "/campaigns/new",
        data={
            "csrf_token": csrf_token_from(page),
            "instrument": instrument_id,
            "quarter": "2026Q4",
            "title": "页面创建",
            "mode": "anonymous",
            "min_group": "6",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    campaign = db.session.execute(select(Campaign)).scalar_one()
    assert (campaign.title, campaign.min_group, campaign.status) == ("页面创建", 6, "open")


def new_campaign_form(client, quarter):
    page = client.get("/campaigns/new").get_data(as_text=True)
    instrument_id = re.search(r'<option value="(\d+)">', page).group(1)
    data = {"csrf_token": csrf_token_from(page), "instrument": instrument_id, "quarter": quarter, "min_group": "5"}
    return client.post("/campaigns/new", data={**data, "mode": "anonymous"})


def test_times_are_typed_and_shown_in_the_companys_time_and_stored_in_utc(client, login_as):
    """BABEL_DEFAULT_TIMEZONE is Asia/Shanghai (UTC+8): 09:00 typed is 01:00 UTC, and the page says 09:00."""
    login_as("manager")
    page = client.get("/campaigns/new").get_data(as_text=True)
    instrument_id = re.search(r'<option value="(\d+)">', page).group(1)
    data = {"csrf_token": csrf_token_from(page), "instrument": instrument_id, "quarter": "2030Q4", "min_group": "5"}
    times = {"opens_at": "2030-12-05T09:00", "closes_at": "2030-12-20T00:30"}
    assert client.post("/campaigns/new", data={**data, **times, "mode": "anonymous"}).status_code == 302
    campaign = db.session.execute(select(Campaign)).scalar_one()
    assert (campaign.opens_at, campaign.closes_at) == (datetime(2030, 12, 5, 1, 0), datetime(2030, 12, 19, 16, 30))
    detail = client.get(f"/campaigns/{campaign.id}").get_data(as_text=True)
    assert "2030年12月5日 09:00" in detail and "2030年12月20日 00:30" in detail


def test_the_cli_reads_opens_in_the_companys_time(runner):
    add_people(1)
    args = ["campaigns", "create", "--instrument", "quarterly-satisfaction", "--quarter", "2030Q4"]
    result = runner.invoke(args=[*args, "--title", "定时", "--opens", "2030-12-05T09:00", "--json"])
    assert result.exit_code == 0, result.output
    assert db.session.execute(select(Campaign.opens_at)).scalar_one() == datetime(2030, 12, 5, 1, 0)


def test_the_page_takes_a_quarter_typed_with_spaces_and_a_lower_case_q(client, login_as):
    login_as("manager")
    response = new_campaign_form(client, " 2026q4 ")
    assert response.status_code == 302, response.get_data(as_text=True)
    assert db.session.execute(select(Campaign.quarter)).scalar_one() == "2026Q4"


def test_a_malformed_quarter_is_refused_on_the_page_and_kept_as_typed(client, login_as):
    login_as("manager")
    page = new_campaign_form(client, "2026Q5").get_data(as_text=True)
    assert "季度格式应为 2026Q4" in page and 'value="2026Q5"' in page
    assert db.session.execute(select(func.count(Campaign.id))).scalar_one() == 0


def test_campaign_threshold_below_three_is_refused_on_the_page(client, login_as):
    login_as("manager")
    page = client.get("/campaigns/new").get_data(as_text=True)
    instrument_id = re.search(r'<option value="(\d+)">', page).group(1)
    response = client.post(
        "/campaigns/new",
        data={
            "csrf_token": csrf_token_from(page),
            "instrument": instrument_id,
            "quarter": "2026Q4",
            "mode": "anonymous",
            "min_group": "2",
        },
    )
    assert "匿名门槛需在 3 到 1000 之间" in response.get_data(as_text=True)
    assert db.session.execute(select(func.count(Campaign.id))).scalar_one() == 0


def test_a_broken_campaign_rule_is_explained_in_the_readers_language(client, login_as):
    login_as("manager")
    page = client.get("/campaigns/new").get_data(as_text=True)
    client.post("/language", data={"lang": "en", "next": "/", "csrf_token": csrf_token_from(page)})
    page = client.get("/campaigns/new").get_data(as_text=True)
    instrument_id = re.search(r'<option value="(\d+)">', page).group(1)
    data = {"csrf_token": csrf_token_from(page), "instrument": instrument_id, "quarter": "2026Q4", "mode": "anonymous"}
    times = {"opens_at": "2026-11-02T09:00", "closes_at": "2026-11-01T09:00", "min_group": "5"}
    response = client.post("/campaigns/new", data={**data, **times})
    flash = re.search(r'<p class="flash flash-error"[^>]*>(.*?)</p>', response.get_data(as_text=True))
    assert flash.group(1) == "The end must be later than the start"
    assert db.session.execute(select(func.count(Campaign.id))).scalar_one() == 0


def test_detail_shows_response_rates_by_department_and_role(client, login_as):
    campaign, tokens = make_campaign(people=4)
    submit(client, tokens[0], campaign)
    login_as("manager")
    page = client.get(f"/campaigns/{campaign.id}?level=3").get_data(as_text=True)
    assert "1 / 4" in page and "25%" in page and "总部/华东区/杭州门店" in page and "一线员工" in page


def test_invitation_csv_download_is_excel_friendly_and_neutralises_formulas(client, login_as):
    from app.people.directory import apply_import
    from app.people.importer import PersonRow

    campaign, _ = make_campaign(people=0)
    apply_import(db.session, [PersonRow(2, "F1", '=HYPERLINK("http://evil")', None, "总部", "employee", None)])
    db.session.commit()
    login_as("manager")
    page = client.get(f"/campaigns/{campaign.id}").get_data(as_text=True)
    response = client.post(
        f"/campaigns/{campaign.id}/links", data={"csrf_token": csrf_token_from(page), "csv": "下载链接 CSV"}
    )
    body = response.get_data(as_text=True)
    assert response.mimetype == "text/csv" and body.startswith("\ufeff")
    assert "'=HYPERLINK" in body


def test_invitation_qr_page_has_one_svg_code_per_person(client, login_as):
    campaign, _ = make_campaign(people=0)
    add_people(3, start=50)
    login_as("manager")
    page = client.get(f"/campaigns/{campaign.id}").get_data(as_text=True)
    response = client.post(
        f"/campaigns/{campaign.id}/links", data={"csrf_token": csrf_token_from(page), "qr": "打印二维码"}
    )
    html = response.get_data(as_text=True)
    assert html.count("data:image/svg+xml") == 3 and "员工50" in html


def test_mode_cannot_change_after_first_response(client):
    from app.campaigns.service import CampaignError, change_settings

    campaign, tokens = make_campaign()
    change_settings(db.session, campaign, mode="confidential")
    change_settings(db.session, campaign, mode="anonymous")
    db.session.commit()
    submit(client, tokens[0], campaign)
    import pytest

    with pytest.raises(CampaignError, match="不能再修改匿名模式"):
        change_settings(db.session, campaign, mode="confidential")
    with pytest.raises(CampaignError, match="只能提高"):
        change_settings(db.session, campaign, min_group=3)
    change_settings(db.session, campaign, min_group=8, min_group_text=12)
    assert campaign.min_group == 8


def test_campaign_pages_are_for_managers(client, login_as):
    campaign, _ = make_campaign(people=1)
    login_as("committee")
    assert client.get("/campaigns/").status_code == 403
    assert client.get(f"/campaigns/{campaign.id}").status_code == 403


STATUSES = ("draft", "open", "closed")


@pytest.mark.parametrize("pair", list(itertools.product(STATUSES, STATUSES)))
def test_campaign_status_transition_table(app, pair):
    source, target = pair
    campaign, _tokens = make_campaign(people=0, draft=source == "draft")
    campaign.status = source
    db.session.commit()
    if target in STATUS_TRANSITIONS[source]:
        change_status(db.session, campaign, target, actor_id=None)
        assert campaign.status == target and availability(campaign) == ("open" if target == "open" else "closed")
    else:
        with pytest.raises(CampaignError):
            change_status(db.session, campaign, target)
        assert campaign.status == source


def test_a_closed_campaign_cannot_be_reopened_and_says_so(app):
    campaign, _tokens = make_campaign(people=0)
    change_status(db.session, campaign, "closed")
    with pytest.raises(CampaignError, match="活动已结束，不能重新开启"):
        change_status(db.session, campaign, "open")
    with pytest.raises(CampaignError, match="活动已经结束"):
        change_status(db.session, campaign, "closed")


def test_opening_a_scheduled_campaign_opens_it_now(app):
    later = datetime(2099, 1, 1)
    campaign, _tokens = make_campaign(people=0, opens_at=later)
    assert availability(campaign) == "not_open"
    change_status(db.session, campaign, "open")
    assert availability(campaign) == "open" and campaign.opens_at < later


def audit_actions(campaign_id):
    return (
        db.session.execute(
            select(AuditLog.action)
            .where(AuditLog.target_type == "campaign", AuditLog.target_id == str(campaign_id))
            .order_by(AuditLog.id)
        )
        .scalars()
        .all()
    )


def test_every_status_change_from_the_cli_is_audited(runner):
    campaign, _tokens = make_campaign(people=0, draft=True)
    assert runner.invoke(args=["campaigns", "open", str(campaign.id)]).exit_code == 0
    assert runner.invoke(args=["campaigns", "close", str(campaign.id)]).exit_code == 0
    refused = runner.invoke(args=["campaigns", "open", str(campaign.id)])
    assert refused.exit_code == 1 and "不能重新开启" in refused.output
    assert audit_actions(campaign.id)[-2:] == ["campaign.open", "campaign.close"]


def test_closing_on_the_page_is_audited_with_the_manager(client, login_as):
    campaign, _tokens = make_campaign(people=0)
    manager = login_as("manager")
    page = client.get(f"/campaigns/{campaign.id}").get_data(as_text=True)
    response = client.post(f"/campaigns/{campaign.id}/close", data={"csrf_token": csrf_token_from(page)})
    assert response.status_code == 302
    assert db.session.get(Campaign, campaign.id).status == "closed"
    row = db.session.execute(select(AuditLog).where(AuditLog.action == "campaign.close")).scalar_one()
    assert row.actor_id == manager.id and row.detail == {"from": "open", "to": "closed"}


def test_creating_and_issuing_from_the_cli_are_audited_as_on_the_page(runner):
    add_people(2)
    created = json.loads(
        runner.invoke(
            args=["campaigns", "create", "--instrument", "quarterly-satisfaction", "--quarter", "2026Q4", "--json"]
        ).output
    )
    assert runner.invoke(args=["invitations", "export", str(created["id"])]).exit_code == 0
    assert audit_actions(created["id"]) == ["campaign.create", "invitations.issue"]
    issued = db.session.execute(select(AuditLog).where(AuditLog.action == "invitations.issue")).scalar_one()
    assert issued.detail == {"count": 2}


def test_the_new_campaign_form_lists_waves_in_their_numbered_order_and_the_campaign_stores_them_so(client, login_as):
    for start, wave in enumerate(("第三批", "第十批", "第一批", "第二批"), start=1):
        add_people(1, wave=wave, start=start)
    login_as("manager")
    page = client.get("/campaigns/new").get_data(as_text=True)
    listed = re.findall(r'name="waves"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="waves"', page)
    assert [a or b for a, b in listed] == ["第一批", "第二批", "第三批", "第十批"]
    result = client.post(
        "/campaigns/new",
        data={
            "csrf_token": csrf_token_from(page),
            "instrument": re.search(r'<option value="(\d+)">[^<]*满意度', page).group(1),
            "quarter": "2026Q4",
            "title": "分批",
            "mode": "anonymous",
            "min_group": "5",
            "waves": ["第十批", "第二批"],
        },
    )
    assert result.status_code == 302, result.get_data(as_text=True)
    campaign = db.session.execute(select(Campaign).where(Campaign.title == "分批")).scalar_one()
    assert campaign.audience["waves"] == ["第二批", "第十批"]
