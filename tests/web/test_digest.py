"""The monthly digest (你说，我们做) reaches people: once per person and month, by hand or by itself."""

import html
import json
import threading
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from analysis.months import Month
from app.delivery.digest import (
    DIGEST_DUE_EVERY,
    DigestError,
    digest_due,
    digest_of,
    due_at,
    save_introduction,
    save_schedule,
    schedule_of,
    send_digest,
)
from app.extensions import db
from app.i18n import current_month
from app.models import Delivery, Person
from tests.conftest import csrf_token_from, use_dingtalk, use_smtp
from tests.servers import run_in_threads
from tests.web.board_helpers import a_busy_month
from tests.web.delivery_helpers import add_reachable_people


@pytest.fixture
def month(app):
    """Last month, with an account to tell (its digest is due this month)."""
    with app.test_request_context():
        last = current_month().previous
    a_busy_month(last)
    return last


def digests(sink):
    return [r for r in sink.received if r.message["Subject"].startswith("你说，我们做")]


def due_moment(month: Month) -> datetime:
    """The default schedule's moment for `month`'s digest: the 3rd of the next month, 09:30 in Shanghai."""
    return due_at(schedule_of(db.session), month)


def test_the_digest_tells_what_was_adopted_and_implemented_links_the_month_and_the_box(
    email_app, smtp_sink, client, month
):
    add_reachable_people(2)
    counts = send_digest(db.session, month, "email")
    assert (counts.sent, counts.failed, counts.skipped) == (2, 0, 0)
    message = digests(smtp_sink)[0]
    text = message.part("plain")
    assert message.message["Subject"] == f"你说，我们做：{month.label('zh')}改进委员会公示"
    assert "已实施：WiFi 打卡——已上线 WiFi 打卡" in text and "已采纳：开放手机端批量审批" in text
    assert "收到建议 3 条，采纳 1 条，已实施 1 条，未采纳 1 条（均附理由）" in text
    month_url = f"http://127.0.0.1:5000/board/months/{month}"
    assert month_url in text and "http://127.0.0.1:5000/board/suggest" in text
    assert month_url in message.part("html")
    assert client.get(month_url.removeprefix("http://127.0.0.1:5000")).status_code == 200


def test_a_reader_of_english_gets_it_in_english_with_the_committee_s_words_as_written(email_app, smtp_sink, month):
    add_reachable_people(1, language="en")
    send_digest(db.session, month, "email")
    message = smtp_sink.received[0]
    assert message.message["Subject"] == f"You said, we did: the committee's account of {month.label('en')}"
    assert "Implemented: WiFi 打卡 — 已上线 WiFi 打卡" in message.part("plain")


def test_the_command_sends_once_per_person_and_month_and_prints_the_counts(email_app, runner, smtp_sink, month):
    add_reachable_people(3)
    add_reachable_people(1, start=10, email=False)
    db.session.execute(select(Person).where(Person.employee_id == "P0003")).scalar_one().active = False
    db.session.commit()
    args = ["board", "digest", "--month", str(month), "--channel", "email", "--json"]
    first = runner.invoke(args=args)
    assert first.exit_code == 0, first.output
    assert json.loads(first.stdout) == {"sent": 2, "failed": 0, "skipped": 1}
    again = runner.invoke(args=args)
    assert json.loads(again.stdout) == {"sent": 0, "failed": 0, "skipped": 1}
    assert sorted(r.rcpt_tos[0] for r in digests(smtp_sink)) == ["p1@example.com", "p2@example.com"]


def test_the_dry_run_lists_who_would_receive_what_and_sends_nothing(app, runner, month):
    add_reachable_people(2)
    add_reachable_people(1, start=10, dingtalk=False, language="en")
    result = runner.invoke(
        args=["board", "digest", "--month", str(month), "--channel", "dingtalk", "--dry-run", "--json"]
    )
    assert result.exit_code == 0, result.output
    plan = json.loads(result.stdout)
    assert (plan["sent"], plan["failed"], plan["skipped"]) == (2, 0, 1)
    assert [(r["employee_id"], r["address"], r["skipped"]) for r in plan["recipients"]] == [
        ("P0001", "user1", None),
        ("P0002", "user2", None),
        ("P0010", None, "没有钉钉 ID"),
    ]
    assert "已实施：WiFi 打卡——已上线 WiFi 打卡" in plan["messages"]["zh"]["lines"]
    assert plan["messages"]["en"]["action"] == f"See the account of {month.label('en')}"
    assert db.session.execute(select(func.count(Delivery.id))).scalar_one() == 0
    human = runner.invoke(args=["board", "digest", "--month", str(month), "--channel", "dingtalk", "--dry-run"])
    assert (
        "试运行（未发送）" in human.output and "P0010\t员工10" in human.output and "跳过：没有钉钉 ID" in human.output
    )


def test_a_month_that_has_not_ended_or_is_not_one_is_refused(app, runner):
    with app.test_request_context():
        this = str(current_month())
    unfinished = runner.invoke(args=["board", "digest", "--month", this, "--channel", "email"])
    assert unfinished.exit_code == 1 and "还没有结束" in unfinished.output
    wrong = runner.invoke(args=["board", "digest", "--month", "2026-13", "--channel", "email"])
    assert wrong.exit_code == 1 and "月份格式应为“2026-11”" in wrong.output


def test_someone_dingtalk_cannot_reach_gets_it_by_e_mail_and_nobody_gets_it_twice(
    app, smtp_sink, dingtalk_standin, month
):
    use_smtp(app, smtp_sink)
    use_dingtalk(app, dingtalk_standin)
    add_reachable_people(2)
    add_reachable_people(1, start=10, dingtalk=False)
    for i in (1, 2):
        dingtalk_standin.add_user(f"user{i}", f"员工{i}")
    by_dingtalk = send_digest(db.session, month, "dingtalk")
    by_email = send_digest(db.session, month, "email")
    assert (by_dingtalk.sent, by_dingtalk.skipped, by_email.sent) == (2, 1, 1)
    assert sorted(m["userid"] for m in dingtalk_standin.messages) == ["user1", "user2"]
    card = dingtalk_standin.messages[0]["msg"]["action_card"]
    assert card["single_url"].endswith(f"/board/months/{month}") and "WiFi 打卡" in card["markdown"]
    assert [r.rcpt_tos[0] for r in digests(smtp_sink)] == ["p10@example.com"]
    rows = db.session.execute(select(Delivery.channel, Delivery.status).order_by(Delivery.person_id)).all()
    assert rows == [("dingtalk", "sent"), ("dingtalk", "sent"), ("email", "sent")]


def test_two_schedulers_at_once_send_each_person_the_month_s_digest_once(email_app, smtp_sink, month):
    add_reachable_people(30)
    _two_schedulers_at_once(email_app, due_moment(month) + timedelta(minutes=1))
    assert sorted(r.rcpt_tos[0] for r in digests(smtp_sink)) == sorted(f"p{i}@example.com" for i in range(1, 31))


def test_two_schedulers_at_once_on_postgresql_send_each_person_the_month_s_digest_once(pg_app, smtp_sink):
    use_smtp(pg_app, smtp_sink)
    with pg_app.test_request_context():
        last = current_month().previous
    a_busy_month(last)
    add_reachable_people(30)
    _two_schedulers_at_once(pg_app, due_moment(last) + timedelta(minutes=1))
    assert sorted(r.rcpt_tos[0] for r in digests(smtp_sink)) == sorted(f"p{i}@example.com" for i in range(1, 31))
    assert db.session.execute(select(func.count(Delivery.id))).scalar_one() == 30


def _two_schedulers_at_once(app, now):
    app.config["QUIET_HOURS"] = "21:00-08:00"
    barrier = threading.Barrier(2)
    errors = []

    def scheduler():
        with app.app_context():
            barrier.wait()
            try:
                counts = digest_due(now)
                assert counts.error is None, counts.error
            except Exception as exc:  # reported below: a scheduler must not fail
                errors.append(exc)
            finally:
                db.session.remove()

    db.session.commit()
    run_in_threads(scheduler, [[], []])
    assert errors == []


def test_the_scheduler_waits_for_the_day_and_time_then_sends_once(email_app, smtp_sink, month):
    add_reachable_people(2)
    due = due_moment(month)
    local_due = due + timedelta(hours=8)
    assert (local_due.day, local_due.hour, local_due.minute) == (3, 9, 30)
    assert digest_due(due - timedelta(minutes=1)).sent == 0
    assert digest_due(due).sent == 2
    assert digest_of(db.session, month).finished_at == due
    assert digest_due(due + timedelta(days=1)).sent == 0
    add_reachable_people(1, start=20)  # joins after the month's digest went: the scheduler leaves it alone
    assert digest_due(due + timedelta(days=2)).sent == 0
    assert len(digests(smtp_sink)) == 2


def test_a_digest_due_in_quiet_hours_waits_for_the_morning(email_app, smtp_sink, month):
    add_reachable_people(1)
    email_app.config["QUIET_HOURS"] = "09:00-10:00"
    due = due_moment(month)
    assert digest_due(due).sent == 0
    assert digest_due(due + timedelta(minutes=31)).sent == 1


def test_the_scheduler_uses_the_channels_in_order(app, smtp_sink, dingtalk_standin, month):
    use_smtp(app, smtp_sink)
    use_dingtalk(app, dingtalk_standin)
    add_reachable_people(1)
    add_reachable_people(1, start=10, dingtalk=False)
    dingtalk_standin.add_user("user1", "员工1")
    counts = digest_due(due_moment(month))
    assert counts.sent == 2
    assert [m["userid"] for m in dingtalk_standin.messages] == ["user1"]
    assert [r.rcpt_tos[0] for r in digests(smtp_sink)] == ["p10@example.com"]


def test_an_unreachable_server_leaves_the_month_open_and_the_next_look_delivers(email_app, smtp_sink, month):
    add_reachable_people(2)
    smtp_sink.stop()
    due = due_moment(month)
    first = digest_due(due)
    assert first.sent == 0 and first.error and digest_of(db.session, month).finished_at is None
    smtp_sink.start()
    email_app.config["DELIVERY_RETRY_MINUTES"] = 0
    assert digest_due(due + timedelta(minutes=10)).sent == 2
    assert len(digests(smtp_sink)) == 2


def test_the_digest_goes_out_by_itself_through_the_periodic_task(email_app, client, smtp_sink, month, monkeypatch):
    from app import scheduler
    from app.scheduler import every
    from tests.servers import wait_until

    monkeypatch.setattr(scheduler, "PERIODIC", {})
    every(1, "digest_due")  # app.delivery.digest registers it every DIGEST_DUE_EVERY seconds
    email_app.config.update(SCHEDULER_PERIODIC=True, SCHEDULER_POLL_SECONDS=0.3, QUIET_HOURS="")
    save_schedule(db.session, 1, "00:00", "email", True, None)  # due since this month began
    add_reachable_people(2)
    client.get("/healthz")  # the first request starts this process's scheduler; nobody runs a command
    wait_until(lambda: len(digests(smtp_sink)) == 2, 30, "the monthly digest")
    scheduler.stop(email_app)
    assert sorted(r.rcpt_tos[0] for r in digests(smtp_sink)) == ["p1@example.com", "p2@example.com"]


def test_the_digest_module_registers_the_periodic_task():
    from app import scheduler

    assert scheduler.PERIODIC["digest_due"] == DIGEST_DUE_EVERY


# --- the committee's page -----------------------------------------------------------------------------------
def test_the_committee_previews_the_digest_in_both_languages(client, login_as, month):
    login_as("committee")
    page = html.unescape(client.get(f"/committee/digest?month={month}").get_data(as_text=True))
    assert f"你说，我们做：{month.label('zh')}改进委员会公示" in page
    assert "已实施：WiFi 打卡——已上线 WiFi 打卡" in page
    assert f"You said, we did: the committee's account of {month.label('en')}" in page


def test_the_committee_edits_the_introduction_before_it_goes(email_app, client, login_as, smtp_sink, month):
    login_as("committee")
    page = client.get(f"/committee/digest?month={month}").get_data(as_text=True)
    response = client.post(
        f"/committee/digest/{month}/introduction",
        data={"csrf_token": csrf_token_from(page), "introduction": "感谢大家上个月的 <b>意见</b>！"},
    )
    assert response.status_code == 302
    assert "感谢大家上个月的 &lt;b&gt;意见&lt;/b&gt;！" in client.get(f"/committee/digest?month={month}").get_data(
        as_text=True
    )
    add_reachable_people(1)
    send_digest(db.session, month, "email")
    assert "感谢大家上个月的 <b>意见</b>！" in smtp_sink.received[0].part("plain")
    with pytest.raises(DigestError, match="已开始发送"):
        save_introduction(db.session, month, "改一下", None)
    db.session.rollback()
    locked = client.get(f"/committee/digest?month={month}").get_data(as_text=True)
    assert "引言不能再修改" in locked and "已发送 1" in locked


def test_the_committee_sets_the_day_and_time_and_a_bad_one_is_explained(client, login_as, app):
    login_as("committee")
    page = client.get("/committee/digest").get_data(as_text=True)
    token = csrf_token_from(page)
    data = {"csrf_token": token, "day": "5", "send_at": "10:15", "channels": "email", "enabled": "y"}
    assert client.post("/committee/digest/schedule", data=data).status_code == 302
    schedule = schedule_of(db.session)
    assert (schedule.day, schedule.send_at, schedule.channels, schedule.enabled) == (5, "10:15", "email", True)
    too_late = client.post("/committee/digest/schedule", data={**data, "day": "31"})
    assert too_late.status_code == 422 and "发送日应在每月 1 到 28 日之间" in too_late.get_data(as_text=True)
    at_night = client.post("/committee/digest/schedule", data={**data, "send_at": "22:00"})
    assert at_night.status_code == 422 and "22:00 在免打扰时段（21:00-08:00）内" in at_night.get_data(as_text=True)
    nonsense = client.post("/committee/digest/schedule", data={**data, "send_at": "半夜"})
    assert nonsense.status_code == 422 and "发送时间格式应为“09:30”" in nonsense.get_data(as_text=True)
    assert 'value="半夜"' in nonsense.get_data(as_text=True)
    db.session.expire_all()
    assert schedule_of(db.session).send_at == "10:15"


def test_the_digest_pages_lead_back_to_the_first_month_on_record_and_no_further(client, login_as, month):
    login_as("committee")
    first = month.previous  # the month's busy account began the month before
    page = client.get(f"/committee/digest?month={month}").get_data(as_text=True)
    assert f'href="/committee/digest?month={first}" rel="prev"' in page
    assert 'rel="prev"' not in client.get(f"/committee/digest?month={first}").get_data(as_text=True)
    earliest = client.get("/committee/digest?month=2000-01")
    assert earliest.status_code == 200 and 'rel="prev"' not in earliest.get_data(as_text=True)


def test_managers_may_look_but_only_the_committee_changes_the_digest(client, login_as, month):
    login_as("manager")
    page = client.get("/committee/digest").get_data(as_text=True)
    assert "预览" in page and "保存发送时间" not in page
    token = csrf_token_from(page)
    assert client.post("/committee/digest/schedule", data={"csrf_token": token, "day": "4"}).status_code == 403
    assert client.post(f"/committee/digest/{month}/introduction", data={"csrf_token": token}).status_code == 403


def test_the_digest_page_in_english(client, login_as, month):
    login_as("committee")
    page = client.get("/committee/digest").get_data(as_text=True)
    client.post("/language", data={"lang": "en", "next": "/committee/digest", "csrf_token": csrf_token_from(page)})
    english = client.get("/committee/digest").get_data(as_text=True)
    assert "Monthly digest" in english and "Preview" in english and "Save the schedule" in english
