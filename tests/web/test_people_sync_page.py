"""Admins preview and run the DingTalk sync on /admin/people/sync and edit its rules on /admin/people."""

from sqlalchemy import func, select

from app.extensions import db
from app.models import Person, RoleRule
from tests.conftest import csrf_token_from


def _organisation(standin):
    standin.add_department(2, "华东区", 1)
    standin.add_user("u1", "张三", [2], job_number="E001", title="区域经理")
    standin.add_user("u2", "李四", [2], job_number="E002", title="店员")


def _count():
    return db.session.execute(select(func.count(Person.id))).scalar_one()


def test_preview_lists_who_would_be_added_and_writes_nothing_then_sync_applies(
    dingtalk_app, client, login_as, dingtalk_standin
):
    _organisation(dingtalk_standin)
    login_as("admin")
    token = csrf_token_from(client.get("/admin/people/sync").get_data(as_text=True))
    preview = client.post("/admin/people/sync", data={"csrf_token": token, "preview": "预览"}).get_data(as_text=True)
    assert "预览（尚未写入）" in preview and "张三" in preview and "示例集团/华东区" in preview
    assert _count() == 0
    done = client.post("/admin/people/sync", data={"csrf_token": token, "apply": "同步"})
    assert done.status_code == 302 and _count() == 2


def test_a_bad_tree_is_shown_and_nothing_is_written(dingtalk_app, client, login_as, dingtalk_standin):
    _organisation(dingtalk_standin)
    dingtalk_standin.children_override[2] = [{"dept_id": 2, "name": "华东区", "parent_id": 2}]
    login_as("admin")
    token = csrf_token_from(client.get("/admin/people/sync").get_data(as_text=True))
    page = client.post("/admin/people/sync", data={"csrf_token": token, "apply": "同步"}).get_data(as_text=True)
    assert "钉钉通讯录有 1 处问题，未写入任何数据" in page and "循环" in page
    assert _count() == 0


def test_unreachable_dingtalk_is_a_clear_message(dingtalk_app, client, login_as, dingtalk_standin):
    dingtalk_standin.stop()
    login_as("admin")
    token = csrf_token_from(client.get("/admin/people/sync").get_data(as_text=True))
    page = client.post("/admin/people/sync", data={"csrf_token": token, "preview": "预览"}).get_data(as_text=True)
    assert "无法访问钉钉接口" in page


def test_rules_added_on_the_people_page_decide_the_role(dingtalk_app, client, login_as, dingtalk_standin):
    _organisation(dingtalk_standin)
    login_as("admin")
    page = client.get("/admin/people").get_data(as_text=True)
    assert "钉钉同步规则" in page
    token = csrf_token_from(page)
    client.post(
        "/admin/people/rules", data={"csrf_token": token, "match_on": "title", "keyword": "经理", "role": "manager"}
    )
    client.post(
        "/admin/people/waves", data={"csrf_token": token, "department_path": "示例集团/华东区", "wave": "第二批"}
    )
    client.post("/admin/people/sync", data={"csrf_token": token, "apply": "同步"})
    people = {p.employee_id: p for p in db.session.execute(select(Person)).scalars()}
    assert (people["E001"].role, people["E002"].role) == ("manager", "employee")
    assert people["E001"].wave == "第二批"
    rule = db.session.execute(select(RoleRule)).scalar_one()
    client.post(f"/admin/people/rules/{rule.id}/delete", data={"csrf_token": token})
    assert db.session.execute(select(func.count(RoleRule.id))).scalar_one() == 0


def test_an_empty_keyword_is_refused(app, client, login_as):
    login_as("admin")
    token = csrf_token_from(client.get("/admin/people").get_data(as_text=True))
    response = client.post(
        "/admin/people/rules",
        data={"csrf_token": token, "match_on": "title", "keyword": "", "role": "manager"},
        follow_redirects=True,
    )
    assert "请填写关键词" in response.get_data(as_text=True)
    assert db.session.execute(select(func.count(RoleRule.id))).scalar_one() == 0


def test_managers_cannot_sync(app, client, login_as):
    login_as("manager")
    assert client.get("/admin/people/sync").status_code == 403
