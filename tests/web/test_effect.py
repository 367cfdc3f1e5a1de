"""The measured effect of an implemented suggestion on the board, its month page and the committee's page:
released figures of the quarter before and after the change, 数据不足 otherwise, never a cause."""

import random
from datetime import datetime

import pytest

from analysis.months import Month
from app.demo_comments import demo_comment
from app.extensions import db
from app.models import SuggestionTheme, ThemeRun
from app.themes.service import create_run, execute_run
from tests.conftest import csrf_token_from
from tests.web.board_helpers import suggestion_at
from tests.web.results_helpers import add_responses, campaign_with, satisfaction

EAST = "总部/华东区/杭州门店"
FIXED_IN_OCTOBER = [
    ("submitted", datetime(2026, 9, 28, 2)),
    ("adopted", datetime(2026, 9, 30, 2)),
    ("in_progress", datetime(2026, 10, 8, 2)),
    ("implemented", datetime(2026, 10, 20, 2)),
]


def surveyed_quarter(quarter, opens, attendance, weights, n=200, seed=1):
    """A satisfaction campaign of `n` respondents rating attendance around `attendance`, commenting on the
    themes of `weights`, and its theme run."""
    rng = random.Random(seed)
    campaign = campaign_with([], quarter=quarter, opens_at=opens)
    for _ in range(n):
        answers = satisfaction(3, enps=7, text=demo_comment(rng, 1.0, theme_weights=weights))
        answers["mod_attendance"] = float(min(5, max(1, round(rng.gauss(attendance, 0.7)))))
        add_responses(campaign, [(1, "employee", EAST, "第一批", answers)])
    run = create_run(db.session, [campaign.id])
    execute_run(run.id)
    return campaign, db.session.get(ThemeRun, run.id)


def about_attendance(theme) -> bool:
    return not theme.is_other and any("打卡" in quote or "定位" in quote for quote in theme.representatives)


@pytest.fixture
def fixed_between_quarters(app):
    """Attendance complaints in 2026Q3, a change implemented in October, fewer complaints and better ratings
    in 2026Q4 (whose survey opened in November). The change is linked to the largest attendance theme of
    2026Q3 that recurs in 2026Q4 with at least k_text people."""
    _q3, run3 = surveyed_quarter("2026Q3", datetime(2026, 9, 15, 1), 2.4, {"attendance": 6, "approval": 4})
    _q4, run4 = surveyed_quarter("2026Q4", datetime(2026, 11, 16, 1), 4.0, {"attendance": 2, "approval": 8}, seed=2)
    after = {t.lineage: t for t in run4.themes if t.merged_into_id is None and t.respondents >= 10}
    theme3 = max((t for t in run3.themes if about_attendance(t) and t.lineage in after), key=lambda t: t.respondents)
    suggestion = suggestion_at("WiFi 打卡", FIXED_IN_OCTOBER, module="attendance")
    db.session.add(SuggestionTheme(suggestion_id=suggestion.id, theme_id=theme3.id))
    db.session.commit()
    return suggestion, theme3, after[theme3.lineage]


def test_the_board_shows_what_changed_after_an_implemented_suggestion(client, fixed_between_quarters):
    _suggestion, theme3, twin = fixed_between_quarters
    page = client.get("/board/").get_data(as_text=True)
    effect = page[page.index('class="effect"') :]
    effect = effect[: effect.index("</section>")]
    assert 'data-effect="measured"' in page
    assert "实施后的变化：2026年第三季度 → 2026年第四季度" in effect
    theme = effect[effect.index("data-theme-change") : effect.index("data-module-change")]
    assert 'data-theme-change="measured"' in effect and f"提到“{theme3.display_label}”的同事" in theme
    assert f"{theme3.respondents} 人（占 {theme3.respondents / 200:.0%}）" in theme
    assert f"{twin.respondents} 人（占 {twin.respondents / 200:.0%}）" in theme
    assert "考勤打卡满意度" in effect and 'data-significant="yes"' in effect and "差异显著" in effect
    assert "满意的比例" in effect
    assert "因为" not in effect and "实施后" in effect


def test_the_month_page_of_the_implementation_shows_the_effect_in_english(client, fixed_between_quarters):
    path = f"/board/months/{Month(2026, 10)}"
    page = client.get(path).get_data(as_text=True)
    assert 'data-effect="measured"' in page and "实施后的变化" in page
    client.post("/language", data={"lang": "en", "next": path, "csrf_token": csrf_token_from(page)})
    english = client.get(path).get_data(as_text=True)
    assert "After the change: 2026 Q3 → 2026 Q4" in english
    assert "significant" in english and "because" not in english.lower()


def test_a_change_whose_next_quarter_is_not_in_says_it_cannot_be_judged_yet(client, login_as, app):
    surveyed_quarter("2026Q3", datetime(2026, 9, 15, 1), 2.4, {"attendance": 6, "approval": 4}, n=60)
    suggestion_at("WiFi 打卡", FIXED_IN_OCTOBER, module="attendance")
    page = client.get("/board/").get_data(as_text=True)
    assert 'data-effect="not_yet"' in page and "数据不足，尚不能判断效果" in page
    assert "2026年第四季度的数据还没有发布" in page
    login_as("committee")
    committee = client.get("/committee/").get_data(as_text=True)
    waiting = committee[committee.index('id="waiting-for-effect"') :]
    assert "WiFi 打卡" in waiting


def test_a_quarter_below_k_says_insufficient(client, app):
    app.config["ANONYMITY_MIN_GROUP"] = 100  # more than either quarter's respondents
    surveyed_quarter("2026Q3", datetime(2026, 9, 15, 1), 2.4, {"attendance": 6, "approval": 4}, n=60)
    surveyed_quarter("2026Q4", datetime(2026, 11, 16, 1), 4.0, {"attendance": 2, "approval": 8}, n=60, seed=2)
    suggestion_at("WiFi 打卡", FIXED_IN_OCTOBER, module="attendance")
    page = client.get("/board/").get_data(as_text=True)
    effect = page[page.index('class="effect"') :]
    assert "数据不足" in effect[: effect.index("</section>")] and "差异显著" not in page


def test_a_suggestion_linked_to_nothing_measurable_shows_no_effect(client, app):
    suggestion_at("新的请假模板", FIXED_IN_OCTOBER, module=None)
    page = client.get("/board/").get_data(as_text=True)
    assert 'class="effect"' not in page
