"""Suggestions: the transition table, roles, publishing, the board, the box, receipts, webhooks."""

import base64
import hashlib
import hmac
import itertools
import json
import re
import threading
import urllib.parse

import pytest
from sqlalchemy import func, select

from app.committee.notify import dingtalk_sign, signed_url
from app.committee.service import create_suggestion
from app.committee.workflow import STATUS_LABELS, TRANSITIONS, Decision, TransitionError, transition
from app.extensions import db
from app.models import ApiToken, AuditLog, BackgroundJob, Suggestion, SuggestionEvent, WebhookDelivery
from tests.conftest import csrf_token_from
from tests.servers import WebhookRobot, wait_until
from tests.web.results_helpers import campaign_with

LEGAL = {(a, b) for a, targets in TRANSITIONS.items() for b in targets}


def new_suggestion(title="审批流程太长", status="submitted", published=False):
    suggestion = create_suggestion(db.session, title, "说明", "other")
    suggestion.status = status
    suggestion.published = published
    db.session.commit()
    return suggestion


def complete(to, other=None):
    return Decision(to, note="理由或说明", owner_id=1, target_quarter="2027Q1", merged_into_id=other.id)


@pytest.mark.parametrize("pair", list(itertools.product(STATUS_LABELS, STATUS_LABELS)))
def test_transition_table(app, make_staff, pair):
    make_staff("committee")
    source, target = pair
    suggestion = new_suggestion(status=source)
    other = new_suggestion("另一条")
    if pair in LEGAL:
        event = transition(db.session, suggestion, complete(target, other), actor_id=1)
        assert (event.from_status, event.to_status, suggestion.status) == (source, target, target)
    else:
        with pytest.raises(TransitionError) as error:
            transition(db.session, suggestion, complete(target, other), actor_id=1)
        assert error.value.kind == "illegal" and suggestion.status == source


@pytest.mark.parametrize(
    "to,decision,message",
    [
        ("declined", Decision("declined"), "必须填写理由"),
        ("adopted", Decision("adopted", target_quarter="2027Q1"), "负责人"),
        ("adopted", Decision("adopted", owner_id=1, target_quarter="明年"), "目标季度"),
        ("merged", Decision("merged"), "合并到"),
    ],
)
def test_incomplete_decisions_are_refused_with_a_message(app, to, decision, message):
    suggestion = new_suggestion(status="under_review")
    with pytest.raises(TransitionError, match=message) as error:
        transition(db.session, suggestion, decision, actor_id=None)
    assert error.value.kind == "incomplete"


def test_implemented_needs_a_note(app):
    suggestion = new_suggestion(status="in_progress")
    with pytest.raises(TransitionError, match="改了什么"):
        transition(db.session, suggestion, Decision("implemented"), actor_id=None)


def test_every_transition_is_an_event_and_an_audit_row(app, make_staff):
    user = make_staff("committee")
    suggestion = new_suggestion(status="submitted")
    transition(db.session, suggestion, Decision("under_review"), user.id)
    transition(db.session, suggestion, Decision("adopted", owner_id=user.id, target_quarter="2027Q1"), user.id)
    db.session.commit()
    events = (
        db.session.execute(
            select(SuggestionEvent.to_status)
            .where(SuggestionEvent.suggestion_id == suggestion.id)
            .order_by(SuggestionEvent.id)
        )
        .scalars()
        .all()
    )
    assert events == ["submitted", "under_review", "adopted"]
    audits = db.session.execute(
        select(func.count()).select_from(AuditLog).where(AuditLog.action == "suggestion.transition")
    ).scalar_one()
    assert audits == 2


def test_a_refused_decision_stores_nothing(app, make_staff):
    from app.committee.workflow import decide

    member = make_staff("committee")
    suggestion = new_suggestion(status="under_review")
    with pytest.raises(TransitionError):
        decide(db.session, suggestion, Decision("adopted", owner_id=member.id, target_quarter="明年"), member.id)
    assert db.session.get(Suggestion, suggestion.id).status == "under_review"
    audits = db.session.execute(
        select(func.count()).select_from(AuditLog).where(AuditLog.target_type == "suggestion")
    ).scalar_one()
    assert audits == 1  # only the creation's (creating the member's account is audited too, on its own row)


def test_an_owner_must_be_an_active_committee_member(app, make_staff):
    from app.committee.workflow import decide

    member, manager = make_staff("committee"), make_staff("manager")
    retired = make_staff("committee", email="retired@example.com")
    retired.active = False
    db.session.commit()
    suggestion = new_suggestion(status="under_review")
    for owner in (manager, retired):
        with pytest.raises(TransitionError, match="改进委员会成员") as refused:
            decide(db.session, suggestion, Decision("adopted", owner_id=owner.id, target_quarter="2027Q1"), member.id)
        assert refused.value.kind == "invalid_owner"
    decide(db.session, suggestion, Decision("adopted", owner_id=member.id, target_quarter="2027Q1"), member.id)
    assert (suggestion.status, suggestion.owner_id) == ("adopted", member.id)


def test_the_api_refuses_an_owner_who_left_the_committee(client, make_staff):
    headers, _member = bearer(make_staff, "committee")
    retired = make_staff("committee", email="retired@example.com")
    retired.active = False
    db.session.commit()
    suggestion = new_suggestion(status="under_review")
    response = client.post(
        f"/api/v1/suggestions/{suggestion.id}/transitions",
        json={"to": "adopted", "owner": "retired@example.com", "target_quarter": "2027Q1"},
        headers=headers,
    )
    assert response.status_code == 422 and response.json["error"] == "invalid_owner"
    assert db.session.get(Suggestion, suggestion.id).status == "under_review"


def test_a_decision_on_the_page_is_committed_and_notified(client, app, login_as, robot):
    app.config.update(NOTIFY_WEBHOOK_URL=robot.url)
    suggestion = new_suggestion(status="under_review")
    member = login_as("committee")
    page = client.get(f"/committee/{suggestion.id}").get_data(as_text=True)
    response = client.post(
        f"/committee/{suggestion.id}",
        data={
            "csrf_token": csrf_token_from(page),
            "to": "adopted",
            "owner": str(member.id),
            "target_quarter": "2027q1",
            "note": "下季度上线",
        },
    )
    assert response.status_code == 302
    adopted = db.session.get(Suggestion, suggestion.id)
    assert (adopted.status, adopted.owner_id, adopted.target_quarter) == ("adopted", member.id, "2027Q1")
    delivery = db.session.execute(select(WebhookDelivery)).scalar_one()
    assert delivery.suggestion_id == suggestion.id and "已采纳" in json.dumps(delivery.payload, ensure_ascii=False)


def bearer(make_staff, role):
    user = make_staff(role, email=f"{role}-api@example.com")
    token, plain = ApiToken.issue(user)
    db.session.add(token)
    db.session.commit()
    return {"Authorization": f"Bearer {plain}"}, user


def test_api_roles_manager_proposes_committee_decides(client, make_staff):
    campaign_with([])  # the satisfaction survey in use: its modules (message among them) may be named
    manager_headers, _ = bearer(make_staff, "manager")
    committee_headers, member = bearer(make_staff, "committee")
    created = client.post(
        "/api/v1/suggestions",
        json={"title": "少发DING", "description": "下班后不要发", "module": "message"},
        headers=manager_headers,
    )
    assert created.status_code == 201 and created.json["status"] == "submitted"
    sid = created.json["id"]
    refused = client.post(
        f"/api/v1/suggestions/{sid}/transitions", json={"to": "under_review"}, headers=manager_headers
    )
    assert refused.status_code == 403
    assert client.post(f"/api/v1/suggestions/{sid}/transitions", json={"to": "under_review"}).status_code == 401
    ok = client.post(f"/api/v1/suggestions/{sid}/transitions", json={"to": "under_review"}, headers=committee_headers)
    assert ok.status_code == 200 and ok.json["status"] == "under_review"
    illegal = client.post(
        f"/api/v1/suggestions/{sid}/transitions", json={"to": "implemented", "note": "x"}, headers=committee_headers
    )
    assert illegal.status_code == 409 and "不能从" in illegal.json["message"]
    incomplete = client.post(
        f"/api/v1/suggestions/{sid}/transitions", json={"to": "adopted"}, headers=committee_headers
    )
    assert incomplete.status_code == 422
    adopted = client.post(
        f"/api/v1/suggestions/{sid}/transitions",
        json={"to": "adopted", "owner": member.email, "target_quarter": "2027Q1", "note": "采纳"},
        headers=committee_headers,
    )
    assert adopted.status_code == 200 and adopted.json["target_quarter"] == "2027Q1"


def test_api_rejects_bad_json_and_session_posts_without_csrf(client, make_staff, login_as):
    headers, _ = bearer(make_staff, "manager")
    assert client.post("/api/v1/suggestions", data="not json", headers=headers).status_code == 400
    assert client.post("/api/v1/suggestions", json={"title": ""}, headers=headers).status_code == 422
    assert (
        client.post("/api/v1/suggestions", json={"title": "x", "theme_ids": ["a"]}, headers=headers).status_code == 422
    )
    login_as("manager")
    assert client.post("/api/v1/suggestions", json={"title": "会话提交"}).status_code == 400


def test_only_published_suggestions_are_public_and_stay_public(client, make_staff):
    committee_headers, _ = bearer(make_staff, "committee")
    hidden = new_suggestion("未公开的建议")
    shown = new_suggestion("公开的建议", status="under_review")
    assert client.get("/api/v1/suggestions").json == []
    assert "未公开的建议" not in client.get("/board/").get_data(as_text=True)
    client.post(f"/api/v1/suggestions/{shown.id}/publish", headers=committee_headers)
    client.post(
        f"/api/v1/suggestions/{shown.id}/transitions",
        json={"to": "declined", "note": "成本太高"},
        headers=committee_headers,
    )
    titles = [s["title"] for s in client.get("/api/v1/suggestions").json]
    assert titles == ["公开的建议"]
    board = client.get("/board/").get_data(as_text=True)
    assert "公开的建议" in board and "成本太高" in board and hidden.title not in board
    assert client.get("/api/v1/suggestions?status=declined").json[0]["decision_note"] == "成本太高"


def board_card(client, suggestion) -> str:
    board = client.get("/board/").get_data(as_text=True)
    return re.search(rf'<article class="suggestion" id="s-{suggestion.id}">(.*?)</article>', board, re.S).group(1)


def test_a_board_card_puts_separators_only_between_facts(client):
    suggestion = new_suggestion("审批流程太长", status="under_review", published=True)
    card = board_card(client, suggestion)
    facts = re.search(r"</h3>\s*<p[^>]*>(.*?)</p>", card, re.S).group(1).strip()
    assert facts == "其他", card  # the module's label alone: no dangling " · "


def test_a_board_card_keeps_the_adoption_note_after_the_implementation_note(client, make_staff):
    owner = make_staff("committee")
    suggestion = new_suggestion("审批流程太长", status="under_review", published=True)
    transition(db.session, suggestion, Decision("adopted", "下季度上线批量审批", owner.id, "2027Q1"), owner.id)
    transition(db.session, suggestion, Decision("in_progress"), owner.id)
    transition(db.session, suggestion, Decision("implemented", "批量审批已上线"), owner.id)
    db.session.commit()
    card = board_card(client, suggestion)
    assert "下季度上线批量审批" in card and "批量审批已上线" in card


def test_board_and_feed_escape_suggestion_text(client):
    new_suggestion("<script>alert(1)</script>建议", status="under_review", published=True)
    board = client.get("/board/").get_data(as_text=True)
    feed = client.get("/board/feed.atom").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in board and "&lt;script&gt;" in board
    assert "<script>alert(1)</script>" not in feed and "&lt;script&gt;" in feed


def test_suggestion_box_accepts_anonymous_suggestions_with_csrf(client):
    page = client.get("/board/suggest").get_data(as_text=True)
    assert client.post("/board/suggest", data={"title": "没有CSRF"}).status_code == 400
    response = client.post(
        "/board/suggest",
        data={"csrf_token": csrf_token_from(page), "title": "希望能批量审批", "description": "月底单子太多"},
    )
    assert response.status_code == 302
    suggestion = db.session.execute(select(Suggestion)).scalar_one()
    assert (suggestion.source, suggestion.status, suggestion.created_by_id) == ("box", "submitted", None)


def test_box_offers_only_departments_with_at_least_k_people(client):
    from tests.web.respond_helpers import add_people

    add_people(6, department="总部/大部门")
    add_people(2, department="总部/小部门", start=100)
    page = client.get("/board/suggest").get_data(as_text=True)
    assert "总部/大部门" in page and "总部/小部门" not in page


def test_box_refuses_over_long_text_and_keeps_input(client):
    page = client.get("/board/suggest").get_data(as_text=True)
    response = client.post(
        "/board/suggest", data={"csrf_token": csrf_token_from(page), "title": "长" * 101, "description": "保留我"}
    )
    html = response.get_data(as_text=True)
    assert "最多 100 字" in html and "保留我" in html


def test_committee_page_adopts_and_manager_cannot_decide(client, login_as, make_staff):
    suggestion = new_suggestion(status="under_review")
    login_as("manager")
    page = client.get(f"/committee/{suggestion.id}").get_data(as_text=True)
    assert (
        client.post(
            f"/committee/{suggestion.id}", data={"csrf_token": csrf_token_from(page), "to": "declined", "note": "no"}
        ).status_code
        == 403
    )


def test_dingtalk_signature_follows_the_documented_recipe():
    timestamp, secret = 1577262236757, "this is secret"
    # DingTalk's documented Python recipe, verbatim in substance:
    string_to_sign = f"{timestamp}\n{secret}"
    hmac_code = hmac.new(secret.encode("utf-8"), string_to_sign.encode("utf-8"), digestmod=hashlib.sha256).digest()
    expected = urllib.parse.quote_plus(base64.b64encode(hmac_code))
    assert dingtalk_sign(timestamp, secret) == expected
    url = signed_url("https://oapi.dingtalk.com/robot/send?access_token=abc", secret, timestamp)
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
    assert query["timestamp"] == [str(timestamp)] and query["access_token"] == ["abc"]
    assert base64.b64decode(query["sign"][0]) == hmac_code


@pytest.fixture
def robot():
    with WebhookRobot() as server:
        yield server


def stored(model, ident):
    """The row as stored now, read in a transaction of its own (jobs write from other threads)."""
    db.session.rollback()
    row = db.session.get(model, ident)
    db.session.refresh(row)
    db.session.expunge(row)
    db.session.rollback()
    return row


def notification_for(suggestion) -> WebhookDelivery:
    from app.committee.notify import queue_notification

    return queue_notification(suggestion, "submitted", "under_review", None)


def test_webhook_retries_without_a_sleeping_thread_and_delivers_signed_markdown(app, robot):
    app.config.update(NOTIFY_WEBHOOK_URL=robot.url, NOTIFY_WEBHOOK_SECRET="SECtest", NOTIFY_RETRY_SECONDS=(3, 1))
    robot.failures = 2
    delivery = notification_for(new_suggestion())
    job = db.session.execute(select(BackgroundJob).where(BackgroundJob.kind == "webhook")).scalar_one()

    def job_threads():
        return [thread for thread in threading.enumerate() if thread.name == f"job-{job.id}"]

    wait_until(lambda: stored(BackgroundJob, job.id).attempts == 1, 20, "the first attempt")
    wait_until(lambda: not job_threads(), 2, "the first attempt's thread to end")
    waiting = stored(BackgroundJob, job.id)  # the retry is due 3 s after the first attempt: nothing runs now
    assert (waiting.status, waiting.attempts) == ("queued", 1) and "3 秒后重试" in waiting.error
    assert waiting.run_at > waiting.started_at and not job_threads()
    wait_until(lambda: stored(WebhookDelivery, delivery.id).status == "delivered", 20, "the delivery")
    assert stored(WebhookDelivery, delivery.id).attempts == 3 and len(robot.received) == 3
    done = stored(BackgroundJob, job.id)
    assert (done.status, done.attempts, done.error) == ("succeeded", 3, None)
    path, body, _at = robot.received[-1]
    assert "sign=" in path and "timestamp=" in path and body["msgtype"] == "markdown"


def test_webhook_that_keeps_failing_is_logged_as_failed_after_its_last_attempt(app, robot):
    app.config.update(NOTIFY_WEBHOOK_URL=robot.url, NOTIFY_RETRY_SECONDS=(1,))
    robot.failures = 99
    delivery = notification_for(new_suggestion())
    wait_until(lambda: stored(WebhookDelivery, delivery.id).status == "failed", 20, "the failure")
    failed = stored(WebhookDelivery, delivery.id)
    assert failed.attempts == 2 and "500" in failed.last_error and len(robot.received) == 2
    job = db.session.execute(select(BackgroundJob).where(BackgroundJob.kind == "webhook")).scalar_one()
    assert job.status == "failed" and "不再重试" in job.error


def test_failing_webhook_is_logged_and_never_blocks_the_transition(client, app, make_staff, robot):
    app.config.update(NOTIFY_WEBHOOK_URL=robot.url, NOTIFY_RETRY_SECONDS=(1,))
    robot.failures = 99
    headers, _ = bearer(make_staff, "committee")
    suggestion = new_suggestion()
    response = client.post(
        f"/api/v1/suggestions/{suggestion.id}/transitions", json={"to": "under_review"}, headers=headers
    )
    assert response.status_code == 200
    assert db.session.get(Suggestion, suggestion.id).status == "under_review"
    delivery = db.session.execute(select(WebhookDelivery)).scalar_one()
    wait_until(lambda: stored(WebhookDelivery, delivery.id).status == "failed", 20, "the failure")
    assert stored(Suggestion, suggestion.id).status == "under_review"


def test_suggestion_page_shows_a_failed_notification_with_its_error(client, app, login_as, robot):
    app.config.update(NOTIFY_WEBHOOK_URL=robot.url, NOTIFY_RETRY_SECONDS=(1,))
    robot.failures = 99
    suggestion = new_suggestion()
    delivery = notification_for(suggestion)
    wait_until(lambda: stored(WebhookDelivery, delivery.id).status == "failed", 20, "the failure")
    login_as("committee")
    page = client.get(f"/committee/{suggestion.id}").get_data(as_text=True)
    assert 'data-delivery-status="failed"' in page and "发送失败" in page and "500" in page


def test_deeply_nested_json_gets_400_not_500(client, make_staff):
    headers, _ = bearer(make_staff, "committee")
    body = "[" * 50_000 + "]" * 50_000
    for path in ("/api/v1/suggestions", "/api/v1/suggestions/1/transitions"):
        response = client.post(path, data=body, headers={**headers, "Content-Type": "application/json"})
        assert response.status_code in (400, 404) and response.status_code != 500
    suggestion = new_suggestion()
    response = client.post(
        f"/api/v1/suggestions/{suggestion.id}/transitions",
        data=body,
        headers={**headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 400
