"""Invitations and reminders by e-mail, over a real SMTP conversation with aiosmtpd on loopback."""

import json
import threading
from datetime import timedelta

from sqlalchemy import func, select

from app.delivery.service import delivery_log, send_invitations, send_reminders
from app.extensions import db
from app.models import Campaign, Delivery, Invitation, Person
from app.models.types import utcnow
from tests.conftest import use_smtp
from tests.servers import run_in_threads
from tests.web.delivery_helpers import add_reachable_people, campaign_for, token_in
from tests.web.respond_helpers import submit


def _send(runner, campaign_id, *extra, command="send"):
    result = runner.invoke(args=["invitations", command, str(campaign_id), "--channel", "email", "--json", *extra])
    return result, json.loads(result.stdout.strip().splitlines()[-1]) if result.stdout.strip() else None


def test_each_pending_person_gets_a_multipart_invitation_with_their_own_link(email_app, runner, smtp_sink):
    campaign = campaign_for(3)
    result, counts = _send(runner, campaign.id)
    assert result.exit_code == 0, result.output
    assert counts == {"sent": 3, "failed": 0, "skipped": 0, "pending": 0}
    assert sorted(r.rcpt_tos[0] for r in smtp_sink.received) == [f"p{i}@example.com" for i in (1, 2, 3)]
    mail = smtp_sink.to("p1@example.com")[0]
    assert mail.mail_from == "survey@example.com" and mail.message["Subject"] == "请填写“测试问卷”"
    assert mail.message.get_content_type() == "multipart/alternative"
    text, html = mail.part("plain"), mail.part("html")
    for body in (text, html):
        assert "员工1" in body and "测试问卷" in body and "大约需要" in body and "匿名说明" in body
        assert "不记录的内容" in body
    assert f'href="{"http://127.0.0.1:5000/s/" + token_in(text)}"' in html
    assert len({token_in(r.part("plain")) for r in smtp_sink.received}) == 3


def test_the_link_in_the_received_message_opens_the_survey_and_submits(email_app, runner, client, smtp_sink):
    campaign = campaign_for(1)
    _send(runner, campaign.id)
    token = token_in(smtp_sink.received[0].part("plain"))
    response = submit(client, token, campaign)
    assert response.status_code == 303 and response.headers["Location"] == "/respond/thanks"
    assert "data-receipt" in client.get("/respond/thanks").get_data(as_text=True)


def test_sending_again_sends_nothing_new(email_app, runner, smtp_sink):
    campaign = campaign_for(2)
    _send(runner, campaign.id)
    result, counts = _send(runner, campaign.id)
    assert result.exit_code == 0 and counts == {"sent": 0, "failed": 0, "skipped": 0, "pending": 0}
    assert len(smtp_sink.received) == 2


def test_a_new_person_in_the_audience_is_invited_by_the_next_send(email_app, runner, smtp_sink):
    campaign = campaign_for(1)
    _send(runner, campaign.id)
    add_reachable_people(1, start=7)
    _result, counts = _send(runner, campaign.id)
    assert counts["sent"] == 1 and smtp_sink.received[-1].rcpt_tos == ["p7@example.com"]


def test_dry_run_counts_without_sending_or_writing(email_app, runner, smtp_sink):
    campaign = campaign_for(2)
    add_reachable_people(1, start=9, email=False)
    result, counts = _send(runner, campaign.id, "--dry-run")
    assert result.exit_code == 0 and counts == {"sent": 2, "failed": 0, "skipped": 1, "pending": 0}
    assert smtp_sink.received == []
    assert db.session.execute(select(func.count(Delivery.id))).scalar_one() == 0


def test_a_person_without_an_email_is_skipped_with_the_reason(email_app, runner, smtp_sink):
    campaign = campaign_for(1)
    add_reachable_people(1, start=5, email=False)
    _result, counts = _send(runner, campaign.id)
    assert counts == {"sent": 1, "failed": 0, "skipped": 1, "pending": 0}
    log = delivery_log(db.session, campaign)
    [(delivery, person)] = log["attention"]
    assert (person.name, delivery.status, delivery.error) == ("员工5", "skipped", "没有邮箱")


def test_an_address_the_server_refuses_fails_with_its_reply_and_the_others_are_sent(email_app, runner, smtp_sink):
    smtp_sink.handler.rejected.add("p2@example.com")
    campaign = campaign_for(3)
    _result, counts = _send(runner, campaign.id)
    assert counts == {"sent": 2, "failed": 1, "skipped": 0, "pending": 0}
    failed = db.session.execute(select(Delivery).where(Delivery.status == "failed")).scalar_one()
    assert failed.error.startswith("550") and "User unknown" in failed.error
    smtp_sink.handler.rejected.clear()
    db.session.execute(select(Person).where(Person.employee_id == "P0002")).scalar_one().email = "fixed@example.com"
    db.session.commit()
    _result, counts = _send(runner, campaign.id)
    assert counts["sent"] == 1 and smtp_sink.received[-1].rcpt_tos == ["fixed@example.com"]


def test_an_english_speaker_gets_the_message_in_english(email_app, runner, smtp_sink):
    campaign = campaign_for(1, language="en")
    _send(runner, campaign.id)
    mail = smtp_sink.received[0]
    assert mail.message["Subject"] == "Please answer “测试问卷”"
    assert "About" in mail.part("plain") and "What is not recorded" in mail.part("plain")
    assert "Start the survey" in mail.part("html")


def test_a_line_break_in_a_name_cannot_add_mail_headers(email_app, runner, smtp_sink):
    campaign = campaign_for(1)
    person = db.session.execute(select(Person)).scalar_one()
    person.name = "张三\r\nBcc: victim@example.com"
    db.session.commit()
    _result, counts = _send(runner, campaign.id)
    assert counts["sent"] == 1
    assert smtp_sink.received[0].message["Bcc"] is None and smtp_sink.received[0].rcpt_tos == ["p1@example.com"]


def test_smtp_down_then_up_delivers_everything_once(email_app, runner, smtp_sink):
    campaign = campaign_for(3)
    smtp_sink.stop()
    result, counts = _send(runner, campaign.id)
    assert result.exit_code == 1 and "无法连接邮件服务器" in result.stderr
    assert counts["sent"] == 0 and counts["pending"] == 3
    assert db.session.execute(select(func.count(Invitation.id)).where(Invitation.status == "pending")).scalar_one() == 3
    smtp_sink.start()
    result, counts = _send(runner, campaign.id)
    assert result.exit_code == 0 and counts["sent"] == 3
    _send(runner, campaign.id)
    assert sorted(r.rcpt_tos[0] for r in smtp_sink.received) == [f"p{i}@example.com" for i in (1, 2, 3)]


def test_pending_deliveries_are_retried_by_remind_due_once_the_server_is_back(email_app, runner, smtp_sink):
    from app.delivery.service import remind_due

    campaign = campaign_for(2)
    smtp_sink.stop()
    _send(runner, campaign.id)
    smtp_sink.start()
    morning = _daytime(utcnow() + timedelta(hours=1))
    assert remind_due(morning).sent == 2
    assert remind_due(morning + timedelta(hours=1)).sent == 0
    assert len(smtp_sink.received) == 2


def test_send_answer_remind_reaches_exactly_the_pending_and_the_first_link_still_works(email_app, client, smtp_sink):
    campaign = campaign_for(3)
    now = utcnow()
    send_invitations(db.session, campaign, "email", now=now)
    first = {r.rcpt_tos[0]: token_in(r.part("plain")) for r in smtp_sink.received}
    submit(client, first["p1@example.com"], campaign)
    counts = send_reminders(db.session, campaign, "email", now=now + timedelta(hours=13))
    assert (counts.sent, counts.failed, counts.skipped) == (2, 0, 0)
    reminders = smtp_sink.received[3:]
    assert sorted(r.rcpt_tos[0] for r in reminders) == ["p2@example.com", "p3@example.com"]
    assert all(r.message["Subject"].startswith("提醒：") and "这是一条提醒" in r.part("plain") for r in reminders)
    assert token_in(reminders[0].part("plain")) == first[reminders[0].rcpt_tos[0]]
    other = client.application.test_client()
    response = submit(other, first["p2@example.com"], campaign)
    assert response.status_code == 303 and response.headers["Location"] == "/respond/thanks"


def test_a_second_reminder_within_the_minimum_gap_sends_nothing(email_app, smtp_sink):
    campaign = campaign_for(2)
    now = utcnow()
    send_invitations(db.session, campaign, "email", now=now)
    assert send_reminders(db.session, campaign, "email", now=now + timedelta(hours=13)).sent == 2
    again = send_reminders(db.session, campaign, "email", now=now + timedelta(hours=14))
    assert (again.sent, again.skipped) == (0, 2)
    assert len(smtp_sink.received) == 4


def test_two_managers_sending_at_once_send_each_invitation_once(email_app, smtp_sink):
    _race_sends(email_app, smtp_sink, people=30)


def test_two_managers_reminding_at_once_send_each_reminder_once(email_app, smtp_sink):
    campaign = campaign_for(20)
    now = utcnow() - timedelta(hours=13)
    send_invitations(db.session, campaign, "email", now=now)
    db.session.commit()
    campaign_id = campaign.id
    _in_parallel(email_app, lambda: send_reminders(db.session, db.session.get(Campaign, campaign_id), "email"))
    reminders = [r for r in smtp_sink.received if r.message["Subject"].startswith("提醒")]
    assert sorted(r.rcpt_tos[0] for r in reminders) == sorted(f"p{i}@example.com" for i in range(1, 21))


def test_two_workers_sending_at_once_on_postgresql_send_each_invitation_once(pg_app, smtp_sink):
    use_smtp(pg_app, smtp_sink)
    _race_sends(pg_app, smtp_sink, people=30)


def test_the_delivery_log_names_only_invitation_failures_and_never_tells_who_answered(email_app, client, smtp_sink):
    smtp_sink.handler.rejected.add("p3@example.com")
    campaign = campaign_for(4)
    now = utcnow()
    send_invitations(db.session, campaign, "email", now=now)
    first = {r.rcpt_tos[0]: token_in(r.part("plain")) for r in smtp_sink.received}
    submit(client, first["p1@example.com"], campaign)
    smtp_sink.handler.rejected.add("p2@example.com")
    send_reminders(db.session, campaign, "email", now=now + timedelta(hours=13))
    log = delivery_log(db.session, campaign)
    assert [(p.name, d.purpose) for d, p in log["attention"]] == [("员工3", "invitation")]
    invitation, reminder = log["rows"]
    assert (invitation.sent, invitation.failed) == (3, 1)
    assert (reminder.purpose, reminder.sent, reminder.failed) == ("reminder", 1, 2)
    statuses = set(db.session.execute(select(Delivery.status)).scalars())
    assert statuses <= {"sent", "failed"}  # nothing like "answered" is ever recorded


def _race_sends(app, sink, people):
    campaign = campaign_for(people)
    campaign_id = campaign.id
    _in_parallel(app, lambda: send_invitations(db.session, db.session.get(Campaign, campaign_id), "email"))
    received = sorted(r.rcpt_tos[0] for r in sink.received)
    assert received == sorted(f"p{i}@example.com" for i in range(1, people + 1))
    assert db.session.execute(select(func.count(Delivery.id)).where(Delivery.status == "sent")).scalar_one() == people


def _in_parallel(app, action, workers=2):
    barrier = threading.Barrier(workers)
    errors = []

    def work():
        with app.app_context():
            barrier.wait()
            try:
                action()
            except Exception as exc:  # reported below: a worker must not fail
                errors.append(exc)
            finally:
                db.session.remove()

    db.session.commit()
    run_in_threads(work, [[] for _ in range(workers)])
    assert errors == []


def _daytime(moment):
    """The same day at 10:00 in Shanghai (02:00 UTC), or the next day's, whichever is after `moment`."""
    candidate = moment.replace(hour=2, minute=0, second=0, microsecond=0)
    return candidate if candidate > moment else candidate + timedelta(days=1)


def test_the_message_gives_the_closing_date(email_app, runner, smtp_sink):
    from datetime import datetime

    campaign = campaign_for(1)
    campaign.closes_at = datetime(2030, 12, 20, 10, 0)  # UTC: 18:00 in the company's time (Asia/Shanghai)
    db.session.commit()
    _send(runner, campaign.id)
    assert "截止时间：2030年12月20日 18:00" in smtp_sink.received[0].part("plain")
