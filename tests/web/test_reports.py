"""The quarterly report in the app: released figures only, roles, commentary, publishing, the workbook."""

import io

from openpyxl import load_workbook

from app.extensions import db
from app.models import Campaign, QuarterReport
from app.results.service import results
from tests.conftest import csrf_token_from
from tests.web.report_helpers import EAST, NORTH, SOUTH, quarter_with_everything, usage
from tests.web.results_helpers import add_responses, satisfaction


def page(client, path="/reports/2026Q4"):
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def department_row(html, department):
    """The cells of a department's row in the first department table of the report."""
    start = html.index(f'<th scope="row" class="data">{department}</th>')
    return html[start : html.index("</tr>", start)]


def save_commentary(client, **fields):
    token = csrf_token_from(page(client, "/reports/2026Q4/edit"))
    data = {"csrf_token": token, "level": "3", **fields}
    return client.post("/reports/2026Q4/edit", data=data)


def publish(client):
    token = csrf_token_from(page(client))
    return client.post("/reports/2026Q4/publish", data={"csrf_token": token})


def test_manager_sees_the_draft_with_every_section(client, login_as):
    quarter_with_everything()
    login_as("manager")
    html = page(client)
    for title in (
        "系统健康度报告",
        "2026年第四季度",
        "示例集团",
        "核心指标",
        "各部门满意度、准备度与使用情况",
        "高频意见主题",
        "改进建议进展",
        "你说，我们做",
        "需要关注的部门",
    ):
        assert title in html
    assert "<svg" in html and "<script" not in html.split("<main", 1)[1]


def test_departments_hidden_on_the_results_page_are_hidden_in_the_report(client, login_as):
    quarter_with_everything()
    login_as("manager")
    save_commentary(client)
    campaign = db.session.query(Campaign).filter_by(title="测试问卷").order_by(Campaign.id).first()
    hidden_on_results = {
        s["key"] for s in results(db.session, campaign, by="department", level=3)["segments"] if s["suppressed"]
    }
    html = page(client)
    assert hidden_on_results == {NORTH, SOUTH}
    assert "100.0" in department_row(html, EAST)  # SUS (5 − 1) × 25
    for department in (NORTH, SOUTH):
        satisfaction_cells = department_row(html, department).split("<td")[2]
        assert 'colspan="3"' in satisfaction_cells and "suppressed" in satisfaction_cells


def test_rank_correlation_is_withheld_with_the_departments_that_block_it(client, login_as):
    quarter_with_everything()
    login_as("manager")
    save_commentary(client)
    html = page(client)
    assert "等级相关未显示" in html and f'{NORTH}</span>、<span class="data">{SOUTH}' in html


def test_themes_below_k_text_are_not_shown(client, login_as):
    quarter_with_everything()
    login_as("manager")
    html = page(client)
    assert "审批太慢" in html and "审批要等三天" in html
    assert "打卡定位不准" not in html and "定位老是偏" not in html


def test_commentary_is_saved_and_shown_escaped(client, login_as):
    quarter_with_everything()
    login_as("manager")
    response = save_commentary(client, summary="<script>alert(1)</script>审批仍是最大痛点", themes="下季度重点：审批")
    assert response.status_code == 302
    html = page(client)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;审批仍是最大痛点" in html and "<script>alert(1)" not in html
    assert "下季度重点：审批" in html


def test_commentary_over_the_limit_is_refused_with_a_message_and_kept(client, login_as):
    login_as("manager")
    response = save_commentary(client, kpis="长" * 5001)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "最多 5000 个字符" in html and "长" * 100 in html
    assert db.session.query(QuarterReport).count() == 0


def test_publishing_freezes_the_report_and_says_who_published_it(client, login_as):
    quarter_with_everything()
    manager = login_as("manager")
    assert publish(client).status_code == 302
    before = page(client)
    usage("2026Q4", {EAST: {"approvals": 4321}})
    campaign = db.session.query(Campaign).order_by(Campaign.id).first()
    add_responses(campaign, [(40, "employee", EAST, "第一批", satisfaction(1, 0))])
    after = page(client)
    assert "4,321" not in after and after.count("100.0") == before.count("100.0")
    row = db.session.query(QuarterReport).one()
    assert row.published_by_id == manager.id and row.snapshot["published_by"] == manager.name
    assert "已发布" in after and manager.name in after


def test_a_published_report_cannot_be_edited_or_published_again(client, login_as):
    quarter_with_everything()
    login_as("manager")
    save_commentary(client, summary="第一版")
    token = csrf_token_from(page(client))
    client.post("/reports/2026Q4/publish", data={"csrf_token": token})
    again = client.post("/reports/2026Q4/publish", data={"csrf_token": token}, follow_redirects=True)
    assert "报告已发布，不能再次发布" in again.get_data(as_text=True)
    edit = client.get("/reports/2026Q4/edit", follow_redirects=True)
    assert "报告已发布，不能再修改" in edit.get_data(as_text=True)
    assert db.session.query(QuarterReport).one().snapshot["commentary"]["summary"] == "第一版"


def test_publish_needs_csrf(client, login_as):
    login_as("manager")
    assert client.post("/reports/2026Q4/publish").status_code == 400
    assert db.session.query(QuarterReport).count() == 0


def test_committee_reads_published_reports_only(client, login_as):
    quarter_with_everything()
    login_as("manager")
    publish(client)
    client.post("/logout", data={"csrf_token": csrf_token_from(page(client))})
    login_as("committee")
    assert client.get("/reports/2026Q3").status_code == 404
    assert client.get("/reports/2026Q4").status_code == 200
    assert client.get("/reports/2026Q4/edit").status_code == 403


def test_admin_cannot_read_reports(client, login_as):
    login_as("admin")
    assert client.get("/reports/2026Q4").status_code == 403


def test_malformed_quarter_is_not_found(client, login_as):
    login_as("manager")
    assert client.get("/reports/2026Q5").status_code == 404
    assert client.get("/reports/2026Q4x/report.xlsx").status_code == 404


def test_index_lists_quarters_with_their_state(client, login_as):
    quarter_with_everything()
    login_as("manager")
    html = page(client, "/reports/")
    assert "2026年第四季度" in html and "草稿" in html


def test_workbook_has_a_sheet_per_section_and_neutralises_formulas(client, login_as):
    quarter_with_everything()
    login_as("manager")
    save_commentary(client, summary='=HYPERLINK("http://evil")', themes="+1 审批")
    response = client.get("/reports/2026Q4/report.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == [
        "封面",
        "核心指标",
        "各部门满意度、准备度与使用情况",
        "高频意见主题",
        "改进建议进展",
        "你说，我们做",
        "需要关注的部门",
    ]
    assert book["封面"]["B2"].value == '\'=HYPERLINK("http://evil")'
    assert book["高频意见主题"]["B2"].value == "'+1 审批"
    departments = [row[0] for row in book["各部门满意度、准备度与使用情况"].iter_rows(values_only=True)]
    assert EAST in departments
