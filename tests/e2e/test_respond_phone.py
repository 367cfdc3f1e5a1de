"""An employee answers a whole survey by tapping on a phone-sized Chromium and gets a receipt."""

from sqlalchemy import func, select

from app.extensions import db
from app.instruments import instrument_for
from app.models import Answer, Response
from tests.e2e.conftest import assert_no_horizontal_overflow
from tests.web.instrument_helpers import import_erp
from tests.web.respond_helpers import make_campaign


def answer_by_tapping(page, definition):
    for index, question in enumerate(definition.questions):
        fieldset = page.locator(f"#q-{question.code}")
        if question.type in ("likert5", "likert7"):
            fieldset.locator("label.choice").nth(3).tap()
        elif question.type == "nps":
            fieldset.locator("label.choice").nth(9).tap()
        elif question.type in ("single", "multi"):
            fieldset.locator("label.choice").first.tap()
        else:
            fieldset.locator("textarea").tap()
            fieldset.locator("textarea").fill(f"第{index}题：审批流程太长，希望简化")


def test_employee_answers_every_question_by_tapping_and_sees_receipt(live_app, browser):
    context = browser.new_context(
        viewport={"width": 375, "height": 667}, has_touch=True, is_mobile=True, locale="zh-CN"
    )
    page = context.new_page()
    with live_app.app_context():
        campaign, tokens = make_campaign("quarterly-satisfaction", people=2)
        definition = instrument_for(campaign.instrument_version)
    base = live_app.config["LIVE_URL"]
    page.goto(f"{base}/s/{tokens[0]}")
    assert page.url == f"{base}/respond"
    assert_no_horizontal_overflow(page)
    answer_by_tapping(page, definition)
    progress = page.text_content("[data-progress-text]")
    assert f"{len(definition.questions)} / {len(definition.questions)}" in progress
    page.locator("[data-submit]").tap()
    page.wait_for_url("**/respond/thanks")
    receipt = page.get_attribute("[data-receipt]", "data-receipt")
    assert receipt and len(receipt.replace("-", "")) == 16
    assert_no_horizontal_overflow(page)
    with live_app.app_context():
        assert db.session.execute(select(func.count(Response.id))).scalar_one() == 1
        assert db.session.execute(select(func.count(Answer.id))).scalar_one() == len(definition.questions)
    page.goto(f"{base}/s/{tokens[0]}")
    assert "链接无效或已使用" in page.text_content("main")
    assert_no_horizontal_overflow(page)
    context.close()


def test_readiness_survey_fits_a_360px_screen(live_app, browser):
    context = browser.new_context(viewport={"width": 360, "height": 640}, has_touch=True, is_mobile=True)
    page = context.new_page()
    with live_app.app_context():
        _campaign, tokens = make_campaign("change-readiness", people=1)
    page.goto(f"{live_app.config['LIVE_URL']}/s/{tokens[0]}")
    assert_no_horizontal_overflow(page, 360)
    sizes = page.eval_on_selector_all("label.choice span", "els => els.map(e => [e.offsetWidth, e.offsetHeight])")
    assert sizes and all(height >= 44 for _, height in sizes)
    context.close()


def test_questions_are_numbered_as_shown_when_a_conditional_question_hides(live_app, phone):
    with live_app.app_context():
        import_erp()  # purchase, stock, uses_report, report (only if uses_report is yes_), comment
        _, tokens = make_campaign("erp-quarterly", people=1)
    phone.goto(f"{live_app.config['LIVE_URL']}/s/{tokens[0]}")

    def numbers():
        return [phone.text_content(f"#q-{code} .qnum") for code in ("purchase", "stock", "uses_report", "comment")]

    assert phone.is_hidden("#q-report")
    assert numbers() == ["1.", "2.", "3.", "4."]
    phone.locator("#q-uses_report label.choice").nth(0).click()  # 用: the follow-up shows as question 4
    assert phone.is_visible("#q-report") and phone.text_content("#q-report .qnum") == "4."
    assert numbers()[-1] == "5."
