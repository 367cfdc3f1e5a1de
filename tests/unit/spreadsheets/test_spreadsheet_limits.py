"""read_table's limits: an archive is judged by its directory before anything is unpacked, a sheet is
streamed and stops at the first row or column past the importer's limits, and what is read comes out
exactly as pandas' reader gave it before."""

import io
import struct
import zipfile
from datetime import datetime

import pandas as pd
import pytest
from openpyxl import Workbook

from app.spreadsheets import MB, TableError, TableLimits, check_archive, read_table, read_upload
from tests.builders import csv_bytes, person_rows, xlsx_bytes
from tests.upload_bombs import xlsx_bomb

SMALL = TableLimits(max_rows=10, max_columns=8)


def test_a_table_of_exactly_max_rows_is_read():
    frame = read_table("p.xlsx", xlsx_bytes(person_rows(10)), None, SMALL)
    assert len(frame) == 10 and frame.iloc[9, 0] == "E00010"


@pytest.mark.parametrize("name,content", [("p.xlsx", xlsx_bytes), ("p.csv", csv_bytes)])
def test_one_row_past_max_rows_is_refused(name, content):
    with pytest.raises(TableError, match="超过 10 行"):
        read_table(name, content(person_rows(11)), None, SMALL)


def test_empty_rows_after_the_table_are_not_counted_but_those_inside_it_are():
    rows = [*person_rows(5), [None] * 6, *person_rows(4, start=6), *[[None] * 6] * 50]
    frame = read_table("p.xlsx", xlsx_bytes(rows), None, SMALL)
    assert len(frame) == 10 and list(frame.iloc[5]) == [""] * 6
    with pytest.raises(TableError, match="超过 10 行"):
        read_table("p.xlsx", xlsx_bytes([*rows[:10], [None] * 6, *person_rows(1, start=20)]), None, SMALL)


def test_a_column_past_max_columns_is_refused_wherever_it_is():
    wide = [*person_rows(2), ["E9", "x", "", "总部", "一线员工", "", "", "", "past the limit"]]
    with pytest.raises(TableError, match="超过 8 列"):
        read_table("p.xlsx", xlsx_bytes(wide), None, SMALL)
    with pytest.raises(TableError, match="超过 8 列"):
        read_table("p.xlsx", xlsx_bytes([], header=[f"列{i}" for i in range(9)]), None, SMALL)


def test_a_styled_empty_cell_far_right_costs_one_column_past_the_limit():
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["工号", "姓名"])
    sheet.append(["E1", "张三"])
    sheet.cell(row=2, column=16384).number_format = "0.00"  # an empty cell in the last column Excel has
    buffer = io.BytesIO()
    workbook.save(buffer)
    frame = read_table("p.xlsx", buffer.getvalue(), None, SMALL)
    assert list(frame.columns) == ["工号", "姓名"] and list(frame.iloc[0]) == ["E1", "张三"]


def test_cells_come_out_as_pandas_read_them_before():
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["工号", "人数", "比例", "日期", "标记", "公式错误", ""])
    sheet.append(["00123", 42, 0.85, datetime(2026, 11, 24), True, "=1/0", None])
    sheet.append(["E2", 1e20, -3.0, None, False, None, "无表头"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    content = buffer.getvalue()
    expected = pd.read_excel(io.BytesIO(content), dtype=str, engine="openpyxl").fillna("")
    frame = read_table("p.xlsx", content, None, SMALL)
    assert list(frame.columns) == list(expected.columns)
    assert frame.to_dict("records") == expected.to_dict("records")


def test_a_member_that_unpacks_far_more_than_real_exports_is_refused_before_parsing():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"<row/>" * (2 * MB // 6))  # 2 MB, about 1000:1
    with pytest.raises(TableError, match="倍"):
        check_archive(buffer.getvalue(), SMALL)


def test_small_members_may_compress_well(tmp_path):
    """Below 1 MB the ratio says nothing: an empty sheet's XML compresses 50:1 and is harmless."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/styles.xml", b"<x/>" * 200_000)
    check_archive(buffer.getvalue(), SMALL)


def test_the_members_added_up_may_not_exceed_max_bytes(tmp_path):
    bomb = xlsx_bomb(tmp_path / "long.xlsx", rows=200_000, numbered=True)  # ~24 MB of XML at ~40:1
    with pytest.raises(TableError, match=r"解压后有 2\d MB，超过上限 10 MB"):
        check_archive(bomb.read_bytes(), TableLimits(max_rows=10, max_bytes=10 * MB))


def test_an_archive_of_too_many_members_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for i in range(SMALL.max_members + 1):
            archive.writestr(f"xl/media/{i}.bin", b"")
    with pytest.raises(TableError, match="部件过多"):
        check_archive(buffer.getvalue(), SMALL)


def declare_size(content: bytes, name: str, size: int) -> bytes:
    """`content` with the central directory claiming that member `name` unpacks to `size` bytes."""
    patched = bytearray(content)
    end = content.rindex(b"PK\x05\x06")
    entry = struct.unpack_from("<I", content, end + 16)[0]  # offset of the central directory
    while content[entry : entry + 4] == b"PK\x01\x02":
        name_length, extra_length, comment_length = struct.unpack_from("<HHH", content, entry + 28)
        if content[entry + 46 : entry + 46 + name_length].decode() == name:
            assert struct.unpack_from("<I", content, entry + 24)[0] != 0xFFFFFFFF
            struct.pack_into("<I", patched, entry + 24, size)
            return bytes(patched)
        entry += 46 + name_length + extra_length + comment_length
    raise AssertionError(f"no member {name}")


def test_a_member_cannot_unpack_more_than_it_declares(tmp_path):
    """The checks trust the declared sizes because zipfile stops there: a lying directory is a corrupt file."""
    bomb = xlsx_bomb(tmp_path / "b.xlsx", rows=300_000)  # ~28 MB of sheet XML
    lying = declare_size(bomb.read_bytes(), "xl/worksheets/sheet1.xml", 100_000)  # claims 100 KB
    with pytest.raises(TableError, match="无法读取 XLSX 文件"):  # unpacked no further than the 100 KB claimed
        read_table("b.xlsx", lying, None, TableLimits(max_rows=1_000_000))


def test_more_distinct_texts_than_a_real_table_has_are_refused_before_openpyxl_loads_them():
    """openpyxl keeps a workbook's whole shared-string table in memory (~160 bytes each) before row 1."""
    from tests.upload_bombs import CONTENT_TYPES, ROOT_RELS, WORKBOOK, WORKBOOK_RELS

    limits = TableLimits(max_rows=10)  # at most 40 distinct texts
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in (
            ("[Content_Types].xml", CONTENT_TYPES),
            ("_rels/.rels", ROOT_RELS),
            ("xl/workbook.xml", WORKBOOK),
            ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS),
            ("xl/worksheets/sheet1.xml", "<worksheet><sheetData/></worksheet>"),
        ):
            archive.writestr(name, text)
        items = "".join(f"<x:si><x:t>{i}</x:t></x:si>" for i in range(41))  # any namespace prefix
        archive.writestr("xl/renamed-strings.xml", f"<x:sst xmlns:x='urn:x'>{items}</x:sst>")  # any part name
    with pytest.raises(TableError, match="不同的文本超过 40 个"):
        check_archive(buffer.getvalue(), limits)


def test_distinct_texts_are_counted_across_the_pieces_the_archive_is_read_in():
    from app.spreadsheets import _count_shared_strings

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/sharedStrings.xml", b"<sst>" + b"<si><t>abcdefghij</t></si>" * 200_000 + b"</sst>")
    with zipfile.ZipFile(buffer) as archive:
        assert _count_shared_strings(archive, archive.infolist(), 10**9) == 200_000  # 5 MB in 1 MB pieces


def test_entity_expansion_in_the_sheet_xml_is_refused(tmp_path):
    laughs = '<!DOCTYPE w [<!ENTITY a "aaaaaaaaaa">' + "".join(
        f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(8)
    )
    sheet = (
        '<?xml version="1.0"?>' + laughs + ']><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
        '2006/main"><sheetData><row><c t="inlineStr"><is><t>&i;</t></is></c></row></sheetData></worksheet>'
    )
    base = tmp_path / "base.xlsx"
    xlsx_bomb(base, rows=1)
    out = io.BytesIO()
    with zipfile.ZipFile(base) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            data = sheet.encode() if member.filename.endswith("sheet1.xml") else source.read(member)
            target.writestr(member.filename, data)
    with pytest.raises(TableError, match="无法读取 XLSX 文件"):
        read_table("b.xlsx", out.getvalue(), None, SMALL)


def test_a_csv_larger_than_max_bytes_is_refused_and_the_cli_reads_no_further(tmp_path):
    limits = TableLimits(max_rows=10, max_bytes=1 * MB)
    big = tmp_path / "big.csv"
    big.write_bytes(b"a,b\n" * (MB // 2))  # 2 MB
    content = read_upload(str(big), limits)
    assert len(content) == MB + 1
    with pytest.raises(TableError, match="文件超过 1 MB"):
        read_table("big.csv", content, None, limits)


def test_a_header_written_twice_is_refused_by_the_name_the_importer_gives_it():
    content = "工号,工号,姓名\nE1,E2,张三\n".encode()
    with pytest.raises(TableError) as refused:
        read_table("p.csv", content, {"工号": "employee_id"}, SMALL, label={"employee_id": "工号(employee_id)"}.get)
    assert str(refused.value) == "列名重复：工号(employee_id)"


def test_two_aliases_of_one_column_are_refused_as_a_column_named_twice():
    content = "工号,员工编号\nE1,E2\n".encode()
    with pytest.raises(TableError, match="列名重复：employee_id"):
        read_table("p.csv", content, {"工号": "employee_id", "员工编号": "employee_id"}, SMALL)


def test_required_columns_that_are_missing_are_all_named():
    content = "姓名\n张三\n".encode()
    with pytest.raises(TableError) as refused:
        read_table("p.csv", content, {}, SMALL, required=("employee_id", "department", "姓名"))
    assert str(refused.value) == "缺少必需的列：employee_id、department"
