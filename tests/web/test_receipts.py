"""The full loop: comments → theme → suggestion → decision → board, and receipts for respondents."""

import re

from sqlalchemy import select

from app.extensions import db
from app.models import Suggestion, Theme
from tests.conftest import csrf_token_from
from tests.web.respond_helpers import complete_answers, csrf_from, make_campaign, open_form
from tests.web.test_themes import commented_campaign, run_cli


def answered_with_receipt(client, campaign, token, text):
    html = open_form(client, token)
    data = {**complete_answers(campaign, text=text), "csrf_token": csrf_from(html)}
    assert client.post("/respond", data=data).status_code == 303
    thanks = client.get("/respond/thanks").get_data(as_text=True)
    return re.search(r'data-receipt="([A-Z0-9-]+)"', thanks).group(1)


def test_manager_promotes_a_theme_with_prefilled_text(client, login_as, runner):
    campaign = commented_campaign(count=60, min_group=3, min_group_text=3)
    _, run = run_cli(runner, campaign.id)
    theme = next(t for t in run["themes"] if not t["is_other"])
    login_as("manager")
    page = client.get(f"/committee/from-theme/{theme['id']}").get_data(as_text=True)
    assert theme["label"] in page and "位员工在评论中提到" in page and "代表性意见" in page
    response = client.post(
        f"/committee/from-theme/{theme['id']}",
        data={
            "csrf_token": csrf_token_from(page),
            "title": "改进：" + theme["label"],
            "description": "见主题",
            "module": "approval",
        },
    )
    assert response.status_code == 302
    suggestion = db.session.execute(select(Suggestion)).scalar_one()
    assert suggestion.source == "theme" and suggestion.status == "submitted"


def test_a_recurring_theme_attaches_to_the_same_suggestion(client, login_as, runner):
    campaign = commented_campaign(count=60, min_group=3, min_group_text=3)
    _, first = run_cli(runner, campaign.id)
    _, _second = run_cli(runner, campaign.id, full=True)
    login_as("manager")
    one = next(t for t in first["themes"] if not t["is_other"])
    lineage = db.session.get(Theme, one["id"]).lineage
    twin = db.session.execute(select(Theme).where(Theme.lineage == lineage, Theme.id != one["id"])).scalars().first()
    assert twin is not None
    for theme_id in (one["id"], twin.id):
        page = client.get(f"/committee/from-theme/{theme_id}").get_data(as_text=True)
        client.post(
            f"/committee/from-theme/{theme_id}", data={"csrf_token": csrf_token_from(page), "title": "同一件事"}
        )
    suggestions = db.session.execute(select(Suggestion)).scalars().all()
    assert len(suggestions) == 1


def test_receipt_shows_the_suggestion_its_comment_fed_and_nothing_else(client, app, runner, make_staff):
    campaign, tokens = make_campaign(people=1)
    receipt = answered_with_receipt(app.test_client(), campaign, tokens[0], "审批流程太长了，报销要等好几天")
    import random

    from app.demo_comments import demo_comment
    from tests.web.results_helpers import add_responses, satisfaction

    rng = random.Random(4)
    for _ in range(60):
        add_responses(
            campaign, [(1, "employee", "总部/华东区/杭州门店", "第一批", satisfaction(3, text=demo_comment(rng, 1.0)))]
        )
    _, _run = run_cli(runner, campaign.id)
    from app.models import Answer, ThemeMember

    theme_id = (
        db.session.execute(
            select(ThemeMember.theme_id)
            .join(Answer, ThemeMember.answer_id == Answer.id)
            .where(Answer.value_text == "审批流程太长了，报销要等好几天")
        )
        .scalars()
        .first()
    )
    before = client.get(f"/board/receipt?code={receipt}").get_data(as_text=True)
    assert 'data-receipt-result="pending"' in before
    from app.committee.service import create_suggestion, publish

    suggestion = create_suggestion(db.session, "缩短审批链", "", "approval", theme_ids=[theme_id])
    db.session.commit()
    unpublished = client.get(f"/board/receipt?code={receipt}").get_data(as_text=True)
    assert 'data-receipt-result="pending"' in unpublished and "缩短审批链" not in unpublished
    publish(db.session, suggestion, None)
    db.session.commit()
    page = client.get(f"/board/receipt?code={receipt.lower().replace('-', ' ')}").get_data(as_text=True)
    assert 'data-receipt-result="linked"' in page and "缩短审批链" in page and "已提交" in page
    assert "杭州门店" not in page and "一线员工" not in page and "报销要等好几天" not in page
    wrong = client.get("/board/receipt?code=AAAA-BBBB-CCCC-DDDD").get_data(as_text=True)
    assert 'data-receipt-result="unknown"' in wrong


def test_receipt_lookups_are_rate_limited(tmp_path):
    from app import create_app
    from tests.conftest import IsolatedClient, make_config

    app = create_app(make_config(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'r.sqlite'}", RATELIMIT_ENABLED=True))
    app.test_client_class = IsolatedClient
    with app.app_context():
        db.create_all()
        client = app.test_client()
        statuses = [client.get(f"/board/receipt?code=WRONG-{i:04d}").status_code for i in range(12)]
        db.engine.dispose()
    assert statuses[:10] == [200] * 10 and statuses[-1] == 429


def submit_to_the_box(client, title="希望能批量审批"):
    page = client.get("/board/suggest").get_data(as_text=True)
    response = client.post(
        "/board/suggest", data={"csrf_token": csrf_token_from(page), "title": title, "description": "月底单子太多"}
    )
    assert response.status_code == 302
    thanks = client.get(response.headers["Location"]).get_data(as_text=True)
    match = re.search(r'data-receipt="([A-Z0-9-]+)"', thanks)
    assert match, "the box shows a receipt code once"
    return match.group(1), thanks


def test_a_suggestion_box_entry_gets_a_receipt_code_the_lookup_understands(client):
    code, _ = submit_to_the_box(client)
    found = client.get("/board/receipt", query_string={"code": code.lower()}).get_data(as_text=True)
    assert 'data-receipt-result="box"' in found and "希望能批量审批" in found and "已提交" in found


def test_the_box_receipt_code_is_shown_once_and_stored_only_hashed(client):
    code, _ = submit_to_the_box(client)
    stored = db.session.execute(select(Suggestion)).scalar_one()
    assert stored.receipt_hash and code not in stored.receipt_hash and code.replace("-", "") not in str(vars(stored))
    assert "data-receipt=" not in client.get("/board/suggest/thanks").get_data(as_text=True)
