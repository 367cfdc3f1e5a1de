"""Invitations as DingTalk work notifications, against the oapi stand-in on loopback (tests/dingtalk_standin.py)."""

import json

from sqlalchemy import func, select

from app.delivery.dingtalk import DingTalkClient, settings_from
from app.extensions import db
from app.models import Delivery
from tests.web.delivery_helpers import campaign_for, token_in
from tests.web.respond_helpers import submit


def _send(runner, campaign_id, command="send"):
    result = runner.invoke(args=["invitations", command, str(campaign_id), "--channel", "dingtalk", "--json"])
    return result, json.loads(result.stdout.strip().splitlines()[-1])


def _reachable(standin, count=3, start=1):
    for i in range(start, start + count):
        standin.add_user(f"user{i}", f"员工{i}")


def test_each_person_gets_one_action_card_with_their_own_link(dingtalk_app, runner, dingtalk_standin):
    _reachable(dingtalk_standin)
    campaign = campaign_for(3)
    result, counts = _send(runner, campaign.id)
    assert result.exit_code == 0, result.output
    assert counts == {"sent": 3, "failed": 0, "skipped": 0, "pending": 0}
    assert sorted(m["userid"] for m in dingtalk_standin.messages) == ["user1", "user2", "user3"]
    card = dingtalk_standin.messages_to("user1")[0]["msg"]
    assert card["msgtype"] == "action_card"
    action = card["action_card"]
    assert action["title"] == "请填写“测试问卷”" and action["single_title"] == "开始填写"
    assert action["single_url"].startswith("http://127.0.0.1:5000/s/")
    assert "员工1" in action["markdown"] and "匿名说明" in action["markdown"]
    assert len({m["msg"]["action_card"]["single_url"] for m in dingtalk_standin.messages}) == 3


def test_the_link_in_the_work_notification_opens_the_survey_and_submits(dingtalk_app, runner, client, dingtalk_standin):
    _reachable(dingtalk_standin, 1)
    campaign = campaign_for(1)
    _send(runner, campaign.id)
    token = token_in(dingtalk_standin.messages[0]["msg"]["action_card"]["single_url"])
    response = submit(client, token, campaign)
    assert response.status_code == 303 and response.headers["Location"] == "/respond/thanks"


def test_sending_again_sends_nothing_new(dingtalk_app, runner, dingtalk_standin):
    _reachable(dingtalk_standin)
    campaign = campaign_for(3)
    _send(runner, campaign.id)
    _result, counts = _send(runner, campaign.id)
    assert counts["sent"] == 0 and len(dingtalk_standin.messages) == 3


def test_a_token_that_expires_mid_run_is_fetched_again_and_nothing_is_lost(dingtalk_app, runner, dingtalk_standin):
    _reachable(dingtalk_standin, 6)
    campaign = campaign_for(6)
    dingtalk_standin.expire_token_after(3)
    result, counts = _send(runner, campaign.id)
    assert result.exit_code == 0 and counts["sent"] == 6
    assert dingtalk_standin.token_fetches == 2
    assert sorted(m["userid"] for m in dingtalk_standin.messages) == [f"user{i}" for i in range(1, 7)]


def test_rate_limit_answers_are_retried_with_backoff(dingtalk_app, runner, dingtalk_standin):
    _reachable(dingtalk_standin, 4)
    campaign = campaign_for(4)
    dingtalk_standin.rate_limit_next(3)
    result, counts = _send(runner, campaign.id)
    assert result.exit_code == 0 and counts["sent"] == 4
    assert len(dingtalk_standin.messages) == 4
    assert dingtalk_standin.calls["/topapi/message/corpconversation/asyncsend_v2"] == 7


def test_calls_spaced_to_the_configured_rate_are_never_rate_limited(dingtalk_app, dingtalk_standin):
    dingtalk_standin.qps = 5
    dingtalk_app.config["DINGTALK_RATE_PER_SECOND"] = 4
    client = DingTalkClient(settings_from(dingtalk_app.config))
    for _ in range(8):
        client.sub_departments(1)
    assert dingtalk_standin.rate_limited == 0


def test_calls_over_dingtalks_limit_are_answered_90018_and_retried(dingtalk_app, dingtalk_standin):
    dingtalk_standin.qps = 2
    client = DingTalkClient(settings_from(dingtalk_app.config))  # DINGTALK_RATE_PER_SECOND=0: unpaced
    for _ in range(8):
        assert client.sub_departments(1) == []
    assert dingtalk_standin.rate_limited >= 1


def test_an_unknown_userid_is_that_persons_failed_delivery_with_dingtalks_errmsg(
    dingtalk_app, runner, dingtalk_standin
):
    _reachable(dingtalk_standin, 2)  # user3 is not in the organisation
    campaign = campaign_for(3)
    result, counts = _send(runner, campaign.id)
    assert result.exit_code == 0 and counts == {"sent": 2, "failed": 1, "skipped": 0, "pending": 0}
    failed = db.session.execute(select(Delivery).where(Delivery.status == "failed")).scalar_one()
    assert failed.person.dingtalk_userid == "user3" and "33012" in failed.error and "无效的USERID" in failed.error


def test_a_person_without_a_dingtalk_id_is_skipped(dingtalk_app, runner, dingtalk_standin):
    _reachable(dingtalk_standin, 1)
    campaign = campaign_for(1)
    from tests.web.delivery_helpers import add_reachable_people

    add_reachable_people(1, start=4, dingtalk=False)
    _result, counts = _send(runner, campaign.id)
    assert counts == {"sent": 1, "failed": 0, "skipped": 1, "pending": 0}


def test_wrong_credentials_fail_fast_with_dingtalks_errmsg_and_lose_nothing(dingtalk_app, runner, dingtalk_standin):
    _reachable(dingtalk_standin)
    campaign = campaign_for(3)
    dingtalk_app.config["DINGTALK_APP_SECRET"] = "wrong"
    result, counts = _send(runner, campaign.id)
    assert result.exit_code == 1 and "不合法的corpid或corpsecret" in result.stderr
    assert counts["sent"] == 0 and counts["pending"] == 3
    assert dingtalk_standin.calls["/topapi/message/corpconversation/asyncsend_v2"] == 0
    dingtalk_app.config["DINGTALK_APP_SECRET"] = dingtalk_standin.app_secret
    _result, counts = _send(runner, campaign.id)
    assert counts["sent"] == 3


def test_an_unreachable_api_leaves_everything_pending_then_delivers_once(dingtalk_app, runner, dingtalk_standin):
    _reachable(dingtalk_standin)
    campaign = campaign_for(3)
    dingtalk_standin.stop()
    result, counts = _send(runner, campaign.id)
    assert result.exit_code == 1 and "无法访问钉钉接口" in result.stderr and counts["pending"] == 3
    dingtalk_standin.start()
    _result, counts = _send(runner, campaign.id)
    assert counts["sent"] == 3
    assert db.session.execute(select(func.count(Delivery.id)).where(Delivery.status == "sent")).scalar_one() == 3
    assert sorted(m["userid"] for m in dingtalk_standin.messages) == ["user1", "user2", "user3"]


def test_remind_by_dingtalk_reaches_only_the_pending(dingtalk_app, runner, client, dingtalk_standin):
    _reachable(dingtalk_standin)
    campaign = campaign_for(3)
    dingtalk_app.config["REMINDER_MIN_HOURS"] = 0
    _send(runner, campaign.id)
    token = token_in(dingtalk_standin.messages_to("user2")[0]["msg"]["action_card"]["single_url"])
    submit(client, token, campaign)
    result, counts = _send(runner, campaign.id, command="remind")
    assert result.exit_code == 0 and counts == {"sent": 2, "failed": 0, "skipped": 0, "pending": 0}
    reminders = dingtalk_standin.messages[3:]
    assert sorted(m["userid"] for m in reminders) == ["user1", "user3"]
    assert all(m["msg"]["action_card"]["title"].startswith("提醒：") for m in reminders)
