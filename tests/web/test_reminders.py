"""Automatic reminders: after N days without an answer, at most M times, never in quiet hours, until close."""

import json
import threading
from datetime import timedelta

from app.campaigns.service import change_status
from app.delivery.service import in_quiet_hours, remind_due, send_invitations
from app.extensions import db
from app.models import Campaign
from app.models.types import utcnow
from tests.servers import run_in_threads
from tests.web.delivery_helpers import campaign_for, token_in
from tests.web.respond_helpers import submit


def _ten_in_shanghai():
    """A morning (10:00 Asia/Shanghai = 02:00 UTC) after now."""
    moment = utcnow() + timedelta(hours=1)
    candidate = moment.replace(hour=2, minute=0, second=0, microsecond=0)
    return candidate if candidate > moment else candidate + timedelta(days=1)


def _invited(count=3, after_days=3, max_reminders=1):
    campaign = campaign_for(count)
    campaign.remind_after_days, campaign.remind_max = after_days, max_reminders
    db.session.commit()
    start = _ten_in_shanghai()
    send_invitations(db.session, campaign, "email", now=start)
    return campaign, start


def _reminders(sink):
    return sorted(r.rcpt_tos[0] for r in sink.received if r.message["Subject"].startswith("提醒"))


def test_reminders_go_out_after_n_days_only_to_those_who_have_not_answered(email_app, client, smtp_sink):
    campaign, start = _invited()
    submit(client, token_in(smtp_sink.to("p1@example.com")[0].part("plain")), campaign)
    assert remind_due(start + timedelta(days=2, hours=23)).sent == 0
    assert remind_due(start + timedelta(days=3)).sent == 2
    assert _reminders(smtp_sink) == ["p2@example.com", "p3@example.com"]


def test_at_most_m_reminders_per_person(email_app, smtp_sink):
    _campaign, start = _invited(count=1, after_days=2, max_reminders=2)
    for day in range(2, 12):
        remind_due(start + timedelta(days=day))
    assert _reminders(smtp_sink) == ["p1@example.com", "p1@example.com"]


def test_the_reminder_carries_the_link_of_the_invitation(email_app, smtp_sink):
    _campaign, start = _invited(count=1)
    remind_due(start + timedelta(days=3))
    invitation, reminder = smtp_sink.received
    assert token_in(reminder.part("plain")) == token_in(invitation.part("plain"))


def test_a_reminder_due_in_quiet_hours_waits_for_the_morning(email_app, smtp_sink):
    _campaign, start = _invited(count=2)
    evening = start + timedelta(days=3, hours=12)  # 22:00 in Shanghai
    assert in_quiet_hours(evening) and remind_due(evening).sent == 0
    assert remind_due(evening + timedelta(hours=9, minutes=59)).sent == 0  # 07:59
    assert remind_due(evening + timedelta(hours=10, minutes=30)).sent == 2  # 08:30
    assert _reminders(smtp_sink) == ["p1@example.com", "p2@example.com"]


def test_quiet_hours_follow_the_company_timezone(email_app):
    noon_utc = _ten_in_shanghai() + timedelta(hours=10)  # 20:00 in Shanghai, 12:00 UTC
    assert not in_quiet_hours(noon_utc)
    email_app.config["BABEL_DEFAULT_TIMEZONE"] = "America/New_York"  # 07:00 or 08:00 there
    assert in_quiet_hours(noon_utc - timedelta(hours=1))


def test_reminders_stop_when_the_campaign_closes(email_app, smtp_sink):
    campaign, start = _invited(count=2)
    change_status(db.session, campaign, "closed")
    db.session.commit()
    assert remind_due(start + timedelta(days=3)).sent == 0
    assert _reminders(smtp_sink) == []


def test_campaigns_without_reminder_settings_get_none(email_app, smtp_sink):
    _campaign, start = _invited(count=2, after_days=None, max_reminders=0)
    assert remind_due(start + timedelta(days=30)).sent == 0


def test_two_schedulers_at_once_send_each_reminder_once(email_app, smtp_sink):
    _campaign, start = _invited(count=20)
    due = start + timedelta(days=3)
    barrier = threading.Barrier(2)

    def scheduler():
        with email_app.app_context():
            barrier.wait()
            remind_due(due)
            db.session.remove()

    db.session.commit()
    run_in_threads(scheduler, [[], []])
    assert _reminders(smtp_sink) == sorted(f"p{i}@example.com" for i in range(1, 21))


def test_remind_due_command_for_cron_prints_counts_per_campaign(email_app, runner, smtp_sink):
    campaign = campaign_for(2)
    campaign.remind_after_days, campaign.remind_max = 1, 1
    db.session.commit()
    send_invitations(db.session, campaign, "email", now=utcnow() - timedelta(days=2))
    email_app.config["QUIET_HOURS"] = ""
    result = runner.invoke(args=["invitations", "remind-due", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["sent"] == 2 and data["campaigns"][str(campaign.id)]["sent"] == 2
    assert db.session.get(Campaign, campaign.id).remind_max == 1


def test_reminder_settings_from_the_command_line(app, runner):
    campaign = campaign_for(1)
    result = runner.invoke(args=["campaigns", "reminders", str(campaign.id), "--after-days", "3", "--max", "2"])
    assert result.exit_code == 0 and "3 天后自动提醒，最多 2 次" in result.output
    db.session.expire_all()
    assert (campaign.remind_after_days, campaign.remind_max) == (3, 2)
    bad = runner.invoke(args=["campaigns", "reminders", str(campaign.id), "--after-days", "0"])
    assert bad.exit_code == 1 and "提醒间隔需在 1 到 60 天之间" in bad.output
    off = runner.invoke(args=["campaigns", "reminders", str(campaign.id)])
    assert off.exit_code == 0 and "不自动提醒" in off.output


def test_reminders_go_out_by_themselves_through_the_periodic_task(email_app, client, smtp_sink, monkeypatch):
    from app import scheduler
    from app.scheduler import every
    from tests.servers import wait_until

    monkeypatch.setattr(scheduler, "PERIODIC", {})
    every(1, "remind_due")  # the delivery module registers it every REMIND_DUE_EVERY seconds
    email_app.config.update(SCHEDULER_PERIODIC=True, SCHEDULER_POLL_SECONDS=0.3, QUIET_HOURS="")
    campaign = campaign_for(2)
    campaign.remind_after_days, campaign.remind_max = 3, 1
    db.session.commit()
    send_invitations(db.session, campaign, "email", now=utcnow() - timedelta(days=3, minutes=1))
    client.get("/healthz")  # the first request starts this process's scheduler; nobody clicks anything
    wait_until(lambda: len(_reminders(smtp_sink)) == 2, 30, "the automatic reminders")
    scheduler.stop(email_app)
    assert _reminders(smtp_sink) == ["p1@example.com", "p2@example.com"]


def test_the_delivery_module_registers_the_periodic_task():
    from app import scheduler
    from app.delivery.service import REMIND_DUE_EVERY

    assert scheduler.PERIODIC["remind_due"] == REMIND_DUE_EVERY
