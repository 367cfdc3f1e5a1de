"""The instrument editor at /instruments/: managers write their own survey with the buttons alone (no
JavaScript), errors point at the question and field and keep what was typed, validated blocks are locked
whatever is posted, and saving an instrument a campaign uses makes a new version."""

import json

from sqlalchemy import select

import surveys
from app.extensions import db
from app.instruments import instrument_for, latest_version
from app.models import Instrument, InstrumentVersion
from tests.conftest import csrf_token_from
from tests.web.instrument_helpers import form_fields, import_erp, press
from tests.web.respond_helpers import make_campaign

NEW = "/instruments/new"


def page(response) -> str:
    return response.get_data(as_text=True)


def stored(slug="erp-q"):
    return instrument_for(latest_version(db.session, slug))


def build_erp_survey(client):
    """A survey typed in the editor: a module with two items, a choice and a conditional comment."""
    html = page(client.get(NEW))
    html = page(press(client, NEW, html, "add_module"))
    html = page(press(client, NEW, html, "add:likert5"))
    html = page(press(client, NEW, html, "add:likert5"))
    html = page(press(client, NEW, html, "add:single"))
    html = page(press(client, NEW, html, "add:text"))
    typed = {
        "name": "erp-q",
        "title_zh": "ERP 季度调查",
        "modules-0-code": "purchase",
        "modules-0-title_zh": "采购管理",
        "questions-0-text_zh": "下采购单方便吗？",
        "questions-0-required": "y",
        "questions-0-module": "purchase",
        "questions-1-text_zh": "查采购进度方便吗？",
        "questions-1-module": "purchase",
        "questions-2-text_zh": "你会用移动端审批采购单吗？",
        "questions-2-options": "yes_ | 会\nno_ | 不会",
        "questions-3-text_zh": "为什么不用？",
        "questions-3-required": "y",
        "questions-3-show_if_question": "q3",
        "questions-3-show_if_values": "no_",
    }
    return press(client, NEW, html, "save", typed)


def test_a_manager_builds_a_survey_with_a_module_and_a_condition_without_javascript(client, login_as):
    login_as("manager")
    response = build_erp_survey(client)
    assert response.status_code == 302, page(response)[:2000]
    assert response.headers["Location"] == "/instruments/erp-q"
    instrument = stored()
    assert [q.code for q in instrument.questions] == ["q1", "q2", "q3", "q4"]
    assert instrument.scales[0].code == "module_purchase" and instrument.scales[0].items == ("q1", "q2")
    assert instrument.question("q4").show_if.values == ("no_",) and instrument.question("q4").required
    assert instrument.question("q3").options[1].text == {"zh": "不会", "en": ""}
    assert "ERP 季度调查" in page(client.get("/instruments/"))


def test_errors_point_at_the_question_and_field_and_keep_what_was_typed(client, login_as):
    login_as("manager")
    html = page(client.get(NEW))
    html = page(press(client, NEW, html, "add:text"))
    html = page(press(client, NEW, html, "add:single"))
    changes = {
        "name": "erp-q",
        "title_zh": "ERP 调查",
        "questions-0-text_zh": "说说看",
        "questions-0-max_length": "很多",
        "questions-1-text_zh": "这道题我写好了",
        "questions-1-options": "只有一个选项",
    }
    response = press(client, NEW, html, "save", changes)
    assert response.status_code == 422
    html = page(response)
    assert 'id="questions-0-max_length-errors"' in html and "应为正整数，收到“很多”" in html
    assert 'id="questions-1-options-errors"' in html and "至少需要两个选项" in html
    assert 'value="很多"' in html and "这道题我写好了" in html and "只有一个选项" in html
    assert db.session.execute(select(Instrument).where(Instrument.slug == "erp-q")).first() is None


def test_errors_are_in_english_for_an_english_reader(client, login_as):
    login_as("manager")
    html = page(client.get(NEW))
    client.post("/language", data={"lang": "en", "next": NEW, "csrf_token": csrf_token_from(html)})
    html = page(press(client, NEW, page(client.get(NEW)), "add:likert5"))
    html = page(press(client, NEW, html, "save", {"name": "erp-q", "title_zh": "调查"}))
    assert "Chinese text is missing" in html


def test_a_new_instrument_cannot_take_a_name_in_use(client, login_as):
    login_as("manager")
    import_erp()
    html = page(press(client, NEW, page(client.get(NEW)), "add:likert5"))
    changes = {"name": "erp-quarterly", "title_zh": "重名", "questions-0-text_zh": "好用吗？"}
    response = press(client, NEW, html, "save", changes)
    assert response.status_code == 422 and "已被另一份问卷使用" in page(response)
    builtin = press(client, NEW, html, "save", {**changes, "name": "quarterly-satisfaction"})
    assert builtin.status_code == 422 and "是内置问卷的名称" in page(builtin)


def test_buttons_move_and_remove_questions(client, login_as):
    login_as("manager")
    html = page(client.get(NEW))
    for qtype in ("likert5", "single", "text"):
        html = page(press(client, NEW, html, f"add:{qtype}"))
    html = page(press(client, NEW, html, "down:0"))
    assert [form_fields(html)[f"questions-{i}-qtype"] for i in range(3)] == ["single", "likert5", "text"]
    html = page(press(client, NEW, html, "remove:2"))
    assert "questions-2-qtype" not in form_fields(html)


def test_dragged_positions_decide_the_order(client, login_as):
    """The script only renumbers the hidden positions; the server orders by them."""
    login_as("manager")
    html = page(client.get(NEW))
    for qtype in ("likert5", "single", "text"):
        html = page(press(client, NEW, html, f"add:{qtype}"))
    moved = {"questions-0-position": "2", "questions-1-position": "0", "questions-2-position": "1"}
    html = page(press(client, NEW, html, "refresh", moved))
    assert [form_fields(html)[f"questions-{i}-qtype"] for i in range(3)] == ["single", "text", "likert5"]


def saved_with_sus(client):
    html = page(press(client, NEW, page(client.get(NEW)), "add:likert5"))
    html = page(press(client, NEW, html, "block:sus"))
    changes = {"name": "erp-q", "title_zh": "ERP 调查", "questions-0-text_zh": "采购好用吗？"}
    return html, changes


def test_a_block_is_inserted_whole_with_its_lock_explained(client, login_as):
    login_as("manager")
    html, changes = saved_with_sus(client)
    assert "措辞和计分已锁定" in html and "questions-1-text_zh" not in form_fields(html)
    assert press(client, NEW, html, "save", changes).status_code == 302
    assert stored().scales[0].code == "sus" and len(stored().questions) == 11


def test_a_locked_block_cannot_be_edited_through_a_crafted_post(client, login_as):
    login_as("manager")
    html, changes = saved_with_sus(client)
    crafted = {
        **changes,
        "questions-1-text_zh": "这个系统太棒了，我愿意一直用！",
        "questions-1-qtype": "nps",
        "questions-1-required": None,
    }
    assert press(client, NEW, html, "save", crafted).status_code == 302
    assert stored().question("sus1") == surveys.load_builtin("quarterly-satisfaction").question("sus1")


def test_a_block_split_by_a_crafted_post_is_refused(client, login_as):
    login_as("manager")
    html, changes = saved_with_sus(client)
    crafted = {**changes, "questions-2-block": "", "questions-2-text_zh": "我觉得这个系统很简单。"}
    response = press(client, NEW, html, "save", crafted)
    assert response.status_code == 422 and "措辞和计分已锁定" in page(response)


def test_saving_an_instrument_a_campaign_uses_makes_a_new_version_and_the_campaign_keeps_its_own(client, login_as):
    login_as("manager")
    first = import_erp()
    campaign, _ = make_campaign("erp-quarterly", people=0)
    url = "/instruments/erp-quarterly/edit"
    html = page(client.get(url))
    response = press(client, url, html, "save", {"questions-0-text_zh": "采购模块用起来顺手吗？"})
    assert response.status_code == 302
    versions = db.session.execute(select(InstrumentVersion).order_by(InstrumentVersion.version)).scalars().all()
    erp = [v for v in versions if v.instrument.slug == "erp-quarterly"]
    assert [v.version for v in erp] == [1, 2]
    db.session.refresh(campaign)
    assert campaign.instrument_version_id == first.id
    assert instrument_for(campaign.instrument_version).question("purchase").text["zh"] == "采购模块好用吗？"
    assert instrument_for(erp[1]).question("purchase").text["zh"] == "采购模块用起来顺手吗？"
    changes = page(client.get("/instruments/erp-quarterly/changes?from=1&to=2"))
    assert "purchase" in changes and "措辞" in changes and "题目有变化" in changes


def test_saving_a_version_no_campaign_uses_edits_it_in_place(client, login_as):
    login_as("manager")
    import_erp()
    url = "/instruments/erp-quarterly/edit"
    press(client, url, page(client.get(url)), "save", {"title_zh": "ERP 调查（改）"})
    erp = db.session.execute(select(Instrument).where(Instrument.slug == "erp-quarterly")).scalar_one()
    assert [v.version for v in erp.versions] == [1] and erp.name_zh == "ERP 调查（改）"
    assert json.loads(erp.versions[0].definition)["title"]["zh"] == "ERP 调查（改）"


def test_builtins_are_templates_not_edited(client, login_as):
    login_as("manager")
    assert client.get("/instruments/quarterly-satisfaction/edit").status_code == 302
    token = csrf_token_from(page(client.get("/instruments/")))
    refused = client.post("/instruments/quarterly-satisfaction/edit", data={"csrf_token": token, "action": "save"})
    assert refused.status_code == 302
    assert [v.version for v in latest_version(db.session, "quarterly-satisfaction").instrument.versions] == [1]
    copy = page(client.get("/instruments/new?template=change-readiness"))
    assert "ADKAR 五要素" in copy and "变革抗拒四维度" in copy


def test_the_preview_is_the_employee_page_and_may_be_framed_by_the_editor(client, login_as):
    login_as("manager")
    html, changes = saved_with_sus(client)
    response = press(client, "/instruments/preview", html, "preview", changes)
    assert response.status_code == 200
    assert "frame-ancestors 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
    survey = page(response)
    assert "采购好用吗？" in survey and "我愿意经常使用这个系统。" in survey and "site-menu" not in survey
    assert client.get("/instruments/").headers["X-Frame-Options"] == "DENY"


def test_the_preview_of_a_broken_draft_lists_its_problems(client, login_as):
    login_as("manager")
    html = page(press(client, NEW, page(client.get(NEW)), "add:likert5"))
    response = press(client, "/instruments/preview", html, "preview", {"title_zh": "调查"})
    assert response.status_code == 422 and "缺少中文文本" in page(response)


def test_the_editor_is_for_managers(client, login_as):
    login_as("committee")
    assert client.get("/instruments/").status_code == 403
    assert client.get(NEW).status_code == 403


def test_an_exported_version_downloads_as_yaml(client, login_as):
    login_as("manager")
    import_erp()
    response = client.get("/instruments/erp-quarterly/export.yaml?version=1")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    assert surveys.from_yaml(page(response)) == instrument_for(latest_version(db.session, "erp-quarterly"))
