"""The measured effect of an implemented suggestion on the board, its month page and the committee's page:
released figures of the quarter before and after the change, 数据不足 otherwise, never a cause."""

import io
from datetime import datetime

import pytest
from openpyxl import load_workbook

from analysis.months import Month
from tests.conftest import csrf_token_from
from tests.web.board_helpers import FIXED_IN_OCTOBER, fixed_between_quarters_data, suggestion_at, surveyed_quarter


@pytest.fixture
def fixed_between_quarters(app):
    return fixed_between_quarters_data()


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


def test_the_quarter_report_says_what_we_did_with_the_change_and_its_effect(client, login_as, fixed_between_quarters):
    _suggestion, theme3, _twin = fixed_between_quarters
    login_as("manager")
    page = client.get("/reports/2026Q4").get_data(as_text=True)
    section = page[page.index('id="changes"') :]
    section = section[: section.index('id="attention"')]
    assert "5. 你说，我们做" in section and "WiFi 打卡" in section and "2026年10月20日 实施" in section
    assert 'data-effect="measured"' in section and "实施后的变化：2026年第三季度 → 2026年第四季度" in section
    assert f"{theme3.respondents} 人（占 {theme3.respondents / 200:.0%}）" in section
    assert "考勤打卡满意度" in section and "差异显著" in section and "因为" not in section
    previous = client.get("/reports/2026Q3").get_data(as_text=True)
    assert "本季度没有实施的改进。" in previous[previous.index('id="changes"') :]


def test_the_report_workbook_has_the_change_before_and_after(client, login_as, fixed_between_quarters):
    _suggestion, theme3, twin = fixed_between_quarters
    login_as("manager")
    book = load_workbook(io.BytesIO(client.get("/reports/2026Q4/report.xlsx").data))
    rows = list(book["你说，我们做"].iter_rows(values_only=True))
    theme_row = next(row for row in rows if row[2] == f"提到“{theme3.display_label}”的同事")
    assert theme_row[0] == "WiFi 打卡" and theme_row[3:6] == (
        theme3.respondents,
        twin.respondents,
        "2026年第三季度 → 2026年第四季度",
    )
    module_row = next(row for row in rows if row[2] == "考勤打卡满意度")
    assert module_row[3] < module_row[4] and module_row[6] == "差异显著"


def test_enps_is_shown_only_where_the_module_drives_it(client, app):
    """Driver analysis decides: attendance ratings that carry the recommendation make it the top driver, and
    the board adds the eNPS change; where everyone recommends alike (the other tests) no eNPS line appears."""
    fixed_between_quarters_data(enps_follows=True)
    page = client.get("/board/").get_data(as_text=True)
    effect = page[page.index('class="effect"') :]
    assert "data-enps-change=" in effect[: effect.index("</section>")]


def test_no_enps_line_where_the_module_does_not_drive_it(client, fixed_between_quarters):
    page = client.get("/board/").get_data(as_text=True)
    assert 'data-effect="measured"' in page and "data-enps-change=" not in page
