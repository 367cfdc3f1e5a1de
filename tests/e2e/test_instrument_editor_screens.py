"""A manager writes a five-question survey with a module of the company's own and a conditional question in
the editor at 1280 px, previews it at phone width, creates a campaign with it, and an employee answers it on
a phone; the conditional question hides and shows again as the answer changes, and a hidden answer is not
stored."""

from sqlalchemy import select

from app.campaigns.service import issue_invitations
from app.extensions import db
from app.instruments import instrument_for, latest_version
from app.models import Answer, Campaign, Response
from app.staff import create_staff_user
from tests.conftest import PASSWORD
from tests.e2e.conftest import assert_no_horizontal_overflow, log_in
from tests.web.respond_helpers import add_people


def type_question(page, index, text, **fields):
    page.fill(f"[name='questions-{index}-text_zh']", text)
    for name, value in fields.items():
        target = page.locator(f"[name='questions-{index}-{name}']")
        if name in ("module", "show_if_question"):
            target.select_option(value)
        elif name == "required":
            target.check()
        else:
            target.fill(value)


def press(page, action):
    with page.expect_navigation():
        page.click(f"button[value='{action}']")


def build_survey(page, base, tmp_path):
    page.goto(base + "/instruments/new")
    press(page, "add_module")
    page.fill("[name='modules-0-code']", "purchase")
    page.fill("[name='modules-0-title_zh']", "采购管理")
    for qtype in ("likert5", "likert5", "single", "text", "nps"):
        press(page, f"add:{qtype}")
    page.fill("[name='name']", "erp-q")
    page.fill("[name='title_zh']", "ERP 上线季度调查")
    type_question(page, 0, "下采购单方便吗？", module="purchase", required=True)
    type_question(page, 1, "查采购进度方便吗？", module="purchase", required=True)
    type_question(page, 2, "你用手机审批采购单吗？", options="yes_ | 用\nno_ | 不用", required=True)
    type_question(page, 3, "为什么不用手机审批？", show_if_question="q3", show_if_values="no_", required=True)
    type_question(page, 4, "你有多大可能向同事推荐 ERP？")
    page.set_viewport_size({"width": 1280, "height": 4000})  # both ends of the drag on screen at once
    page.locator("#question-4 .drag-handle").drag_to(page.locator("#question-0 .drag-handle"))  # last to the top
    page.set_viewport_size({"width": 1280, "height": 900})
    positions = page.eval_on_selector_all("[data-position]", "els => els.map(e => e.value)")
    assert positions == ["0", "1", "2", "3", "4"]
    assert page.eval_on_selector_all("[data-unit]", "els => els.map(e => e.id)")[0] == "question-4"
    page.click("button[value='preview']")
    frame = page.frame(name="preview")
    frame.wait_for_selector("[data-survey]")
    assert page.eval_on_selector("iframe[name=preview]", "f => f.getBoundingClientRect().width") == 375
    assert frame.evaluate("document.documentElement.scrollWidth") <= 375
    assert "为什么不用手机审批？" in frame.text_content("form")
    assert frame.is_hidden("#q-q4")  # q3 not answered yet: its conditional question waits
    page.screenshot(path=str(tmp_path / "editor-1280.png"), full_page=True)
    press(page, "save")
    assert page.url == base + "/instruments/erp-q"
    page.screenshot(path=str(tmp_path / "instrument-1280.png"), full_page=True)


def create_campaign(page, base, tmp_path):
    page.goto(base + "/campaigns/new")
    page.select_option("[name=instrument]", label="ERP 上线季度调查（v1）")
    page.fill("[name=title]", "ERP 2026 年第四季度")
    with page.expect_navigation():
        page.click("input[type=submit]")
    assert "/campaigns/" in page.url


def test_a_manager_writes_a_survey_and_an_employee_answers_it_on_a_phone(live_app, browser, tmp_path):
    with live_app.app_context():
        create_staff_user(db.session, "manager@example.com", "manager", PASSWORD)
        add_people(2)
        db.session.commit()
    base = live_app.config["LIVE_URL"]
    desktop = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = desktop.new_page()
    log_in(page, base, "manager@example.com", PASSWORD)
    build_survey(page, base, tmp_path)
    create_campaign(page, base, tmp_path)
    desktop.close()
    with live_app.app_context():
        definition = instrument_for(latest_version(db.session, "erp-q"))
        assert [q.code for q in definition.questions] == ["q5", "q1", "q2", "q3", "q4"]
        assert definition.scales[0].code == "module_purchase"
        campaign = db.session.execute(select(Campaign)).scalar_one()
        tokens = [token for _, token in issue_invitations(db.session, campaign)]
        db.session.commit()

    phone = browser.new_context(viewport={"width": 375, "height": 667}, has_touch=True, is_mobile=True, locale="zh-CN")
    page = phone.new_page()
    page.goto(f"{base}/s/{tokens[0]}")
    assert_no_horizontal_overflow(page)
    assert page.is_hidden("#q-q4")
    page.locator("#q-q5 label.choice").nth(9).tap()
    page.locator("#q-q1 label.choice").nth(3).tap()
    page.locator("#q-q2 label.choice").nth(1).tap()
    page.locator("#q-q3 label.choice").nth(1).tap()  # 不用: the follow-up shows
    assert page.is_visible("#q-q4")
    page.locator("#q-q4 textarea").fill("审批单在手机上打不开附件")
    page.screenshot(path=str(tmp_path / "respond-375.png"), full_page=True)
    page.locator("#q-q3 label.choice").nth(0).tap()  # 用: the follow-up hides, its text stays in the page
    assert page.is_hidden("#q-q4")
    page.locator("#q-q3 label.choice").nth(1).tap()  # and shows again when the answer changes back
    assert page.is_visible("#q-q4") and page.input_value("#q-q4 textarea") == "审批单在手机上打不开附件"
    page.locator("#q-q3 label.choice").nth(0).tap()
    assert "已答 4 / 4 题" in page.text_content("[data-progress-text]")
    page.locator("[data-submit]").tap()
    page.wait_for_url("**/respond/thanks")
    phone.close()
    with live_app.app_context():
        stored = dict(db.session.execute(select(Answer.question_code, Answer.value_text).join(Response)).all())
        assert set(stored) == {"q5", "q1", "q2", "q3"} and stored["q3"] == "yes_"
