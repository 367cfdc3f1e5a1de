"""The public board and a month's account on a 375 px phone: the monthly lines, the month page with its
decisions, and the measured effect of an implemented change, without sideways scrolling."""

from analysis.months import Month
from app.extensions import db
from tests.e2e.conftest import assert_no_horizontal_overflow
from tests.web.board_helpers import a_busy_month, fixed_between_quarters_data


def test_the_board_and_a_month_page_fit_a_phone(live_app, phone, tmp_path):
    base = live_app.config["LIVE_URL"]
    with live_app.app_context():
        fixed_between_quarters_data()
        a_busy_month(Month(2026, 11))
        db.session.commit()

    phone.goto(base + "/board/")
    months = phone.locator("a[href='/board/months/2026-11']").first
    assert months.is_visible() and "2026年11月：收到" in months.inner_text()
    effect = phone.locator("[data-effect=measured]").first
    effect.scroll_into_view_if_needed()
    assert effect.is_visible() and "实施后的变化" in effect.inner_text()
    assert_no_horizontal_overflow(phone)
    phone.screenshot(path=str(tmp_path / "board-375.png"), full_page=True)

    phone.goto(base + "/board/months/2026-10")
    assert "2026年10月" in phone.locator("h1").inner_text()
    assert "WiFi 打卡" in phone.locator("main").inner_text()
    assert phone.locator("[data-effect=measured]").is_visible()
    assert_no_horizontal_overflow(phone)
    phone.screenshot(path=str(tmp_path / "month-375.png"), full_page=True)

    phone.goto(base + "/board/months/2026-11")
    assert "日报是经营复盘的要求，暂不取消" in phone.locator("main").inner_text()
    assert_no_horizontal_overflow(phone)
