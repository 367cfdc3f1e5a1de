"""Usage metrics: import through `flask metrics import` and the admin page; a quarter is replaced whole."""

import io

from sqlalchemy import select

from app.extensions import db
from app.models import UsageMetric
from tests.builders import csv_bytes
from tests.conftest import csrf_token_from
from tests.web.respond_helpers import add_people

HEADER = ["部门", "活跃用户数", "日活/月活"]


def stored(quarter="2026Q4"):
    return {
        (m.department_path, m.metric): m.value
        for m in db.session.execute(select(UsageMetric).where(UsageMetric.quarter == quarter)).scalars()
    }


def write(tmp_path, rows, name="metrics.csv", header=HEADER):
    path = tmp_path / name
    path.write_bytes(csv_bytes(rows, header=header))
    return str(path)


def test_cli_imports_a_quarter(runner, tmp_path):
    add_people(3, department="总部/华东区/杭州门店")
    result = runner.invoke(
        args=["metrics", "import", write(tmp_path, [["总部/华东区/杭州门店", "3", "55%"]]), "--quarter", "2026q4"]
    )
    assert result.exit_code == 0, result.output
    assert "导入成功" in result.output
    assert stored() == {("总部/华东区/杭州门店", "active_users"): 3, ("总部/华东区/杭州门店", "dau_mau"): 0.55}


def test_cli_reimport_replaces_the_whole_quarter_and_leaves_other_quarters(runner, tmp_path):
    add_people(3, department="总部/华东区/杭州门店")
    add_people(2, department="总部/华南区/深圳门店", start=10)
    runner.invoke(
        args=["metrics", "import", write(tmp_path, [["总部/华南区/深圳门店", "2", "0.5"]]), "--quarter", "2026Q3"]
    )
    runner.invoke(
        args=["metrics", "import", write(tmp_path, [["总部/华南区/深圳门店", "2", "0.5"]]), "--quarter", "2026Q4"]
    )
    result = runner.invoke(
        args=["metrics", "import", write(tmp_path, [["总部/华东区/杭州门店", "3", ""]]), "--quarter", "2026Q4"]
    )
    assert result.exit_code == 0, result.output
    assert stored() == {("总部/华东区/杭州门店", "active_users"): 3}
    assert stored("2026Q3") == {("总部/华南区/深圳门店", "active_users"): 2, ("总部/华南区/深圳门店", "dau_mau"): 0.5}


def test_cli_bad_file_exits_1_lists_every_problem_and_keeps_the_stored_quarter(runner, tmp_path):
    add_people(3, department="总部/华东区/杭州门店")
    runner.invoke(
        args=["metrics", "import", write(tmp_path, [["总部/华东区/杭州门店", "3", "0.5"]]), "--quarter", "2026Q4"]
    )
    bad = write(tmp_path, [["总部/华东区/杭州门店", "x", "0.5"], ["总部/不存在", "1", "0.1"]], name="bad.csv")
    result = runner.invoke(args=["metrics", "import", bad, "--quarter", "2026Q4"])
    assert result.exit_code == 1
    assert "第 2 行" in result.output and "第 3 行" in result.output and "未写入任何数据" in result.output
    assert stored() == {("总部/华东区/杭州门店", "active_users"): 3, ("总部/华东区/杭州门店", "dau_mau"): 0.5}


def test_cli_refuses_a_malformed_quarter(runner, tmp_path):
    add_people(1)
    result = runner.invoke(
        args=["metrics", "import", write(tmp_path, [["总部/华东区/杭州门店", "1", ""]]), "--quarter", "2026Q5"]
    )
    assert result.exit_code == 1 and "季度格式" in result.output
    assert stored() == {}


def upload(client, content, quarter="2026Q4", filename="m.csv"):
    page = client.get("/admin/metrics").get_data(as_text=True)
    return client.post(
        "/admin/metrics",
        data={"csrf_token": csrf_token_from(page), "quarter": quarter, "file": (io.BytesIO(content), filename)},
        content_type="multipart/form-data",
    )


def test_manager_imports_through_the_page(client, login_as):
    add_people(3, department="总部/华东区/杭州门店")
    login_as("manager")
    response = upload(client, csv_bytes([["总部/华东区/杭州门店", "3", "0.6"]], header=HEADER))
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "导入成功：2026年第四季度，1 个部门、2 项指标" in page
    assert stored()[("总部/华东区/杭州门店", "dau_mau")] == 0.6


def test_page_lists_every_problem_and_writes_nothing(client, login_as):
    add_people(3, department="总部/华东区/杭州门店")
    login_as("admin")
    response = upload(client, csv_bytes([["总部/华东区/杭州门店", "3", "2"], ["总部/火星", "1", "0.5"]], header=HEADER))
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "文件有 2 处问题，未导入任何数据" in page
    assert "第 2 行" in page and "“总部/火星”" in page
    assert stored() == {}


def test_page_explains_how_to_write_rates(client, login_as):
    login_as("admin")
    assert "0.85 或 85%；" in client.get("/admin/metrics").get_data(as_text=True)


def test_page_refuses_a_malformed_quarter_in_chinese(client, login_as):
    add_people(1)
    login_as("admin")
    response = upload(client, csv_bytes([["总部/华东区/杭州门店", "1", ""]], header=HEADER), quarter="Q4-2026")
    assert "季度格式应为 2026Q4" in response.get_data(as_text=True)
    assert stored() == {}


def test_page_takes_a_quarter_typed_with_spaces_and_a_lower_case_q(client, login_as):
    add_people(1)
    login_as("admin")
    response = upload(client, csv_bytes([["总部/华东区/杭州门店", "1", ""]], header=HEADER), quarter=" 2026q4 ")
    assert response.status_code == 302
    assert stored("2026Q4") == {("总部/华东区/杭州门店", "active_users"): 1}


def test_committee_cannot_import_metrics(client, login_as):
    login_as("committee")
    assert client.get("/admin/metrics").status_code == 403
