"""The committee's monthly account on the public board: counts per month, the month page, its Atom feed."""

import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest

from analysis.months import Month
from app.extensions import db
from app.i18n import current_month
from tests.conftest import csrf_token_from
from tests.web.board_helpers import a_busy_month, local, suggestion_at

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def last_month(app):
    with app.test_request_context():
        return current_month().previous


def english(client, path="/board/"):
    page = client.get(path).get_data(as_text=True)
    client.post("/language", data={"lang": "en", "next": path, "csrf_token": csrf_token_from(page)})
    return client.get(path).get_data(as_text=True)


def test_the_board_shows_the_account_of_each_of_the_last_six_months(client, last_month):
    a_busy_month(last_month)
    page = client.get("/board/").get_data(as_text=True)
    line = f"{last_month.label('zh')}：收到 3 条，采纳 1 条，已实施 1 条，未采纳 1 条（均附理由）"
    assert line in page
    assert f'href="/board/months/{last_month}"' in page
    with client.application.test_request_context():
        shown = [str(m) for m in current_month().last(6)]
    assert all(f'data-month="{m}"' in page for m in shown)
    assert f'data-month="{Month.parse(shown[-1]).previous}"' not in page
    before = last_month.previous
    assert f"{before.label('zh')}：收到 1 条，采纳 1 条，已实施 0 条，未采纳 0 条" in page


def test_the_board_s_account_reads_in_english(client, last_month):
    a_busy_month(last_month)
    page = english(client)
    assert f"{last_month.label('en')}: 3 received, 1 adopted, 1 implemented, 1 declined (each with its reason)" in page
    assert "You said, we did" in page


def test_the_month_page_lists_what_was_received_decided_and_implemented_with_the_notes(client, last_month):
    a_busy_month(last_month)
    page = client.get(f"/board/months/{last_month}").get_data(as_text=True)
    assert f"你说，我们做：{last_month.label('zh')}" in page
    implemented = page[page.index('id="implemented"') : page.index('id="decided"')]
    decided = page[page.index('id="decided"') : page.index('id="received"')]
    received = page[page.index('id="received"') :]
    assert "WiFi 打卡" in implemented and "已上线 WiFi 打卡" in implemented
    assert "开放手机端批量审批" in decided and "下季度上线" in decided
    assert "取消日报" in decided and "理由：" in decided and "日报是经营复盘的要求，暂不取消" in decided
    assert all(title in received for title in ("开放手机端批量审批", "取消日报", "消息免打扰"))
    assert "WiFi 打卡" not in received and "还没公开的建议" not in page


def test_the_month_page_reads_in_english_with_the_committee_s_words_as_written(client, last_month):
    a_busy_month(last_month)
    page = english(client, f"/board/months/{last_month}")
    assert f"You said, we did: {last_month.label('en')}" in page
    assert "Implemented" in page and "Decisions" in page and "Received" in page and "Reason:" in page
    assert '<span class="data">日报是经营复盘的要求，暂不取消</span>' in page


def test_a_decision_at_half_past_midnight_local_on_the_first_counts_in_the_new_month(client, last_month):
    before = last_month.previous
    at = local(last_month, 1, hour=0, minute=30)  # still the previous month's last day in UTC
    assert Month.of(at, "UTC") == before
    suggestion_at("跨月的建议", [("submitted", local(before, 28)), ("declined", at)])
    last_minutes = last_month.bounds("Asia/Shanghai")[0] - timedelta(minutes=30)  # 23:30 on the last day
    suggestion_at("月底最后一刻", [("submitted", last_minutes)])
    page = client.get("/board/").get_data(as_text=True)
    assert f"{last_month.label('zh')}：收到 0 条，采纳 0 条，已实施 0 条，未采纳 1 条" in page
    assert f"{before.label('zh')}：收到 2 条，采纳 0 条，已实施 0 条，未采纳 0 条" in page
    month_page = client.get(f"/board/months/{last_month}").get_data(as_text=True)
    assert "跨月的建议" in month_page and f"{last_month.year}年{last_month.number}月1日" in month_page


@pytest.mark.parametrize(
    "path", ["/board/months/2026-13", "/board/months/2026-1", "/board/months/abc", "/board/months/2099-12"]
)
def test_a_month_that_is_not_one_or_has_not_come_is_not_found(client, path):
    response = client.get(path)
    assert response.status_code == 404


def test_a_quiet_month_says_so(client, last_month):
    page = client.get(f"/board/months/{last_month}").get_data(as_text=True)
    assert "这个月没有公开的建议动态。" in page


def test_the_month_pages_lead_back_to_the_first_month_on_record_and_no_further(client, last_month):
    a_busy_month(last_month)  # its first event is in the month before
    first = last_month.previous
    page = client.get(f"/board/months/{last_month}").get_data(as_text=True)
    assert f'href="/board/months/{first}" rel="prev"' in page
    assert 'rel="prev"' not in client.get(f"/board/months/{first}").get_data(as_text=True)


def test_the_earliest_month_there_is_answers_without_a_link_before_it(client):
    response = client.get("/board/months/2000-01")
    assert response.status_code == 200
    assert 'rel="prev"' not in response.get_data(as_text=True)


def test_the_atom_feed_has_one_entry_per_month_with_its_account(client, last_month):
    a_busy_month(last_month)
    response = client.get("/board/months.atom")
    assert response.mimetype == "application/atom+xml"
    feed = ET.fromstring(response.data)
    entries = {e.find(f"{ATOM}title").text: e for e in feed.findall(f"{ATOM}entry")}
    entry = entries[f"你说，我们做：{last_month.label('zh')}"]
    assert entry.find(f"{ATOM}link").get("href").endswith(f"/board/months/{last_month}")
    assert "收到 3 条，采纳 1 条，已实施 1 条，未采纳 1 条" in entry.find(f"{ATOM}content").text
    assert entry.find(f"{ATOM}updated").text.startswith(local(last_month, 15).isoformat())
    assert len(entries) == 2  # the month before (1 received, 1 adopted) and this one; empty months have none
    assert 'href="/board/months.atom"' in client.get("/board/").get_data(as_text=True)


def themed_suggestion(runner, month: Month, status_history):
    """A suggestion fed by a theme of 60 commenting respondents, with one of them holding a receipt code."""
    from sqlalchemy import select

    from app.models import Answer, Response, SuggestionTheme, ThemeMember
    from app.respond.service import new_receipt_code, receipt_hash
    from tests.web.test_themes import commented_campaign, run_cli

    campaign = commented_campaign(count=60)
    _, run = run_cli(runner, campaign.id)
    theme = max((t for t in run["themes"] if not t["is_other"]), key=lambda t: t["respondents"])
    suggestion = suggestion_at("缩短报销审批链", status_history)
    db.session.add(SuggestionTheme(suggestion_id=suggestion.id, theme_id=theme["id"]))
    response = (
        db.session.execute(
            select(Response)
            .join(Answer, Answer.response_id == Response.id)
            .join(ThemeMember, ThemeMember.answer_id == Answer.id)
            .where(ThemeMember.theme_id == theme["id"])
        )
        .scalars()
        .first()
    )
    code = new_receipt_code()
    response.receipt_hash = receipt_hash(code)
    db.session.commit()
    return code, suggestion, theme


def implemented_in(month: Month):
    earlier = month.previous
    return [
        ("submitted", local(earlier, 3)),
        ("adopted", local(earlier, 6)),
        ("in_progress", local(earlier, 9)),
        ("implemented", local(month, 15)),
    ]


def test_a_receipt_whose_suggestion_was_implemented_links_to_that_month_s_account(client, runner, last_month):
    code, suggestion, _theme = themed_suggestion(runner, last_month, implemented_in(last_month))
    page = client.get(f"/board/receipt?code={code}").get_data(as_text=True)
    assert "已实施" in page
    assert f'href="/board/months/{last_month}#implemented-{suggestion.id}"' in page


def test_the_month_page_says_how_many_colleagues_comments_fed_a_suggestion(client, runner, last_month):
    _code, _suggestion, theme = themed_suggestion(runner, last_month, implemented_in(last_month))
    page = client.get(f"/board/months/{last_month}").get_data(as_text=True)
    implemented = page[page.index('id="implemented"') :]
    assert f"来自 {theme['respondents']} 位同事的意见" in implemented


def test_no_count_of_colleagues_is_shown_below_k(client, runner, app, last_month):
    app.config["ANONYMITY_MIN_GROUP"] = 1000
    themed_suggestion(runner, last_month, implemented_in(last_month))
    page = client.get(f"/board/months/{last_month}").get_data(as_text=True)
    assert "位同事的意见" not in page


def test_the_board_timeline_shows_each_event_at_the_company_local_time(client, app):
    suggestion_at("消息免打扰", [("submitted", local(Month(2026, 11), 30, 23, 30))], module="message")
    page = client.get("/board/").get_data(as_text=True)
    assert "2026年11月30日 23:30 · 已提交" in page  # stored as 15:30 UTC
