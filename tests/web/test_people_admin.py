"""People directory: import through the admin page and the CLI, list, search and filters."""

import io
import json
import re

from sqlalchemy import func, select

from app.extensions import db
from app.models import Department, Person
from tests.builders import csv_bytes, person_rows, xlsx_bytes
from tests.conftest import csrf_token_from


def upload(client, content: bytes, filename: str, deactivate=False):
    page = client.get("/admin/people/import").get_data(as_text=True)
    data = {"csrf_token": csrf_token_from(page), "file": (io.BytesIO(content), filename)}
    if deactivate:
        data["deactivate_missing"] = "y"
    return client.post("/admin/people/import", data=data, content_type="multipart/form-data")


def people_count():
    return db.session.execute(select(func.count(Person.id))).scalar_one()


def test_admin_imports_xlsx_through_the_page(client, login_as):
    login_as("admin")
    response = upload(client, xlsx_bytes(person_rows(200)), "名单.xlsx")
    assert response.status_code == 302
    assert people_count() == 200
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "导入成功：新增 200 人" in page


def test_the_import_summary_is_in_the_readers_language(client, login_as):
    login_as("admin")
    page = client.get("/admin/people/import").get_data(as_text=True)
    client.post("/language", data={"lang": "en", "next": "/", "csrf_token": csrf_token_from(page)})
    response = upload(client, csv_bytes(person_rows(3)), "p.csv")
    flash = re.search(
        r'<p class="flash[^"]*"[^>]*>(.*?)</p>', client.get(response.headers["Location"]).get_data(as_text=True)
    )
    assert flash.group(1) == "Import succeeded: 3 added, 0 updated, 0 unchanged, 0 deactivated"


def test_import_creates_department_tree(client, login_as):
    login_as("admin")
    upload(client, csv_bytes(person_rows(1)), "p.csv")
    paths = set(db.session.execute(select(Department.path)).scalars())
    assert {"总部", "总部/华东区", "总部/华东区/门店1"} <= paths


def test_bad_file_writes_nothing_and_lists_problems(client, login_as):
    login_as("admin")
    rows = person_rows(5) + [["E00003", "重复", "", "总部", "外星人", ""]]
    response = upload(client, csv_bytes(rows), "p.csv")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "未导入任何数据" in page
    assert "第 7 行" in page and "未知角色“外星人”" in page
    assert people_count() == 0


def test_import_page_without_file_shows_message(client, login_as):
    login_as("admin")
    page = client.get("/admin/people/import").get_data(as_text=True)
    response = client.post("/admin/people/import", data={"csrf_token": csrf_token_from(page)})
    assert "请选择要导入的文件" in response.get_data(as_text=True)


def test_reimport_updates_and_only_deactivates_when_asked(client, login_as):
    login_as("admin")
    upload(client, csv_bytes(person_rows(3)), "p.csv")
    changed = person_rows(2)
    changed[0][1] = "改名了"
    upload(client, csv_bytes(changed), "p.csv")
    assert people_count() == 3
    assert all(p.active for p in db.session.execute(select(Person)).scalars())
    assert db.session.execute(select(Person.name).where(Person.employee_id == "E00001")).scalar_one() == "改名了"
    upload(client, csv_bytes(changed), "p.csv", deactivate=True)
    inactive = db.session.execute(select(Person.employee_id).where(Person.active.is_(False))).scalars().all()
    assert inactive == ["E00003"]


def test_people_list_searches_and_filters(client, login_as):
    login_as("admin")
    rows = person_rows(3) + [["X1", "欧阳锋", "", "总部/华南区/深圳门店", "高层", "第二批"]]
    upload(client, csv_bytes(rows), "p.csv")
    page = client.get("/admin/people", query_string={"q": "欧阳"}).get_data(as_text=True)
    assert "欧阳锋" in page and "员工1" not in page
    page = client.get("/admin/people", query_string={"department": "总部/华南区"}).get_data(as_text=True)
    assert "欧阳锋" in page and "员工2" not in page
    page = client.get("/admin/people", query_string={"role": "employee"}).get_data(as_text=True)
    assert "欧阳锋" not in page and "员工2" in page


def test_people_names_are_escaped(client, login_as):
    login_as("admin")
    rows = [["E1", "<script>alert(1)</script>", "", "总部", "高层", ""]]
    upload(client, csv_bytes(rows), "p.csv")
    page = client.get("/admin/people").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page


def test_cli_import_and_list_json(runner, tmp_path):
    path = tmp_path / "people.xlsx"
    path.write_bytes(xlsx_bytes(person_rows(4)))
    result = runner.invoke(args=["people", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "新增 4 人" in result.output
    listed = runner.invoke(args=["people", "list", "--json"])
    people = json.loads(listed.output)
    assert len(people) == 4
    assert set(people[0]) == {"employee_id", "name", "department", "role", "wave"}


def test_cli_import_of_bad_file_exits_1_and_writes_nothing(runner, tmp_path):
    path = tmp_path / "people.csv"
    path.write_bytes(csv_bytes(person_rows(2) + [["", "无", "", "总部", "高层", ""]]))
    result = runner.invoke(args=["people", "import", str(path)])
    assert result.exit_code == 1
    assert "第 4 行" in result.output
    assert people_count() == 0


def test_cli_deactivate_missing(runner, tmp_path):
    path = tmp_path / "people.csv"
    path.write_bytes(csv_bytes(person_rows(3)))
    runner.invoke(args=["people", "import", str(path)])
    path.write_bytes(csv_bytes(person_rows(1)))
    result = runner.invoke(args=["people", "import", str(path), "--deactivate-missing"])
    assert result.exit_code == 0 and "停用 2 人" in result.output


def test_a_file_without_a_required_column_is_refused_in_the_readers_language(client, login_as):
    login_as("admin")
    page = client.get("/admin/people/import").get_data(as_text=True)
    client.post("/language", data={"lang": "en", "next": "/", "csrf_token": csrf_token_from(page)})
    header = ["工号", "姓名", "邮箱", "部门", "批次"]  # no role column
    response = upload(client, csv_bytes([row[:4] + row[5:6] for row in person_rows(3)], header=header), "p.csv")
    page = response.get_data(as_text=True)
    assert "Required columns are missing: " in page and "缺少必需的列" not in page
    assert people_count() == 0
