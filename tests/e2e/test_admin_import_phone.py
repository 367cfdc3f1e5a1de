"""An admin logs in on a phone-sized Chromium and imports people through the page."""

from sqlalchemy import func, select

from app.extensions import db
from app.models import Person
from app.staff import create_staff_user
from tests.builders import person_rows, xlsx_bytes
from tests.e2e.conftest import assert_no_horizontal_overflow

PASSWORD = "phone password 375"


def test_admin_logs_in_and_imports_xlsx_at_375px(live_app, phone, tmp_path):
    with live_app.app_context():
        create_staff_user(db.session, "admin@example.com", "admin", PASSWORD)
        db.session.commit()
    base = live_app.config["LIVE_URL"]
    upload = tmp_path / "名单.xlsx"
    upload.write_bytes(xlsx_bytes(person_rows(200)))

    phone.goto(base + "/admin/people")
    assert "/login" in phone.url
    assert_no_horizontal_overflow(phone)
    phone.fill("input[name=email]", "admin@example.com")
    phone.fill("input[name=password]", PASSWORD)
    phone.click("input[type=submit]")
    phone.wait_for_url("**/admin/people")
    assert_no_horizontal_overflow(phone)

    phone.goto(base + "/admin/people/import")
    assert_no_horizontal_overflow(phone)
    phone.set_input_files("input[type=file]", str(upload))
    phone.click("input[type=submit]")
    phone.wait_for_url("**/admin/people")
    assert "导入成功：新增 200 人" in phone.text_content("main")
    assert_no_horizontal_overflow(phone)
    with live_app.app_context():
        assert db.session.execute(select(func.count(Person.id))).scalar_one() == 200


def test_import_errors_are_shown_on_the_phone(live_app, phone, tmp_path):
    with live_app.app_context():
        create_staff_user(db.session, "admin@example.com", "admin", PASSWORD)
        db.session.commit()
    base = live_app.config["LIVE_URL"]
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(xlsx_bytes(person_rows(3) + [["E00001", "重复的人", "", "总部", "一线员工", ""]]))
    phone.goto(base + "/login")
    phone.fill("input[name=email]", "admin@example.com")
    phone.fill("input[name=password]", PASSWORD)
    phone.click("input[type=submit]")
    phone.wait_for_url(base + "/")  # an admin's home: the directory and accounts
    phone.goto(base + "/admin/people/import")
    phone.set_input_files("input[type=file]", str(bad))
    phone.click("input[type=submit]")
    phone.wait_for_selector(".import-errors")
    assert "第 5 行" in phone.text_content(".import-errors")
    assert_no_horizontal_overflow(phone)
