"""The people directory synced from DingTalk's address book (stand-in on loopback), all or nothing."""

import json

from sqlalchemy import func, select

from app.extensions import db
from app.models import DepartmentWave, Person, RoleRule


def _organisation(standin, users_in_store=2):
    standin.add_department(2, "华东区", 1)
    standin.add_department(3, "杭州门店", 2)
    standin.add_department(4, "华南区", 1)
    standin.add_user("u1", "张三", [3], job_number="E001", title="店长", email="zhang@example.com")
    standin.add_user("u2", "李四", [3], job_number="", title="店员")
    standin.add_user("u3", "王五", [4], job_number="E003", title="区域经理")
    for i in range(users_in_store - 2):
        standin.add_user(f"x{i:03d}", f"员工{i}", [3], job_number=f"X{i:03d}")


def _sync(runner, *extra):
    result = runner.invoke(args=["people", "sync", "--source", "dingtalk", "--json", *extra])
    return result, json.loads(result.stdout) if result.stdout.strip() else None


def _people():
    return {p.employee_id: p for p in db.session.execute(select(Person)).scalars()}


def test_sync_builds_the_directory_from_the_department_tree_and_users(dingtalk_app, runner, dingtalk_standin):
    _organisation(dingtalk_standin)
    db.session.add_all(
        [
            RoleRule(position=1, field="title", keyword="经理", role="manager"),
            RoleRule(position=2, field="department", keyword="华南", role="executive"),
            DepartmentWave(department_path="示例集团/华东区", wave="第一批"),
        ]
    )
    db.session.commit()
    result, data = _sync(runner)
    assert result.exit_code == 0, result.output
    assert data["summary"] == {"created": 3, "updated": 0, "unchanged": 0, "deactivated": 0}
    people = _people()
    zhang, li, wang = people["E001"], people["u2"], people["E003"]
    assert (zhang.name, zhang.department.path, zhang.email, zhang.dingtalk_userid) == (
        "张三",
        "示例集团/华东区/杭州门店",
        "zhang@example.com",
        "u1",
    )
    assert (zhang.role, zhang.wave) == ("employee", "第一批")
    assert li.dingtalk_userid == "u2" and li.email is None  # employee id from the userid when job_number is empty
    assert (wang.role, wang.department.path, wang.wave) == ("manager", "示例集团/华南区", None)  # first rule wins


def test_users_are_read_page_by_page(dingtalk_app, runner, dingtalk_standin):
    _organisation(dingtalk_standin, users_in_store=230)
    result, data = _sync(runner)
    assert result.exit_code == 0 and data["summary"]["created"] == 231
    assert dingtalk_standin.calls["/topapi/v2/user/list"] >= 3 + 2  # the store's users take three pages


def test_dry_run_shows_what_would_be_added_changed_and_deactivated_and_writes_nothing(
    dingtalk_app, runner, dingtalk_standin
):
    _organisation(dingtalk_standin)
    _sync(runner)
    dingtalk_standin.users["u1"]["title"] = "区域经理"
    dingtalk_standin.users["u1"]["email"] = "new@example.com"
    del dingtalk_standin.users["u3"]
    dingtalk_standin.add_user("u9", "赵六", [4], job_number="E009")
    db.session.add(RoleRule(position=1, field="title", keyword="经理", role="manager"))
    db.session.commit()
    result, data = _sync(runner, "--dry-run", "--deactivate-missing")
    assert result.exit_code == 0, result.output
    assert data["dry_run"] is True
    assert data["summary"] == {"created": 1, "updated": 1, "unchanged": 1, "deactivated": 1}
    assert [p["employee_id"] for p in data["added"]] == ["E009"]
    assert data["changed"] == [
        {
            "employee_id": "E001",
            "name": "张三",
            "changes": {"email": ["zhang@example.com", "new@example.com"], "role": ["employee", "manager"]},
        }
    ]
    assert [p["employee_id"] for p in data["deactivated"]] == ["E003"]
    people = _people()
    assert set(people) == {"E001", "u2", "E003"} and people["E003"].active and people["E001"].role == "employee"


def test_real_sync_deactivates_missing_people_only_when_asked(dingtalk_app, runner, dingtalk_standin):
    _organisation(dingtalk_standin)
    _sync(runner)
    del dingtalk_standin.users["u3"]
    _sync(runner)
    assert _people()["E003"].active
    result, data = _sync(runner, "--deactivate-missing")
    assert result.exit_code == 0 and data["summary"]["deactivated"] == 1
    db.session.expire_all()
    assert not _people()["E003"].active


def test_human_output_of_a_dry_run_lists_the_people(dingtalk_app, runner, dingtalk_standin):
    _organisation(dingtalk_standin)
    result = runner.invoke(args=["people", "sync", "--source", "dingtalk", "--dry-run"])
    assert result.exit_code == 0 and "试运行（未写入）：新增 3 人" in result.output
    assert "新增 E001 张三（示例集团/华东区/杭州门店）" in result.output


def test_a_department_tree_with_a_cycle_is_refused_whole(dingtalk_app, runner, dingtalk_standin):
    _organisation(dingtalk_standin)
    dingtalk_standin.children_override[3] = [{"dept_id": 2, "name": "华东区", "parent_id": 3}]
    result, data = _sync(runner)
    assert result.exit_code == 1 and data["ok"] is False
    assert any("循环" in message and "dept_id 2" in message for message in data["errors"])
    assert db.session.execute(select(func.count(Person.id))).scalar_one() == 0


def test_a_department_whose_parent_is_missing_is_refused_whole(dingtalk_app, runner, dingtalk_standin):
    _organisation(dingtalk_standin)
    _sync(runner)
    dingtalk_standin.children_override[1] = [
        dict(dingtalk_standin.departments[2]),
        {"dept_id": 7, "name": "西北区", "parent_id": 99},
    ]
    dingtalk_standin.add_user("u7", "孙七", [7], job_number="E007")
    result, data = _sync(runner, "--deactivate-missing")
    assert result.exit_code == 1
    assert data["errors"] == ["钉钉部门“西北区”（dept_id 7）的上级部门（dept_id 99）不存在"]
    assert all(p.active for p in _people().values()) and "E007" not in _people()


def test_a_department_without_a_dept_id_is_refused_whole(dingtalk_app, runner, dingtalk_standin):
    _organisation(dingtalk_standin)
    dingtalk_standin.children_override[1] = [dict(dingtalk_standin.departments[2]), {"name": "西北区", "parent_id": 1}]
    result, data = _sync(runner)
    assert result.exit_code == 1
    assert data["errors"] == ["钉钉部门“西北区”没有 dept_id"]
    assert db.session.execute(select(func.count(Person.id))).scalar_one() == 0


def test_a_user_the_csv_import_would_refuse_refuses_the_whole_sync_with_the_same_message(
    dingtalk_app, runner, dingtalk_standin
):
    _organisation(dingtalk_standin)
    dingtalk_standin.users["u2"]["email"] = "not-an-address"
    dingtalk_standin.users["u3"]["job_number"] = "E001"
    result, data = _sync(runner)
    assert result.exit_code == 1
    assert "钉钉用户“李四”（userid u2）：邮箱格式不正确“not-an-address”" in data["errors"]
    assert "钉钉用户“张三”（userid u1）：工号“E001”与钉钉用户“王五”（userid u3）重复" in data["errors"]
    assert db.session.execute(select(func.count(Person.id))).scalar_one() == 0


def test_wrong_credentials_fail_with_dingtalks_errmsg(dingtalk_app, runner, dingtalk_standin):
    dingtalk_app.config["DINGTALK_APP_SECRET"] = "wrong"
    result = runner.invoke(args=["people", "sync", "--source", "dingtalk", "--json"])
    assert result.exit_code == 1 and "不合法的corpid或corpsecret" in result.stderr


def test_a_dingtalk_id_from_the_csv_import_is_kept_when_a_later_file_has_none(app):
    from app.people.directory import apply_import
    from app.people.importer import PersonRow

    apply_import(db.session, [PersonRow(2, "E1", "张三", None, "总部", "employee", None, dingtalk_userid="u1")])
    apply_import(db.session, [PersonRow(2, "E1", "张三", None, "总部", "employee", None)])
    db.session.commit()
    assert _people()["E1"].dingtalk_userid == "u1"
