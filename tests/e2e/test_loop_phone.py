"""The loop in a real browser: a manager promotes a theme, the committee adopts and publishes it,
and an employee with a receipt sees its status on a 375 px screen."""

import random
import re

from sqlalchemy import select

from app.demo_comments import demo_comment
from app.extensions import db
from app.models import Answer, ThemeMember
from app.staff import create_staff_user
from app.themes.runs import create_run, execute_run
from tests.e2e.conftest import assert_no_horizontal_overflow
from tests.web.respond_helpers import make_campaign
from tests.web.results_helpers import add_responses, satisfaction

PASSWORD = "loop password 12"


def sign_in(page, base, email):
    page.goto(base + "/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_load_state()


def test_theme_to_adopted_suggestion_to_receipt(live_app, browser):
    base = live_app.config["LIVE_URL"]
    with live_app.app_context():
        create_staff_user(db.session, "m@example.com", "manager", PASSWORD, name="经理")
        create_staff_user(db.session, "c@example.com", "committee", PASSWORD, name="委员甲")
        db.session.commit()
        campaign, tokens = make_campaign(people=1, min_group=3, min_group_text=3)  # its themes are shown
        campaign_id = campaign.id
    phone = browser.new_context(viewport={"width": 375, "height": 667}, is_mobile=True, has_touch=True)
    employee = phone.new_page()
    employee.goto(f"{base}/s/{tokens[0]}")
    for fieldset in employee.locator("fieldset.question").all():
        if fieldset.locator("textarea").count():
            fieldset.locator("textarea").fill("审批流程太长了，报销要等好几天")
        else:
            fieldset.locator("label.choice").nth(3).tap()
    employee.locator("[data-submit]").tap()
    employee.wait_for_url("**/respond/thanks")
    receipt = employee.get_attribute("[data-receipt]", "data-receipt")

    with live_app.app_context():
        from app.models import Campaign

        campaign = db.session.get(Campaign, campaign_id)
        rng = random.Random(5)
        for _ in range(60):
            add_responses(
                campaign,
                [(1, "employee", "总部/华东区/杭州门店", "第一批", satisfaction(3, text=demo_comment(rng, 1.0)))],
            )
        run = create_run(db.session, [campaign.id])
        execute_run(run.id)
        theme_id = (
            db.session.execute(
                select(ThemeMember.theme_id)
                .join(Answer, ThemeMember.answer_id == Answer.id)
                .where(Answer.value_text == "审批流程太长了，报销要等好几天")
            )
            .scalars()
            .first()
        )

    desk = browser.new_context(viewport={"width": 1280, "height": 900})
    manager = desk.new_page()
    sign_in(manager, base, "m@example.com")
    manager.goto(f"{base}/committee/from-theme/{theme_id}")
    assert "代表性意见" in manager.input_value("textarea[name=description]")
    manager.fill("input[name=title]", "缩短报销审批链")
    manager.click("main button[type=submit]")
    manager.wait_for_url(re.compile(r".*/committee/\d+$"))
    suggestion_url = manager.url
    desk.close()

    desk = browser.new_context(viewport={"width": 1280, "height": 900})
    member = desk.new_page()
    sign_in(member, base, "c@example.com")
    member.goto(suggestion_url)
    member.select_option("select[name=to]", "under_review")
    member.click('main button:has-text("保存决定")')
    member.select_option("select[name=to]", "adopted")
    member.select_option("select[name=owner]", label="委员甲")
    member.fill("input[name=target_quarter]", "2027Q1")
    member.fill("textarea[name=note]", "下季度把小额报销改为一级审批")
    member.click('main button:has-text("保存决定")')
    assert member.get_attribute("[data-status]", "data-status") == "adopted"
    member.click("text=在公示栏公开")
    desk.close()

    employee.goto(f"{base}/board/receipt")
    employee.fill("input[name=code]", receipt)
    employee.locator("main button[type=submit]").tap()
    employee.wait_for_selector("[data-receipt-result=linked]")
    text = employee.text_content("main")
    assert "缩短报销审批链" in text and "已采纳" in text
    assert_no_horizontal_overflow(employee)
    employee.goto(f"{base}/board/")
    assert "下季度把小额报销改为一级审批" in employee.text_content("main")
    assert_no_horizontal_overflow(employee)
    phone.close()
