import json
import re

from sqlalchemy import func, select

from app.extensions import db
from app.models import Answer, Campaign, Delivery, Person, Response, StaffUser


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


def test_demo_board_shows_monthly_accounts_and_the_effect_of_a_change_and_the_digest_dry_run_lists_people(
    runner, client, monkeypatch
):
    monkeypatch.setenv("CP_PASSWORD", "demo password 123")
    assert runner.invoke(args=["demo"]).exit_code == 0
    board = client.get("/board/").get_data(as_text=True)
    assert re.search(r"2026年10月：收到 \d+ 条，采纳 \d+ 条，已实施 [1-9]\d* 条", board)
    assert re.search(r"2026年11月：收到 [1-9]\d* 条", board) and 'href="/board/months/2026-11"' in board
    effect = board[board.index('data-effect="measured"') :]
    effect = effect[: effect.index("</section>")]
    assert "实施后的变化：2026年第三季度 → 2026年第四季度" in effect
    assert re.search(r"考勤打卡满意度：\s*\d\.\d\d → \d\.\d\d", effect)
    assert re.search(r"\d+ 人（占 \d+%） → ", effect)
    dry_run = runner.invoke(args=["board", "digest", "--month", "2026-11", "--channel", "email", "--dry-run", "--json"])
    assert dry_run.exit_code == 0, dry_run.output
    report = json.loads(dry_run.output)
    assert report["sent"] == 300 and report["failed"] == 0
    assert {r["address"] for r in report["recipients"]} >= {"e10001@example.com"}
    assert db.session.execute(select(func.count(Delivery.id))).scalar_one() == 0
