"""Exports: formula neutralisation, Excel-friendly CSV, and no small group in the raw answers."""

import csv
import io

from openpyxl import load_workbook

from tests.web.results_helpers import campaign_with, satisfaction

EAST = "总部/华东区/杭州门店"


def export_campaign():
    return campaign_with(
        [
            (12, "employee", EAST, "第一批", satisfaction(4, text='=HYPERLINK("http://evil","点我")')),
            (10, "manager", "总部/华南区/深圳门店", "第二批", satisfaction(2, text="+cmd|' /C calc'!A0")),
            (1, "executive", "总部/华北区/北京门店", "第三批", satisfaction(5, text="@SUM(1+1)")),
        ]
    )


def csv_rows(client, url):
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


def test_csv_raw_answers_neutralise_formulas(client, login_as):
    campaign = export_campaign()
    login_as("manager")
    rows = csv_rows(client, f"/campaigns/{campaign.id}/export.csv")
    cells = [cell for row in rows for cell in row]
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in cells)
    assert any(cell.startswith("'=HYPERLINK") for cell in cells)
    assert len(rows) == 1 + 23


def test_raw_answers_have_no_identifying_columns_and_no_small_combinations(client, login_as):
    campaign = export_campaign()
    login_as("manager")
    rows = csv_rows(client, f"/campaigns/{campaign.id}/export.csv")
    header, body = rows[0], rows[1:]
    assert header[:3] == ["角色 role", "部门 department", "批次 wave"]
    assert not any(word in " ".join(header).lower() for word in ("id", "date", "time", "ip", "token"))
    combinations = {}
    for row in body:
        combinations.setdefault(tuple(row[:3]), 0)
        combinations[tuple(row[:3])] += 1
    assert all(count >= campaign.min_group_text for key, count in combinations.items() if any(key))
    assert not any("北京门店" in row[1] for row in body)


def test_segment_csv_shows_only_released_figures(client, login_as):
    campaign = export_campaign()
    login_as("manager")
    rows = csv_rows(client, f"/campaigns/{campaign.id}/export.csv?table=segments")
    executive = next(row for row in rows if row[1] == "高层")
    assert executive[2] == "不足 5 人" and all(cell == "" for cell in executive[3:])


def test_xlsx_has_both_sheets_and_neutralised_cells(client, login_as):
    campaign = export_campaign()
    login_as("manager")
    response = client.get(f"/campaigns/{campaign.id}/export.xlsx")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.data))
    assert workbook.sheetnames == ["分组结果 segments", "原始答案 answers"]
    values = [cell for sheet in workbook for row in sheet.iter_rows(values_only=True) for cell in row]
    strings = [v for v in values if isinstance(v, str)]
    assert not any(v.startswith(("=", "+", "-", "@")) for v in strings)
    assert any(v.startswith("'+cmd") for v in strings)


def test_exports_are_manager_only(client, login_as):
    campaign = export_campaign()
    login_as("committee")
    assert client.get(f"/campaigns/{campaign.id}/export.csv").status_code == 403
    assert client.get(f"/campaigns/{campaign.id}/export.xlsx").status_code == 403
