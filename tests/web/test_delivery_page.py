"""The campaign page: "发送邀请" and "提醒未作答的人" as background jobs, the delivery log, link sheets, "重新生成"."""

import re
from datetime import timedelta

from sqlalchemy import select

from app.delivery.service import remind_due
from app.extensions import db
from app.models import BackgroundJob, Campaign
from app.models.types import utcnow
from tests.conftest import use_smtp
from tests.servers import wait_until
from tests.web.delivery_helpers import campaign_for, token_in
from tests.web.respond_helpers import submit


def _form_token(html: str, prefix: str = "") -> str:
    name = f"{prefix}-csrf_token" if prefix else "csrf_token"
    match = re.search(rf'name="{name}" type="hidden" value="([^"]+)"', html) or re.search(
        rf'name="{name}" value="([^"]+)"', html
    )
    assert match, f"no {name} in page"
    return match.group(1)


def _page(client, campaign_id) -> str:
    response = client.get(f"/campaigns/{campaign_id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _click_send(client, campaign_id, purpose, channel):
    page = _page(client, campaign_id)
    response = client.post(
        f"/campaigns/{campaign_id}/deliveries/{purpose}",
        data={f"{purpose}-csrf_token": _form_token(page, purpose), f"{purpose}-channel": channel},
    )
    assert response.status_code == 302
    job = wait_until(
        lambda: (
            db.session.execute(
                select(BackgroundJob).where(
                    BackgroundJob.kind == "delivery", BackgroundJob.status.in_(("succeeded", "failed"))
                )
            )
            .scalars()
            .first()
            or db.session.rollback()
        ),
        30,
        "the delivery job",
    )
    return job


def _reachable(standin, count):
    for i in range(1, count + 1):
        standin.add_user(f"user{i}", f"员工{i}")


def test_a_manager_sends_by_dingtalk_and_three_days_later_the_pending_are_reminded_unasked(
    dingtalk_app, client, login_as, dingtalk_standin
):
    _reachable(dingtalk_standin, 3)
    campaign = campaign_for(3)
    campaign.remind_after_days, campaign.remind_max = 3, 1
    db.session.commit()
    login_as("manager")
    page = _page(client, campaign.id)
    assert "发送邀请" in page and "提醒未作答的人" in page
    job = _click_send(client, campaign.id, "invitation", "dingtalk")
    assert job.status == "succeeded" and job.result["sent"] == 3
    url = dingtalk_standin.messages_to("user1")[0]["msg"]["action_card"]["single_url"]
    employee = dingtalk_app.test_client()
    assert submit(employee, token_in(url), campaign).status_code == 303
    page = _page(client, campaign.id)
    assert "已发送 3，失败 0，跳过 0" in page
    in_three_days = _morning(utcnow() + timedelta(days=3))
    assert remind_due(in_three_days).sent == 2
    reminded = sorted(m["userid"] for m in dingtalk_standin.messages[3:])
    assert reminded == ["user2", "user3"]


def test_an_unreachable_smtp_server_shows_a_clear_message_and_keeps_everything_pending(
    app, client, login_as, smtp_sink
):
    use_smtp(app, smtp_sink)
    campaign = campaign_for(2)
    smtp_sink.stop()
    login_as("manager")
    job = _click_send(client, campaign.id, "invitation", "email")
    assert job.status == "failed" and "无法连接邮件服务器" in job.error and "稍后自动重试" in job.error
    page = _page(client, campaign.id)
    assert "部分消息暂未送达，会自动重试" in page and "无法连接邮件服务器" in page
    assert "员工1" not in page  # nothing failed for good: no names


def test_the_log_names_invitation_failures_but_never_reminded_people(dingtalk_app, client, login_as, dingtalk_standin):
    _reachable(dingtalk_standin, 2)
    campaign = campaign_for(3)  # user3 is unknown to DingTalk
    dingtalk_app.config["REMINDER_MIN_HOURS"] = 0
    login_as("manager")
    _click_send(client, campaign.id, "invitation", "dingtalk")
    db.session.execute(select(BackgroundJob)).scalars().all()
    page = _page(client, campaign.id)
    assert "员工3" in page and "无效的USERID" in page and "员工1" not in page
    del dingtalk_standin.users["user2"]
    from app.delivery.service import send_reminders

    send_reminders(db.session, db.session.get(Campaign, campaign.id), "dingtalk")
    page = _page(client, campaign.id)
    assert "员工2" not in page  # a failed reminder is counted, not named


def test_reminder_settings_are_saved_and_bad_values_refused(app, client, login_as):
    campaign = campaign_for(1)
    login_as("manager")
    page = _page(client, campaign.id)
    url = f"/campaigns/{campaign.id}/reminders"
    client.post(url, data={"csrf_token": _form_token(page), "remind_after_days": "3", "remind_max": "2"})
    db.session.expire_all()
    assert (campaign.remind_after_days, campaign.remind_max) == (3, 2)
    response = client.post(
        url, data={"csrf_token": _form_token(page), "remind_after_days": "0", "remind_max": "2"}, follow_redirects=True
    )
    assert "天数需在 1 到 60 之间" in response.get_data(as_text=True)
    db.session.expire_all()
    assert campaign.remind_after_days == 3


def test_a_reprinted_department_sheet_has_working_links_and_cancels_nothing(email_app, client, login_as, smtp_sink):
    from tests.web.delivery_helpers import add_reachable_people

    campaign = campaign_for(2)
    add_reachable_people(2, start=10, department="总部/华南区/深圳门店")
    login_as("manager")
    _click_send(client, campaign.id, "invitation", "email")
    sent = {r.rcpt_tos[0]: token_in(r.part("plain")) for r in smtp_sink.received}
    page = _page(client, campaign.id)
    sheet = client.post(
        f"/campaigns/{campaign.id}/links",
        data={"csrf_token": _form_token(page), "department": "总部/华南区", "qr": "打印二维码"},
    ).get_data(as_text=True)
    assert sheet.count("data:image/svg+xml") == 2 and "员工10" in sheet and "员工1<" not in sheet
    again = client.post(
        f"/campaigns/{campaign.id}/links",
        data={"csrf_token": _form_token(page), "employee_id": "P0010", "csv": "下载链接 CSV"},
    ).get_data(as_text=True)
    assert sent["p10@example.com"] in again
    employee = email_app.test_client()
    assert submit(employee, sent["p10@example.com"], campaign).status_code == 303  # the e-mailed link still works
    assert email_app.test_client().get("/s/" + token_in(again)).status_code == 404  # it was that same link


def test_regenerating_needs_confirmation_and_replaces_pending_links(email_app, client, login_as, smtp_sink):
    campaign = campaign_for(1)
    login_as("manager")
    _click_send(client, campaign.id, "invitation", "email")
    old = token_in(smtp_sink.received[0].part("plain"))
    page = _page(client, campaign.id)
    url = f"/campaigns/{campaign.id}/links/regenerate"
    refused = client.post(url, data={"csrf_token": _form_token(page)}, follow_redirects=True)
    assert "请勾选确认" in refused.get_data(as_text=True)
    assert email_app.test_client().get(f"/s/{old}").status_code == 303
    client.post(url, data={"csrf_token": _form_token(page), "confirm": "y"})
    assert email_app.test_client().get(f"/s/{old}").status_code == 404


def test_a_committee_member_cannot_send(app, client, login_as):
    campaign = campaign_for(1)
    login_as("committee")
    token = _form_token(client.get("/committee/").get_data(as_text=True))
    data = {"invitation-csrf_token": token, "csrf_token": token, "invitation-channel": "email"}
    assert client.post(f"/campaigns/{campaign.id}/deliveries/invitation", data=data).status_code == 403
    assert db.session.execute(select(BackgroundJob)).first() is None


def _morning(moment):
    candidate = moment.replace(hour=2, minute=0, second=0, microsecond=0)  # 10:00 in Shanghai
    return candidate if candidate > moment else candidate + timedelta(days=1)


def test_a_link_sheet_for_an_unknown_department_is_refused_with_a_message(app, client, login_as):
    campaign = campaign_for(1)
    login_as("manager")
    page = _page(client, campaign.id)
    response = client.post(
        f"/campaigns/{campaign.id}/links",
        data={"csrf_token": _form_token(page), "department": "总部/%", "qr": "打印二维码"},
        follow_redirects=True,
    )
    assert response.status_code == 200 and "data:image/svg+xml" not in response.get_data(as_text=True)
    assert "不是有效的选择" in response.get_data(as_text=True)
