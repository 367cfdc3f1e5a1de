"""Validation of the people import: all or nothing, every problem listed with its row, in Chinese."""

import pytest

from app.people.importer import parse_people_file
from tests.builders import ENGLISH_HEADER, csv_bytes, person_rows, xlsx_bytes


def test_chinese_header_csv_is_parsed():
    result = parse_people_file("people.csv", csv_bytes(person_rows(3)))
    assert result.ok
    assert [r.employee_id for r in result.rows] == ["E00001", "E00002", "E00003"]
    assert result.rows[0].role == "employee"
    assert result.rows[0].department == "总部/华东区/门店1"


def test_english_header_and_english_roles_are_parsed():
    rows = [["A1", "Li Lei", "", "HQ/IT", "digital_admin", ""]]
    result = parse_people_file("people.csv", csv_bytes(rows, header=ENGLISH_HEADER))
    assert result.ok
    assert result.rows[0].role == "digital_admin"
    assert result.rows[0].email is None and result.rows[0].wave is None


def test_xlsx_with_chinese_header_is_parsed():
    result = parse_people_file("people.xlsx", xlsx_bytes(person_rows(200)))
    assert result.ok
    assert len(result.rows) == 200


def test_numeric_employee_ids_from_excel_stay_integers_as_text():
    rows = [[1001, "王芳", "", "总部/财务部", "高层", "第二批"]]
    result = parse_people_file("people.xlsx", xlsx_bytes(rows))
    assert result.ok
    assert result.rows[0].employee_id == "1001"


def test_gbk_encoded_csv_from_excel_works():
    rows = person_rows(2) + [["E00100", "欧阳娜", "", "总部/华南区/深圳门店", "中层管理者", "第二批"]]
    result = parse_people_file("people.csv", csv_bytes(rows, encoding="gbk"))
    assert result.ok
    assert result.rows[-1].name == "欧阳娜"
    assert result.rows[-1].department == "总部/华南区/深圳门店"


def test_utf8_bom_csv_works():
    result = parse_people_file("people.csv", b"\xef\xbb\xbf" + csv_bytes(person_rows(1)))
    assert result.ok


def test_missing_column_is_reported():
    header = ["工号", "姓名", "部门", "批次"]
    rows = [["E1", "王芳", "总部", "第一批"]]
    result = parse_people_file("people.csv", csv_bytes(rows, header=header))
    assert not result.ok and result.rows == []
    assert "缺少必需的列" in result.errors[0] and "角色" in result.errors[0]


def test_unknown_role_is_reported_with_row_number():
    rows = person_rows(2) + [["E00009", "赵六", "", "总部", "实习生", ""]]
    result = parse_people_file("people.csv", csv_bytes(rows))
    assert result.errors == [result.errors[0]]
    assert result.errors[0].startswith("第 4 行")
    assert "未知角色“实习生”" in result.errors[0]
    assert result.rows == []


def test_duplicate_employee_id_names_both_rows():
    rows = person_rows(3) + [["E00002", "重复", "", "总部", "高层", ""]]
    result = parse_people_file("people.csv", csv_bytes(rows))
    assert result.errors == ["第 5 行：工号“E00002”与第 3 行重复"]


def test_empty_employee_id_is_reported():
    rows = [["", "无工号", "", "总部", "高层", ""]]
    result = parse_people_file("people.csv", csv_bytes(rows))
    assert result.errors and result.errors[0].startswith("第 2 行") and "工号(employee_id)为空" in result.errors[0]


def test_over_long_field_is_reported():
    rows = [["E1", "名" * 101, "", "总部", "高层", ""]]
    result = parse_people_file("people.csv", csv_bytes(rows))
    assert "姓名(name)过长（101 字符，最多 100）" in result.errors[0]


def test_every_problem_is_listed_not_just_the_first():
    rows = [
        ["", "甲", "", "总部", "一线员工", ""],
        ["E2", "乙", "", "总部", "老板", ""],
        ["E3", "丙", "bad-email", "总部//门店", "一线员工", ""],
    ]
    result = parse_people_file("people.csv", csv_bytes(rows))
    assert [e.split("：")[0] for e in result.errors] == ["第 2 行", "第 3 行", "第 4 行"]
    assert "邮箱格式不正确" in result.errors[2] and "空的层级" in result.errors[2]


@pytest.mark.parametrize(
    "filename,content",
    [
        ("people.pdf", b"%PDF-1.4 whatever"),
        ("people", b"a,b\n1,2"),
        ("people.xlsx", b"employee_id,name\n1,2"),
        ("people.xlsx", b"PK\x03\x04not really a zip"),
        ("people.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00binary"),
    ],
)
def test_file_that_is_not_csv_or_xlsx_is_refused(filename, content):
    result = parse_people_file(filename, content)
    assert not result.ok and result.rows == []
    assert any(word in result.errors[0] for word in ("只支持", "不是", "无法"))


def test_empty_file_is_reported():
    result = parse_people_file("people.csv", b"")
    assert not result.ok


def test_header_only_file_is_reported():
    result = parse_people_file("people.csv", csv_bytes([]))
    assert result.errors == ["文件中没有任何人员数据。"]


def test_whitespace_around_values_is_trimmed():
    rows = [["  E7 ", " 李雷 ", "", " 总部 / 华东区 ", " 一线员工 ", ""]]
    result = parse_people_file("people.csv", csv_bytes(rows))
    assert result.ok
    assert (result.rows[0].employee_id, result.rows[0].department) == ("E7", "总部/华东区")


def test_optional_dingtalk_id_and_language_columns_are_read():
    header = [*ENGLISH_HEADER[:4], "role", "wave", "钉钉ID", "语言"]
    rows = [
        ["A1", "Li Lei", "", "HQ/IT", "employee", "", "manager4521", "English"],
        ["A2", "王芳", "", "HQ/IT", "高层", "", "", ""],
    ]
    result = parse_people_file("people.xlsx", xlsx_bytes(rows, header=header))
    assert result.ok, result.errors
    assert (result.rows[0].dingtalk_userid, result.rows[0].language) == ("manager4521", "en")
    assert (result.rows[1].dingtalk_userid, result.rows[1].language) == (None, None)


def test_a_dingtalk_id_given_twice_or_an_unknown_language_is_refused_whole():
    header = [*ENGLISH_HEADER, "dingtalk_userid", "language"]
    rows = [
        ["A1", "甲", "", "HQ", "employee", "", "u1", "zh"],
        ["A2", "乙", "", "HQ", "employee", "", "u1", "en"],
        ["A3", "丙", "", "HQ", "employee", "", "u3", "fr"],
    ]
    result = parse_people_file("people.csv", csv_bytes(rows, header=header))
    assert not result.ok and result.rows == []
    assert "第 3 行：钉钉ID“u1”与第 2 行重复" in result.errors
    assert any(e.startswith("第 4 行：未知语言“fr”") for e in result.errors)
