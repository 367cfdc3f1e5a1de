from sqlalchemy import func, select

from app.extensions import db
from app.models import Answer, Campaign, Person, Response, StaffUser


def test_demo_seeds_people_staff_and_two_quarters_of_both_surveys(runner, monkeypatch):
    monkeypatch.setenv("CP_PASSWORD", "demo password 123")
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert db.session.execute(select(func.count(Person.id))).scalar_one() == 300
    depths = {path.count("/") for path in db.session.execute(select(func.distinct(Response.department_path))).scalars()}
    assert depths == {2}
    quarters = db.session.execute(select(Campaign.quarter, Campaign.status).order_by(Campaign.id)).all()
    assert sorted(set(quarters)) == [("2026Q3", "closed"), ("2026Q4", "open")]
    assert db.session.execute(select(func.count(Response.id))).scalar_one() > 500
    comments = (
        db.session.execute(
            select(Answer.value_text).where(Answer.question_code.in_(["trouble", "suggestion", "holdback"]))
        )
        .scalars()
        .all()
    )
    assert len(comments) > 300 and any("审批" in c for c in comments)
    manager = db.session.execute(select(StaffUser).where(StaffUser.role == "manager")).scalar_one()
    assert manager.check_password("demo password 123")


def test_demo_if_empty_does_nothing_on_a_populated_database(runner):
    from tests.web.respond_helpers import add_people

    add_people(1)
    result = runner.invoke(args=["demo", "--if-empty"])
    assert "跳过" in result.output
    assert db.session.execute(select(func.count(Person.id))).scalar_one() == 1


def test_demo_quarter_report_has_usage_for_both_quarters_and_every_section(runner, client, login_as, monkeypatch):
    from app.models import UsageMetric

    monkeypatch.setenv("CP_PASSWORD", "demo password 123")
    assert runner.invoke(args=["demo"]).exit_code == 0
    quarters = set(db.session.execute(select(UsageMetric.quarter)).scalars())
    login_as("manager")
    page = client.get("/reports/2026Q4").get_data(as_text=True)
    assert quarters == {"2026Q3", "2026Q4"}
    assert "等级相关（Spearman）：ρ =" in page and "主要障碍：" in page and "上季度 " in page
    assert "本季度没有" not in page
