"""Validation of the usage-metrics import: all or nothing, every problem listed with its row, in Chinese."""

from app.metrics.importer import parse_metrics_file
from tests.builders import csv_bytes, xlsx_bytes

DEPARTMENTS = {"总部", "总部/华东区", "总部/华东区/杭州门店", "总部/华南区"}
HEADER = ["部门", "人数", "活跃用户数", "日活/月活", "审批处理量", "平均审批时长（小时）", "考勤打卡率"]
ENGLISH = [
    "department",
    "headcount",
    "active users",
    "DAU/MAU",
    "approvals processed",
    "average approval hours",
    "attendance check-in rate",
]


def parse(content, filename="metrics.csv", quarter="2026Q4"):
    return parse_metrics_file(filename, content, quarter, DEPARTMENTS)


def values_of(result, department):
    return {v.metric: v.value for v in result.values if v.department == department}


def test_chinese_header_csv_is_parsed_into_known_metrics():
    result = parse(csv_bytes([["总部/华东区", "120", "96", "0.62", "1,530", "7.5", "93%"]], header=HEADER))
    assert result.ok, result.errors
    assert values_of(result, "总部/华东区") == {
        "headcount": 120,
        "active_users": 96,
        "dau_mau": 0.62,
        "approvals": 1530,
        "approval_hours": 7.5,
        "checkin_rate": 0.93,
    }


def test_english_header_xlsx_is_parsed():
    result = parse(xlsx_bytes([["总部/华南区", 80, 40, 0.5, 600, 12, 0.8]], header=ENGLISH), "metrics.xlsx")
    assert result.ok, result.errors
    assert values_of(result, "总部/华南区")["approval_hours"] == 12


def test_unknown_column_is_kept_as_a_custom_metric():
    result = parse(csv_bytes([["总部/华东区", "96", "42"]], header=["部门", "活跃用户数", "宜搭应用数"]))
    assert result.ok, result.errors
    assert values_of(result, "总部/华东区")["宜搭应用数"] == 42
    assert result.metrics == ["active_users", "宜搭应用数"]


def test_blank_cells_are_missing_figures_not_zero():
    result = parse(csv_bytes([["总部/华东区", "96", ""]], header=["部门", "活跃用户数", "审批处理量"]))
    assert values_of(result, "总部/华东区") == {"active_users": 96}


def test_gbk_encoded_csv_from_excel_works():
    result = parse(csv_bytes([["总部/华东区/杭州门店", "30"]], header=["部门", "活跃人数"], encoding="gbk"))
    assert result.ok and values_of(result, "总部/华东区/杭州门店") == {"active_users": 30}


def test_missing_department_column_is_reported():
    result = parse(csv_bytes([["96"]], header=["活跃用户数"]))
    assert result.errors == ["缺少必需的列：部门(department)"]


def test_file_without_metric_columns_is_reported():
    result = parse(csv_bytes([["总部"]], header=["部门"]))
    assert not result.ok and "没有任何指标列" in result.errors[0]


def test_every_bad_row_is_listed_with_its_row_number_and_nothing_is_kept():
    rows = [
        ["总部/华东区", "96", "0.5"],
        ["总部/西北区", "10", "0.5"],
        ["总部/华南区", "很多", "1.7"],
        ["", "5", "0.1"],
    ]
    result = parse(csv_bytes(rows, header=["部门", "活跃用户数", "日活/月活"]))
    assert result.values == [] and result.departments == []
    assert result.errors == [
        "第 3 行：部门“总部/西北区”不在人员名单中（请先导入人员，或检查部门路径的写法）",
        "第 4 行：活跃用户数(active_users)“很多”不是有效的数字；"
        "日活/月活(dau_mau)应在 0–1 之间或写成百分数（如 85%），收到 1.7",
        "第 5 行：部门(department)为空",
    ]


def test_duplicate_department_rows_are_reported():
    rows = [["总部/华东区", "96"], ["总部 / 华东区 /", "90"]]
    result = parse(csv_bytes(rows, header=["部门", "活跃用户数"]))
    assert result.errors == ["第 3 行：部门“总部/华东区”与第 2 行重复"]


def test_negative_and_fractional_counts_are_refused():
    rows = [["总部/华东区", "-3"], ["总部/华南区", "2.5"]]
    result = parse(csv_bytes(rows, header=["部门", "审批处理量"]))
    assert result.errors == [
        "第 2 行：审批处理量(approvals)不能为负数（-3）",
        "第 3 行：审批处理量(approvals)应为整数，收到 2.5",
    ]


def test_not_a_number_spelled_nan_or_inf_is_refused():
    rows = [["总部/华东区", "nan"], ["总部/华南区", "inf"]]
    result = parse(csv_bytes(rows, header=["部门", "宜搭应用数"]))
    assert len(result.errors) == 2 and all("不是有效的数字" in e for e in result.errors)


def test_more_active_users_than_people_is_refused():
    result = parse(csv_bytes([["总部/华东区", "50", "60"]], header=["部门", "人数", "活跃用户数"]))
    assert result.errors == ["第 2 行：活跃用户数（60）大于人数（50）"]


def test_quarter_column_must_match_the_quarter_imported():
    result = parse(csv_bytes([["2026Q3", "总部/华东区", "60"]], header=["季度", "部门", "活跃用户数"]))
    assert result.errors == ["第 2 行：季度“2026Q3”与导入的季度 2026Q4 不一致"]


def test_row_without_any_figure_is_refused():
    result = parse(csv_bytes([["总部/华东区", ""]], header=["部门", "活跃用户数"]))
    assert result.errors == ["第 2 行：没有任何指标数值"]


def test_duplicated_columns_are_reported():
    result = parse(csv_bytes([["总部", "1", "2"]], header=["部门", "活跃用户数", "active_users"]))
    assert result.errors == ["列名重复：活跃用户数(active_users)"]


def test_unnamed_column_is_reported():
    result = parse(csv_bytes([["总部", "1", "2"]], header=["部门", "活跃用户数", ""]))
    assert not result.ok and "列名" in result.errors[0]


def test_wrong_file_type_and_corrupt_xlsx_are_reported():
    assert parse(b"x", "metrics.txt").errors == ["只支持 .csv 或 .xlsx 文件。"]
    assert "XLSX" in parse(b"not a zip", "metrics.xlsx").errors[0]


def test_empty_file_is_reported():
    assert not parse(b"").ok
    assert parse(csv_bytes([], header=["部门", "活跃用户数"])).errors == ["文件中没有任何部门的数据。"]
