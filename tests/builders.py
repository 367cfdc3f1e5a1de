"""Data builders for tests: small files and rows made in the test, not giant fixtures."""

import io

from openpyxl import Workbook

CHINESE_HEADER = ["工号", "姓名", "邮箱", "部门", "角色", "批次"]
ENGLISH_HEADER = ["employee_id", "name", "email", "department", "role", "wave"]


def person_rows(count: int, start: int = 1, role: str = "一线员工"):
    return [
        [
            f"E{start + i:05d}",
            f"员工{start + i}",
            f"e{start + i}@example.com",
            f"总部/华东区/门店{(start + i) % 7}",
            role,
            "第一批",
        ]
        for i in range(count)
    ]


def csv_bytes(rows, header=CHINESE_HEADER, encoding="utf-8") -> bytes:
    import csv

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows, header=CHINESE_HEADER) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
