"""The survey in Chromium: after a validation error the first question in error is focused with a jump link
at the top; a draft is kept in localStorage, restored after a reload and cleared on submit."""

from app.instruments import instrument_for
from tests.e2e.test_respond_phone import answer_by_tapping
from tests.web.respond_helpers import make_campaign


def open_survey(live_app, browser):
    context = browser.new_context(viewport={"width": 375, "height": 667}, has_touch=True, locale="zh-CN")
    page = context.new_page()
    with live_app.app_context():
        campaign, tokens = make_campaign("quarterly-satisfaction", people=1)
        definition = instrument_for(campaign.instrument_version)
        key = f"changepulse-draft:{campaign.id}"
    page.goto(f"{live_app.config['LIVE_URL']}/s/{tokens[0]}")
    return context, page, definition, key


def test_after_an_error_the_first_question_in_error_is_focused_with_a_jump_link(live_app, browser):
    context, page, definition, _key = open_survey(live_app, browser)
    page.locator(f"#q-{definition.questions[0].code} label.choice").nth(3).tap()
    page.locator("[data-submit]").tap()
    page.wait_for_selector("fieldset.has-error")
    second = definition.questions[1].code
    assert page.get_attribute("[data-first-error]", "href") == f"#q-{second}"
    assert page.evaluate("document.activeElement.closest('fieldset').id") == f"q-{second}"
    top = page.evaluate(f"document.getElementById('q-{second}').getBoundingClientRect().top")
    assert 0 <= top < 667, "the first question in error is on screen"
    context.close()


def test_a_draft_survives_a_reload_and_is_cleared_on_submit(live_app, browser):
    context, page, definition, key = open_survey(live_app, browser)
    first, text = definition.questions[0], next(q for q in definition.questions if q.type == "text")
    page.locator(f"#q-{first.code} label.choice").nth(3).tap()
    page.locator(f"#q-{text.code} textarea").fill("审批太慢")
    page.reload()
    assert page.is_checked(f"#q-{first.code} input[value='4']")
    assert page.input_value(f"#q-{text.code} textarea") == "审批太慢"
    answer_by_tapping(page, definition)
    page.locator("[data-submit]").tap()
    page.wait_for_url("**/respond/thanks")
    assert page.evaluate(f"localStorage.getItem('{key}')") is None
    context.close()
